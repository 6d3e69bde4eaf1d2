"""Start-up and one-firm latency of the criteria engine.

  startup  – `tidu evaluate` on a one-row file, end to end in a fresh process: cold (empty packs
             cache: YAML parsed and packs compiled) and warm (compiled packs read from the cache),
             for the Python engine and the default engine
  load     – `load_packs()` alone in a fresh process, cold and warm
  explain  – `packs.explain(record, gaps=True)` for one firm-year, all six standards: p50/p99 wall
             and CPU time over synthetic firms (half of them climbers, `tidu synth --latent`)

    .venv/bin/python benchmarks/startup_explain.py [--runs 5] [--firms 1000]

The cache goes to a temporary directory (TIDU_PACKS_CACHE_DIR), so the user's cache is untouched.
Start-up rows give wall seconds and, beside them, the CPU seconds of the child (user + system, from
os.wait4): on a shared machine the wall time grows with the load, the CPU time much less.
`--src DIR` runs the same cases on another checkout's src/ (e.g. `git archive OLD src | tar -x -C
/tmp/old`), so a before/after pair is measured under the same load. `--compare DIR` (explain only)
loads this src/ and DIR's in one process and explains every firm with one then the other, in
alternating order, for `--passes` passes: both versions see the same load, so their ratio holds on a
busy machine where two separate runs differ by more than the change.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
PY = sys.executable
TODAY = dt.date(2025, 6, 30)


SRC = REPO / "src"


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC), "TIDU_PACKS_CACHE_DIR": str(cache)}


CPU: dict[str, list[float]] = {}  # case -> CPU seconds of each timed child


def _timed(cmd: list[str], env: dict[str, str], label: str = "") -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    CPU.setdefault(label, []).append(usage.ru_utime + usage.ru_stime)
    return wall


def bench_startup(work: Path, runs: int) -> list[tuple[str, float, float]]:
    cache = work / "cache"
    one = work / "one.csv"
    subprocess.run([PY, "-m", "tidu.cli.main", "synth", "--firms", "1", "--seed", "3", "-o", str(one)],
                   env=_env(cache), check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    cases = {
        "tidu evaluate one.csv --engine python": ["--engine", "python"],
        "tidu evaluate one.csv (default engine)": [],
    }
    out = []
    for name, extra in cases.items():
        cmd = [PY, "-m", "tidu.cli.main", "evaluate", str(one), "-o", str(work / "out.csv"), *extra]
        cold, warm = [], []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_timed(cmd, _env(cache), f"{name} cold"))
            warm.append(_timed(cmd, _env(cache), f"{name} warm"))
        out.append((name, statistics.median(cold), statistics.median(warm)))
    load = [PY, "-c", "import tidu.rules as R; R.load_packs()"]
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(_timed(load, _env(cache), "load cold"))
        warm.append(_timed(load, _env(cache), "load warm"))
    out.append(
        ("python -c 'import tidu.rules; load_packs()'", statistics.median(cold), statistics.median(warm))
    )
    return out


def _sample(work: Path, firms: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`firms` synthetic firm-years, up to half of them climbers (`tidu synth --latent`), and the climbers."""
    import pyarrow.parquet as pq

    path = work / "firms.parquet"
    subprocess.run([PY, "-m", "tidu.cli.main", "synth", "--firms", str(max(firms * 10, 5000)), "--seed", "2",
                    "--latent", "-o", str(path)], env=_env(work / "cache"), check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    rows = pq.read_table(path).to_pylist()
    climbers = [r for r in rows if r["latent_rung"] > 0][: firms // 2]
    sample = climbers + rows[: firms - len(climbers)]
    for r in sample:
        r.pop("latent_rung", None)
    return sample, climbers


def bench_explain(work: Path, firms: int) -> dict[str, Any]:
    from tidu.rules import load_packs

    sample, climbers = _sample(work, firms)
    packs = load_packs(cache=False)
    packs.explain(sample[0], today=TODAY, gaps=True)  # warm up
    wall, cpu = [], []
    for r in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        packs.explain(r, today=TODAY, gaps=True)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return 1000 * xs[min(len(xs) - 1, int(q * len(xs)))]

    return {"n": len(sample), "climbers": len(climbers), "p50": pct(wall, 0.5), "p99": pct(wall, 0.99),
            "cpu_p50": pct(cpu, 0.5), "cpu_p99": pct(cpu, 0.99)}  # fmt: skip


def _load_packs_from(src: Path) -> Any:
    """`load_packs()` of the tidu package under `src`, imported afresh (the modules of a version
    loaded before stay alive through its packs' closures and keep computing with their own code)."""
    import importlib

    for name in [m for m in sys.modules if m == "tidu" or m.startswith("tidu.")]:
        del sys.modules[name]
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module("tidu.rules").load_packs(cache=False)
    finally:
        sys.path.remove(str(src))


def compare_explain(work: Path, firms: int, other: Path, passes: int) -> dict[str, Any]:
    """CPU per firm of explain(gaps=True) (and without gaps), this src/ against `other`, interleaved."""
    sample, climbers = _sample(work, firms)
    versions = {"before": _load_packs_from(other), "after": _load_packs_from(SRC)}
    cpu: dict[tuple[str, bool], list[float]] = {(k, g): [] for k in versions for g in (True, False)}
    for packs in versions.values():
        for r in sample[:50]:
            packs.explain(r, today=TODAY, gaps=True)  # warm up
    order = list(versions)
    for p in range(passes):
        for r in sample:
            for name in order if p % 2 == 0 else order[::-1]:
                for gaps in (True, False):
                    c0 = time.process_time()
                    versions[name].explain(r, today=TODAY, gaps=gaps)
                    cpu[(name, gaps)].append(time.process_time() - c0)

    def pct(xs: list[float], q: float) -> float:
        xs = sorted(xs)
        return 1000 * xs[min(len(xs) - 1, int(q * len(xs)))]

    return {
        "n": len(sample), "climbers": len(climbers), "passes": passes,
        "rows": {k: (1000 * statistics.mean(xs), pct(xs, 0.5), pct(xs, 0.99)) for k, xs in cpu.items()},
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per start-up case (median)")
    ap.add_argument("--firms", type=int, default=1000, help="firms explained")
    ap.add_argument("--only", nargs="*", choices=("startup", "explain"))
    ap.add_argument("--src", metavar="DIR", help="measure another checkout's src/ (default: this one)")
    ap.add_argument(
        "--compare", metavar="DIR", help="explain only: this src/ against DIR (another src/), interleaved"
    )
    ap.add_argument("--passes", type=int, default=2, help="with --compare: passes over the firms")
    args = ap.parse_args()
    if args.src:
        global SRC
        SRC = Path(args.src).resolve()
        sys.path.insert(0, str(SRC))  # before bench_explain imports tidu
        print(f"src: {SRC}")
    only = set(args.only or ("startup", "explain"))
    # byte-compiled once, as an installed package is (the Makefile sets PYTHONDONTWRITEBYTECODE)
    compileall.compile_dir(str(SRC), quiet=1)
    if args.compare:
        only = set()  # the comparison below replaces the other cases
    print(f"python {sys.version.split()[0]}; {platform.machine()}; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="tidu-bench-startup-") as tmp:
        work = Path(tmp)
        if "startup" in only:
            print()
            print(
                f"| start-up (fresh process, median of {args.runs}) | cold s | warm s | cold CPU s | warm CPU s |"
            )
            print("|---|---:|---:|---:|---:|")
            for name, cold, warm in bench_startup(work, args.runs):
                key = "load" if name.startswith("python -c") else name
                cpu_cold, cpu_warm = (statistics.median(CPU[f"{key} {k}"]) for k in ("cold", "warm"))
                print(f"| {name} | {cold:.2f} | {warm:.2f} | {cpu_cold:.2f} | {cpu_warm:.2f} |")
        if "explain" in only:
            e = bench_explain(work, args.firms)
            print()
            print(f"explain with gaps, all six standards, {e['n']} firms ({e['climbers']} climbers):")
            print(f"  wall p50 {e['p50']:.2f} ms, p99 {e['p99']:.2f} ms; CPU p50 {e['cpu_p50']:.2f} ms, "
                  f"p99 {e['cpu_p99']:.2f} ms")  # fmt: skip
        if args.compare:
            c = compare_explain(work, args.firms, Path(args.compare).resolve(), args.passes)
            print()
            print(f"explain, all six standards, {c['n']} firms ({c['climbers']} climbers), {c['passes']} passes, "
                  f"before = {args.compare}, after = {SRC}, each firm by one then the other:")  # fmt: skip
            print("| version | gaps | CPU mean ms | CPU p50 ms | CPU p99 ms |")
            print("|---|---|---:|---:|---:|")
            for (name, gaps), (mean, p50, p99) in c["rows"].items():
                print(f"| {name} | {'on' if gaps else 'off'} | {mean:.2f} | {p50:.2f} | {p99:.2f} |")
            for gaps in (True, False):
                ratio = c["rows"][("after", gaps)][0] / c["rows"][("before", gaps)][0]
                print(f"after / before, CPU mean, gaps {'on' if gaps else 'off'}: {ratio:.3f}")
            print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
