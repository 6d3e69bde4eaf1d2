"""The pack expression language: the safe SQL subset, three-valued logic, exact ratios.

A user relies on: 3.00% landing in the "≥ 3%" band on every engine, a missing input giving
"unknown" (never "false"), a zero denominator giving 0 points in a band but "cannot evaluate" in a
hard condition, and anything outside the subset being refused when the pack loads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import duckdb
import pytest

from tidu.rules import expr as E
from tidu.rules.errors import ExprError
from tidu.rules.fieldinfo import FieldInfo, field_infos

FIELDS = field_infos()
MACROS = {
    "rd_ratio_y1": E.parse("rd_y1 / revenue_y1"),
    "main_growth_y1": E.parse("(main_rev_y1 - main_rev_y2) / main_rev_y2"),
    "main_growth_y2": E.parse("(main_rev_y2 - main_rev_y3) / main_rev_y3"),
    "main_growth_avg_2y": E.parse("(main_growth_y1 + main_growth_y2) / 2"),
    "is_big": E.parse("revenue_y1 >= 100"),
}


def compile_(text: str, zero: bool | None = None, fields: Mapping[str, FieldInfo] = FIELDS) -> E.Node:
    node = E.expand(E.parse(text), MACROS, lambda n: n in fields)
    return E.simplify(E.Rewriter(fields).rewrite(node, zero))


def run(text: str, record: Mapping[str, Any], zero: bool | None = None) -> Any:
    r = {k: Fraction(v) if isinstance(v, Decimal) else v for k, v in record.items()}
    return E.to_python(compile_(text, zero))(r)


def run_duckdb(text: str, record: Mapping[str, Any], zero: bool | None = None) -> Any:
    """The same rewritten tree rendered as SQL over a one-row table of the registry types."""
    node = compile_(text, zero)
    cols = sorted(E.columns(node)) or ["year"]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(f'"{c}" {_sql_type(c)}' for c in cols) + ")")
    con.execute(f"INSERT INTO t VALUES ({', '.join('?' for _ in cols)})", [record.get(c) for c in cols])
    row = con.execute(f"SELECT {E.to_sql(node)} FROM t").fetchone()
    assert row is not None
    return row[0]


def _sql_type(name: str) -> str:
    from tidu.rules.fields import sql_type

    return sql_type(name)


# ---------------------------------------------------------------------------------------------
# the subset


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("GREATEST(rd_y1, rd_y2) > 0", "GREATEST"),
        ("rd_y1 > (SELECT 1)", "不允许"),
        ("t.rd_y1 > 0", "表名"),
        ("CAST(rd_y1 AS DOUBLE) > 0", "类型转换"),
        ("name LIKE '%a%'", "不允许"),
        ("CASE rd_y1 WHEN 1 THEN TRUE END", "CASE"),
        ("rd_y1 IS TRUE", "IS"),
        ("", "为空"),
    ],
)
def test_outside_the_subset_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ExprError) as info:
        E.expand(E.parse(text), {}, FIELDS.__contains__)
    assert reason in info.value.message


def test_unknown_column_is_refused_with_its_name() -> None:
    with pytest.raises(ExprError, match="rd_y9"):
        E.expand(E.parse("rd_y9 >= 1"), {}, FIELDS.__contains__)


def test_macro_cycle_is_refused() -> None:
    macros = {"a": E.parse("b + 1"), "b": E.parse("a + 1")}
    with pytest.raises(ExprError, match="循环"):
        E.expand(E.parse("a > 0"), macros, FIELDS.__contains__)


def test_literals_are_exact() -> None:
    assert E.parse("0.03") == E.Lit(Fraction(3, 100))
    assert E.parse("1000000") == E.Lit(1000000)
    assert E.parse("DATE '2026-04-01'") == E.Lit(dt.date(2026, 4, 1))
    assert E.parse("'national'") == E.Lit("national")
    assert E.parse("-5") == E.Lit(-5)
    with pytest.raises(ExprError, match="日期"):
        E.parse("DATE '2026-13-01'")


# ---------------------------------------------------------------------------------------------
# three-valued logic


@pytest.mark.parametrize(
    ("a", "b", "and_", "or_"),
    [
        (True, True, True, True),
        (True, False, False, True),
        (True, None, None, True),
        (False, None, False, None),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_kleene_and_or(a: bool | None, b: bool | None, and_: bool | None, or_: bool | None) -> None:
    rec = {"hte_valid": a, "std_led_5y": b}
    assert run("hte_valid AND std_led_5y", rec) is and_
    assert run("hte_valid OR std_led_5y", rec) is or_
    assert run_duckdb("hte_valid AND std_led_5y", rec) is and_
    assert run_duckdb("hte_valid OR std_led_5y", rec) is or_


def test_not_and_comparisons_with_unknown_stay_unknown() -> None:
    assert run("NOT abnormal_list", {"abnormal_list": None}) is None
    assert run("NOT abnormal_list", {"abnormal_list": False}) is True
    assert run("rd_y1 >= 1000000", {}) is None
    assert run("rd_y1 >= 1000000", {"rd_y1": 1000000}) is True
    assert run("rd_y1 IS NULL", {}) is True
    assert run("rd_y1 IS NOT NULL", {"rd_y1": 0}) is True


def test_in_list_and_strings() -> None:
    assert run("rd_inst_level IN ('national', 'provincial')", {"rd_inst_level": "provincial"}) is True
    assert run("rd_inst_level IN ('national', 'provincial')", {"rd_inst_level": "city"}) is False
    assert run("rd_inst_level IN ('national', 'provincial')", {}) is None
    assert run("rd_inst_level = 'national'", {"rd_inst_level": "national"}) is True


def test_case_takes_first_true_when_and_coalesce() -> None:
    text = "CASE WHEN hte_valid THEN 1 WHEN std_led_5y THEN 2 ELSE 3 END = 2"
    # an unknown WHEN is not TRUE: evaluation goes on to the next one
    assert run(text, {"hte_valid": None, "std_led_5y": True}) is True
    assert run(text, {"hte_valid": True, "std_led_5y": True}) is False
    assert run("COALESCE(digital_level, 0) >= 3", {}) is False
    assert run("COALESCE(digital_level, 0) >= 3", {"digital_level": 3}) is True


def test_date_parts() -> None:
    rec = {"founded_on": dt.date(2019, 1, 1)}
    assert run("YEAR(founded_on) = 2019 AND MONTH(founded_on) = 1 AND DAY(founded_on) = 1", rec) is True
    assert (
        run_duckdb("YEAR(founded_on) = 2019 AND MONTH(founded_on) = 1 AND DAY(founded_on) = 1", rec) is True
    )


def test_macros_inline_and_can_be_shared() -> None:
    assert run("is_big AND revenue_y1 < 200", {"revenue_y1": 150}) is True
    assert run("NOT is_big", {}) is None


# ---------------------------------------------------------------------------------------------
# exact ratios: cross-multiplication with denominator guards


@pytest.mark.parametrize(
    ("rd", "revenue", "expected"),
    [
        (3_000_000, 100_000_000, True),  # exactly 3%: the boundary is included
        (2_999_999, 100_000_000, False),  # one yuan short
        (3_000_001, 100_000_000, True),
        (3, 100, True),
        (299, 10_000, False),  # 2.99%
        (10**13, 10**13, True),  # money cap: products stay exact
    ],
)
def test_ratio_boundaries_are_exact(rd: int, revenue: int, expected: bool) -> None:
    rec = {"rd_y1": rd, "revenue_y1": revenue}
    assert run("rd_y1 / revenue_y1 >= 0.03", rec) is expected
    assert run("rd_ratio_y1 >= 0.03", rec) is expected
    assert run_duckdb("rd_ratio_y1 >= 0.03", rec) is expected


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (Decimal("0.03"), True),
        (Decimal("0.029999"), False),
        (Decimal("0.030001"), True),
        (Decimal("0.0299"), False),
    ],
)
def test_fraction_fields_compare_exactly(share: Decimal, expected: bool) -> None:
    rec = {"market_share_domestic": share}
    assert run("market_share_domestic >= 0.03", rec) is expected
    assert run_duckdb("market_share_domestic >= 0.03", rec) is expected


def test_fraction_field_times_money_is_exact() -> None:
    # a fraction column (6 decimals) inside a cross-multiplied comparison is scaled to an integer
    rec = {"market_share_domestic": Decimal("0.123457"), "rd_y1": 123457, "revenue_y1": 1000000}
    text = "rd_y1 / revenue_y1 >= market_share_domestic"
    assert run(text, rec) is True
    assert run_duckdb(text, rec) is True
    rec["rd_y1"] = 123456
    assert run(text, rec) is False
    assert run_duckdb(text, rec) is False


def test_rewritten_sql_never_divides() -> None:
    for text in ("rd_ratio_y1 >= 0.03", "main_growth_avg_2y >= 0.10", "revenue_y1 / revenue_y3 >= 1.1025"):
        sql = E.to_sql(compile_(text, False))
        assert "/" not in sql
        assert "DECIMAL(38,0)" in sql


def test_zero_denominator_is_false_in_a_band_and_unknown_in_a_condition() -> None:
    for revenue in (0, -5):
        rec = {"rd_y1": 100, "revenue_y1": revenue}
        assert run("rd_ratio_y1 >= 0.03", rec, zero=False) is False
        assert run("rd_ratio_y1 >= 0.03", rec, zero=None) is None
        assert run_duckdb("rd_ratio_y1 >= 0.03", rec, zero=False) is False
        assert run_duckdb("rd_ratio_y1 >= 0.03", rec, zero=None) is None


def test_unknown_denominator_or_numerator_is_unknown_in_both_contexts() -> None:
    for rec in ({"rd_y1": 100}, {"revenue_y1": 100}, {}):
        assert run("rd_ratio_y1 >= 0.03", rec, zero=False) is None
        assert run("rd_ratio_y1 >= 0.03", rec, zero=None) is None


def test_average_growth_uses_a_common_denominator() -> None:
    # growth y1 = 20%, growth y2 = 0% -> average exactly 10%
    rec = {"main_rev_y1": 120, "main_rev_y2": 100, "main_rev_y3": 100}
    assert run("main_growth_avg_2y >= 0.10", rec) is True
    assert run_duckdb("main_growth_avg_2y >= 0.10", rec) is True
    rec["main_rev_y1"] = 119
    assert run("main_growth_avg_2y >= 0.10", rec) is False
    assert run_duckdb("main_growth_avg_2y >= 0.10", rec) is False
    # negative growth still compares exactly: (-50% + 0%) / 2 = -25%
    assert (
        run("main_growth_avg_2y >= -0.25", {"main_rev_y1": 50, "main_rev_y2": 100, "main_rev_y3": 100})
        is True
    )


def test_compound_growth_condition() -> None:
    text = "is_review OR revenue_y1 / revenue_y3 >= 1.1025"
    assert run(text, {"is_review": False, "revenue_y1": 11025, "revenue_y3": 10000}) is True
    assert run(text, {"is_review": False, "revenue_y1": 11024, "revenue_y3": 10000}) is False
    assert run(text, {"is_review": True}) is True
    assert run(text, {"is_review": False, "revenue_y1": 11025, "revenue_y3": 0}) is None


def test_product_of_two_unknown_quantities_is_rewritten() -> None:
    text = "rd_y1 * rd_y2 >= revenue_y1"
    node = compile_(text)
    assert "DECIMAL(38,0)" in E.to_sql(node)
    assert run(text, {"rd_y1": 10**13, "rd_y2": 10**13, "revenue_y1": 1}) is True
    assert run_duckdb(text, {"rd_y1": 10**13, "rd_y2": 10**13, "revenue_y1": 1}) is True


def test_division_by_constant_zero_is_refused() -> None:
    with pytest.raises(ExprError, match="0"):
        compile_("rd_y1 / 0 >= 1")


def test_display_divides_exactly_for_explanations() -> None:
    node = E.strip(E.expand(E.Col("rd_ratio_y1"), MACROS, FIELDS.__contains__))
    fn = E.to_python(node, display=True)
    assert fn({"rd_y1": 41, "revenue_y1": 1000}) == Fraction(41, 1000)
    assert fn({"rd_y1": 41, "revenue_y1": 0}) is None
    with pytest.raises(ExprError):
        E.to_python(node)  # verdicts never divide


def test_prefix_lookup_picks_longest_listed_first() -> None:
    ic = E.Col("industry_code")
    case = E.Case(
        (
            (E.IsNull(ic), E.Lit("none")),
            (E.Prefix(ic, "G591"), E.Lit("transport")),
            (E.Prefix(ic, "G59"), E.Lit("warehousing")),
            (E.Prefix(ic, "G5"), E.Lit("g5")),
            (E.Prefix(ic, "C"), E.Lit("industry")),
        ),
        E.Lit("other"),
    )
    fn = E.to_python(case)
    assert fn({"industry_code": "G5910"}) == "transport"
    assert fn({"industry_code": "G5920"}) == "warehousing"
    assert fn({"industry_code": "G54"}) == "g5"
    assert fn({"industry_code": "C3441"}) == "industry"
    assert fn({"industry_code": "M73"}) == "other"
    assert fn({}) == "none"
    con = duckdb.connect()
    for code, want in (("G5910", "transport"), ("G5920", "warehousing"), ("M73", "other")):
        got = con.execute(f"SELECT {E.to_sql(case)} FROM (SELECT '{code}' AS industry_code)").fetchone()
        assert got == (want,)


def test_simplify_folds_constants() -> None:
    assert E.simplify(E.And((E.TRUE, E.Col("hte_valid")))) == E.Col("hte_valid")
    assert E.simplify(E.Or((E.TRUE, E.Col("hte_valid")))) == E.TRUE
    assert E.simplify(E.Not(E.FALSE)) == E.TRUE
    assert E.simplify(E.And((E.FALSE, E.Col("hte_valid")))) == E.FALSE


def test_postgres_dialect_renders_date_parts_with_extract() -> None:
    sql = E.to_sql(compile_("YEAR(founded_on) >= 2019"), dialect="postgres")
    assert "EXTRACT(YEAR FROM" in sql


def test_long_prefix_case_in_sql_keeps_the_first_listed_match() -> None:
    """A long CASE of industry prefixes runs on DuckDB split by first letter; every code still gets
    the group of the first prefix it starts with, in the listed order, as in Python."""
    ic = E.Col("industry_code")
    case = E.Case(
        (
            (E.IsNull(ic), E.Lit("none")),
            (E.Prefix(ic, "G591"), E.Lit("transport")),
            (E.Prefix(ic, "G59"), E.Lit("warehousing")),
            (E.Prefix(ic, "K70"), E.Lit("real_estate")),
            (E.Prefix(ic, "G5"), E.Lit("g5")),
            (E.Prefix(ic, "C"), E.Lit("industry")),
            (E.Prefix(ic, "C13"), E.Lit("unreachable")),  # after "C": never chosen
            (E.Prefix(ic, "A"), E.Lit("agri")),
            (E.Prefix(ic, "F51"), E.Lit("wholesale")),
            (E.Prefix(ic, "F52"), E.Lit("retail")),
        ),
        E.Lit("other"),
    )
    sql = E.to_sql(case)
    assert "SUBSTRING(\"industry_code\", 1, 1) = 'G'" in sql
    fn = E.to_python(case)
    con = duckdb.connect()
    codes = ["G5910", "G5920", "G54", "G6", "K701", "K80", "C1310", "C", "A011", "F5123", "F5212", "F53", "M73"]
    for code in [*codes, "", "G", None]:
        query = f"SELECT {sql} FROM (SELECT CAST(? AS VARCHAR) AS industry_code)"
        got = con.execute(query, [code]).fetchone()
        assert got == (fn({"industry_code": code}),), code
