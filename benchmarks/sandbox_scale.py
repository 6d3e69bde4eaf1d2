"""Issue 13 at national scale: the threshold sandbox over 10 million firm-years, and 60 million
firm-years through `tidu evaluate` (DuckDB) beside the same job on Spark local.

    .venv/bin/python benchmarks/sandbox_scale.py sandbox [--rows 10000000] [--standard specialized_sme]
                                                 [--field revenue_y1] [--value 2000]
    .venv/bin/python benchmarks/sandbox_scale.py evaluate [--rows 60000000] [--spark-rows 10000000]

sandbox   – in a child process: the packs copy edited and compiled, the register's verdicts under the
            packs in force (the baseline), then the edited copy over the rows the edit can affect and
            the answer grouped by region and industry (tidu.sandbox.engine, as the platform job runs
            it). "Time to the answer" = all of it, from the threshold typed to the counts. A second
            edit on the same register (baseline reused) is timed too, and the edited copy evaluated on
            every row without the pre-filter, for reference.
evaluate  – `tidu evaluate FILE -o OUT.parquet --threads 2` over ROWS firm-years, wall time and peak
            RSS of the child (os.wait4); then `tidu evaluate --engine spark --spark-master local[2]`
            over SPARK_ROWS.

Registers: var/bench/synth-10000000-seed1.parquet (`tidu synth --firms 5000000 --years 2 --seed 1`,
as benchmarks/side_by_side.py); the 60M file is that register written six times over
(var/bench/synth-60000000-x6.parquet): `tidu synth` at 60M takes about an hour on this shared machine,
and the engine's cost does not depend on the rows being distinct. Results: var/bench/sandbox_scale-*.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
BENCH = REPO / "var" / "bench"
PY = str(REPO / ".venv" / "bin" / "python")
TODAY = "2026-11-30"

SANDBOX_CHILD = r"""
import datetime as dt, json, resource, sys, time
from decimal import Decimal
from tidu.rules.batch import duckdb_connection
from tidu.rules.packs import default_packs, load_packs, repo_packs_dir
from tidu.sandbox import engine as E

path, standard, field, value, today = sys.argv[1:6]
today = dt.date.fromisoformat(today)
root = repo_packs_dir()
out = {}
t0 = time.perf_counter()
c0 = time.process_time()
real = default_packs()
t = next(t for t in E.thresholds(root, standard, today) if t.field == field)
new = E.check_edit(t, value)
with E.edited_tree(root, {t.id: new}) as copy:
    edited = load_packs(copy, cache=False)
edition = E.edition_in_force(root, standard, today)
con = duckdb_connection(threads=2)
con.execute(f"CREATE VIEW register AS SELECT * FROM read_parquet('{path}')")
cols = [c for (c, *_r) in con.execute("DESCRIBE register").fetchall() if c in E.FIELDS]
out["packs_s"] = round(time.perf_counter() - t0, 2)
t1 = time.perf_counter()
base = E.baseline(con, real, standard, edition, "register", cols, today)
out["baseline_s"] = round(time.perf_counter() - t1, 2)
t2 = time.perf_counter()
cmp = E.run_compare(con, real, edited, standard, edition, "register", cols, today, base, edits=[(t, new)])
out["edited_and_answer_s"] = round(time.perf_counter() - t2, 2)
out["time_to_answer_s"] = round(time.perf_counter() - t0, 2)
out["time_to_answer_cpu_s"] = round(time.process_time() - c0, 2)
out["answer"] = {"firm_years": cmp.firms, "before": cmp.before, "after": cmp.after,
                 "entering": cmp.entering, "leaving": cmp.leaving, "groups": len(cmp.groups)}
# A second edit on the same register: the baseline is reused.
t3 = time.perf_counter()
c3 = time.process_time()
t_b = E.check_edit(t, str(E.to_shown(t.unit, t.value) * Decimal("0.8")))
with E.edited_tree(root, {t.id: t_b}) as copy:
    edited_b = load_packs(copy, cache=False)
cmp_b = E.run_compare(con, real, edited_b, standard, edition, "register", cols, today, base, edits=[(t, t_b)])
out["second_edit_s"] = round(time.perf_counter() - t3, 2)
out["second_edit_cpu_s"] = round(time.process_time() - c3, 2)
out["second_answer"] = {"before": cmp_b.before, "after": cmp_b.after, "entering": cmp_b.entering,
                        "leaving": cmp_b.leaving}
# Reference: the edited copy over every row (no pre-filter); must give the same answer.
t4 = time.perf_counter()
c4 = time.process_time()
full = E.run_compare(con, real, edited, standard, edition, "register", cols, today, base)
out["edited_every_row_s"] = round(time.perf_counter() - t4, 2)
out["edited_every_row_cpu_s"] = round(time.process_time() - c4, 2)
out["same_answer_without_prefilter"] = (full.before, full.after, full.entering, full.leaving) == (
    cmp.before, cmp.after, cmp.entering, cmp.leaving)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps(out))
"""


def register(rows: int) -> Path:
    """The cached synthetic register (tidu synth, seed 1, two years per firm), as side_by_side.py."""
    BENCH.mkdir(parents=True, exist_ok=True)
    path = BENCH / f"synth-{rows}-seed1.parquet"
    if not path.exists():
        tmp = path.with_suffix(".tmp.parquet")
        subprocess.run(
            [
                PY,
                "-m",
                "tidu.cli.main",
                "synth",
                "--firms",
                str(rows // 2),
                "--years",
                "2",
                "--seed",
                "1",
                "-o",
                str(tmp),
            ],
            check=True,
        )
        tmp.rename(path)
    return path


def register_x6() -> Path:
    """60M rows: the 10M register written six times over (DuckDB COPY, same column types)."""
    path = BENCH / "synth-60000000-x6.parquet"
    if not path.exists():
        import duckdb

        src = str(register(10_000_000))
        tmp = path.with_suffix(".tmp.parquet")
        con = duckdb.connect()
        con.execute("SET threads = 2")
        con.execute("SET preserve_insertion_order = false")
        files = ", ".join([repr(src)] * 6)
        con.execute(f"COPY (SELECT * FROM read_parquet([{files}])) TO '{tmp}' (FORMAT parquet)")
        tmp.rename(path)
    return path


def timed(cmd: list[str]) -> dict[str, Any]:
    """Wall time, CPU time and peak RSS of one child (os.wait4); its output goes to a file."""
    log = BENCH / "sandbox_scale-child.log"
    t = time.perf_counter()
    with log.open("w") as f:
        proc = subprocess.Popen(
            cmd,
            stdout=f,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        _pid, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    return {
        "cmd": " ".join(cmd),
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "peak_rss_mb": ru.ru_maxrss // 1024,
        "status": os.waitstatus_to_exitcode(status),
        "output": log.read_text()[-1500:],
        "load_avg": os.getloadavg(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("sandbox")
    s.add_argument("--rows", type=int, default=10_000_000)
    s.add_argument("--standard", default="specialized_sme")
    s.add_argument("--field", default="revenue_y1")
    s.add_argument("--value", default="2000")
    e = sub.add_parser("evaluate")
    e.add_argument("--rows", type=int, default=60_000_000, choices=(10_000_000, 60_000_000))
    e.add_argument("--spark-rows", type=int, default=10_000_000, choices=(0, 10_000_000, 60_000_000))
    args = ap.parse_args()
    BENCH.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"load_avg_start": os.getloadavg(), "cores": os.cpu_count()}
    if args.what == "sandbox":
        src = register(args.rows)
        run = timed([PY, "-c", SANDBOX_CHILD, str(src), args.standard, args.field, args.value, TODAY])
        result.update(rows=args.rows, edit=f"{args.standard} {args.field} → {args.value}", run=run)
        with contextlib.suppress(ValueError, IndexError):
            result["measured"] = json.loads(run["output"].strip().splitlines()[-1])
        name = f"sandbox_scale-sandbox-{args.rows}.json"
    else:

        def path_for(rows: int) -> Path:
            return register_x6() if rows == 60_000_000 else register(rows)

        src = path_for(args.rows)
        out = BENCH / f"evaluate-{args.rows}.parquet"
        result["duckdb"] = timed(
            [
                PY,
                "-m",
                "tidu.cli.main",
                "evaluate",
                str(src),
                "-o",
                str(out),
                "--threads",
                "2",
                "--today",
                TODAY,
                "--progress",
                "never",
            ]
        )
        result["duckdb"]["rows"] = args.rows
        out.unlink(missing_ok=True)
        if args.spark_rows:
            src = path_for(args.spark_rows)
            out = BENCH / f"evaluate-spark-{args.spark_rows}.parquet"
            result["spark"] = timed(
                [
                    PY,
                    "-m",
                    "tidu.cli.main",
                    "evaluate",
                    str(src),
                    "-o",
                    str(out),
                    "--engine",
                    "spark",
                    "--spark-master",
                    "local[2]",
                    "--today",
                    TODAY,
                    "--progress",
                    "never",
                ]
            )
            result["spark"]["rows"] = args.spark_rows
            subprocess.run(["rm", "-rf", str(out)], check=False)
        name = f"sandbox_scale-evaluate-{args.rows}.json"
    (BENCH / name).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
