"""The field registry and `coerce_record`: typed values, empty = unknown, and every rule of fields.md §16."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tidu.rules.fields import (
    FIELDS,
    MONEY_CAP,
    Code,
    coerce_record,
    header_to_field,
    sql_type,
)

KEY = {"credit_code": "91110108123456788E", "year": "2025", "as_of": "2025-05-20"}
TODAY = dt.date(2025, 6, 1)


def check(**values: object) -> tuple[dict, list, list]:
    return coerce_record({**KEY, **values}, today=TODAY)


def codes(issues: list) -> list[tuple[str, Code]]:
    return [(i.field, i.code) for i in issues]


# --- registry --------------------------------------------------------------------------------


def test_registry_has_every_field_with_chinese_label_help_and_improve_direction() -> None:
    assert len(FIELDS) >= 100
    for spec in FIELDS.values():
        assert spec.label and spec.type in {
            "str",
            "int",
            "date",
            "bool",
            "money",
            "count",
            "rank",
            "fraction",
            "decimal",
            "enum",
        }
        assert spec.help_zh, spec.name
        assert spec.improve in {"up", "down", "true", "false", "none"}


@pytest.mark.parametrize(
    ("name", "improve"),
    [
        ("revenue_y1", "up"),
        ("rd_staff_y1", "up"),
        ("total_liabilities_y1", "down"),
        ("abnormal_list", "false"),
        ("related_little_giant", "false"),
        ("single_champion", "false"),
        ("data_fraud_found", "false"),
        ("hte_valid", "true"),
        ("credit_code", "none"),
        ("region_code", "none"),
        ("industry_code", "none"),
    ],
)
def test_improve_direction_for_the_gaps_solver(name: str, improve: str) -> None:
    assert FIELDS[name].improve == improve


@pytest.mark.parametrize(
    ("name", "sql"),
    [
        ("revenue_y1", "BIGINT"),
        ("employees_y1", "INTEGER"),
        ("market_rank_domestic", "INTEGER"),
        ("year", "INTEGER"),
        ("market_share_domestic", "DECIMAL(18,6)"),
        ("distinctive_score", "DECIMAL(18,4)"),
        ("hte_valid", "BOOLEAN"),
        ("as_of", "DATE"),
        ("name", "VARCHAR"),
        ("rd_inst_level", "VARCHAR"),
    ],
)
def test_sql_types(name: str, sql: str) -> None:
    assert sql_type(name) == sql


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("revenue_y1", "revenue_y1"),
        ("REVENUE_Y1", "revenue_y1"),
        ("\ufeffcredit_code", "credit_code"),
        ("统一社会信用代码", "credit_code"),
        ("营业收入（总额）_y2", "revenue_y2"),
        ("营业收入（总额）（y3）", "revenue_y3"),
        ("no_such_column", None),
    ],
)
def test_headers_may_be_field_names_or_chinese_labels(header: str, name: str | None) -> None:
    assert header_to_field(header) == name


# --- typing ----------------------------------------------------------------------------------


def test_empty_is_unknown_never_zero() -> None:
    record, errors, _ = check(
        revenue_y1="", employees_y1="  ", hte_valid=None, market_share_domestic=float("nan")
    )
    assert errors == []
    assert record["revenue_y1"] is None and record["employees_y1"] is None
    assert record["hte_valid"] is None and record["market_share_domestic"] is None
    assert record["rd_y1"] is None  # a missing column is the same as an empty cell


def test_values_get_their_python_types() -> None:
    record, errors, _ = check(
        revenue_y1="87,300,000",
        net_profit_y1="-1200",
        employees_y1=171.0,
        market_share_domestic="0.18",
        distinctive_score="6.5",
        hte_valid="是",
        own_brand="FALSE",
        founded_on="2012/03/15",
        niche_start_on=dt.datetime(2014, 9, 1, 0, 0),
        product_sei_code=2.0,
        rd_inst_level="City",
        digital_level="3",
        industry_code="c3484",
    )
    assert errors == []
    assert record["year"] == 2025 and record["as_of"] == dt.date(2025, 5, 20)
    assert record["revenue_y1"] == 87_300_000 and record["net_profit_y1"] == -1200
    assert record["employees_y1"] == 171 and isinstance(record["employees_y1"], int)
    assert record["market_share_domestic"] == Decimal("0.18")
    assert record["distinctive_score"] == Decimal("6.5")
    assert record["hte_valid"] is True and record["own_brand"] is False
    assert record["founded_on"] == dt.date(2012, 3, 15) and record["niche_start_on"] == dt.date(2014, 9, 1)
    assert record["product_sei_code"] == "2" and record["rd_inst_level"] == "city"
    assert record["digital_level"] == 3 and record["industry_code"] == "C3484"


def test_a_percentage_string_is_read_as_a_fraction() -> None:
    record, errors, _ = check(market_share_domestic="18%")
    assert errors == [] and record["market_share_domestic"] == Decimal("0.18")


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("revenue_y1", "abc", Code.NOT_A_NUMBER),
        ("revenue_y1", "100.5", Code.NOT_AN_INTEGER),
        ("revenue_y1", "-1", Code.NEGATIVE),
        ("rd_y1", "-5", Code.NEGATIVE),
        ("revenue_y1", str(MONEY_CAP + 1), Code.TOO_LARGE),
        ("net_profit_y1", str(-MONEY_CAP - 1), Code.TOO_LARGE),
        ("revenue_y1", "1e30", Code.TOO_LARGE),
        ("employees_y1", "-3", Code.NEGATIVE),
        ("employees_y1", "2.5", Code.NOT_AN_INTEGER),
        ("ip_c1_count", "99999999999", Code.TOO_LARGE),
        ("market_rank_domestic", "0", Code.OUT_OF_RANGE),
        ("award_natl_best_rank_3y", "-1", Code.OUT_OF_RANGE),
        ("market_share_domestic", "1.2", Code.OUT_OF_RANGE),
        ("market_share_intl", "-0.1", Code.OUT_OF_RANGE),
        ("market_share_domestic", "0.1234567", Code.TOO_PRECISE),
        ("digital_level", "5", Code.OUT_OF_RANGE),
        ("digital_level", "-1", Code.OUT_OF_RANGE),
        ("distinctive_score", "15.5", Code.OUT_OF_RANGE),
        ("zjtx_dev_score", "101", Code.OUT_OF_RANGE),
        ("zjtx_dev_score_prev", "-1", Code.OUT_OF_RANGE),
        ("digital_score", "100.5", Code.OUT_OF_RANGE),
        ("distinctive_score", "1.23456", Code.TOO_PRECISE),
        ("year", "1999", Code.OUT_OF_RANGE),
        ("hte_valid", "maybe", Code.NOT_A_BOOL),
        ("founded_on", "15/03/2012", Code.NOT_A_DATE),
        ("rd_inst_level", "county", Code.NOT_IN_LIST),
        ("product_sei_code", "10", Code.NOT_IN_LIST),
        ("digital_edition", "2023", Code.NOT_IN_LIST),
        ("region_code", "44030", Code.REGION_CODE_INVALID),
        ("region_code", "44030A", Code.REGION_CODE_INVALID),
        ("industry_code", "C39111", Code.INDUSTRY_CODE_INVALID),
        ("industry_code", "3911", Code.INDUSTRY_CODE_INVALID),
        ("industry_code", "Z39", Code.INDUSTRY_CODE_INVALID),
    ],
)
def test_bad_values_are_rejected_with_field_code_and_chinese_message(
    name: str, value: str, code: Code
) -> None:
    record, errors, _ = check(**{name: value})
    assert codes(errors) == [(name, code)]
    assert errors[0].value == value and errors[0].message and errors[0].message_en
    assert record[name] is None


def test_a_division_outside_its_section_is_unknown() -> None:
    _, errors, _ = check(industry_code="A39")  # division 39 is manufacturing (C), not agriculture
    assert codes(errors) == [("industry_code", Code.INDUSTRY_CODE_UNKNOWN)]


@pytest.mark.parametrize("code", ["C", "C39", "C391", "C3911", "I6513", "A0111"])
def test_industry_codes_of_every_level_are_accepted(code: str) -> None:
    _, errors, _ = check(industry_code=code)
    assert errors == []


def test_a_huge_number_is_an_error_not_an_overflow() -> None:
    _, errors, _ = check(total_assets_y1="123456789012345678901234567890")
    assert codes(errors) == [("total_assets_y1", Code.TOO_LARGE)]
    assert "过大" in errors[0].message


def test_money_at_the_cap_is_accepted() -> None:
    record, errors, _ = check(revenue_y1=str(MONEY_CAP), net_profit_y1=str(-MONEY_CAP))
    assert errors == [] and record["revenue_y1"] == MONEY_CAP


def test_credit_code_and_year_are_required() -> None:
    _, errors, _ = coerce_record({"credit_code": "", "year": None}, today=TODAY)
    assert codes(errors) == [("credit_code", Code.REQUIRED), ("year", Code.REQUIRED)]
    _, errors, _ = coerce_record({}, today=TODAY, require_key=False)
    assert errors == []


# --- cross-field rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "total"),
    [
        ("ip_c1_self_count", "ip_c1_count"),
        ("ip_c1_hv_count", "ip_c1_count"),
        ("tech_staff_y1", "staff_total_y1"),
        ("rd_staff_y1", "staff_total_y1"),
    ],
)
def test_sub_counts_may_not_exceed_totals(part: str, total: str) -> None:
    _, errors, _ = check(**{part: "6", total: "5"})
    assert codes(errors) == [(part, Code.SUBTOTAL_EXCEEDS_TOTAL)]
    _, errors, _ = check(**{part: "5", total: "5"})
    assert errors == []
    _, errors, _ = check(**{part: "6"})  # total unknown: nothing to compare
    assert errors == []


def test_top50_implies_top500() -> None:
    _, errors, _ = check(maker_china_top50_3y="true", maker_china_top500_3y="false")
    assert codes(errors) == [("maker_china_top50_3y", Code.IMPLICATION_BROKEN)]
    for top500 in ("true", ""):
        _, errors, _ = check(maker_china_top50_3y="true", maker_china_top500_3y=top500)
        assert errors == []


@pytest.mark.parametrize("name", ["founded_on", "niche_start_on", "digital_assessed_on"])
def test_dates_may_not_be_after_as_of(name: str) -> None:
    _, errors, _ = check(**{name: "2025-05-21"})
    assert codes(errors) == [(name, Code.DATE_AFTER_AS_OF)]
    _, errors, _ = check(**{name: "2025-05-20"})
    assert errors == []


def test_without_as_of_dates_are_checked_against_today_capped_at_year_end() -> None:
    base = {"credit_code": KEY["credit_code"], "year": "2024"}
    _, errors, _ = coerce_record({**base, "founded_on": "2025-01-01"}, today=TODAY)
    assert codes(errors) == [("founded_on", Code.DATE_AFTER_AS_OF)]
    _, errors, _ = coerce_record({**base, "year": "2025", "founded_on": "2025-06-02"}, today=TODAY)
    assert codes(errors) == [("founded_on", Code.DATE_AFTER_AS_OF)]


# --- warn-only rules -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
def test_main_revenue_above_revenue_is_only_a_warning(n: int) -> None:
    record, errors, warnings = check(**{f"main_rev_y{n}": "101", f"revenue_y{n}": "100"})
    assert errors == [] and record[f"main_rev_y{n}"] == 101
    assert codes(warnings) == [(f"main_rev_y{n}", Code.MAIN_REV_EXCEEDS_REVENUE)]


@pytest.mark.parametrize(
    ("employees", "staff", "warned"), [(100, 49, True), (100, 50, False), (100, 200, False), (100, 201, True)]
)
def test_staff_counts_that_differ_by_more_than_two_times_warn(
    employees: int, staff: int, warned: bool
) -> None:
    _, errors, warnings = check(employees_y1=employees, staff_total_y1=staff)
    assert errors == []
    assert codes(warnings) == ([("staff_total_y1", Code.STAFF_COUNTS_DIFFER)] if warned else [])


def test_a_digital_assessment_before_y_minus_1_warns() -> None:
    _, _, warnings = check(digital_assessed_on="2023-12-31")
    assert codes(warnings) == [("digital_assessed_on", Code.DIGITAL_ASSESSMENT_OLD)]
    _, _, warnings = check(digital_assessed_on="2024-01-01")
    assert warnings == []


def test_a_niche_older_than_the_firm_only_warns() -> None:
    _, errors, warnings = check(founded_on="2015-01-01", niche_start_on="2010-06-01")
    assert errors == []
    assert codes(warnings) == [("niche_start_on", Code.NICHE_BEFORE_FOUNDED)]


def test_several_problems_in_one_row_are_all_reported() -> None:
    _, errors, _ = check(revenue_y1="-1", hte_valid="maybe", region_code="12")
    assert {e.field for e in errors} == {"revenue_y1", "hte_valid", "region_code"}
