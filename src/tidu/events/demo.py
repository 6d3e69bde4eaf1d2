"""Demo data: 对接活动: an event with registrations, its grid, check-ins and outcomes."""

from __future__ import annotations

from typing import Any


def seed_events(demo_firm: Any) -> None:
    """Idempotent."""
