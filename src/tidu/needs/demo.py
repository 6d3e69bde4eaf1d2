"""Demo data: 发榜/揭榜: needs, responses, selections, contracts in every state."""

from __future__ import annotations

from typing import Any


def seed_needs(demo_firm: Any) -> None:
    """Idempotent."""
