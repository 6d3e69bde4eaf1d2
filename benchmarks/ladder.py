"""Median server time of 我的梯度 (the page) and of its what-if update (the htmx partial), on the demo data.

Runs in a throw-away database (an SQLite file by default, or `tidu_bench_ladder` on the PostgreSQL server
of TIDU_DATABASE_URL), seeded with `manage.py seed_demo`; every request goes through Django's test
client as the demo firm user (`demo-firm`), so middleware, templates and the engine are all counted:

    .venv/bin/python benchmarks/ladder.py [--repeat 30] [--firms 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--firms", type=int, default=300)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="tidu-bench-")
    os.environ["TIDU_VAR_DIR"] = tmp.name

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = "tidu_bench_ladder"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("seed_demo", firms=args.firms, verbosity=0)
        print(f"database: {connection.vendor}; demo firms: {args.firms}; python {sys.version.split()[0]}; "
              f"{os.cpu_count()} CPUs; {args.repeat} requests each (after 2 warm-up)")
        print()
        print("| request | median ms | best ms | p90 ms |")
        print("|---|---:|---:|---:|")
        for name, times in run(args.repeat).items():
            ms = sorted(t * 1000 for t in times)
            p90 = ms[int(0.9 * (len(ms) - 1))]
            print(f"| {name} | {statistics.median(ms):.1f} | {ms[0]:.1f} | {p90:.1f} |")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        tmp.cleanup()


def run(repeat: int) -> dict[str, list[float]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="demo-firm"))
    assert b'data-standard="specialized_sme"' in client.get("/ladder/").content, "the demo firm has figures"
    cases = {
        "GET /ladder/ (我的梯度)": lambda: client.get("/ladder/"),
        "POST /ladder/what-if/ (htmx 局部)": lambda: client.post(
            "/ladder/what-if/", {"rd_y1": "500", "revenue_y1": "8000"}, HTTP_HX_REQUEST="true"),
        "GET /api/v1/ladder/me": lambda: client.get("/api/v1/ladder/me"),
        "GET /ladder/report.pdf": lambda: client.get("/ladder/report.pdf"),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for name, call in cases.items():
        for i in range(repeat + 2):
            start = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, (name, response.status_code, response.content[:300])
            if i >= 2:
                times[name].append(elapsed)
    return times


if __name__ == "__main__":
    main()
