"""Unknowns decided where the facts already decide: bounds of missing non-negative inputs.

Hand-worked from ../shared/domain/tiers.md (thresholds typed here, not read from the packs):
- 创新型 direct path D4 (§ 创新型 direct conditions): new qualified equity financing of the last three
  years ≥ 500万元 = 5,000,000 yuan. Two known years reaching it decide D4 whatever the third holds.
- 小巨人 2022 专业化 (§6.1): average main-business growth of the last 2 years ≥ 5%, the arithmetic
  mean of the two yearly rates. Y−1 revenue ≥ 0 makes that year's rate ≥ −100%, so a Y−2 rate of
  110% (Y−3 = 1亿, Y−2 = 2.1亿) already gives a mean ≥ 5%; 1 yuan less and it is open.
- 专精特新 2026 S2 (§7): revenue of Y−1 ≥ 1500万元, or new equity investment of the last 2 years
  ≥ 2000万元 = 20,000,000 yuan; Y−1 alone at 2000万 decides it with Y−2 and revenue unknown.

Each case runs in Python and in the compiled SQL (DuckDB always; PostgreSQL when reachable; Spark in
local mode), and the rows must agree.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from engines_support import assert_same_as_python, duckdb_rows, postgres_rows, python_rows, spark_rows

from tidu.rules import Packs, Tri, load_packs
from tidu.rules import expr as E
from tidu.rules.fieldinfo import FieldInfo, field_infos

TODAY = dt.date(2026, 11, 30)
PACKS: Packs = load_packs()
COLUMNS = list(PACKS.fields)

GENERAL_OK = {
    "registered_in_mainland": True,
    "independent_legal_person": True,
    "abnormal_list": False,
    "serious_dishonest_list": False,
    "prohibited_product": False,
    "major_incident_3y": False,
    "tax_violation_3y": False,
}

# a small manufacturer (C3441, 50 staff, 2000万 revenue): an SME, holding no 专精特新 title
INNOVATIVE = {
    "year": 2025,
    "as_of": dt.date(2025, 6, 30),
    "region_code": "110108",
    "industry_code": "C3441",
    "employees_y1": 50,
    "revenue_y1": 20_000_000,
    "cert_specialized_valid": False,
    "cert_little_giant_valid": False,
    **GENERAL_OK,
}


def innovative(y1: int | None, y2: int | None, y3: int | None) -> dict[str, Any]:
    return {**INNOVATIVE, "equity_fin_y1": y1, "equity_fin_y2": y2, "equity_fin_y3": y3}


def item(res: Any, ident: str) -> Any:
    for c in [*res.conditions, *res.route_items]:
        if c.id == ident:
            return c
    raise AssertionError(f"no item {ident}")


# ---------------------------------------------------------------------------------------------
# 创新型 D4: 500万 over three years


def test_two_known_years_reaching_500wan_meet_the_direct_path_whatever_the_third_holds() -> None:
    res = PACKS.explain(innovative(3_000_000, 2_000_000, None), standards=["innovative_sme"], today=TODAY)[
        "innovative_sme"
    ]
    d4 = item(res, "D4")
    assert d4.value is Tri.TRUE
    assert d4.detail_zh.startswith("满足（") and "不论其取值如何结论不变" in d4.detail_zh
    assert PACKS.fields["equity_fin_y3"].label in d4.detail_zh
    assert res.qualified is Tri.TRUE and res.path == "direct"
    # the missing year is not reported as something that could change a verdict
    assert "equity_fin_y3" not in {u.field for u in res.unknown_fields}


def test_an_empty_award_rank_is_no_award_and_not_called_missing() -> None:
    # D1 reads the ranks with IS NULL ("未填写奖励排名视为近三年未获奖"): empty is the answer itself
    res = PACKS.explain(innovative(3_000_000, 2_000_000, None), standards=["innovative_sme"], today=TODAY)[
        "innovative_sme"
    ]
    assert item(res, "D1").value is Tri.FALSE
    assert item(res, "D1").detail_zh == "不满足"


def test_one_yuan_short_of_500wan_with_a_year_missing_stays_open_and_names_that_year() -> None:
    res = PACKS.explain(innovative(3_000_000, 1_999_999, None), standards=["innovative_sme"], today=TODAY)[
        "innovative_sme"
    ]
    assert item(res, "D4").value is Tri.UNKNOWN
    assert res.qualified is Tri.UNKNOWN
    unknown = {u.field: u for u in res.unknown_fields}
    assert unknown["equity_fin_y3"].items == ["D4"]
    assert unknown["equity_fin_y3"].could_change_verdict


def test_three_known_years_one_yuan_short_are_not_met() -> None:
    res = PACKS.explain(innovative(3_000_000, 1_999_999, 0), standards=["innovative_sme"], today=TODAY)[
        "innovative_sme"
    ]
    assert item(res, "D4").value is Tri.FALSE


def test_a_missing_year_never_makes_the_sum_false() -> None:
    # the missing year could hold any amount: an upper bound never exists for money
    res = PACKS.explain(innovative(0, 0, None), standards=["innovative_sme"], today=TODAY)["innovative_sme"]
    assert item(res, "D4").value is Tri.UNKNOWN


# ---------------------------------------------------------------------------------------------
# 小巨人 2022 专业化: mean of two growth rates ≥ 5%, Y−1 revenue missing

LITTLE_GIANT_2024 = {
    "year": 2024,
    "as_of": dt.date(2024, 6, 30),
    "region_code": "110108",
    "industry_code": "C3441",
    "main_rev_y1": None,
    "main_rev_y3": 100_000_000,
    **GENERAL_OK,
}


def test_growth_of_110_percent_in_y2_decides_the_two_year_mean_without_y1() -> None:
    rec = {**LITTLE_GIANT_2024, "main_rev_y2": 210_000_000}
    res = PACKS.explain(rec, standards=["little_giant"], today=TODAY)["little_giant"]
    assert res.edition == "2022" and not res.amendments
    z3 = item(res, "Z3")
    assert z3.value is Tri.TRUE
    assert "不论其取值如何结论不变" in z3.detail_zh


def test_one_yuan_less_in_y2_leaves_the_two_year_mean_open() -> None:
    rec = {**LITTLE_GIANT_2024, "main_rev_y2": 209_999_999}
    res = PACKS.explain(rec, standards=["little_giant"], today=TODAY)["little_giant"]
    assert item(res, "Z3").value is Tri.UNKNOWN
    assert "main_rev_y1" in {u.field for u in res.unknown_fields}


def test_a_single_ratio_with_its_numerator_missing_stays_open() -> None:
    # R&D / revenue ≥ 5%: no known part of R&D can reach it, the band stays between 0 and 20 points
    rec = {**INNOVATIVE, "rd_y1": None}
    res = PACKS.explain(rec, standards=["innovative_sme"], today=TODAY)["innovative_sme"]
    rd = next(i for i in res.indicators if i.id == "rd_ratio")
    assert (rd.points_lo, rd.points_hi) == (0, 20)


# ---------------------------------------------------------------------------------------------
# 专精特新 2026 S2: revenue ≥ 1500万 OR two years of equity ≥ 2000万

SPECIALIZED_2026 = {
    "year": 2026,
    "as_of": dt.date(2026, 6, 30),
    "region_code": "110108",
    "industry_code": "C3441",
    "revenue_y1": None,
    "equity_fin_y2": None,
    **GENERAL_OK,
}


@pytest.mark.parametrize(("y1", "want"), [(20_000_000, Tri.TRUE), (19_999_999, Tri.UNKNOWN)])
def test_one_year_of_equity_at_2000wan_meets_the_revenue_alternative(y1: int, want: Tri) -> None:
    rec = {**SPECIALIZED_2026, "equity_fin_y1": y1}
    res = PACKS.explain(rec, standards=["specialized_sme"], today=TODAY)["specialized_sme"]
    assert res.edition == "2026"
    assert item(res, "S2a").value is want


# ---------------------------------------------------------------------------------------------
# the expression level: which inputs have bounds, and what they decide


def _compile(text: str) -> tuple[E.Node, E.Fn]:
    fields = dict(field_infos())
    node = E.simplify(E.Rewriter(fields).rewrite(E.expand(E.parse(text), {}, fields), None))
    return node, E.to_python(node)


def test_a_count_that_cannot_be_negative_meets_at_least_zero_when_unknown() -> None:
    node, fn = _compile("ip_c1_count >= 0")
    assert isinstance(node, E.Bounded)
    assert fn({"ip_c1_count": None}) is True
    _node, lt = _compile("ip_c1_count < 0")
    assert lt({"ip_c1_count": None}) is False


def test_a_count_compared_with_one_stays_open_and_is_not_wrapped() -> None:
    node, fn = _compile("ip_c1_count >= 1")
    assert not isinstance(node, E.Bounded)  # nothing to decide: the plain comparison, as fast as before
    assert fn({"ip_c1_count": None}) is None


def test_net_profit_may_be_negative_so_it_bounds_nothing() -> None:
    _node, fn = _compile("net_profit_y1 + revenue_y1 >= 100")
    assert fn({"net_profit_y1": None, "revenue_y1": 1000}) is None
    _node, fn = _compile("rd_y1 + revenue_y1 >= 100")
    assert fn({"rd_y1": None, "revenue_y1": 1000}) is True


def test_a_subtracted_unknown_amount_decides_only_the_false_side() -> None:
    # revenue − R&D ≤ 50: with R&D unknown (≥ 0) revenue 40 already gives ≤ 40; revenue 60 stays open
    _node, fn = _compile("revenue_y1 - rd_y1 <= 50")
    assert fn({"revenue_y1": 40, "rd_y1": None}) is True
    assert fn({"revenue_y1": 60, "rd_y1": None}) is None
    _node, fn = _compile("revenue_y1 - rd_y1 > 50")
    assert fn({"revenue_y1": 40, "rd_y1": None}) is False


def test_a_fraction_field_is_bounded_by_one() -> None:
    _node, fn = _compile("market_share_domestic + market_share_intl > 1")
    assert fn({"market_share_domestic": Fraction(1, 100), "market_share_intl": None}) is None
    _node, fn = _compile("market_share_domestic + market_share_intl <= 2")
    assert fn({"market_share_domestic": Fraction(1, 100), "market_share_intl": None}) is True


def test_bounds_come_from_the_registry() -> None:
    infos = field_infos()
    assert infos["equity_fin_y1"].bounds == (0, None)
    assert infos["net_profit_y1"].bounds == (None, None)
    assert infos["market_share_domestic"].bounds == (0, 1)
    assert infos["year"].bounds == (2000, 2100)
    assert FieldInfo("x", "rank", "x").bounds == (1, None)


# ---------------------------------------------------------------------------------------------
# the batch engines agree with Python on every case above

CASES = [
    innovative(3_000_000, 2_000_000, None),
    innovative(3_000_000, 1_999_999, None),
    innovative(3_000_000, 1_999_999, 0),
    innovative(0, 0, None),
    innovative(None, None, 5_000_000),
    innovative(None, None, None),
    {**LITTLE_GIANT_2024, "main_rev_y2": 210_000_000},
    {**LITTLE_GIANT_2024, "main_rev_y2": 209_999_999},
    {**LITTLE_GIANT_2024, "main_rev_y2": 210_000_000, "main_rev_y3": None},
    {**LITTLE_GIANT_2024, "main_rev_y2": 210_000_000, "rd_y1": 9_000_000, "rd_y2": None},
    {**SPECIALIZED_2026, "equity_fin_y1": 20_000_000},
    {**SPECIALIZED_2026, "equity_fin_y1": 19_999_999},
    {**SPECIALIZED_2026, "equity_fin_y1": 20_000_000, "revenue_y1": 1, "rd_y1": 13_000_000},
]


def _rows() -> list[dict[str, Any]]:
    return [{**r, "credit_code": f"B{i:04d}"} for i, r in enumerate(CASES)]


def _compare(got: list[dict[str, str]], engine: str) -> None:
    assert_same_as_python(python_rows(PACKS, _rows(), TODAY), got, engine)


def test_duckdb_agrees_on_the_bounds_cases() -> None:
    got = duckdb_rows(PACKS, _rows(), TODAY)
    _compare(got, "DuckDB")
    by_code = {r["credit_code"]: r for r in got}
    assert by_code["B0000"]["innovative_sme__qualified"] == "true"
    assert by_code["B0000"]["innovative_sme__path"] == "direct"
    assert by_code["B0001"]["innovative_sme__qualified"] == "unknown"


def test_postgres_agrees_on_the_bounds_cases(pg: Any) -> None:
    _compare(postgres_rows(PACKS, pg, _rows(), "tidu_bounds", TODAY), "PostgreSQL")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_agrees_on_the_bounds_cases(spark: Any) -> None:
    _compare(spark_rows(PACKS, spark, _rows(), TODAY), "Spark")


def test_only_a_missing_field_that_feeds_an_open_part_is_said_to_change_the_verdict() -> None:
    # score route already failed: growth group 0 of 15 (main business shrank, debt 90%), so the
    # missing R&D amount (an innovation band of 0–20 points) cannot change the verdict; the
    # missing third year of equity (direct path D4, 400万 known of 500万) still can
    rec = {
        **innovative(3_000_000, 1_000_000, None),
        "rd_y1": None,
        "main_rev_y1": 15_000_000,
        "main_rev_y2": 16_000_000,
        "total_assets_y1": 10_000_000,
        "total_liabilities_y1": 9_000_000,
        "ip_c1_hv_count": 0,
        "ip_c1_self_count": 0,
        "ip_c1_count": 0,
        "ip_c2_count": 0,
        "hte_valid": False,
        "natl_tech_innov_demo_valid": False,
        "ip_adv_or_demo_valid": False,
        "rd_inst_minist_plus": False,
    }
    res = PACKS.explain(rec, standards=["innovative_sme"], today=TODAY)["innovative_sme"]
    assert res.qualified is Tri.UNKNOWN
    assert [r.value for r in res.routes] == [Tri.FALSE, Tri.UNKNOWN]
    unknown = {u.field: u for u in res.unknown_fields}
    assert unknown["rd_y1"].items == ["rd_ratio"] and not unknown["rd_y1"].could_change_verdict
    assert unknown["equity_fin_y3"].could_change_verdict
