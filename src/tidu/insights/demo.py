"""Demo data: 梯度看板: the standings behind the dashboard."""

from __future__ import annotations

from typing import Any


def seed_insights(demo_firm: Any) -> None:
    """Idempotent: evaluate the whole demo register so the dashboard is full (a refresh rewrites it)."""
    from tidu.insights.services import refresh_standings

    refresh_standings()
