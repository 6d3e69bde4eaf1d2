"""Load the packs once for all pack tests (the engine never touches Django)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def packs() -> Any:
    from tidu.rules import load_packs

    return load_packs()
