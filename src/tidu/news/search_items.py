"""How an article becomes a search item (pure Python, as scenarios do): title words weigh most, then
keywords and the summary, then the body. `published_ts` lets a query hide scheduled articles without
rebuilding the index when their time comes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tidu.matching import Index, Item

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "summary": 1.5, "body": 1.0}


def article_item(row: Mapping[str, Any]) -> Item:
    published = row.get("published_at")
    return Item(
        id=str(row["id"]),
        fields={name: str(row.get(name) or "") for name in FIELD_WEIGHTS},
        attributes={
            "category": str(row.get("category_id") or ""),
            "published_ts": published.timestamp() if published is not None else float("inf"),
        },
    )


def article_index(rows: Sequence[Mapping[str, Any]]) -> Index:
    index = Index(field_weights=FIELD_WEIGHTS)
    index.add_many(article_item(r) for r in rows)
    return index
