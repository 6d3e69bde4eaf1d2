"""Fixtures of the service-list tests (helpers in service_support)."""

from __future__ import annotations

import datetime as dt

import pytest
from service_support import SWorld, build_world


@pytest.fixture
def world(db: None) -> SWorld:
    return build_world()


@pytest.fixture
def friday() -> dt.date:
    return dt.date(2026, 12, 4)
