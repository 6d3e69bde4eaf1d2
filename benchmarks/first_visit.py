"""The first visits to /scenarios/ and /ladder/ in a freshly started server process, cold and warmed.

    .venv/bin/python benchmarks/first_visit.py [--runs 5] [--var-dir DIR]

Seeds a throw-away var/ (migrate + seed_demo, SQLite) unless --var-dir names one already seeded,
then starts a fresh Python process per run and mode, as runserver does: it loads
`tidu.config.wsgi` (which starts the warm-up thread unless TIDU_WARM_ON_START=0), logs in as the
demo firm and times GET /scenarios/, /ladder/, then both again. In the "warmed" mode the visits
start once the warm-up thread has finished (a visitor arriving earlier waits for the remainder);
the time from process start to "warm-up done" is printed too. Each process gets an empty TMPDIR, so
jieba rebuilds its dictionary cache as on a fresh machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable

CHILD = r"""
import os, threading, time
t0 = time.perf_counter()
import tidu.config.wsgi  # noqa: F401  (what runserver and WSGI servers load)
for t in threading.enumerate():
    if t.name == "tidu-warmup":
        t.join()
ready = time.perf_counter() - t0
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
c = Client()
assert c.login(username="demo-firm", password="tidu-demo-2026")
out = [ready]
for url in ["/scenarios/", "/ladder/", "/scenarios/", "/ladder/"]:
    t = time.perf_counter()
    assert c.get(url).status_code == 200, url
    out.append(time.perf_counter() - t)
print(" ".join(f"{x:.4f}" for x in out))
"""


def env_for(var_dir: Path, tmp: Path, warm: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIDU_"))}
    return env | {"TIDU_VAR_DIR": str(var_dir), "TMPDIR": str(tmp), "TIDU_WARM_ON_START": "1" if warm else "0",
                  "DJANGO_SETTINGS_MODULE": "tidu.config.settings.local", "PYTHONWARNINGS": "ignore"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--var-dir", type=Path)
    args = parser.parse_args()
    work = tempfile.TemporaryDirectory(prefix="tidu-first-visit-")
    var_dir = args.var_dir or Path(work.name) / "var"
    if args.var_dir is None:
        var_dir.mkdir()
        env = env_for(var_dir, Path(work.name), True)
        for cmd in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "-v", "0"]):
            subprocess.run([PY, "manage.py", *cmd], cwd=REPO, env=env, check=True, capture_output=True)
    print(f"python {sys.version.split()[0]}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}; "
          f"{args.runs} fresh processes per mode; medians (min–max) in seconds")
    print()
    print("| mode | process start → ready | 1st /scenarios/ | 1st /ladder/ | 2nd /scenarios/ | 2nd /ladder/ |")
    print("|---|---:|---:|---:|---:|---:|")
    for warm in (False, True):
        rows = []
        for i in range(args.runs):
            tmp = Path(work.name) / f"tmp-{warm}-{i}"
            tmp.mkdir()
            run = subprocess.run([PY, "-c", CHILD], cwd=REPO, env=env_for(var_dir, tmp, warm),
                                 capture_output=True, text=True, check=True)
            rows.append([float(x) for x in run.stdout.split()[-5:]])
        cells = []
        for col in zip(*rows, strict=True):
            cells.append(f"{statistics.median(col):.2f} ({min(col):.2f}–{max(col):.2f})")
        print(f"| {'warmed at start' if warm else 'cold (TIDU_WARM_ON_START=0)'} | " + " | ".join(cells) + " |")
    work.cleanup()


if __name__ == "__main__":
    main()
