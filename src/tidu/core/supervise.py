"""Run several long-lived commands together and stop all of them together (`make run`).

    python -m tidu.core.supervise [--grace SECONDS] -- CMD ARG… ::: CMD ARG… [::: …]

`make run` serves the site and runs the background worker (django-q2's `qcluster`). On Ctrl-C or
SIGTERM the worker only *asks* its workers to finish (a running task may take up to Q_CLUSTER's
timeout), so the old `trap 'kill 0'` left it running. This supervisor:

* starts each command in its own process group (Ctrl-C in the terminal reaches the supervisor only;
  it decides what the children get);
* on SIGINT, SIGTERM or SIGHUP, or when any command exits by itself, sends SIGTERM to every group
  (the whole group: qcluster's sentinel, monitor and pool processes too);
* after `--grace` seconds (default 10), sends SIGKILL to whatever is still alive in those groups;
* exits with the first command's exit status if it ended by itself, 0 after a signal.

Standard library only and no Django: it runs before anything else and must never hang on it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

SEPARATOR = ":::"
DEFAULT_GRACE = 10.0
POLL = 0.1


def split_commands(argv: Sequence[str]) -> list[list[str]]:
    """`a b ::: c d` -> [["a", "b"], ["c", "d"]] (empty commands dropped).

    >>> split_commands(["runserver", ":::", "qcluster", "-v", ":::"])
    [['runserver'], ['qcluster', '-v']]
    """
    commands: list[list[str]] = [[]]
    for arg in argv:
        if arg == SEPARATOR:
            commands.append([])
        else:
            commands[-1].append(arg)
    return [c for c in commands if c]


def group_alive(pgid: int) -> bool:
    """True while any process of the group exists (zombies of our own children count until reaped)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal still exists
        return True
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Supervisor:
    def __init__(self, commands: list[list[str]], *, grace: float = DEFAULT_GRACE,
                 log: object = sys.stderr) -> None:
        if not commands:
            raise ValueError("no command to run")
        self.commands = commands
        self.grace = grace
        self.log = log
        self.children: list[subprocess.Popen[bytes]] = []
        self.stop_signal: int | None = None
        self._stopped = False

    def _say(self, text: str) -> None:
        print(f"[supervise] {text}", file=self.log, flush=True)  # type: ignore[call-overload]

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            for command in self.commands:
                # Own session = own process group; no terminal, so Ctrl-C reaches only us.
                self.children.append(subprocess.Popen(command, start_new_session=True))
            status = self._wait_for_first_end()
            self.stop()
            return status
        finally:
            self.stop()  # also when starting a later command failed
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _wait_for_first_end(self) -> int:
        while self.stop_signal is None:
            for child in self.children:
                code = child.poll()
                if code is not None:
                    self._say(f"{' '.join(map(str, child.args))} exited ({code}); stopping the others")  # type: ignore[arg-type]
                    return code
            time.sleep(POLL)
        self._say(f"got {signal.Signals(self.stop_signal).name}; stopping")
        return 0

    def stop(self) -> None:
        """SIGTERM every group, wait up to `grace`, then SIGKILL what is left; reap our children."""
        if self._stopped:
            return
        self._stopped = True
        groups = [child.pid for child in self.children]  # each child leads its own group
        live = [g for g in groups if group_alive(g)]
        for pgid in live:
            _signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while live and time.monotonic() < deadline:
            for child in self.children:
                child.poll()  # reap, so a finished leader stops counting as alive
            live = [g for g in live if group_alive(g)]
            if live:
                time.sleep(POLL)
        for pgid in live:
            self._say(f"process group {pgid} ignored SIGTERM for {self.grace:g}s; sending SIGKILL")
            _signal_group(pgid, signal.SIGKILL)
        for child in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tidu.core.supervise", description=__doc__.split("\n\n")[0])
    parser.add_argument("--grace", type=float, default=float(os.environ.get("TIDU_STOP_GRACE", DEFAULT_GRACE)),
                        help="seconds between SIGTERM and SIGKILL (default %(default)s)")
    parser.add_argument("commands", nargs=argparse.REMAINDER, help="-- CMD … ::: CMD …")
    args = parser.parse_args(argv)
    raw = args.commands[1:] if args.commands[:1] == ["--"] else args.commands
    commands = split_commands(raw)
    if not commands:
        parser.error("give the commands to run after --, separated by :::")
    return Supervisor(commands, grace=args.grace).run()


if __name__ == "__main__":
    sys.exit(main())
