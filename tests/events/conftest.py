"""Fixtures of the event tests (helpers in events_support)."""

from __future__ import annotations

import pytest
from events_support import EWorld, build_world


@pytest.fixture
def world(db: None) -> EWorld:
    return build_world()
