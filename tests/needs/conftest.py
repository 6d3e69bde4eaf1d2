"""Fixtures of the 发榜/揭榜 tests (helpers in needs_support)."""

from __future__ import annotations

import pytest
from needs_support import NWorld, build_world


@pytest.fixture
def world(db: None) -> NWorld:
    return build_world()
