"""Fixtures of the journey tests: the world of `tidu.journey.testing`."""

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
    """Attachments written by tests land in a temporary var/, not the developer's."""
    settings.VAR_DIR = tmp_path
