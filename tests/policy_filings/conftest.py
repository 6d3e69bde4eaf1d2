"""Fixtures of the policy-application tests: the journey's small Guangdong world (firms A–E, an official
at every level) and a city policy of Shenzhen that needs an application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tidu.journey.testing import World, build_world
from tidu.policies.models import PolicyBatch
from tidu.policy_filings.testing import make_policy


@pytest.fixture
def world(db: None) -> World:
    """The journey's world; each firm's profile names a contact (the application is prefilled from it)."""
    w = build_world()
    for key, ent in w.firms.items():
        ent.contact_name, ent.contact_phone = f"联系人{key}", f"1380013800{ord(key) % 10}"
        ent.save(update_fields=["contact_name", "contact_phone"])
    return w


@pytest.fixture
def batch(world: World) -> PolicyBatch:
    """深圳市 (440300) city policy: county → city; 50万元 fixed, cap 80万元."""
    return make_policy(world.users["city"], code="sz-rd-reward")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
