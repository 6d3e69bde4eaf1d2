"""Fixtures of the change-report tests: the journey's small Guangdong world, plus a county office in
Hangzhou (for a move across provinces)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tidu.core.testing import make_user
from tidu.journey.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    w = build_world()
    w.users["county_hz"] = make_user("county_hz", "government", level="county", region="330106")
    return w


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
