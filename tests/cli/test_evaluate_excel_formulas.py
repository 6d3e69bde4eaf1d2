"""`tidu evaluate` on a workbook written by a program: a formula cell whose result the file does not carry is
reported as a formula without a value, with its row and cell address, in both languages — not read as a blank
cell and reported as "required" (the platform importers' `formula_without_value`, decision 0113). A formula
whose result was saved is read as that result."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_support import TODAY, contract_rows, read_csv, write_xlsx
from openpyxl.utils import get_column_letter


def with_formula(path: Path, row: int, header: str, formula: str) -> str:
    """Put a formula (no saved result, as openpyxl writes it) in the cell of `header` on `row`; its address."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    ref = f"{get_column_letter(headers.index(header) + 1)}{row}"
    sheet[ref] = formula
    book.save(path)
    return ref


def with_saved_result(path: Path, ref: str, value: str) -> None:
    """As Excel saves it: the formula cell `ref` carries its computed (numeric) result."""
    with zipfile.ZipFile(path) as source:
        items = [(item, source.read(item.filename)) for item in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item, data in items:
            if item.filename.startswith("xl/worksheets/"):
                text, count = re.subn(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/>', rf"\1<v>{value}</v>", data.decode())
                assert count == 1
                data = text.encode()
            target.writestr(item, data)


def evaluate(tidu: Any, tmp_path: Path, src: Path, engine: str) -> tuple[Any, list[dict[str, str]]]:
    out = tmp_path / "out.csv"
    res = tidu("evaluate", str(src), "-o", str(out), "--engine", engine, "--today", TODAY.isoformat())
    report = tmp_path / "out.errors.csv"
    return res, (read_csv(report) if report.exists() else [])


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_formula_without_a_saved_result_is_reported_by_row_and_cell(tidu: Any, tmp_path: Path, engine: str) -> None:
    src = write_xlsx(tmp_path / "in.xlsx", contract_rows())
    # revenue may be left blank; a formula there hides a figure, so the row is refused, not evaluated without it
    ref = with_formula(src, 3, "revenue_y1", "=93411000*0.9")
    res, errors = evaluate(tidu, tmp_path, src, engine)
    assert res.status == 1
    assert "1 行未通过校验" in res.stderr
    assert [(e["row"], e["field"], e["code"]) for e in errors] == [("3", "revenue_y1", "formula_without_value")]
    assert ref.startswith("P") and ref in errors[0]["message"] and ref in errors[0]["message_en"]
    assert "是公式，但文件中没有保存它的计算结果" in errors[0]["message"]
    assert "formula without a saved result" in errors[0]["message_en"]
    assert [r["credit_code"] for r in read_csv(tmp_path / "out.csv")] == ["91320505407807009X"]


def test_the_formula_report_leaves_other_problems_of_the_row(tidu: Any, tmp_path: Path) -> None:
    rows = contract_rows()
    rows[0]["employees_y1"] = "many"
    src = write_xlsx(tmp_path / "in.xlsx", rows)
    with_formula(src, 2, "revenue_y1", "=1+2")
    _res, errors = evaluate(tidu, tmp_path, src, "python")
    assert sorted((e["row"], e["field"], e["code"]) for e in errors) == [
        ("2", "employees_y1", "not_a_number"),
        ("2", "revenue_y1", "formula_without_value"),
    ]


def test_a_formula_in_a_required_cell_is_not_reported_as_blank_but_a_blank_cell_still_is(
    tidu: Any, tmp_path: Path
) -> None:
    rows = contract_rows()
    rows[1]["year"] = None
    src = write_xlsx(tmp_path / "in.xlsx", rows)
    with_formula(src, 2, "year", "=2024+1")
    _res, errors = evaluate(tidu, tmp_path, src, "python")
    assert sorted((e["row"], e["field"], e["code"]) for e in errors) == [
        ("2", "year", "formula_without_value"),
        ("3", "year", "required"),
    ]


def test_a_formula_with_a_saved_result_is_read_as_that_result(tidu: Any, tmp_path: Path) -> None:
    rows = contract_rows()
    src = write_xlsx(tmp_path / "in.xlsx", rows)
    ref = with_formula(src, 3, "revenue_y1", "=24552000*1")
    with_saved_result(src, ref, "24552000")
    res, errors = evaluate(tidu, tmp_path, src, "python")
    assert res.status == 0 and errors == []
    plain = tmp_path / "plain"
    plain.mkdir()
    _res, _errors = evaluate(tidu, plain, write_xlsx(plain / "in.xlsx", rows), "python")
    assert read_csv(tmp_path / "out.csv") == read_csv(plain / "out.csv")
