"""Demo data: 科技成果: achievements in every state, transfers, incubations."""

from __future__ import annotations

from typing import Any


def seed_techtransfer(demo_firm: Any) -> None:
    """Idempotent."""
