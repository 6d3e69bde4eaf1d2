"""How a scenario becomes a search item (pure Python: the relevance tests use it without Django).

Title words count most, then keywords and pain points (the words firms use), then the solution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tidu.matching import Index, Item

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "pain_points": 1.5, "solution": 1.0, "benefits": 0.5}


def scenario_item(row: Mapping[str, Any]) -> Item:
    """An `Item` from a scenario given as a mapping (a YAML entry or a model's values)."""
    industries = row.get("industries") or ["*"]
    if isinstance(industries, str):
        industries = [p.strip() for p in industries.replace("，", ",").split(",") if p.strip()] or ["*"]
    return Item(
        id=str(row["code"]),
        fields={name: str(row.get(name) or "") for name in FIELD_WEIGHTS},
        attributes={
            "area": row.get("area", ""),
            "field": row.get("field", ""),
            "industries": list(industries),
            "min_level": int(row.get("min_level") or 1),
            "id_code": str(row["code"]),
        },
    )


def scenario_index(rows: Sequence[Mapping[str, Any]]) -> Index:
    index = Index(field_weights=FIELD_WEIGHTS)
    index.add_many(scenario_item(r) for r in rows)
    return index
