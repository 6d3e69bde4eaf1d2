"""The two-officials races run whenever PostgreSQL is reachable, not only when the suite runs on it.

test_concurrency.py and test_rereview_concurrency.py race two real connections, which SQLite cannot
do; on a SQLite run of the suite they used to be skipped even on a machine with PostgreSQL at hand.
Here, when the suite is not on PostgreSQL but postgresql://postgres@127.0.0.1:5432 answers, they run
in a child pytest with TIDU_DATABASE_URL pointing there (a database of their own, created and dropped
by the test runner). On a PostgreSQL run of the suite they run directly and this test steps aside.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVER = "postgresql://postgres@127.0.0.1:5432"
ON_POSTGRES = (os.environ.get("TIDU_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))
RACES = [
    "tests/journey/test_concurrency.py::test_two_officials_approving_at_the_same_moment_on_postgresql",
    "tests/journey/test_rereview_concurrency.py",
]


def _reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{SERVER}/test", connect_timeout=3).close()
    except Exception:
        return False
    return True


@pytest.mark.skipif(ON_POSTGRES, reason="the suite runs on PostgreSQL: the races run in it directly")
@pytest.mark.skipif(not ON_POSTGRES and not _reachable(), reason=f"PostgreSQL not reachable at {SERVER}")
def test_the_two_officials_races_pass_on_the_reachable_postgresql(tmp_path: Path) -> None:
    env = {
        **os.environ,
        # the test runner creates test_<name> and drops it afterwards; the name is this process's own
        "TIDU_DATABASE_URL": f"{SERVER}/tidu_races_{os.getpid()}",
        "TIDU_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *RACES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    tail = (result.stdout + result.stderr)[-4000:]
    assert result.returncode == 0, tail
    summary = result.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 3 and "skipped" not in summary, tail
