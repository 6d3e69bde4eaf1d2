"""How fast `tidu.matching` builds and answers: 100,000 generated items, top-10 latency p50/p95.

    .venv/bin/python benchmarks/matching.py [--items 100000] [--queries 300] [--seed 7]

Items are generated from the vocabulary of the scenario library (titles, pain points, solutions
recombined), with the same fields, weights and attributes as the live scenario search. Queries mix
short terms, colloquial sentences, pinyin-input typos and pinyin in latin letters; a third carry
structured filters (business area, required level, industry). Latency is wall clock per
`Index.search(Query(..., limit=10))`, explanations of the ten results included, after one warm-up
pass that compiles postings and filter masks (a live index stays warm). Target: p95 ≤ 20 ms.
Wall clock and the thread's CPU time are both reported: on a shared machine the wall clock also
counts the time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from tidu.matching import Filter, Query  # noqa: E402
from tidu.matching.text import words  # noqa: E402
from tidu.scenarios.search_items import scenario_index  # noqa: E402

QUERIES = [
    "视觉检测", "智能排产", "预测性维护", "节能降耗", "智能客服", "焊接机器人", "合同审查", "仓储",
    "我们厂老是出次品，人工检查总有漏掉的", "设备三天两头坏，一停机就耽误交货", "电费太贵了，不知道哪台机器最费电",
    "急单插单太多，Excel排不过来，老是延期交货", "发票太多，财务每个月对账对到半夜",
    "仓库经常找不到货，账和实物对不上，一边积压一边缺料，资金压力很大",
    "只能排产", "及其视觉检测", "发漂太多记账麻烦", "预侧性维护", "zhineng paichan", "peifang youhua",
]
AREAS = ["研发设计", "生产运维", "经营管理", "产品服务创新"]
INDUSTRIES = ["C3484", "C2929", "C3311", "C3982", "I6513", "C1469", "C2710", "F5123"]


def generate(library: list[dict[str, Any]], n: int, rng: random.Random) -> list[dict[str, Any]]:
    """n scenario-like rows whose texts recombine the library's words (so postings are realistic)."""
    pool = {f: [w for row in library for w in words(str(row.get(f) or ""))] for f in
            ("title", "keywords", "pain_points", "solution", "benefits")}
    lengths = {"title": (3, 6), "keywords": (4, 8), "pain_points": (8, 16), "solution": (10, 20), "benefits": (4, 8)}
    rows = []
    for i in range(n):
        base = library[i % len(library)]
        row = {"code": f"G{i:06d}", "area": base["area"], "field": base["field"],
               "industries": base["industries"], "min_level": rng.randint(1, 4)}
        for f, (low, high) in lengths.items():
            row[f] = "".join(rng.choices(pool[f], k=rng.randint(low, high)))
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    library = yaml.safe_load((REPO / "src/tidu/scenarios/data/scenarios.yaml").read_text(encoding="utf-8"))["scenarios"]

    words("预热分词器")  # jieba loads its dictionary once per process (about 1 s): not part of the build
    started = time.perf_counter()
    rows = generate(library, args.items, rng)
    generated = time.perf_counter() - started
    started, cpu_started = time.perf_counter(), time.process_time()
    index = scenario_index(rows)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    queries = []
    for i in range(args.queries):
        text = QUERIES[i % len(QUERIES)]
        filters: tuple[Filter, ...] = ()
        if i % 3 == 1:
            filters = (Filter("area", "eq", AREAS[i % 4]), Filter("min_level", "lte", 1 + i % 4))
        elif i % 3 == 2:
            filters = (Filter("industries", "covers", INDUSTRIES[i % len(INDUSTRIES)]),)
        queries.append(Query(text, filters=filters, limit=10))
    for query in queries:  # warm-up: compiles postings and filter masks once
        index.search(query)
    wall, cpu = [], []
    for query in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        results = index.search(query)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert len(results) <= 10
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end (shared machine)")
    print(f"items: {len(index):,} (generated in {generated:.1f} s)")
    print(f"index build: {build:.1f} s wall, {build_cpu:.1f} s CPU ({build_cpu / len(index) * 1e6:.0f} µs CPU per item)")
    for label, values in (("wall clock", wall), ("CPU time", cpu)):
        values.sort()
        p50, p95 = statistics.median(values), values[int(len(values) * 0.95) - 1]
        print(f"top-10 query latency, {label}, {len(values)} queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
              f"max {values[-1]:.1f} ms (target p95 ≤ 20 ms)")


if __name__ == "__main__":
    main()
