"""How an offer becomes a search item (pure Python, no Django: the relevance tests use it directly).

Title words count most, then the category's name, then the description and the provider's name. The served
regions become code prefixes, so a `covers` filter with a firm's county code keeps the offers serving it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tidu.matching import Index, Item

FIELD_WEIGHTS = {"title": 3.0, "category": 2.0, "description": 1.0, "provider": 1.0, "how_to_request": 0.3}


def code_prefix(code: str) -> str:
    """The prefix of everything a region code covers: a province its 2 digits, a city its 4, a county itself.

    >>> [code_prefix(c) for c in ("440000", "440300", "440305")]
    ['44', '4403', '440305']
    """
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def offer_item(row: Mapping[str, Any]) -> Item:
    """An `Item` from an offer given as a mapping: id, title, category (key) and category_label, description,
    provider, how_to_request, region_codes."""
    return Item(
        id=str(row["id"]),
        fields={
            "title": str(row.get("title") or ""),
            "category": str(row.get("category_label") or ""),
            "description": str(row.get("description") or ""),
            "provider": str(row.get("provider") or ""),
            "how_to_request": str(row.get("how_to_request") or ""),
        },
        attributes={
            "category": str(row.get("category") or ""),
            "serves": [code_prefix(c) for c in row.get("region_codes") or []],
        },
    )


def offer_index(rows: Sequence[Mapping[str, Any]]) -> Index:
    index = Index(field_weights=FIELD_WEIGHTS)
    index.add_many(offer_item(r) for r in rows)
    return index
