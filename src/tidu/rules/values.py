"""Three-valued logic and value formatting shared by the evaluator, the gap finder and the apps.

SQL semantics: `None` is unknown, AND/OR are Kleene's. Numbers are exact (`int` or `Fraction`);
`format_number` and `fmt_value` give the canonical text stored in results and shown to readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

Number = int | Fraction


class Tri(StrEnum):
    """Three-valued verdict: SQL TRUE / FALSE / NULL."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Tri:
        if value is None:
            return cls.UNKNOWN
        return cls.TRUE if value else cls.FALSE


def kleene_and(values: Iterable[bool | None]) -> bool | None:
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def kleene_or(values: Iterable[bool | None]) -> bool | None:
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def at_least(lo: Number, hi: Number, threshold: Number) -> bool | None:
    if lo >= threshold:
        return True
    if hi < threshold:
        return False
    return None


def to_decimal(v: Number | Decimal) -> Decimal:
    """Exact Decimal of an int/Fraction whose denominator divides a power of ten."""
    if isinstance(v, Decimal):
        return v
    if isinstance(v, int):
        return Decimal(v)
    return Decimal(v.numerator) / Decimal(v.denominator)


def points_out(v: Number) -> int | Decimal:
    if isinstance(v, int):
        return v
    if v.denominator == 1:
        return int(v.numerator)
    return to_decimal(v)


def format_number(v: Decimal | int | Fraction | None) -> str:
    """Canonical text of a score: integers without decimals, else trailing zeros dropped."""
    if v is None:
        return ""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        v = to_decimal(v)
    if isinstance(v, int):
        return str(v)
    if v == v.to_integral_value():
        return str(int(v))
    return format(v.normalize(), "f")


def fmt_value(v: Any, unit: str) -> str:
    """A value as an explanation shows it (money in 万元, fractions in %, unknown as 未知)."""
    if v is None:
        return "未知"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return v
    if unit == "fraction":
        pct = to_decimal(Fraction(v) * 100) if isinstance(v, Fraction) else Decimal(v) * 100
        return f"{pct.quantize(Decimal('0.01')).normalize():f}%"
    if unit in ("yuan", "money"):
        wan = Fraction(v) / 10000
        d = (Decimal(wan.numerator) / Decimal(wan.denominator)).quantize(Decimal("0.01")).normalize()
        return f"{d:f}万元"
    if unit == "years":
        return f"{v}年"
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        return f"{(Decimal(v.numerator) / Decimal(v.denominator)).quantize(Decimal('0.0001')).normalize():f}"
    return str(v)
