"""Cost of deciding unknowns (decision 0087): bounds of missing inputs and both readings of an empty
`is_review`, measured on the same code with each feature switched off in process (monkeypatched).

    .venv/bin/python benchmarks/unknowns.py [--rows 300000] [--firms 300]

- explain: `packs.explain(record, gaps=True)` for every standard over `--firms` synthetic firm-years
  (tidu synth, evaluation year 2027), with `is_review` given and empty; p50/p99 after a warm-up.
- duckdb: the compiled SQL over `--rows` synthetic firm-years (a third with `is_review` empty) into an
  in-memory table, 2 threads, best of 3, for: neither feature, bounds only, both.
Figures are noisy on a shared machine: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import tidu.rules.evaluate as EV
import tidu.rules.gaps as G
import tidu.rules.sql as S
from tidu.cli.synth import generate
from tidu.rules import expr as E
from tidu.rules import load_packs

TODAY = dt.date(2026, 11, 30)
ORIGINAL = (E.Bounds.bound, EV.reads_review, G.reads_review, S.reads_review)


def _plain(self: E.Bounds, c: E.Node, *, cross: bool) -> E.Node:
    return c


def _never(eds: object) -> bool:
    return False


def switch(bounds: bool, review: bool) -> None:
    E.Bounds.bound = ORIGINAL[0] if bounds else _plain  # type: ignore[method-assign]
    for mod, fn in ((EV, ORIGINAL[1]), (G, ORIGINAL[2]), (S, ORIGINAL[3])):
        mod.reads_review = fn if review else _never  # type: ignore[attr-defined]


def explain(firms: int) -> None:
    rows = generate(firms, seed=5, years=1, first_year=2027).to_pylist()
    for label, bounds, review, flag in (
        ("neither, flag empty", False, False, None),
        ("both, flag given", True, True, False),
        ("both, flag empty", True, True, None),
        ("neither, flag empty", False, False, None),
        ("both, flag empty", True, True, None),
    ):
        switch(bounds, review)
        packs = load_packs()
        recs = [{**r, "is_review": flag} for r in rows]
        for r in recs[:50]:
            packs.explain(r, today=TODAY, gaps=True)
        ts = []
        for _ in range(3):
            for r in recs:
                t0 = time.perf_counter()
                res = packs.explain(r, today=TODAY, gaps=True)
                for s in res:
                    s.unknown_fields  # noqa: B018 - what the ladder page reads
                ts.append((time.perf_counter() - t0) * 1000)
        ts.sort()
        p99 = ts[int(len(ts) * 0.99)]
        print(f"explain {label:22s} n={len(ts)}  p50 {statistics.median(ts):.2f} ms  p99 {p99:.2f} ms")


def duck(rows: int, path: Path) -> None:
    if not path.exists():
        t = generate(rows, seed=7, years=1, first_year=2026)
        empty = pa.array([i % 3 == 0 for i in range(t.num_rows)])
        i = t.schema.get_field_index("is_review")
        t = t.set_column(i, "is_review", pc.if_else(empty, pa.scalar(None, pa.bool_()), t.column(i)))
        pq.write_table(t, path)
    for label, bounds, review in (
        ("neither", False, False),
        ("bounds only", True, False),
        ("both", True, True),
    ):
        switch(bounds, review)
        packs = load_packs()
        best = float("inf")
        for _ in range(3):
            con = duckdb.connect(config={"threads": 2})
            rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
            con.register("src", rel)
            q = S.compile_sql(packs, table="src", today=TODAY, columns=rel.columns)
            t0 = time.perf_counter()
            con.execute(f"CREATE TEMP TABLE out AS {q}")
            best = min(best, time.perf_counter() - t0)
            con.close()
        print(
            f"duckdb  {label:22s} {rows} rows  {best:.2f} s  {rows / best:,.0f} rows/s  SQL {len(q):,} chars"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--firms", type=int, default=300)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    explain(args.firms)
    with tempfile.TemporaryDirectory() as tmp:
        duck(args.rows, Path(tmp) / "register.parquet")
    switch(True, True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
