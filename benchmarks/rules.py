"""How fast the rules engine runs: one firm explained, and batches on DuckDB, PostgreSQL and Spark.

    .venv/bin/python benchmarks/rules.py            # the full run (`make bench`): 10M rows on DuckDB
    .venv/bin/python benchmarks/rules.py --quick    # small sizes, a minute or two

Cases (figures and the machine they ran on: benchmarks/README.md):
  explain     – `packs.explain(record, gaps=True)` for one firm-year, all six standards: p50/p99 latency
  duckdb      – `tidu evaluate big.parquet -o out.parquet` (SQL validation + compiled packs), in a
                subprocess with --threads 2: rows/s and peak memory (RSS); also the compiled SQL alone
                without validation, and a plain scan of every input column as the ceiling
  postgres    – the compiled SQL inside PostgreSQL over a table of N rows (COPY time apart)
  spark       – the compiled SQL on Spark local[2] over N rows from Parquet (written to the noop sink)
  pandas      – the naive baseline: DataFrame.apply(explain().to_row(), axis=1), rows/s and the ratio

Synthetic registers come from `tidu synth` (seed 1) and are cached under var/bench/.
Results are printed as a Markdown table and written to var/bench/rules.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
BENCH = REPO / "var" / "bench"
TODAY = dt.date(2026, 11, 30)
PY = str(REPO / ".venv" / "bin" / "python")


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    import duckdb

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
    }


def register(rows: int, years: int = 2) -> Path:
    """A cached synthetic register of `rows` firm-years (rows / years firms, seed 1)."""
    BENCH.mkdir(parents=True, exist_ok=True)
    path = BENCH / f"synth-{rows}-seed1.parquet"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp.parquet")
        subprocess.run(
            [
                PY,
                "-m",
                "tidu.cli.main",
                "synth",
                "--firms",
                str(rows // years),
                "--years",
                str(years),
                "--seed",
                "1",
                "-o",
                str(tmp),
            ],
            check=True,
        )
        tmp.rename(path)
        print(f"  synth {rows:,} rows: {time.perf_counter() - t:.1f} s", file=sys.stderr)
    return path


def synth_table(firms: int, seed: int, latent: bool = False) -> Any:
    """A small synthetic register read back from `tidu synth` (the benchmarks run the command, never
    import the CLI)."""
    import pyarrow.parquet as pq

    BENCH.mkdir(parents=True, exist_ok=True)
    path = BENCH / f"synth-{firms}-seed{seed}{'-latent' if latent else ''}.parquet"
    if not path.exists():
        subprocess.run(
            [
                PY,
                "-m",
                "tidu.cli.main",
                "synth",
                "--firms",
                str(firms),
                "--seed",
                str(seed),
                "-o",
                str(path),
                *(["--latent"] if latent else []),
            ],
            check=True,
        )
    return pq.read_table(path)


def bench_explain(n: int) -> dict[str, Any]:
    from tidu.rules import load_packs

    packs = load_packs()
    t = synth_table(20000, seed=2, latent=True)
    rows = t.to_pylist()
    climbers = [r for r in rows if r["latent_rung"] > 0][: n // 2]
    sample = climbers + rows[: n - len(climbers)]
    for r in sample:
        r.pop("latent_rung", None)  # a climber may also be among the first rows
    packs.explain(sample[0], today=TODAY, gaps=True)  # warm up
    times, cpu, plain = [], [], []
    for r in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        packs.explain(r, today=TODAY, gaps=True)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        c0 = time.process_time()
        packs.explain(r, today=TODAY, gaps=False)
        plain.append(time.process_time() - c0)

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return round(1000 * xs[min(len(xs) - 1, int(q * len(xs)))], 2)

    # CPU time beside wall time: on a shared machine wall time also measures the neighbours.
    return {
        "firms": len(sample),
        "p50_ms": round(1000 * statistics.median(times), 2),
        "p99_ms": pct(times, 0.99),
        "max_ms": round(1000 * max(times), 2),
        "cpu_p50_ms": round(1000 * statistics.median(cpu), 2),
        "cpu_p99_ms": pct(cpu, 0.99),
        "without_gaps_cpu_p50_ms": round(1000 * statistics.median(plain), 2),
        "without_gaps_cpu_p99_ms": pct(plain, 0.99),
    }


def _timed_child(cmd: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS (MB) and exit status of a child process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        print(err, file=sys.stderr)
    return wall, usage.ru_maxrss // 1024, proc.returncode


def bench_duckdb(rows: int, threads: int) -> dict[str, Any]:
    import duckdb

    from tidu.rules import load_packs
    from tidu.rules.fields import FIELDS

    src = register(rows)
    out = BENCH / "out.parquet"
    wall, rss, status = _timed_child(
        [
            PY,
            "-m",
            "tidu.cli.main",
            "evaluate",
            str(src),
            "-o",
            str(out),
            "--threads",
            str(threads),
            "--today",
            TODAY.isoformat(),
            "--progress",
            "never",
        ]
    )
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    # max(), not count(): DuckDB answers count(col) from the Parquet statistics without reading
    # the values, which made an earlier "scan" 20× too fast to be a fair ceiling.
    cols = ", ".join(f'max("{c}")' for c in FIELDS)
    t = time.perf_counter()
    con.execute(f"SELECT {cols} FROM read_parquet('{src}')").fetchall()
    scan = time.perf_counter() - t
    from tidu.rules.batch import checked_sql, plan_checks

    source = f"read_parquet('{src}', file_row_number = true)"
    types = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    plan = plan_checks(types, {c: c for c in FIELDS if c in types}, today=TODAY)
    assert plan is not None
    t = time.perf_counter()
    con.execute(
        f"SELECT count(*) FROM ({checked_sql(plan, source, extra=('file_row_number',))}) WHERE __bad"
    ).fetchall()
    validation = time.perf_counter() - t
    packs = load_packs()
    sql = packs.compile_sql(dialect="duckdb", table="firm_years", today=TODAY)
    con.execute(f"CREATE VIEW firm_years AS SELECT * FROM read_parquet('{src}')")
    t = time.perf_counter()
    con.execute(f"COPY ({sql}) TO '{BENCH / 'out-novalidation.parquet'}' (FORMAT parquet)")
    rules_only = time.perf_counter() - t
    return {
        "rows": rows,
        "threads": threads,
        "evaluate_seconds": round(wall, 2),
        "evaluate_rows_per_s": round(rows / wall),
        "evaluate_peak_rss_mb": rss,
        "exit_status": status,
        "compiled_sql_only_seconds": round(rules_only, 2),
        "compiled_sql_only_rows_per_s": round(rows / rules_only),
        "validation_only_seconds": round(validation, 2),
        "validation_only_rows_per_s": round(rows / validation),
        "plain_scan_seconds": round(scan, 2),
        "plain_scan_rows_per_s": round(rows / scan),
    }


def bench_postgres(rows: int, url: str) -> dict[str, Any]:
    import psycopg

    from tidu.rules import load_packs
    from tidu.rules.batch import copy_parquet, create_typed_table

    src = register(rows)
    packs = load_packs()
    sql = packs.compile_sql(dialect="postgres", table="tidu_bench_firm_years", today=TODAY)
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tidu_bench_firm_years")
        try:
            cur.execute("SET max_parallel_workers_per_gather = 2")
            cur.execute("SET statement_timeout = '90min'")
            create_typed_table(cur, "tidu_bench_firm_years", temporary=False)
            t = time.perf_counter()
            copy_parquet(cur, "tidu_bench_firm_years", str(src))
            cur.execute("VACUUM ANALYZE tidu_bench_firm_years")
            load = time.perf_counter() - t
            t = time.perf_counter()
            cur.execute(f"SELECT count(*), count(DISTINCT little_giant__qualified) FROM ({sql}) AS q")
            cur.fetchall()
            query = time.perf_counter() - t
        finally:
            cur.execute("DROP TABLE IF EXISTS tidu_bench_firm_years")
    return {
        "rows": rows,
        "copy_seconds": round(load, 1),
        "query_seconds": round(query, 2),
        "query_rows_per_s": round(rows / query),
    }


def bench_spark(rows: int) -> dict[str, Any]:
    from tidu.rules import load_packs
    from tidu.rules.batch import spark_session

    src = register(rows)
    spark = spark_session("local[2]")
    packs = load_packs()
    sql = packs.compile_sql(dialect="spark", table="firm_years", today=TODAY)
    spark.read.parquet(str(src)).createOrReplaceTempView("firm_years")
    spark.sql(sql).limit(10).collect()  # warm up (JIT, planning)
    t = time.perf_counter()
    spark.sql(sql).write.format("noop").mode("overwrite").save()
    wall = time.perf_counter() - t
    spark.stop()
    return {"rows": rows, "master": "local[2]", "seconds": round(wall, 2), "rows_per_s": round(rows / wall)}


def bench_pandas(rows: int) -> dict[str, Any]:
    import pandas as pd

    from tidu.rules import load_packs

    packs = load_packs()
    df = synth_table(rows, seed=3).to_pandas()
    t = time.perf_counter()
    df.apply(
        lambda r: packs.explain(
            {k: (None if pd.isna(v) else v) for k, v in r.items()}, today=TODAY, gaps=False
        ).to_row(),
        axis=1,
    )
    wall = time.perf_counter() - t
    return {"rows": rows, "seconds": round(wall, 2), "rows_per_s": round(rows / wall)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--rows", type=int, default=10_000_000, help="DuckDB batch size (firm-years)")
    ap.add_argument("--pg-rows", type=int, default=1_000_000)
    ap.add_argument("--spark-rows", type=int, default=1_000_000)
    ap.add_argument("--pandas-rows", type=int, default=2_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", nargs="*", choices=("explain", "duckdb", "postgres", "spark", "pandas"))
    ap.add_argument(
        "--database-url",
        default=os.environ.get("TIDU_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    if args.quick:
        args.rows, args.pg_rows, args.spark_rows, args.pandas_rows = 200_000, 100_000, 100_000, 300
    only = set(args.only or ("explain", "duckdb", "postgres", "spark", "pandas"))
    results: dict[str, Any] = {"machine": machine()}
    steps = [
        ("explain", lambda: bench_explain(200 if not args.quick else 50)),
        ("duckdb", lambda: bench_duckdb(args.rows, args.threads)),
        ("postgres", lambda: bench_postgres(args.pg_rows, args.database_url)),
        ("spark", lambda: bench_spark(args.spark_rows)),
        ("pandas", lambda: bench_pandas(args.pandas_rows)),
    ]
    for name, fn in steps:
        if name not in only:
            continue
        print(f"[{name}] …", file=sys.stderr)
        try:
            results[name] = fn()
        except Exception as exc:  # one engine missing must not hide the others' figures
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"[{name}] {results[name]}", file=sys.stderr)
    if "duckdb" in results and "pandas" in results and "error" not in results["duckdb"] | results["pandas"]:
        results["duckdb_vs_pandas"] = round(
            results["duckdb"]["evaluate_rows_per_s"] / results["pandas"]["rows_per_s"]
        )
    results["machine"]["load_average_at_end"] = os.getloadavg()
    BENCH.mkdir(parents=True, exist_ok=True)
    (BENCH / "rules.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
