"""Write the golden explanations (tests/rules/golden/*.json) from the current packs and engine.

    .venv/bin/python tests/rules/golden/regenerate.py

Run it only when a change of the packs or of the engine is meant to change explanations, and
review the diff of the JSON files: it is the change every stored result would see. Each case is a
synthetic firm-year (`tidu synth`, seed 11, plus a few fields blanked to make verdicts unknown),
chosen so that every standard has a qualifying, a failing and, where possible, an unknown firm.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "src"))

TODAY = dt.date(2025, 6, 30)
PER_VERDICT = 1  # firms per (standard, verdict)
# the unknown cases miss these (one set at a time)
BLANKED = (("revenue_y2", "ip_c1_count", "rd_staff_y1"), ("employees_y1", "tech_staff_y1", "main_rev_y1"))


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def main() -> None:
    import pyarrow.parquet as pq

    from tidu.rules import STANDARDS, canonical_json, load_packs

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "firms.parquet"
        subprocess.run([sys.executable, "-m", "tidu.cli.main", "synth", "--firms", "4000", "--seed", "11",
                        "--latent", "-o", str(path)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        rows = pq.read_table(path).to_pylist()
    rows.sort(key=lambda r: -int(r.pop("latent_rung") or 0))  # climbers first
    rows += [{**r, **dict.fromkeys(blank)} for blank in BLANKED for r in rows[:400]]
    packs = load_packs(cache=False)
    for old in HERE.glob("*.json"):
        old.unlink()
    wanted = {(s, v): PER_VERDICT for s in STANDARDS for v in ("true", "false", "unknown")}
    for record in rows:
        plain = {k: _plain(v) for k, v in record.items() if v is not None}
        res = packs.explain(record, today=TODAY, gaps=True)
        for s, r in res.standards.items():
            key = (s, r.qualified.value)
            if wanted.get(key, 0) <= 0:
                continue
            wanted[key] -= 1
            name = f"{s}-{r.qualified.value}-{record['credit_code']}"
            case = {"standard": s, "today": TODAY.isoformat(), "record": plain}
            (HERE / f"{name}.input.json").write_text(
                json.dumps(case, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
            )
            (HERE / f"{name}.json").write_text(canonical_json(r.as_json()), encoding="utf-8")
        if not any(wanted.values()):
            break
    missing = sorted(k for k, n in wanted.items() if n > 0)
    print(f"golden files written to {HERE}; no synthetic firm for: {missing}")


if __name__ == "__main__":
    main()
