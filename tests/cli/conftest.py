"""Fixtures for the `tidu` command tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tidu.cli.main import main


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str


@pytest.fixture
def tidu(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `tidu ARGS…` in-process; returns exit status and captured stdout/stderr."""

    def run(*args: str) -> Result:
        status = main(list(args))
        out = capsys.readouterr()
        return Result(status, out.out, out.err)

    return run


