"""Imports that explain: a hostile file (a 200,000-character cell, formulas in names, control
characters, broken encodings, too many rows or columns, bytes that are no workbook) never crashes the
importer; every failure names the row, the column and the reason, and — the importer's documented
policy — nothing of a file with any problem is written. The job page and the admin show the details."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tidu.core.testing import make_user
from tidu.enterprises import imports
from tidu.enterprises.imports import enterprises_import, enterprises_import_submit
from tidu.enterprises.io_columns import columns
from tidu.enterprises.io_samples import rows_to_csv, rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.jobs.models import Job, JobStatus
from tidu.jobs.services import job_submit

pytestmark = pytest.mark.django_db

SHENZHEN = ["440305", "440304"]


@pytest.fixture
def official() -> Any:
    return make_user("sz-city", "government", level="city", region="440300")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(user: Any, content: bytes, name: str = "导入.xlsx") -> Job:
    job: Job = enterprises_import_submit(user=user, upload=SimpleUploadedFile(name, content))
    return job


def with_cell_text(xlsx: bytes, placeholder: str, text: str) -> bytes:
    """The workbook with one cell's text replaced inside the file (openpyxl itself stops at Excel's
    32,767 characters; a hostile file need not)."""
    source, target = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if placeholder.encode() in data:
                data = data.replace(placeholder.encode(), text.encode())
            out.writestr(item, data)
    return target.getvalue()


def test_a_200000_character_name_is_reported_by_row_and_column_and_nothing_is_written(official: Any) -> None:
    rows = sample_rows(firms=3, years=[2024], region_codes=SHENZHEN)
    rows[1]["name"] = "LONG-NAME-HERE"  # spreadsheet row 3
    content = with_cell_text(rows_to_xlsx(rows), "LONG-NAME-HERE", "企" * 200_000)

    job = submit(official, content)

    assert job.status == JobStatus.REJECTED  # not FAILED: the file is at fault, and says where
    [problem] = job.result["problems"]
    assert (problem["row"], problem["column"], problem["code"]) == (3, "企业名称", "cell_too_long")
    assert problem["text"].startswith("第3行「企业名称」超过200个字符")
    assert len(problem["value"]) < 100 and "共200000个字符" in problem["value"]
    assert "第3行「企业名称」超过200个字符" in job.stage
    assert Enterprise.objects.count() == 0 and EnterpriseYear.objects.count() == 0  # all or nothing
    report = openpyxl.load_workbook(io.BytesIO(job.report_file.read()))["问题清单"]
    assert [c.value for c in report[2]][:2] == [3, "企业名称"]
    page = client_for(official).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "超过200个字符" in page and "内部错误" not in page


def test_the_same_long_cell_in_a_csv_is_reported_the_same_way(official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    rows[0]["main_product_name"] = "零" * 200_000  # past the csv module's own 128 KB field limit
    result = enterprises_import(user=official, content=rows_to_csv(rows), filename="a.csv")
    assert not result.ok
    [problem] = result.problems
    assert (problem.row, problem.column, problem.code) == (2, "主导产品名称", "cell_too_long")
    assert "该单元格有200000个字符" in problem.message


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil\",\"点击\")", "+86-755-0000", "@SUM(A1)", "-1+2"])
def test_names_a_spreadsheet_would_run_as_formulas_are_refused_per_row(official: Any, name: str) -> None:
    rows = sample_rows(firms=3, years=[2024], region_codes=SHENZHEN)
    rows[2]["name"] = name  # row 4

    result = enterprises_import(user=official, content=rows_to_csv(rows), filename="a.csv")

    assert [(p.row, p.column, p.code) for p in result.problems] == [(4, "企业名称", "formula_prefix")]
    assert "公式" in result.problems[0].message
    assert Enterprise.objects.count() == 0


def test_a_text_cell_beginning_like_a_formula_in_a_workbook_is_refused_too(official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    rows[1]["name"] = "NAME-HERE"
    content = with_cell_text(rows_to_xlsx(rows), "NAME-HERE", "@SUM(1+1)*cmd|' /C calc'!A0")
    result = enterprises_import(user=official, content=content, filename="a.xlsx")
    assert [(p.row, p.code) for p in result.problems] == [(3, "formula_prefix")]


def test_control_characters_in_a_name_are_refused_and_never_reach_the_report_or_the_database(official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    rows[0]["name"] = "深圳\x00某某\x07有限公司"
    job = submit(official, rows_to_csv(rows), "a.csv")
    assert job.status == JobStatus.REJECTED
    [problem] = job.result["problems"]
    assert (problem["row"], problem["code"]) == (2, "control_characters")
    assert "\x00" not in problem["value"]
    assert job.report_file  # the problem report was written despite the NUL byte


@pytest.mark.parametrize(("content", "filename", "expected"), [
    (b"\xff\xfe\xfa\xfb\x81\x30", "a.csv", "编码"),  # neither UTF-8 nor GB18030
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "a.xlsx", "无法读取"),
    (b"", "a.csv", "空的"),
])
def test_broken_bytes_are_refused_with_a_chinese_reason(official: Any, content: bytes, filename: str,
                                                        expected: str) -> None:
    job = submit(official, content, filename)
    assert job.status == JobStatus.REJECTED
    assert expected in job.result["problems"][0]["message"]


def test_a_zip_that_is_no_workbook_is_refused(official: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    result = enterprises_import(user=official, content=buffer.getvalue(), filename="a.xlsx")
    assert not result.ok and "无法读取" in result.problems[0].message


def test_a_sheet_with_only_blank_rows_is_empty(official: Any) -> None:
    result = enterprises_import(user=official, content=b"\n,,,\n\n", filename="a.csv")
    assert [p.code for p in result.problems] == ["sheet_empty"]


def test_too_many_rows_or_columns_are_refused_before_any_check(official: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    rows = sample_rows(firms=6, years=[2024], region_codes=SHENZHEN)
    result = enterprises_import(user=official, content=rows_to_xlsx(rows), filename="a.xlsx")
    assert not result.ok and "超过 5 行" in result.problems[0].message and "第7行" in result.problems[0].message

    wide = [[c.header for c in columns()] + [f"多余{i}" for i in range(400)]]
    wide.append(["x"] * len(wide[0]))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in wide:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = enterprises_import(user=official, content=buffer.getvalue(), filename="a.xlsx")
    assert not result.ok and f"超过 {imports.MAX_COLUMNS} 列" in result.problems[0].message


def test_a_long_number_cell_is_refused_without_quoting_it_back_in_full(official: Any) -> None:
    rows = sample_rows(firms=1, years=[2024], region_codes=SHENZHEN)
    rows[0]["staff_total"] = "9" * 5000
    result = enterprises_import(user=official, content=rows_to_csv(rows), filename="a.csv")
    [problem] = result.problems
    assert problem.code == "cell_too_long" and len(problem.message) < 100 and len(problem.value) < 100


# ---- the job page and the admin -------------------------------------------------------------------------


def crashing_handler(job: Job) -> Any:
    raise RuntimeError("boom inside")


def test_a_crashed_job_names_its_number_and_the_admin_opens_it_with_the_detail(
        official: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tidu.jobs import kinds

    monkeypatch.setitem(kinds.KINDS, "enterprise_import", kinds.JobKind(
        "enterprise_import", "导入", f"{__name__}.crashing_handler"))
    job = job_submit(owner=official, kind="enterprise_import")
    assert job.status == JobStatus.FAILED and str(job.pk) in job.error_message
    assert "boom inside" not in job.error_message and "boom inside" in job.error_detail
    owner_page = client_for(official).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "boom inside" not in owner_page  # the owner sees the message, not the internals

    admin = client_for(make_user("root", superuser=True))
    found = admin.get("/admin/jobs/job/", {"q": str(job.pk)}).content.decode()
    assert str(job.pk) in found
    detail = admin.get(f"/admin/jobs/job/{job.pk}/change/").content.decode()
    assert "boom inside" in detail and "sz-city" in detail


def test_an_import_job_page_is_visible_to_its_starter_and_not_to_another_official(official: Any) -> None:
    other = make_user("gz-city", "government", level="city", region="440100")
    job = submit(official, rows_to_xlsx(sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)))
    assert job.status == JobStatus.SUCCEEDED
    assert client_for(official).get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    for name in ("jobs:detail", "jobs:status", "jobs:report"):
        assert client_for(other).get(reverse(name, args=[job.pk])).status_code == 404
