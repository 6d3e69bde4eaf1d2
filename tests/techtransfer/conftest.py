"""Fixtures of the technology-transfer tests (helpers in techtransfer_support)."""

from __future__ import annotations

import pytest
from techtransfer_support import TWorld, build_world


@pytest.fixture
def world(db: None) -> TWorld:
    return build_world()
