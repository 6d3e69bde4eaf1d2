"""Helpers shared by the pack tests: typed records, running one standard, reading results.

The packs are data; these tests check that the data says what shared/domain/ says. Records are
written with plain YAML/Python values and typed here from the field registry (money and counts →
int, fractions and scores → Decimal, dates → date), exactly as the importer would hand them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from tidu.rules.fields import FIELDS

REPO = Path(__file__).resolve().parents[3]
PACKS_DIR = REPO / "packs"
CASES_DIR = PACKS_DIR / "cases"

# Fields proposed for the Sichuan 特色化 overlay (declared in packs/specialized_sme/2022/510000.yaml).
OVERLAY_BOOL_FIELDS = {"sc_industry_system", "sc_heritage_gi_first", "sc_local_feature"}


def typed(name: str, value: Any) -> Any:
    """Turn a YAML/Python value into the type the engine expects for field `name`."""
    if value is None:
        return None
    if name in OVERLAY_BOOL_FIELDS:
        return bool(value)
    spec = FIELDS.get(name)
    if spec is None:
        raise KeyError(f"unknown field in a test record: {name}")
    kind = spec.type
    if kind in ("money", "count", "rank", "int"):
        if isinstance(value, bool) or int(value) != value:
            raise TypeError(f"{name}: {value!r} is not an integer")
        return int(value)
    if kind in ("fraction", "decimal"):
        if isinstance(value, float):
            raise TypeError(f"{name}: write {value!r} as a quoted string, floats are not exact")
        return Decimal(str(value))
    if kind == "date":
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))
    if kind == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"{name}: {value!r} is not a boolean")
        return value
    return str(value)


def make_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A typed record; `as_of` defaults to 30 June of `year` so cases do not depend on today."""
    record = {name: typed(name, value) for name, value in raw.items()}
    if "as_of" not in record and record.get("year") is not None:
        record["as_of"] = dt.date(record["year"], 6, 30)
    return record


def tri(value: Any) -> str:
    """'true' | 'false' | 'unknown' from whatever the engine returns (Tri enum, str, bool, None)."""
    value = getattr(value, "value", value)
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).lower()
    return {"null": "unknown", "none": "unknown"}.get(text, text)


def text(value: Any) -> str | None:
    """Levels, paths and editions as plain strings (None stays None, '' becomes None)."""
    value = getattr(value, "value", value)
    if value is None or value == "":
        return None
    return str(value)


def number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def indicator(result: Any, indicator_id: str) -> tuple[Decimal, Decimal]:
    """(points_lo, points_hi) of one indicator of a standard's result."""
    for item in result.indicators:
        if item.id == indicator_id:
            return Decimal(str(item.points_lo)), Decimal(str(item.points_hi))
    ids = [item.id for item in result.indicators]
    raise AssertionError(f"indicator {indicator_id} not in result (have {ids})")


def condition(result: Any, condition_id: str) -> str:
    """Tri value of a condition, a direct/general route item or a level condition, by id."""
    pools = [getattr(result, "conditions", None) or []]
    for attr in ("route_items", "routes", "levels"):
        pool = getattr(result, attr, None)
        if pool:
            pools.append(pool)
    seen: list[str] = []
    for pool in pools:
        for item in pool:
            item_id = getattr(item, "id", None)
            if item_id == condition_id:
                return tri(item.value)
            seen.append(str(item_id))
            for sub in getattr(item, "items", None) or []:
                if getattr(sub, "id", None) == condition_id:
                    return tri(sub.value)
                seen.append(str(getattr(sub, "id", None)))
    raise AssertionError(f"condition {condition_id} not in result (have {seen})")


def run(packs: Any, standard: str, raw: Mapping[str, Any], editions: Mapping[str, str] | None = None) -> Any:
    """Explain one standard for one record and return that standard's result."""
    record = make_record(raw)
    kwargs: dict[str, Any] = {"standards": [standard], "gaps": False}
    if editions:
        kwargs["editions"] = dict(editions)
    return packs.explain(record, **kwargs)[standard]
