"""Matching quality of 发榜/揭榜 (tidu.needs.ranking): recall@10 on a hand-labelled set of need/firm pairs.

    .venv/bin/python benchmarks/needs_recall.py [--k 10] [--verbose]

The set (benchmarks/data/needs_recall.json) holds 66 invented but realistic firms (36 that solve one of the
needs, 30 distractors, many sharing words or fields with a need: a robot-education firm, security cameras,
car brake pads, home air purifiers …) and 12 needs with 3 relevant firms each: 36 labelled pairs. Every need
is ranked against all 66 firms, as the owner's "匹配的中小企业" page does. Reported: recall@k per need, macro
(mean over needs) and micro (pairs found / pairs), for the full ranking and for BM25 text alone (no boosts),
and the latency of one ranking. No database: the pure ranking module is used directly.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.config.settings.test")

import django  # noqa: E402

django.setup()

from tidu.matching.index import Query  # noqa: E402
from tidu.needs.ranking import FirmProfile, NeedProfile, firm_index, rank_firms  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "needs_recall.json"


def load() -> tuple[list[FirmProfile], list[tuple[NeedProfile, set[str]]]]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    firms = [FirmProfile(id=f["id"], name=f["name"], region_code=f["region"], industry_code=f["industry"],
                         industry_name=f["industry_name"], products=f["products"], titles=frozenset(f["titles"]),
                         invention_patents=f["patents"]) for f in raw["firms"]]
    needs = [(NeedProfile(id=n["id"], title=n["title"], field=n["field"], region_code=n["region"],
                          description=n["description"], indicators=n["indicators"]), set(n["relevant"]))
             for n in raw["needs"]]
    return firms, needs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    firms, needs = load()
    index = firm_index(firms)
    rank_firms(index, needs[0][0], limit=args.k)  # warm-up (jieba dictionary)
    full: list[float] = []
    text: list[float] = []
    found_full = found_text = 0
    times: list[float] = []
    print(f"{'need':<5} {'title':<26} full  text-only")
    for need, relevant in needs:
        t0 = time.perf_counter()
        ranked = [r.id for r in rank_firms(index, need, limit=args.k)]
        times.append(time.perf_counter() - t0)
        query = "\n".join([need.title, need.title, need.indicators, need.description])
        plain = [r.id for r in index.search(Query(text=query, limit=args.k))]
        hit_full, hit_text = len(relevant & set(ranked)), len(relevant & set(plain))
        found_full, found_text = found_full + hit_full, found_text + hit_text
        full.append(hit_full / len(relevant))
        text.append(hit_text / len(relevant))
        print(f"{need.id:<5} {need.title[:24]:<26} {hit_full}/{len(relevant)}   {hit_text}/{len(relevant)}")
        if args.verbose:
            print("      ", ranked)
    pairs = sum(len(r) for _n, r in needs)
    print(f"\nfirms {len(firms)}, needs {len(needs)}, labelled pairs {pairs}, k = {args.k}")
    print(f"recall@{args.k} full ranking: macro {statistics.mean(full):.3f}, micro {found_full}/{pairs} "
          f"= {found_full / pairs:.3f}")
    print(f"recall@{args.k} BM25 text only: macro {statistics.mean(text):.3f}, micro {found_text}/{pairs} "
          f"= {found_text / pairs:.3f}")
    print(f"ranking latency: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
          f"({platform.python_version()}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
