"""The engine's read-only view of the field registry (data/fields.yaml): names, types, labels.

The CLI's `tidu.rules.fields` owns record coercion; the engine only needs to know which names
exist, their type (for exact arithmetic and SQL casts) and their Chinese label (for explanations).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

FIELDS_YAML = Path(__file__).with_name("data") / "fields.yaml"

# decimal places kept by the SQL column types (fields.sql_type): fraction DECIMAL(18,6), decimal DECIMAL(18,4)
SCALE = {"fraction": 6, "decimal": 4}
INTEGER_TYPES = frozenset({"int", "money", "count", "rank"})
NUMERIC_TYPES = INTEGER_TYPES | {"fraction", "decimal"}


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    type: str
    label: str
    unit: str = ""
    section: str = ""

    @property
    def scale(self) -> int:
        return SCALE.get(self.type, 0)


@cache
def field_infos() -> dict[str, FieldInfo]:
    """All fields of the registry by name."""
    data = yaml.safe_load(FIELDS_YAML.read_text(encoding="utf-8"))
    out: dict[str, FieldInfo] = {}
    for item in data:
        out[item["name"]] = FieldInfo(
            name=item["name"],
            type=item["type"],
            label=item.get("label", item["name"]),
            unit=str(item.get("unit", "") or ""),
            section=item.get("section", ""),
        )
    return out


def sql_type(ftype: str) -> str:
    """DuckDB column type of a field type (same mapping as tidu.rules.fields.sql_type)."""
    return {
        "money": "BIGINT",
        "int": "INTEGER",
        "count": "INTEGER",
        "rank": "INTEGER",
        "fraction": "DECIMAL(18,6)",
        "decimal": "DECIMAL(18,4)",
        "bool": "BOOLEAN",
        "date": "DATE",
    }.get(ftype, "VARCHAR")
