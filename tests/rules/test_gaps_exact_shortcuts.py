"""The shortcuts that make explain-with-gaps cheaper (decision 0115) give the very same answers.

A user relies on: a ratio test over a zero, negative, missing or positive denominator reading the
same in the explanation as in SQL (the CASE of the division rewrite, now computed with its
denominator read once), and a decimal score (特色化指标 12.5分) or an odd fraction of a point
being counted exactly in the gap search, whose points are kept in millionths of a point.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from tidu.rules import expr as E
from tidu.rules.gaps import _S, _points, _scaled, _unscaled

DEN = E.Big(E.Col("revenue_y1"))
RATIO_AT_LEAST_5PCT = E.Case(
    whens=(
        (E.Cmp("<=", DEN, E.Lit(0)), E.Lit(False)),
        (E.Cmp(">", DEN, E.Lit(0)), E.Cmp(">=", E.Arith("*", E.Lit(20), E.Big(E.Col("rd_y1"))), DEN)),
    ),
    default=E.BoolNull(),
)


def when_by_when(node: E.Case, r: dict[str, Any]) -> Any:
    """The CASE as SQL reads it: each WHEN tested in turn (its own closure), else the default."""
    for test, value in node.whens:
        if E.to_python(test)(r) is True:
            return E.to_python(value)(r)
    return E.to_python(node.default)(r)


@pytest.mark.parametrize("revenue", [None, -100, 0, 1, 99, 100, 10**12])
@pytest.mark.parametrize("rd", [None, 0, 4, 5, 6, 5 * 10**10])
def test_a_ratio_test_reads_the_same_whatever_the_denominator(revenue: Any, rd: Any) -> None:
    r = {"revenue_y1": revenue, "rd_y1": rd}
    assert E.to_python(RATIO_AT_LEAST_5PCT)(r) is when_by_when(RATIO_AT_LEAST_5PCT, r)


def test_a_ratio_test_on_a_zero_revenue_fails_and_on_a_missing_one_is_unknown() -> None:
    fn = E.to_python(RATIO_AT_LEAST_5PCT)
    assert fn({"revenue_y1": 0, "rd_y1": 10}) is False
    assert fn({"revenue_y1": None, "rd_y1": 10}) is None
    assert fn({"revenue_y1": 100, "rd_y1": 5}) is True
    assert fn({"revenue_y1": 100, "rd_y1": 4}) is False


@pytest.mark.parametrize(
    "points",
    [0, 7, 30, Fraction(25, 2), Fraction(1234567, 1000000), Fraction(1, 3), Fraction(-5, 7), Fraction(9, 1)],
)
def test_points_in_the_search_are_exact_and_come_back_unchanged(points: Any) -> None:
    inner = _scaled(points)
    assert inner * Fraction(1, _S) == points
    assert _unscaled(inner) == points
    assert _points((points, points, "")) == (inner, inner)


def test_sums_and_comparisons_of_scaled_points_agree_with_the_points() -> None:
    parts = [Fraction(25, 2), 10, Fraction(1, 3), Fraction(7, 4)]
    total = sum((_scaled(p) for p in parts), start=0)
    assert _unscaled(total) == sum(parts, start=Fraction(0))
    threshold = 24  # 12.5 + 10 + 1/3 + 1.75 = 24.58… points
    assert (total >= _scaled(threshold)) is (sum(parts, start=Fraction(0)) >= threshold)
    assert (total >= _scaled(25)) is False
