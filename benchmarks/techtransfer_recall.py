"""Matching quality of technology transfer (tidu.techtransfer.matching) on a hand-labelled set.

    .venv/bin/python benchmarks/techtransfer_recall.py [--k 5] [--verbose]

The set (benchmarks/data/techtransfer_recall.json): 20 invented achievements of innovation platforms, 15 firms
(GB/T 4754 industry code and name, main product) and 10 large-firm needs, with the achievements an officer would
put forward for each: 30 labelled pairs. Firms are matched with `matching.for_firm` (their industry name and
products as words, the industry code as a boost), needs with `matching.for_need`, as the pages do. Reported:
recall@k (pairs found among the top k / pairs), hit@1 (queries whose first result is relevant), and the median
latency of one query; --no-products drops the firms' products. No database: the pure matching module is used directly.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tidu.techtransfer import matching  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "techtransfer_recall.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--no-products", action="store_true",
                        help="firms described by their industry only (most of the register has no main product)")
    args = parser.parse_args()
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    index = matching.achievement_index(raw["achievements"])
    matching.search(index, "预热")  # warm-up (jieba dictionary)
    rows: list[tuple[str, str, list[str], set[str]]] = []
    times: list[float] = []
    for f in raw["firms"]:
        t0 = time.perf_counter()
        got = matching.for_firm(index, industry_code=f["industry_code"], industry_label=f["industry_name"],
                                products=[] if args.no_products else f["products"], limit=args.k)
        times.append(time.perf_counter() - t0)
        rows.append(("firm", f"{f['id']} {f['industry_name']}", [m.id for m in got], set(f["relevant"])))
    for n in raw["needs"]:
        t0 = time.perf_counter()
        got = matching.for_need(index, title=n["title"], description=n["description"], field_label=n["field_label"],
                                limit=args.k)
        times.append(time.perf_counter() - t0)
        rows.append(("need", f"{n['id']} {n['title']}", [m.id for m in got], set(n["relevant"])))
    for kind in ("firm", "need", "all"):
        chosen = [r for r in rows if kind in ("all", r[0])]
        pairs = sum(len(r[3]) for r in chosen)
        found = sum(len(r[3] & set(r[2])) for r in chosen)
        hits = sum(1 for r in chosen if r[2][:1] and r[2][0] in r[3])
        print(f"{kind:>4}: recall@{args.k} = {found / pairs:.3f} ({found}/{pairs} pairs), "
              f"hit@1 = {hits / len(chosen):.3f} ({hits}/{len(chosen)} queries)")
    print(f"median latency of one query: {statistics.median(times) * 1000:.1f} ms "
          f"(Python {platform.python_version()})")
    if args.verbose:
        for kind, label, got, relevant in rows:
            mark = "ok" if relevant <= set(got) else "MISS"
            print(f"  {mark:4} {kind} {label}: {got} (relevant {sorted(relevant)})")


if __name__ == "__main__":
    main()
