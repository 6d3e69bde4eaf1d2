"""`make run`'s supervisor: Ctrl-C or SIGTERM stops the web server and the background worker, including
a worker that ignores SIGTERM and SIGINT the way django-q2's qcluster does (it waits for running tasks)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tidu.core.supervise import split_commands

# A stand-in for qcluster: ignores SIGTERM and SIGINT and has a pool process (same process group) that
# ignores them too. Both write their pid, then wait for ever.
STUBBORN_WORKER = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
if os.fork() == 0:
    with open(sys.argv[1], "a") as f: f.write(f"{os.getpid()}\\n")
    while True: time.sleep(1)
with open(sys.argv[1], "a") as f: f.write(f"{os.getpid()}\\n")
while True: time.sleep(1)
"""
# A stand-in for runserver: stops on SIGTERM.
SERVER = """
import os, sys, time
with open(sys.argv[1], "a") as f: f.write(f"{os.getpid()}\\n")
while True: time.sleep(1)
"""


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper is dead: it runs nothing and holds nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for_pids(path: Path, count: int) -> list[int]:
    for _ in range(600):  # a guard against a hang, not a speed requirement
        pids = [int(p) for p in path.read_text().split()] if path.exists() else []
        if len(pids) >= count:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"the commands never started: {path.read_text() if path.exists() else 'no pids'}")


def start(tmp_path: Path, *commands: list[str]) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "tidu.core.supervise", "--grace", "0.5", "--"]
    for i, command in enumerate(commands):
        argv += ([":::"] if i else []) + command
    return subprocess.Popen(argv, stderr=subprocess.PIPE)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_the_server_and_a_worker_that_ignores_sigterm(tmp_path: Path, sig: signal.Signals) -> None:
    pids_file = tmp_path / "pids"
    supervisor = start(tmp_path, [sys.executable, "-c", SERVER, str(pids_file)],
                       [sys.executable, "-c", STUBBORN_WORKER, str(pids_file)])
    pids = wait_for_pids(pids_file, 3)
    assert all(alive(p) for p in pids)

    supervisor.send_signal(sig)
    _, err = supervisor.communicate(timeout=120)

    assert supervisor.returncode == 0
    assert [p for p in pids if alive(p)] == []
    log = err.decode()
    assert f"got {sig.name}; stopping" in log
    assert "ignored SIGTERM" in log and "sending SIGKILL" in log


def test_when_the_server_dies_the_worker_is_stopped_too_and_its_status_returned(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    supervisor = start(tmp_path, [sys.executable, "-c", "import sys; sys.exit(3)"],
                       [sys.executable, "-c", STUBBORN_WORKER, str(pids_file)])
    pids = wait_for_pids(pids_file, 2)
    _, err = supervisor.communicate(timeout=120)
    assert supervisor.returncode == 3
    assert [p for p in pids if alive(p)] == []
    assert "exited (3); stopping the others" in err.decode()


def test_the_run_target_starts_server_and_worker_under_the_supervisor() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "-m tidu.core.supervise" in recipe
    assert "runserver" in recipe and "qcluster" in recipe and ":::" in recipe
    assert "kill 0" not in recipe


def test_commands_are_separated_by_three_colons() -> None:
    assert split_commands(["a", "-x", ":::", "b", ":::", ":::", "c"]) == [["a", "-x"], ["b"], ["c"]]
