"""The field registry (data/fields.yaml), read once: every name, type, label, unit, bound and help.

This is the only reader of fields.yaml. The engine (expressions, SQL casts, explanations), the
row coercion of `tidu.rules.fields`, the web forms and importers (`tidu.enterprises.registry`) all
use the same `FieldSpec` objects, so a field changed in the YAML changes everywhere at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

FIELDS_YAML = Path(__file__).with_name("data") / "fields.yaml"

FieldType = Literal["str", "int", "date", "bool", "money", "count", "rank", "fraction", "decimal", "enum"]
Improve = Literal["up", "down", "true", "false", "none"]

# decimal places kept by the SQL column types: fraction DECIMAL(18,6), decimal DECIMAL(18,4)
SCALE = {"fraction": 6, "decimal": 4}
INTEGER_TYPES = frozenset({"int", "money", "count", "rank"})
NUMERIC_TYPES = INTEGER_TYPES | {"fraction", "decimal"}

SQL_TYPES: dict[str, str] = {
    "money": "BIGINT",
    "count": "INTEGER",
    "rank": "INTEGER",
    "int": "INTEGER",
    "fraction": "DECIMAL(18,6)",
    "decimal": "DECIMAL(18,4)",
    "bool": "BOOLEAN",
    "date": "DATE",
    "str": "VARCHAR",
    "enum": "VARCHAR",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of fields.yaml (or an input an overlay declares)."""

    name: str
    type: str
    label: str
    unit: str = ""
    section: str = ""
    help: str = ""  # English definition, for the engine's readers
    help_zh: str = ""  # plain-language Chinese help: what it means, which criteria read it
    used_by: str = ""
    values: tuple[str, ...] = ()  # enum values
    min: Decimal | None = None  # declared bounds, exact as written in the YAML
    max: Decimal | None = None
    signed: bool = False  # money that may be negative (net profit)
    reviewer: bool = False  # a human judgement, normally empty until a reviewer fills it
    improve: Improve = "none"  # which direction helps a firm (the gaps solver)

    @property
    def scale(self) -> int:
        return SCALE.get(self.type, 0)

    @property
    def sql_type(self) -> str:
        return SQL_TYPES.get(self.type, "VARCHAR")

    @property
    def is_integer(self) -> bool:
        return self.type in INTEGER_TYPES

    @property
    def bounds(self) -> tuple[Fraction | None, Fraction | None]:
        """The values an unknown input can still take, as validation enforces them (None: unbounded).

        Why: a sum of non-negative amounts with one year missing is already decided when the known
        years reach the threshold (tidu.rules.expr bounds propagation)."""
        lo = None if self.min is None else Fraction(self.min)
        hi = None if self.max is None else Fraction(self.max)
        if self.type in ("count", "fraction") or (self.type == "money" and not self.signed):
            lo = Fraction(0) if lo is None else max(lo, Fraction(0))
        elif self.type == "rank":
            lo = Fraction(1) if lo is None else max(lo, Fraction(1))
        if self.type == "fraction":
            hi = Fraction(1) if hi is None else min(hi, Fraction(1))
        return lo, hi


FieldInfo = FieldSpec  # the engine's older name for the same record


def _improve(value: object) -> Improve:
    text = str(value).lower()  # YAML may give a bare true/false as a bool
    if text not in ("up", "down", "true", "false", "none"):
        raise ValueError(f"fields.yaml: improve must be up|down|true|false|none, not {value!r}")
    return text  # type: ignore[return-value]


def _spec(raw: Mapping[str, Any]) -> FieldSpec:
    def dec(v: Any) -> Decimal | None:
        return None if v is None else Decimal(str(v))

    return FieldSpec(
        name=str(raw["name"]),
        type=str(raw.get("type") or "str"),
        label=str(raw.get("label") or raw["name"]),
        unit=str(raw.get("unit") or ""),
        section=str(raw.get("section") or ""),
        help=str(raw.get("help") or ""),
        help_zh=str(raw.get("help_zh") or ""),
        used_by=str(raw.get("used_by") or ""),
        values=tuple(str(v) for v in raw.get("values") or ()),
        min=dec(raw.get("min")),
        max=dec(raw.get("max")),
        signed=bool(raw.get("signed", False)),
        reviewer=bool(raw.get("reviewer", False)),
        improve=_improve(raw.get("improve", "none")),
    )


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


@cache
def field_infos() -> dict[str, FieldSpec]:
    """All fields of the registry by name, ordered as in fields.md (read once per process)."""
    data = yaml.load(FIELDS_YAML.read_text(encoding="utf-8"), Loader=_Loader)
    specs = [_spec(item) for item in data]
    return {s.name: s for s in specs}


registry = field_infos  # the registry under its plain name


def sql_type(ftype: str) -> str:
    """SQL column type of a field type (money BIGINT, counts INTEGER, fractions DECIMAL(18,6) …)."""
    return SQL_TYPES.get(ftype, "VARCHAR")
