"""The SQL validation of typed Parquet flags exactly the rows and fields `coerce_record` flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_support import TODAY

from tidu.cli.synth import generate
from tidu.rules.batch import CREDIT_CODE_UDF, checked_sql, plan_checks, register_functions, summarised_plan
from tidu.rules.fields import coerce_record

BROKEN: list[dict[str, object]] = [
    {"credit_code": "91110108123456788F"},  # check character
    {"credit_code": "9111010812345678"},  # length
    {"credit_code": "91110108123456788I"},  # character not used in codes
    {"credit_code": None},
    {"credit_code": "  "},
    {"year": None},
    {"year": 1999},
    {"revenue_y1": -5},
    {"net_profit_y1": -5},  # allowed: net profit may be negative
    {"revenue_y1": 10**13 + 1},
    {"employees_y1": -1},
    {"market_rank_domestic": 0},
    {"digital_level": 5},
    {"market_share_domestic": Decimal("1.5")},
    {"distinctive_score": Decimal("16")},
    {"region_code": "32050"},
    {"region_code": "32050a"},
    {"industry_code": "C9999"},
    {"industry_code": "c3484"},  # lower case is accepted
    {"industry_code": "Z12"},
    {"product_sei_code": "12"},
    {"rd_inst_level": "NATIONAL"},  # accepted case-insensitively
    {"digital_category": "farming"},
    {"tech_staff_y1": 10**6},
    {"ip_c1_self_count": 99, "ip_c1_count": 1},
    {"maker_china_top50_3y": True, "maker_china_top500_3y": False},
    {"founded_on": dt.date(2030, 1, 1)},
    {"as_of": None, "niche_start_on": dt.date(2026, 12, 1)},  # as_of = 31 Dec of year, capped at today
    {"credit_code": " 91320505407807009x "},  # spaces and lower case are normalised
    {"name": "   "},
    {"digital_edition": ""},
    {"revenue_y1": -5, "employees_y1": -2, "credit_code": "X"},  # several problems at once
]


def _issues(path: Path, udf: bool = False, summarised: bool = False) -> list[tuple[bool, list[str]]]:
    """The SQL's verdict per row; `udf`: the check character tested by the vectorised function that
    `tidu evaluate` registers, instead of the SQL expression; `summarised`: without the checks the
    columns' summaries prove never fire, as `tidu evaluate` runs them."""
    con = duckdb.connect()
    if udf:
        register_functions(con)
    src = f"read_parquet('{path}', file_row_number = true)"
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    plan = plan_checks(
        types,
        {c: c for c in types if c != "file_row_number"},
        today=TODAY,
        credit_code_udf=CREDIT_CODE_UDF if udf else None,
    )
    assert plan is not None
    if summarised:
        plan = summarised_plan(plan, con, src, types)
    sql = checked_sql(plan, src, extra=("file_row_number",), issues=True)
    rows = con.execute(f"SELECT __bad, __issues FROM ({sql}) ORDER BY file_row_number").fetchall()
    return [(bool(bad), sorted(x for x in issues.split(";") if x)) for bad, issues in rows]


@pytest.mark.parametrize(
    ("udf", "summarised"),
    [(False, False), (True, False), (True, True)],
    ids=["sql", "vectorised-check-character", "summarised"],
)
def test_sql_validation_matches_coerce_record(tmp_path: Path, udf: bool, summarised: bool) -> None:
    t = generate(len(BROKEN) + 20, seed=3)
    rows = t.to_pylist()
    for row, change in zip(rows, BROKEN, strict=False):
        row.update(change)
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), path)
    sql = _issues(path, udf, summarised)
    flagged = 0
    for raw, (bad, issues) in zip(rows, sql, strict=True):
        _rec, errors, _w = coerce_record(raw, today=TODAY)
        assert issues == sorted(f"{e.field}:{e.code}" for e in errors), raw
        assert bad == bool(errors)
        flagged += bad
    assert flagged == 26  # every broken row except the five accepted or normalised ones


def test_untyped_columns_fall_back_to_python(tmp_path: Path) -> None:
    """Numbers stored as text may carry separators or % signs: only coerce_record parses those."""
    assert plan_checks({"revenue_y1": "VARCHAR"}, {"revenue_y1": "revenue_y1"}, today=TODAY) is None
    assert plan_checks({"hte_valid": "VARCHAR"}, {"hte_valid": "hte_valid"}, today=TODAY) is None
    assert plan_checks({"revenue_y1": "BIGINT"}, {"revenue_y1": "revenue_y1"}, today=TODAY) is not None


def test_float_and_integer_columns(tmp_path: Path) -> None:
    """Doubles and small integers (as pandas writes them) are judged as coerce_record judges them."""
    table = pa.table(
        {
            "credit_code": ["91320505407807009X"] * 6,
            "year": pa.array([2025] * 6, type=pa.int16()),
            "revenue_y1": [1.5e7, 1.5, float("nan"), -1.0, 2e13, None],
            "market_share_domestic": [0.1, 0.1234567, 0.5, 1.0, 0.0, None],
            "hte_valid": pa.array([1, 0, 2, None, 1, 0], type=pa.int8()),
        }
    )
    path = tmp_path / "f.parquet"
    pq.write_table(table, path)
    for summarised in (False, True):
        for raw, (bad, issues) in zip(table.to_pylist(), _issues(path, True, summarised), strict=True):
            _rec, errors, _w = coerce_record(raw, today=TODAY)
            assert issues == sorted(f"{e.field}:{e.code}" for e in errors), raw
            assert bad == bool(errors)


def test_tidu_evaluates_batch_rejects_exactly_the_rows_coerce_record_rejects(tmp_path: Path) -> None:
    """`tidu evaluate`'s own path (`ParquetBatch`: the check character tested in a pass of its own
    over the code column, then the summarised scan) rejects the rows coerce_record rejects, no more;
    a code that only needs trimming and upper-casing is accepted, and a clean file needs no list."""
    from tidu.rules import load_packs
    from tidu.rules.batch import ParquetBatch, Selection
    from tidu.rules.fields import FIELDS

    t = generate(len(BROKEN) + 20, seed=3)
    rows = t.to_pylist()
    for row, change in zip(rows, BROKEN, strict=False):
        row.update(change)
    broken, clean = tmp_path / "broken.parquet", tmp_path / "clean.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), broken)
    pq.write_table(t, clean)
    mapping = {c: c for c in t.column_names if c in FIELDS}
    job = ParquetBatch(load_packs(), broken, mapping, Selection(today=TODAY))
    expected = [i for i, raw in enumerate(rows) if coerce_record(raw, today=TODAY)[1]]
    assert job.bad_rows() == expected and len(expected) == 26
    assert job.plan is not None and "__tidu_codes_not_ok" in job.plan.pre["__ok_credit_code"]
    tidy = ParquetBatch(load_packs(), clean, mapping, Selection(today=TODAY))
    assert tidy.bad_rows() == [] and tidy.plan is not None
    assert tidy.plan.pre["__ok_credit_code"] == "TRUE"


def _summarised(path: Path) -> tuple[Any, Any]:
    con = duckdb.connect()
    register_functions(con)
    src = f"read_parquet('{path}', file_row_number = true)"
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    plan = plan_checks(
        types, {c: c for c in types if c != "file_row_number"}, today=TODAY, credit_code_udf=CREDIT_CODE_UDF
    )
    assert plan is not None
    return plan, summarised_plan(plan, con, src, types)


def test_a_clean_file_is_checked_per_row_only_where_its_summaries_cannot_decide(tmp_path: Path) -> None:
    """Numeric bounds are decided by each column's min and max, coded text by its distinct values;
    a column with one bad cell keeps its per-row check, and the checks across fields always stay."""
    t = generate(50, seed=6)
    rows = t.to_pylist()
    rows[7]["revenue_y1"] = -5
    rows[9]["industry_code"] = "Z12"
    path = tmp_path / "s.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), path)
    full, summarised = _summarised(path)
    kept = {f for f, e in summarised.field_errors.items() if e != "NULL"}
    assert kept == {"revenue_y1"}
    assert set(full.field_errors) == set(summarised.field_errors)  # proven ones stay as NULL columns
    checked = [f for f, _e in summarised.record_checks]
    assert "industry_code" in checked and "region_code" not in checked
    assert {"ip_c1_self_count", "maker_china_top50_3y", "founded_on"} <= set(checked)
    assert "rd_inst_level" not in summarised.changed and "name" in summarised.changed


def test_vectorised_check_character_agrees_with_the_python_rule() -> None:
    """Every kind of code: valid ones, each position's character changed, wrong lengths, characters
    outside the GB 32100 set, full-width digits, lower case, NULL. The function sees codes already
    normalised (upper case, no spaces), so it must accept exactly the codes `is_valid` accepts unchanged."""
    from tidu.rules.batch import credit_codes_ok
    from tidu.rules.credit_code import CHARSET, is_valid, normalize

    good = generate(40, seed=5).column("credit_code").to_pylist()
    codes: list[str | None] = list(good)
    for i, code in enumerate(good[:18]):
        for ch in (CHARSET[(CHARSET.index(code[i]) + 1) % 31], "I", "0"):
            codes.append(code[:i] + ch + code[i + 1 :])
    codes += [good[0][:17], good[0] + "1", "", "９" + good[0][1:], good[0].lower(), None]
    got = credit_codes_ok(pa.array(codes)).to_pylist()
    for code, ok in zip(codes, got, strict=True):
        expected = None if code is None else (is_valid(code) and normalize(code) == code)
        assert ok == expected, code
    assert sum(1 for x in got if x) >= 40
    # every value 18 bytes long (the file's usual shape, read without gathering), one of them 18 bytes
    # of six Chinese characters, in an array that starts part-way into its buffers (a DuckDB vector)
    same_length = [c for c in codes if c is not None and len(c.encode()) == 18] + ["合成企业合成"]
    part = pa.array(["x", *same_length]).slice(1)
    want = [is_valid(c) and normalize(c) == c for c in same_length]
    assert credit_codes_ok(part).to_pylist() == want
    assert want.count(False) >= 18 * 2 and want.count(True) >= 40


@pytest.mark.parametrize("summarised", [False, True], ids=["sql", "summarised"])
def test_changed_flag_marks_exactly_the_rows_whose_text_is_normalised(
    tmp_path: Path, summarised: bool
) -> None:
    """`tidu evaluate` reads a clean file's own columns only when no accepted cell is normalised: the
    flag must be TRUE exactly where coerce_record's value differs from the stored text."""
    from tidu.rules.fields import FIELDS

    t = generate(12, seed=4)
    rows = t.to_pylist()
    edits: list[dict[str, object]] = [
        {"industry_code": "c3484"},
        {"name": "  合成企业 "},
        {"rd_inst_level": "NATIONAL"},
        {"credit_code": " 91320505407807009x "},
        {"region_code": "320505"},
        {},
    ]
    for row, change in zip(rows, edits, strict=False):
        row.update(change)
    path = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), path)
    con = duckdb.connect()
    src = f"read_parquet('{path}', file_row_number = true)"
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    plan = plan_checks(types, {c: c for c in types if c != "file_row_number"}, today=TODAY)
    assert plan is not None
    if summarised:  # as `tidu evaluate` runs it: the check character vectorised, proven checks left out
        _full, plan = _summarised(path)
        register_functions(con)
    sql = checked_sql(plan, src, extra=("file_row_number",), changed=True)
    flags = [
        bool(r[0]) for r in con.execute(f"SELECT __changed FROM ({sql}) ORDER BY file_row_number").fetchall()
    ]
    for raw, flag in zip(rows, flags, strict=True):
        record, errors, _w = coerce_record(raw, today=TODAY)
        if errors:
            continue
        texts = [f for f, spec in FIELDS.items() if spec.type in ("str", "enum") and f in raw]
        assert flag == any(record[f] != raw[f] for f in texts), raw
    assert flags[:4] == [True, True, True, True] and not any(flags[4:])


def test_enum_columns_are_proven_exactly_when_every_value_is_written_as_listed(tmp_path: Path) -> None:
    """An enum column holding only its listed values, as written in fields.yaml, needs no per-row
    check or normalisation; one cell that coerce_record accepts only after normalising (a trailing
    space, upper case) or rejects keeps them, so that cell is still trimmed or flagged."""
    from tidu.rules.fields import FIELDS

    enums = [n for n, spec in FIELDS.items() if spec.type == "enum"]
    t = generate(40, seed=8)
    rows = t.to_pylist()
    for i, row in enumerate(rows):
        for n in enums:
            values = FIELDS[n].values
            row[n] = values[i % len(values)] if i % 5 else None  # an empty cell is never a problem
    exact = tmp_path / "exact.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), exact)
    _full, proven = _summarised(exact)
    assert {n for n in enums if proven.field_errors[n] == "NULL" and n not in proven.changed} == set(enums)
    for bent in (lambda v: v + " ", str.upper, lambda v: v + "x"):
        for n in enums:
            rows[3][n] = bent(FIELDS[n].values[0])
        odd = tmp_path / "odd.parquet"
        pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), odd)
        _full, kept = _summarised(odd)
        still = {n for n in enums if kept.field_errors[n] != "NULL" or n in kept.changed}
        assert still == {n for n in enums if bent(FIELDS[n].values[0]) not in FIELDS[n].values}
        expected = [i for i, raw in enumerate(rows) if coerce_record(raw, today=TODAY)[1]]
        assert [i for i, (bad, _issues) in enumerate(_issues(odd, True, True)) if bad] == expected
