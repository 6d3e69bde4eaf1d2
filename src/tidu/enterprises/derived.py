"""Derived quantities of fields.md §15 for the firm page: the criteria engine computes them.

They are the expressions of packs/derived.yaml evaluated by `Packs.derived`, so the ratios a firm
reads beside its figures are exactly the ones the criteria compare (a pack change reaches the page).
Ratios are Decimals for display; a missing input or a zero/negative denominator gives None.
"""

from __future__ import annotations

from typing import Any

from tidu.rules.packs import default_packs


def derived_quantities(r: dict[str, Any]) -> dict[str, Any]:
    """The derived values for one flat evaluation record `r` (the packs' own derived.yaml)."""
    return default_packs().derived(r)
