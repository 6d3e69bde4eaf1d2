"""Fixtures of the notification tests: the journey's small Guangdong world (firms, officials at every
level), which already exercises every way a notification is produced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tidu.journey.testing import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
