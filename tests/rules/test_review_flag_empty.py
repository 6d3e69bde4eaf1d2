"""A firm-year with `is_review` empty: evaluated as a new application and as a re-review.

Where the two readings give different verdicts the verdict is unknown and the explanation says it
depends on whether this is a re-review; where they agree, the common verdict is given.

Hand-worked from ../shared/domain/tiers.md (numbers typed here, not read from the packs):
- §7 专精特新 2026 S6: this year's 发展评价 score ≥ 50; for a re-review ≥ 50 in either of the last two
  years. Score 48 with 52 the year before: met as a re-review, not as a new application.
- §6.4 and §8 小巨人 in 2026: re-reviews are judged on the 2022 criteria, new applications on the
  2026 ones. The 2022 特色化 condition needs an own brand, the 2026 edition no longer does.

Python and the compiled SQL (DuckDB; PostgreSQL when reachable) must give the same rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from engines_support import assert_same_as_python, duckdb_rows, postgres_rows, python_rows, spark_rows

from tidu.rules import Packs, Tri, load_packs

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
    "data_fraud_found": False,
}

# 专精特新 2026 (tiers.md §7): every condition met with room to spare except the score, set per case
SPECIALIZED_2026 = {
    "year": 2026,
    "as_of": dt.date(2026, 6, 30),
    "region_code": "110108",
    "industry_code": "C3911",
    "employees_y1": 120,
    "cert_tech_sme_valid": True,
    "cert_innovative_valid": False,
    "niche_start_on": dt.date(2020, 5, 1),  # 5 full years at the end of 2025 (≥ 3)
    "revenue_y1": 30_000_000,  # 3000万 ≥ 1500万
    "revenue_y2": 25_000_000,
    "equity_fin_y1": 0,
    "equity_fin_y2": 0,
    "main_rev_y1": 27_000_000,  # 90% ≥ 80%
    "total_assets_y1": 40_000_000,
    "total_liabilities_y1": 20_000_000,  # 50% ≤ 80%
    "rd_y1": 1_500_000,  # 150万 ≥ 100万, 5% ≥ 3%
    "rd_y2": 1_200_000,  # 120万 ≥ 100万, 4.8% ≥ 3%
    "ip_c1_applied_own_count": 2,
    "rd_inst_minist_plus": False,
    "market_position_ok": True,
    **GENERAL_OK,
}


def specialized(score: str, prev: str | None, review: bool | None) -> dict[str, Any]:
    return {
        **SPECIALIZED_2026,
        "zjtx_dev_score": Decimal(score),
        "zjtx_dev_score_prev": None if prev is None else Decimal(prev),
        "is_review": review,
    }


def explain(rec: dict[str, Any], standard: str) -> Any:
    return PACKS.explain(rec, standards=[standard], today=TODAY)[standard]


def test_the_flag_given_is_read_as_given() -> None:
    assert explain(specialized("48", "52", True), "specialized_sme").qualified is Tri.TRUE
    assert explain(specialized("48", "52", False), "specialized_sme").qualified is Tri.FALSE


def test_readings_that_differ_leave_the_verdict_unknown_and_say_why() -> None:
    res = explain(specialized("48", "52", None), "specialized_sme")
    assert res.qualified is Tri.UNKNOWN
    assert res.path is None
    assert any("复核" in n and "取决于" in n for n in res.notes)
    unknown = {u.field: u for u in res.unknown_fields}
    assert unknown["is_review"].items == ["S6"]
    assert unknown["is_review"].could_change_verdict
    assert res.row()["specialized_sme__qualified"] == "unknown"


def test_readings_that_agree_give_the_common_verdict() -> None:
    met = explain(specialized("52", None, None), "specialized_sme")
    assert met.qualified is Tri.TRUE and met.path == "general"
    assert not any("复核" in n for n in met.notes)  # the flag changes nothing shown: no note
    assert "is_review" not in {u.field for u in met.unknown_fields}
    not_met = explain(specialized("48", "49.9", None), "specialized_sme")
    assert not_met.qualified is Tri.FALSE


def test_a_condition_read_differently_is_noted_even_when_the_verdict_agrees() -> None:
    # S6 is met only as a re-review, but the market position (S5) fails both readings
    res = explain({**specialized("48", "52", None), "market_position_ok": False}, "specialized_sme")
    assert res.qualified is Tri.FALSE
    assert any("结论相同" in n for n in res.notes)
    assert "is_review" not in {u.field for u in res.unknown_fields}


def test_a_standard_that_never_reads_the_flag_is_evaluated_once_without_a_note() -> None:
    res = explain(specialized("48", "52", None), "innovative_sme")
    assert not any("复核" in n for n in res.notes)


# 小巨人 in 2026: review → 2022 criteria (with the 2026 notice), new application → 2026 criteria

LITTLE_GIANT_2026 = {
    "year": 2026,
    "as_of": dt.date(2026, 6, 30),
    "region_code": "110108",
    "industry_code": "C3911",
    "employees_y1": 200,
    "own_brand": False,
    **GENERAL_OK,
}


def test_little_giant_2026_review_and_application_follow_different_editions() -> None:
    assert explain({**LITTLE_GIANT_2026, "is_review": True}, "little_giant").edition == "2022"
    assert explain({**LITTLE_GIANT_2026, "is_review": False}, "little_giant").edition == "2026"


def test_without_an_own_brand_a_review_fails_while_an_application_stays_open() -> None:
    review = explain({**LITTLE_GIANT_2026, "is_review": True}, "little_giant")
    application = explain({**LITTLE_GIANT_2026, "is_review": False}, "little_giant")
    assert review.qualified is Tri.FALSE
    assert application.qualified is Tri.UNKNOWN
    res = explain({**LITTLE_GIANT_2026, "is_review": None}, "little_giant")
    assert res.qualified is Tri.UNKNOWN
    assert res.edition == "2026"  # the reasons listed are the new application's
    assert any("按新申请评价为无法判断，按复核评价为不符合" in n for n in res.notes)


def test_a_2026_score_below_60_no_longer_fails_a_firm_that_may_be_a_2022_review() -> None:
    # §8 L7: 发展评价 ≥ 60 for a new application; the 2022 criteria a 2026 review follows have no
    # such score. Read as a new application (what an empty flag meant before) this is 不符合.
    rec = {**LITTLE_GIANT_2026, "own_brand": True, "zjtx_dev_score": Decimal("55")}
    assert explain({**rec, "is_review": False}, "little_giant").qualified is Tri.FALSE
    res = explain({**rec, "is_review": None}, "little_giant")
    assert res.qualified is Tri.UNKNOWN
    assert any("按新申请评价为不符合" in n and "取决于本次是否为复核" in n for n in res.notes)
    assert "is_review" in {u.field for u in res.unknown_fields}


@pytest.mark.parametrize(("held", "want"), [(False, Tri.FALSE), (None, Tri.UNKNOWN), (True, Tri.UNKNOWN)])
def test_a_firm_known_not_to_hold_the_title_is_not_being_re_reviewed(held: bool | None, want: Tri) -> None:
    # fields.md: is_review is the review of a title the firm already holds
    rec = {
        **LITTLE_GIANT_2026,
        "own_brand": True,
        "zjtx_dev_score": Decimal("55"),
        "is_review": None,
        "cert_little_giant_valid": held,
    }
    res = explain(rec, "little_giant")
    assert res.qualified is want
    assert any("复核" in n for n in res.notes) is (held is not False)


def test_a_general_condition_failing_fails_both_readings() -> None:
    rec = {**LITTLE_GIANT_2026, "is_review": None, "registered_in_mainland": False}
    res = explain(rec, "little_giant")
    assert res.qualified is Tri.FALSE


# ---------------------------------------------------------------------------------------------
# the batch engines agree

CASES = [
    specialized("48", "52", None),
    specialized("48", "52", True),
    specialized("48", "52", False),
    specialized("52", None, None),
    specialized("48", "49.9", None),
    specialized("50", "50", None),
    {**specialized("48", "52", None), "market_position_ok": False},
    {**LITTLE_GIANT_2026, "is_review": None},
    {**LITTLE_GIANT_2026, "is_review": True},
    {**LITTLE_GIANT_2026, "is_review": None, "registered_in_mainland": False},
    {**LITTLE_GIANT_2026, "is_review": None, "own_brand": True, "zjtx_dev_score": Decimal("55")},
    {
        **LITTLE_GIANT_2026,
        "is_review": None,
        "own_brand": True,
        "zjtx_dev_score": Decimal("55"),
        "cert_little_giant_valid": False,
    },
    {**specialized("48", "52", None), "cert_specialized_valid": False},
    {**specialized("48", "52", None), "cert_specialized_valid": True},
    {**LITTLE_GIANT_2026, "is_review": None, "year": 2025, "as_of": dt.date(2025, 6, 30)},
    {**LITTLE_GIANT_2026, "is_review": None, "year": 2025, "as_of": dt.date(2025, 6, 30), "revenue_y1": 1},
]


def _rows() -> list[dict[str, Any]]:
    return [{**r, "credit_code": f"V{i:04d}"} for i, r in enumerate(CASES)]


def _compare(got: list[dict[str, str]], engine: str) -> None:
    assert_same_as_python(python_rows(PACKS, _rows(), TODAY), got, engine)


def test_duckdb_agrees_with_python_on_empty_review_flags() -> None:
    got = duckdb_rows(PACKS, _rows(), TODAY)
    _compare(got, "DuckDB")
    by_code = {r["credit_code"]: r for r in got}
    assert by_code["V0000"]["specialized_sme__qualified"] == "unknown"
    assert by_code["V0003"]["specialized_sme__qualified"] == "true"
    assert by_code["V0003"]["specialized_sme__path"] == "general"


def test_postgres_agrees_with_python_on_empty_review_flags(pg: Any) -> None:
    _compare(postgres_rows(PACKS, pg, _rows(), "tidu_review_flag", TODAY), "PostgreSQL")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_agrees_on_the_review_flags_cases(spark: Any) -> None:
    _compare(spark_rows(PACKS, spark, _rows(), TODAY), "Spark")
