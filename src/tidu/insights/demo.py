"""Demo data: 梯度看板: the standings behind the dashboard."""

from __future__ import annotations

from typing import Any


def seed_insights(demo_firm: Any) -> None:
    """Idempotent."""
