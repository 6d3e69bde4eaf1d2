"""Bounds propagation is sound and tight, checked against completions of the missing inputs.

Sound: a condition decided with inputs missing keeps that verdict whatever values they take.
Tight (for these monotone sums and means): a condition left unknown really is open — some values
of the missing inputs meet it and others do not. The conditions are the packs' own (compiled), the
completions are drawn independently, so a wrong bound shows as a completion that flips a verdict.
Python and DuckDB must also agree on every drawn record with missing values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engines_support import assert_same_as_python, duckdb_rows, postgres_rows, python_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidu.rules import Packs, load_packs
from tidu.rules.evaluate import prepare
from tidu.rules.model import Item

TODAY = dt.date(2026, 11, 30)
PACKS: Packs = load_packs()
COLUMNS = list(PACKS.fields)
HUGE = 10**12  # 1万亿元: more than any threshold, within the validated money range


def _item(standard: str, edition: str, key: str, ident: str) -> Item:
    v = next(e for e in PACKS.editions[standard] if e.edition == edition).variants[key]
    for it in [*v.conditions, *(i for rt in v.routes for i in rt.items)]:
        if it.id == ident:
            return it
    raise AssertionError(ident)


# (item, the inputs it sums or averages) — thresholds of tiers.md: D4 500万 over 3 years, S2a
# revenue 1500万 or 2 years of equity 2000万, Z3 mean main-business growth ≥ 5%
D4 = _item("innovative_sme", "2022", "2022", "D4")
S2A = _item("specialized_sme", "2026", "2026", "S2a")
Z3 = _item("little_giant", "2022", "2022", "Z3")


def money(center: int) -> st.SearchStrategy[int | None]:
    """Amounts near a threshold's share, zero, or missing."""
    return st.one_of(
        st.none(),
        st.just(0),
        st.integers(min_value=max(0, center - 3), max_value=center + 3),
        st.integers(min_value=0, max_value=3 * center),
    )


def _fn(item: Item) -> Callable[[dict[str, Any]], bool | None]:
    return lambda rec: item.fn(prepare({"year": 2026, **rec}, TODAY))


def _check(item: Item, rec: dict[str, Any], fields: tuple[str, ...], fills: list[int]) -> None:
    fn = _fn(item)
    got = fn(rec)
    missing = [f for f in fields if rec.get(f) is None]
    outcomes = set()
    for fill in fills:
        outcomes.add(fn({**rec, **dict.fromkeys(missing, fill)}))
    if got is not None:
        assert outcomes == {got}, (
            f"{item.id} decided {got} with {missing} missing, a completion gives {outcomes}"
        )
    elif missing:
        assert outcomes == {True, False}, (
            f"{item.id} left open with {missing} missing, completions give {outcomes}"
        )


@settings(max_examples=300, deadline=None)
@given(y1=money(2_500_000), y2=money(2_500_000), y3=money(2_500_000))
def test_equity_of_three_years_d4(y1: int | None, y2: int | None, y3: int | None) -> None:
    rec = {"equity_fin_y1": y1, "equity_fin_y2": y2, "equity_fin_y3": y3}
    _check(D4, rec, ("equity_fin_y1", "equity_fin_y2", "equity_fin_y3"), [0, 5_000_000, HUGE])


@settings(max_examples=300, deadline=None)
@given(rev=money(15_000_000), y1=money(10_000_000), y2=money(10_000_000))
def test_revenue_or_two_years_of_equity_s2a(rev: int | None, y1: int | None, y2: int | None) -> None:
    rec = {"revenue_y1": rev, "equity_fin_y1": y1, "equity_fin_y2": y2}
    _check(S2A, rec, ("revenue_y1", "equity_fin_y1", "equity_fin_y2"), [0, HUGE])


@settings(max_examples=300, deadline=None)
@given(
    m1=st.one_of(st.none(), st.integers(min_value=0, max_value=400_000_000)),
    m2=st.integers(min_value=1, max_value=400_000_000),
    m3=st.one_of(st.integers(min_value=1, max_value=200_000_000), st.sampled_from([100_000_000])),
)
def test_mean_growth_of_two_years_z3(m1: int | None, m2: int, m3: int) -> None:
    # Y−2 and Y−3 known and positive (the denominators); Y−1 missing or not
    rec = {"main_rev_y1": m1, "main_rev_y2": m2, "main_rev_y3": m3}
    _check(Z3, rec, ("main_rev_y1",), [0, HUGE])


def test_the_mean_growth_edge_by_hand() -> None:
    # Y−3 1亿, Y−2 2.1亿: Y−2 growth 110 %, Y−1 growth ≥ −100 % → mean ≥ 5 % (tiers.md §6.1)
    fn = _fn(Z3)
    assert fn({"main_rev_y1": None, "main_rev_y2": 210_000_000, "main_rev_y3": 100_000_000}) is True
    assert fn({"main_rev_y1": None, "main_rev_y2": 209_999_999, "main_rev_y3": 100_000_000}) is None


# ---------------------------------------------------------------------------------------------
# DuckDB agrees with Python on drawn records with missing amounts

BASE = {
    "year": 2026,
    "as_of": dt.date(2026, 6, 30),
    "region_code": "440305",
    "industry_code": "C3911",
    "employees_y1": 80,
    "registered_in_mainland": True,
    "independent_legal_person": True,
    "abnormal_list": False,
    "serious_dishonest_list": False,
    "prohibited_product": False,
    "major_incident_3y": False,
    "tax_violation_3y": False,
    "data_fraud_found": False,
    "cert_specialized_valid": False,
    "cert_little_giant_valid": False,
}


@st.composite
def drawn(draw: st.DrawFn) -> dict[str, Any]:
    rec: dict[str, Any] = {**BASE, "year": draw(st.sampled_from([2024, 2025, 2026]))}
    rec["as_of"] = dt.date(rec["year"], 6, 30)
    rec["is_review"] = draw(st.sampled_from([None, True, False]))
    for f in ("cert_specialized_valid", "cert_little_giant_valid"):  # the titles a re-review is of
        rec[f] = draw(st.sampled_from([None, True, False]))
    rec["zjtx_dev_score"] = draw(st.sampled_from([None, Decimal("48"), Decimal("50"), Decimal("60")]))
    rec["zjtx_dev_score_prev"] = draw(st.sampled_from([None, Decimal("49.9"), Decimal("60")]))
    for f in ("equity_fin_y1", "equity_fin_y2", "equity_fin_y3"):
        rec[f] = draw(money(3_000_000))
    for f in ("rd_y1", "rd_y2"):
        rec[f] = draw(money(7_000_000))
    for f in ("main_rev_y1", "main_rev_y2", "main_rev_y3", "revenue_y1", "revenue_y2", "revenue_y3"):
        rec[f] = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=300_000_000)))
    return rec


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(drawn(), min_size=5, max_size=40))
def test_duckdb_agrees_with_python_on_missing_amounts(recs: list[dict[str, Any]]) -> None:
    rows = [{**r, "credit_code": f"H{i:04d}"} for i, r in enumerate(recs)]
    assert_same_as_python(python_rows(PACKS, rows, TODAY), duckdb_rows(PACKS, rows, TODAY), "DuckDB")


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(recs=st.lists(drawn(), min_size=5, max_size=40))
def test_postgres_agrees_with_python_on_missing_amounts(pg: Any, recs: list[dict[str, Any]]) -> None:
    rows = [{**r, "credit_code": f"P{i:04d}"} for i, r in enumerate(recs)]
    got = postgres_rows(PACKS, pg, rows, "tidu_bounds_drawn", TODAY)
    assert_same_as_python(python_rows(PACKS, rows, TODAY), got, "PostgreSQL")
