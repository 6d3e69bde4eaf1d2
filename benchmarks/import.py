"""How long the official's Excel import takes: 1,000 firm-years (250 firms × 4 years) and more.

Runs in a throw-away database (an SQLite file by default, or `tidu_bench_import` created and
dropped on the PostgreSQL server of TIDU_DATABASE_URL), as a city official of 深圳市:

    .venv/bin/python benchmarks/import.py [--rows 1000 5000] [--repeat 3]

Timed cases (wall clock, best and median of the repeats), each on the same generated .xlsx:
  new      – every firm and year created (empty register)
  same     – the same file again: every row checked, nothing changed
  changed  – the file with every revenue figure changed: every year updated
  all-new  – a file with other figures in every generated column (about 20) for the same firm-years
  rejected – the file with one bad cell at the end: everything checked, nothing written
  job      – `new` through the background-job path (file stored, job row, progress updates)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000], help="rows per file (multiples of 4)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="tidu-bench-")
    os.environ["TIDU_VAR_DIR"] = tmp.name  # uploaded job files land here, not in var/

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":  # an on-disk file, like `make run`, not an in-memory database
        connection.settings_dict["TEST"]["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    else:  # a database of its own, never the test suite's test_<name>
        connection.settings_dict["TEST"]["NAME"] = "tidu_bench_import"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} ({test_db}); python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
        print()
        print("| rows | case | best s | median s | rows/s (best) |")
        print("|---:|---|---:|---:|---:|")
        for rows in args.rows:
            for case, times in run_cases(rows, args.repeat).items():
                best = min(times)
                print(f"| {rows:,} | {case} | {best:.2f} | {statistics.median(times):.2f} | {rows / best:,.0f} |")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        tmp.cleanup()


def run_cases(rows: int, repeat: int) -> dict[str, list[float]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tidu.enterprises.imports import enterprises_import, enterprises_import_submit
    from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
    from tidu.enterprises.models import Enterprise
    from tidu.jobs.models import Job, JobStatus

    user = official()
    data = sample_rows(firms=rows // 4, years=[2022, 2023, 2024, 2025], region_codes=["440305", "440304", "440306"])
    good = rows_to_xlsx(data)
    changed = rows_to_xlsx([dict(r, revenue=r["revenue"] + Decimal("0.01")) for r in data])
    other = rows_to_xlsx(sample_rows(firms=rows // 4, years=[2022, 2023, 2024, 2025],
                                     region_codes=["440305", "440304", "440306"], seed=7))
    bad = rows_to_xlsx([*data[:-1], dict(data[-1], revenue="不详")])
    times: dict[str, list[float]] = {name: [] for name in ["new", "same", "changed", "all-new", "rejected", "job"]}

    def timed(name: str, content: bytes, expect_ok: bool = True) -> Any:
        start = time.perf_counter()
        result = enterprises_import(user=user, content=content, filename="bench.xlsx")
        times[name].append(time.perf_counter() - start)
        assert result.ok is expect_ok, result.problems[:5]
        return result

    for _ in range(repeat):
        Enterprise.objects.all().delete()
        assert timed("new", good).years_created == rows
        assert timed("same", good).years_updated == 0
        assert timed("changed", changed).years_updated == rows
        assert timed("all-new", other).years_updated == rows
        timed("rejected", bad, expect_ok=False)
        Enterprise.objects.all().delete()
        start = time.perf_counter()
        job = enterprises_import_submit(user=user, upload=SimpleUploadedFile("bench.xlsx", good))
        times["job"].append(time.perf_counter() - start)
        assert job.status == JobStatus.SUCCEEDED, job.result
    Job.objects.all().delete()
    return times


def official() -> Any:
    from django.contrib.auth import get_user_model

    from tidu.accounts.models import Membership, Organisation

    user, created = get_user_model().objects.get_or_create(username="bench-official")
    if created:
        org = Organisation.objects.create(kind="government", name="深圳市工业和信息化局（基准测试）", gov_level="city", region_id="440300")
        Membership.objects.create(user=user, organisation=org)
    return user


if __name__ == "__main__":
    main()
