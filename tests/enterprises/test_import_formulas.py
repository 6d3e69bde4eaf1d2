"""A formula cell whose result the workbook does not carry (a file written by a program, never opened and saved
in Excel) is reported as such, by row and column, in every importer that uses the shared reader — not read as a
blank cell and reported as "必填". A formula whose result was saved is read as that result. The scenario
library's upload has the enterprise import's size limit and words."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tidu.core.testing import make_user
from tidu.enterprises.imports import FORMULA_WITHOUT_VALUE, enterprises_import, read_table
from tidu.enterprises.io_columns import column_by_key
from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise
from tidu.scenarios.models import Scenario
from tidu.scenarios.services import SCENARIO_COLUMNS

pytestmark = pytest.mark.django_db

NAME = column_by_key("name").header


def with_cells(content: bytes, cells: dict[str, Any]) -> bytes:
    """The workbook with some cells replaced (a string starting with "=" is stored as a formula, no result)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_saved_results(content: bytes, results: dict[str, str]) -> bytes:
    """As Excel saves it: each formula cell of `results` (by reference) carries its computed value."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for ref, value in results.items():
                    text, count = re.subn(rf'(<c r="{ref}")([^>]*>)(<f>[^<]*</f>)<v\s*/>',
                                          rf'\1 t="str"\2\3<v>{value}</v>', text)
                    assert count == 1, ref
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def name_column_letter(content: bytes) -> str:
    headers = next(openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    return openpyxl.utils.get_column_letter(list(headers).index(NAME) + 1)


@pytest.fixture
def official() -> Any:
    return make_user("formula-city", "government", level="city", region="440300")


def test_a_formula_without_a_saved_value_is_reported_by_row_and_column_not_as_required(official: Any) -> None:
    plain = rows_to_xlsx(sample_rows(firms=2, years=[2024], region_codes=["440305"]))
    letter = name_column_letter(plain)
    content = with_cells(plain, {f"{letter}3": '="深圳"&"甲公司"'})

    result = enterprises_import(user=official, content=content, filename="公式.xlsx")

    assert not result.ok and Enterprise.objects.count() == 0
    at_cell = [p for p in result.problems if (p.row, p.column) == (3, NAME)]
    assert [p.code for p in at_cell] == [FORMULA_WITHOUT_VALUE]
    assert at_cell[0].text.startswith(f"第3行「{NAME}」是公式，但文件中没有保存它的计算结果")
    assert not any("必填" in p.message for p in result.problems)
    assert all(p.row == 3 for p in result.problems)  # the other row is fine


def test_a_formula_whose_result_was_saved_is_read_as_that_result(official: Any) -> None:
    plain = rows_to_xlsx(sample_rows(firms=1, years=[2024], region_codes=["440305"]))
    letter = name_column_letter(plain)
    content = with_saved_results(with_cells(plain, {f"{letter}2": '="深圳"&"乙公司"'}), {f"{letter}2": "深圳乙公司"})

    result = enterprises_import(user=official, content=content, filename="公式.xlsx")

    assert result.ok, [p.text for p in result.problems]
    assert Enterprise.objects.get().name == "深圳乙公司"


def test_the_shared_reader_marks_only_formulas_without_results() -> None:
    content = with_cells(rows_to_xlsx(sample_rows(firms=1, years=[2024], region_codes=["440305"])),
                         {"A2": "=1+1", "B2": "=2+2"})
    content = with_saved_results(content, {"B2": "4"})
    cells = read_table(content, "x.xlsx").rows[0][1]
    assert repr(cells[0]) == "<formula without a saved value>"
    assert cells[1] == "4"


def official_client() -> Client:
    client = Client()
    client.force_login(make_user("formula-province", "government", level="province", region="440000"))
    return client


SCENARIO_ROW = ["AI-101", "视觉引导的智能分拣", "生产运维", "智能装备", "C13,C14", "2", "分拣靠人工", "视觉分拣", "效率提升",
                "10万元", "分拣 视觉"]


def scenario_upload(content: bytes) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = "scenarios.xlsx"
    return upload


def test_the_scenario_library_reports_a_formula_without_a_value_instead_of_required() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(SCENARIO_COLUMNS))
    sheet.append([SCENARIO_ROW[0], '=CONCAT("视觉","分拣")', *SCENARIO_ROW[2:]])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = official_client().post(reverse("scenarios:import"), {"kind": "scenarios",
                                                                    "file": scenario_upload(buffer.getvalue())})

    assert response.status_code == 400
    page = response.content.decode()
    assert "是公式，但文件中没有保存它的计算结果" in page and "场景名称" in page
    assert "必填" not in page
    assert not Scenario.objects.filter(code="AI-101").exists()


def test_the_scenario_library_upload_has_the_import_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 1 << 20
    monkeypatch.setattr("tidu.scenarios.views.MAX_UPLOAD_BYTES", limit)
    monkeypatch.setattr("tidu.scenarios.services.MAX_UPLOAD_BYTES", limit)
    big = b"\xe7\xbc\x96\xe5\x8f\xb7\n" + b"A" * (limit * 4)  # a CSV far past the limit

    response = official_client().post(reverse("scenarios:import"), {"kind": "scenarios", "file": scenario_upload(big)})

    assert response.status_code == 400
    assert "文件过大（上限 1 MB），请分批导入。" in response.content.decode()
