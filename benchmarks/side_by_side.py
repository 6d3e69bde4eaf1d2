"""`tidu evaluate` beside the things issue 14 measures it against, in ONE run on the same Parquet file.

    make bench-peers                       # 2M rows (ROWS=10000000 for the large file)
    .venv/bin/python benchmarks/side_by_side.py --rows 2000000 [--repeat 2] [--pandas-rows 2000]

Cases, in this order, each in a child process (wall time, CPU time and peak RSS of the child):
  read         DuckDB reading every value of the file: max() of every input column, 2 threads
  evaluate     `tidu evaluate FILE -o OUT.parquet --threads 2`, all six standards
  innovative   `tidu evaluate FILE -o OUT.parquet --threads 2 --standards innovative_sme`
  openfisca    benchmarks/peers/openfisca_innovative.py on the same file (.venv-peers), then its
               verdicts compared with `innovative`'s row by row
  pandas       the row-wise baseline (`DataFrame.apply(explain().to_row())`) on the first N rows
With --before REF the two `tidu evaluate` cases also run on the engine of git commit REF (its src/
extracted with `git archive` into var/bench/before-REF, nothing in the working tree touched), in the
same rounds, so a change is measured before and after under the same load. Each src/ measured is
byte-compiled first (compileall, as pip does for an installed package): the Makefile sets
PYTHONDONTWRITEBYTECODE, so without it every run would compile tidu's modules afresh (about 0.1 s).
With --repeat K every timed case runs K times in turn and the best wall time is reported (the
machine is shared; all runs are kept in var/bench/side_by_side-ROWS.json). The benchmarks never import
the CLI: they run the `tidu` command.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
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
PEERS_PY = str(REPO / ".venv-peers" / "bin" / "python")
TODAY = "2026-11-30"

READ_ALL = """
import sys, time, duckdb
from tidu.rules.fields import FIELDS
con = duckdb.connect(); con.execute("SET threads = 2")
cols = ", ".join(f'max("{c}")' for c in FIELDS)
con.execute(f"SELECT {cols} FROM read_parquet('{sys.argv[1]}')").fetchall()
"""


def register(rows: int) -> Path:
    """The cached synthetic register (tidu synth, seed 1, two years per firm), as benchmarks/rules.py."""
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


def before_src(ref: str) -> Path:
    """The src/ folder of git commit `ref`, extracted once into var/bench/before-<commit>/."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    where = BENCH / f"before-{commit}"
    if not (where / "src").exists():
        where.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit, "src"], cwd=REPO, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where / "src"


def timed(cmd: list[str], src: Path = REPO / "src") -> dict[str, Any]:
    """Like `child`, but the peak RSS of this child alone (os.wait4)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    out_chunks = []
    assert proc.stdout is not None and proc.stderr is not None
    _pid, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out_chunks.append(proc.stdout.read().decode())
    err = proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    res: dict[str, Any] = {
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "peak_rss_mb": ru.ru_maxrss // 1024,
        "status": code,
        "stdout": "".join(out_chunks).strip(),
    }
    if code not in (0, 1):
        res["stderr"] = err[-2000:]
    return res


def pandas_rows_per_s(src: Path, rows: int) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.parquet as pq

    from tidu.rules import load_packs

    packs = load_packs()
    df = pq.ParquetFile(src).read_row_group(0).slice(0, rows).to_pandas()
    today = dt.date.fromisoformat(TODAY)
    t = time.perf_counter()
    df.apply(
        lambda r: packs.explain(
            {k: (None if pd.isna(v) else v) for k, v in r.items()}, today=today, gaps=False
        ).to_row(),
        axis=1,
    )
    wall = time.perf_counter() - t
    return {"rows": rows, "wall_s": round(wall, 2), "rows_per_s": round(rows / wall)}


def machine() -> dict[str, Any]:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "",
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    import duckdb

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "duckdb": duckdb.__version__,
        "python": sys.version.split()[0],
        "start_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_at_start": os.getloadavg(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--pandas-rows", type=int, default=2000, help="0: skip the pandas baseline")
    ap.add_argument("--no-openfisca", action="store_true", help="skip the peer (no .venv-peers)")
    ap.add_argument("--before", metavar="REF", help="also run tidu evaluate from git commit REF's src/")
    args = ap.parse_args()
    src = register(args.rows)
    out_all, out_inno, out_of = (
        BENCH / "sbs-all.parquet",
        BENCH / "sbs-inno.parquet",
        BENCH / "sbs-of.parquet",
    )
    tidu = [
        PY,
        "-m",
        "tidu.cli.main",
        "evaluate",
        str(src),
        "--threads",
        "2",
        "--today",
        TODAY,
        "--progress",
        "never",
    ]
    cases: dict[str, list[str]] = {
        "read": [PY, "-c", READ_ALL, str(src)],
        "evaluate": [*tidu, "-o", str(out_all)],
        "innovative": [*tidu, "-o", str(out_inno), "--standards", "innovative_sme"],
    }
    sources: dict[str, Path] = {}
    if args.before:
        old = before_src(args.before)
        cases["evaluate (before)"] = [*tidu, "-o", str(BENCH / "sbs-all-before.parquet")]
        cases["innovative (before)"] = [
            *tidu,
            "-o",
            str(BENCH / "sbs-inno-before.parquet"),
            "--standards",
            "innovative_sme",
        ]
        sources = {"evaluate (before)": old, "innovative (before)": old}
    if not args.no_openfisca:
        cases["openfisca"] = [
            PEERS_PY,
            str(REPO / "benchmarks" / "peers" / "openfisca_innovative.py"),
            str(src),
            "-o",
            str(out_of),
            "--today",
            TODAY,
        ]
    for tree in {REPO / "src", *sources.values()}:  # as an installed package is: bytecode compiled once
        compileall.compile_dir(str(tree), quiet=1)
    result: dict[str, Any] = {
        "machine": machine(),
        "rows": args.rows,
        "file": str(src.relative_to(REPO)),
        "runs": {},
    }
    for k in range(args.repeat):
        for name, cmd in cases.items():
            run = timed(cmd, sources.get(name, REPO / "src"))
            result["runs"].setdefault(name, []).append(run)
            print(
                f"[{k + 1}/{args.repeat}] {name}: {run['wall_s']} s wall, {run['cpu_s']} s CPU, "
                f"{run['peak_rss_mb']} MB",
                file=sys.stderr,
            )
    if not args.no_openfisca:
        check = timed(
            [
                PEERS_PY,
                str(REPO / "benchmarks" / "peers" / "openfisca_innovative.py"),
                str(src),
                "--today",
                TODAY,
                "--compare",
                str(out_inno),
            ]
        )
        result["openfisca_agreement"] = check["stdout"]
    if args.before:  # the same output, row for row, before and after the change
        import pyarrow.parquet as pq

        result["before_identical"] = {
            name: pq.read_table(BENCH / f"sbs-{name}.parquet").equals(
                pq.read_table(BENCH / f"sbs-{name}-before.parquet")
            )
            for name in ("all", "inno")
        }
    if args.pandas_rows > 0:  # 0 skips the baseline
        result["pandas"] = pandas_rows_per_s(src, args.pandas_rows)
    best = {n: min(runs, key=lambda r: r["wall_s"]) for n, runs in result["runs"].items()}
    result["best"] = best
    rows = args.rows
    read, ev, inno = best["read"]["wall_s"], best["evaluate"]["wall_s"], best["innovative"]["wall_s"]
    table = [
        ("DuckDB reads every value (max of each column)", read, best["read"], ""),
        (
            "tidu evaluate, all six standards",
            ev,
            best["evaluate"],
            f"{ev / read:.1f}× the read (target ≤ 2×)",
        ),
        ("tidu evaluate --standards innovative_sme", inno, best["innovative"], ""),
    ]
    for name in ("evaluate (before)", "innovative (before)"):
        if name in best:
            b = best[name]
            table.append((f"tidu evaluate at {args.before} ({name.split()[0]})", b["wall_s"], b, ""))
    if "openfisca" in best:
        of = best["openfisca"]["wall_s"]
        table.append(
            (
                "OpenFisca, innovative-SME system (peers/)",
                of,
                best["openfisca"],
                f"OpenFisca ÷ tidu = {of / inno:.2f} (target ≥ 3)",
            )
        )
    print(
        f"\n{rows:,} firm-years, {result['machine']['cores']} cores ({result['machine']['cpu']}), "
        f"load at start {result['machine']['load_at_start']}, best of {args.repeat}\n"
    )
    print("| case | wall s | CPU s | rows/s | peak RSS MB | note |\n|---|---|---|---|---|---|")
    for label, wall, run, note in table:
        print(
            f"| {label} | {wall} | {run['cpu_s']} | {round(rows / wall):,} | {run['peak_rss_mb']} | {note} |"
        )
    if "pandas" in result:
        p = result["pandas"]
        ratio = (rows / ev) / p["rows_per_s"]
        print(
            f"| pandas apply(explain().to_row()), {p['rows']:,} rows | {p['wall_s']} | | {p['rows_per_s']:,} | | "
            f"tidu evaluate {ratio:.0f}× faster |"
        )
    if "before_identical" in result:
        print(
            f"\nOutput identical to {args.before}'s (all standards, innovative_sme): {result['before_identical']}"
        )
    if "openfisca_agreement" in result:
        print(f"\nOpenFisca vs tidu, row by row: {result['openfisca_agreement']}")
    result["machine"]["load_at_end"] = os.getloadavg()
    (BENCH / f"side_by_side-{rows}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
