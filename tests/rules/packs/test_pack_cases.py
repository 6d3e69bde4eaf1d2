"""Every hand-worked case in packs/cases/ gives the verdict worked out by hand from shared/domain/.

A case file holds `cases:`; each case has an input record (only the fields it needs, the rest
unknown) and the expected outputs. A wrong threshold, band or edition date in a pack makes the
case fail with the case id and what differed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from packs_support import CASES_DIR, condition, indicator, number, run, text, tri


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        rel = path.relative_to(CASES_DIR)
        standard_dir = rel.parts[0]
        for case in doc["cases"]:
            case.setdefault("standard", doc.get("standard", standard_dir))
            params.append(pytest.param(case, path, id=f"{rel.with_suffix('')}::{case['id']}"))
    return params


CASES = _load_cases()


def test_every_standard_has_cases() -> None:
    standards = {p.values[0]["standard"] for p in CASES}
    assert standards >= {
        "size_class",
        "tech_sme",
        "innovative_sme",
        "specialized_sme",
        "little_giant",
        "digital_level",
    }


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.mark.parametrize(("case", "path"), CASES)
def test_case(packs: Any, case: dict[str, Any], path: Path) -> None:
    standard = case["standard"]
    result = run(packs, standard, case["record"], case.get("editions"))
    expect = case["expect"]
    problems: list[str] = []

    def check(name: str, got: Any, want: Any) -> None:
        if got != want:
            problems.append(f"{name}: expected {want!r}, got {got!r}")

    if "qualified" in expect:
        check("qualified", tri(result.qualified), tri(expect["qualified"]))
    if "edition" in expect:
        check("edition", text(result.edition), str(expect["edition"]))
    if "level" in expect:
        want_level = expect["level"]
        check("level", text(result.level), None if want_level is None else str(want_level))
    if "path" in expect:
        want_path = expect["path"]
        got_path = text(result.path) if tri(result.qualified) == "true" else None
        check("path", got_path, want_path)
    if "score" in expect:
        want_score = expect["score"]
        check("score", number(result.score), None if want_score is None else _dec(want_score))
    if "score_range" in expect:
        lo, hi = result.score_range
        check("score_range", (_dec(lo), _dec(hi)), tuple(_dec(v) for v in expect["score_range"]))
    if "provisional" in expect:
        check("provisional", bool(result.provisional), bool(expect["provisional"]))
    for ind_id, want in (expect.get("indicators") or {}).items():
        got_range = indicator(result, ind_id)
        want_range = (_dec(want[0]), _dec(want[1])) if isinstance(want, list) else (_dec(want), _dec(want))
        check(f"indicator {ind_id}", got_range, want_range)
    for cond_id, want in (expect.get("conditions") or {}).items():
        check(f"condition {cond_id}", condition(result, cond_id), tri(want))

    assert not problems, f"{path.name} {case['id']} ({case.get('title', '')}):\n  " + "\n  ".join(problems)
