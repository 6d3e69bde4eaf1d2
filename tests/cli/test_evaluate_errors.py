"""Rows that fail validation go to an error report (row, field, code, reason) and make the exit
status non-zero; the good rows are still evaluated. Large inputs show a progress bar on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_support import TODAY, contract_rows, read_csv, write_csv, write_parquet

import tidu.cli.evaluate as evaluate_mod
from tidu.cli.synth import generate


def _with_bad_rows() -> list[dict[str, str]]:
    good_a, good_b = contract_rows()
    bad_code = dict(good_a, credit_code="91320505407807009Y")  # wrong check character
    bad_money = dict(good_b, revenue_y1="-5", employees_y1="many")  # two problems in one row
    return [good_a, bad_code, good_b, bad_money]


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_invalid_rows_are_reported_and_good_rows_evaluated(tidu: Any, tmp_path: Path, engine: str) -> None:
    src = write_csv(tmp_path / "in.csv", _with_bad_rows())
    out = tmp_path / "out.csv"
    res = tidu("evaluate", str(src), "-o", str(out), "--engine", engine, "--today", TODAY.isoformat())
    assert res.status == 1
    rows = read_csv(out)
    assert [r["credit_code"] for r in rows] == ["91320505407807009X", "9144030569840185XW"]
    report = tmp_path / "out.errors.csv"  # next to the output
    assert str(report) in res.stderr
    errors = read_csv(report)
    assert list(errors[0]) == ["row", "credit_code", "year", "field", "code", "value", "message", "message_en"]
    got = sorted((e["row"], e["field"], e["code"]) for e in errors)
    # spreadsheet rows: the header is row 1, so the 2nd and 4th records are rows 3 and 5
    assert got == [
        ("3", "credit_code", "credit_code_invalid"),
        ("5", "employees_y1", "not_a_number"),
        ("5", "revenue_y1", "negative"),
    ]
    by_field = {e["field"]: e for e in errors}
    assert "校验码" in by_field["credit_code"]["message"]
    assert by_field["revenue_y1"]["value"] == "-5" and "负数" in by_field["revenue_y1"]["message"]


def test_errors_option_and_parquet_sql_validation(tidu: Any, tmp_path: Path) -> None:
    """Typed Parquet is validated in DuckDB SQL; the report is worded as coerce_record words it."""
    rows = generate(30, seed=2).to_pylist()
    rows[4]["credit_code"] = rows[4]["credit_code"][:-1] + ("0" if rows[4]["credit_code"][-1] != "0" else "1")
    rows[9]["tech_staff_y1"] = rows[9]["staff_total_y1"] + 1
    rows[20]["digital_level"] = 7
    src = write_parquet(tmp_path / "in.parquet", rows)
    report = tmp_path / "problems.csv"
    res = tidu("evaluate", str(src), "-o", str(tmp_path / "out.csv"), "--errors", str(report),
               "--engine", "duckdb", "--today", TODAY.isoformat())
    assert res.status == 1 and "validation: sql" in res.stderr
    got = sorted((int(e["row"]), e["field"], e["code"]) for e in read_csv(report))
    assert got == [
        (5, "credit_code", "credit_code_invalid"),
        (10, "tech_staff_y1", "subtotal_exceeds_total"),
        (21, "digital_level", "out_of_range"),
    ]
    assert len(read_csv(tmp_path / "out.csv")) == 27


def test_unreadable_input_is_a_usage_error(tidu: Any, tmp_path: Path) -> None:
    res = tidu("evaluate", str(tmp_path / "missing.csv"))
    assert res.status == 2 and "不存在" in res.stderr
    odd = tmp_path / "in.txt.gz"
    odd.write_bytes(b"x")
    assert tidu("evaluate", str(odd)).status == 2


def test_large_input_shows_progress_on_stderr(tidu: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = generate(150, seed=4, years=2).to_pylist()
    src = write_parquet(tmp_path / "in.parquet", rows)
    monkeypatch.setattr(evaluate_mod, "PROGRESS_MIN_ROWS", 1000)  # "large" scaled down for the test
    small = tidu("evaluate", str(src), "--standards", "size_class", "-o", str(tmp_path / "a.csv"),
                 "--today", TODAY.isoformat())
    assert small.status == 0 and "100%" not in small.stderr
    monkeypatch.setattr(evaluate_mod, "PROGRESS_MIN_ROWS", 100)
    large = tidu("evaluate", str(src), "--standards", "size_class", "-o", str(tmp_path / "b.csv"),
                 "--today", TODAY.isoformat())
    assert large.status == 0
    assert "评价: 100%" in large.stderr and "300/300 [" in large.stderr  # tqdm's bar, on stderr only
    assert large.stdout == ""
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()


def test_memory_limit_is_checked_and_does_not_change_the_result(tidu: Any, tmp_path: Path) -> None:
    """A small DuckDB memory limit (it spills instead) gives the same rows; a malformed one is refused."""
    src = write_parquet(tmp_path / "in.parquet", generate(400, seed=6, years=2).to_pylist())
    base = tidu("evaluate", str(src), "-o", str(tmp_path / "a.csv"), "--engine", "duckdb",
                "--today", TODAY.isoformat())
    small = tidu("evaluate", str(src), "-o", str(tmp_path / "b.csv"), "--memory-limit", "64MB",
                 "--engine", "duckdb", "--today", TODAY.isoformat())
    assert base.status == 0 and small.status == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    bad = tidu("evaluate", str(src), "-o", str(tmp_path / "c.csv"), "--memory-limit", "lots")
    assert bad.status == 2 and "--memory-limit" in bad.stderr and not (tmp_path / "c.csv").exists()
