"""Large exports run as background jobs (progress page, then a download only their requester may
fetch, holding the firms of the requester's jurisdiction when they asked); small ones download at
once; every exported text cell is neutralised so that no name runs as a formula in Excel or WPS."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from tests.enterprises.test_export import client_for, make_user, xlsx_rows
from tests.enterprises.test_export import register as _register

from tidu.accounts.models import Organisation
from tidu.core.models import AuditEvent
from tidu.enterprises.exports import _scope_of, enterprises_export_csv, enterprises_export_xlsx
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.jobs.models import Job, JobStatus
from tidu.jobs.services import job_run

pytestmark = pytest.mark.django_db

register = _register  # the fixture of test_export: firms in 南山 (2), 福田 (2) and 海淀 (1)


def _exports() -> Any:
    """Export jobs (the register's import also queued a refresh of the dashboard: another kind)."""
    return Job.objects.filter(kind="enterprise_export")


@pytest.fixture
def low_threshold(settings: Any) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 3  # the register's 南山 county alone has 4 rows


def test_a_small_export_downloads_at_once(register: dict[str, Any], settings: Any) -> None:
    settings.EXPORT_INLINE_MAX_ROWS = 4
    county = make_user("nanshan", "government", "county", "440305")
    response = client_for(county).get(reverse("io:export_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(xlsx_rows(response.content)) == 4
    assert not _exports().exists()


@pytest.mark.usefixtures("low_threshold")
def test_a_big_export_runs_as_a_job_whose_file_downloads_with_the_right_rows(register: dict[str, Any]) -> None:
    county = make_user("nanshan", "government", "county", "440305")
    client = client_for(county)

    offer = client.get(reverse("io:export_xlsx"))
    assert offer.status_code == 200 and "在后台生成" in offer.content.decode() and not _exports().exists()
    response = client.post(reverse("io:export_xlsx"))

    job = _exports().get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.status, job.owner) == ("enterprise_export", JobStatus.SUCCEEDED, county)
    assert (job.progress_done, job.progress_total) == (4, 4)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "下载导出文件" in page and "100%" in page
    download = client.get(reverse("jobs:report", args=[job.pk]))
    rows = xlsx_rows(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    assert len(rows) == 4 and {r["注册地行政区划代码"] for r in rows} == {"440305"}
    assert AuditEvent.objects.get(action="enterprise.export").data["job"] == str(job.pk)


@pytest.mark.usefixtures("low_threshold")
def test_the_export_job_and_its_file_are_visible_only_to_the_official_who_asked(register: dict[str, Any]) -> None:
    county = make_user("nanshan", "government", "county", "440305")
    other = make_user("futian", "government", "county", "440304")
    client_for(county).post(reverse("io:export_csv"))
    job = _exports().get()
    for name in ("jobs:detail", "jobs:status", "jobs:report"):
        assert client_for(other).get(reverse(name, args=[job.pk])).status_code == 404
    text = b"".join(client_for(county).get(reverse("jobs:report", args=[job.pk])).streaming_content)  # type: ignore[attr-defined]
    records = list(csv.DictReader(io.StringIO(text.decode("utf-8").lstrip("\ufeff"))))
    assert len(records) == 4 and {r["注册地行政区划代码"] for r in records} == {"440305"}


def test_the_file_holds_the_jurisdiction_of_the_request_not_a_wider_one_given_later(register: dict[str, Any]) -> None:
    county = make_user("nanshan", "government", "county", "440305")
    job = Job.objects.create(kind="enterprise_export", owner=county,
                             params={"format": "xlsx", "scope": _scope_of(county)})
    Organisation.objects.filter(memberships__user=county).update(gov_level="province", region_id="440000")

    assert job_run(str(job.pk)) == JobStatus.SUCCEEDED

    job.refresh_from_db()
    rows = xlsx_rows(job.report_file.read())
    assert {r["注册地行政区划代码"] for r in rows} == {"440305"}  # not the province's 福田 firms


# ---- formula injection ------------------------------------------------------------------------------


@pytest.fixture
def hostile_firm(register: dict[str, Any]) -> Enterprise:
    """A firm stored before names were checked (written past the validators), with a loss."""
    firm = Enterprise.objects.filter(region_id="440305").order_by("credit_code").first()
    assert firm is not None
    Enterprise.objects.filter(pk=firm.pk).update(name='=HYPERLINK("http://evil.example","点此")')
    EnterpriseYear.objects.filter(enterprise=firm).update(main_product_name="@SUM(A1:A9)", net_profit=-1_234_500)
    firm.refresh_from_db()
    return firm


def test_excel_exports_neutralise_text_that_would_run_as_a_formula(hostile_firm: Enterprise,
                                                                  register: dict[str, Any]) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(enterprises_export_xlsx(user=register["national"])))["企业年度数据"]
    headers = [c.value for c in sheet[1]]
    name_col = headers.index("企业名称")
    product_col = headers.index("主导产品名称")
    profit_col = next(i for i, h in enumerate(headers) if str(h).startswith("净利润"))
    [row] = [r for r in sheet.iter_rows(min_row=2) if str(r[name_col].value).startswith("'=")][:1]
    assert row[name_col].data_type == "s" and row[name_col].value == '\'=HYPERLINK("http://evil.example","点此")'
    assert row[product_col].data_type == "s" and row[product_col].value == "'@SUM(A1:A9)"
    assert row[profit_col].data_type == "n" and row[profit_col].value == pytest.approx(-123.45)  # numbers stay numbers
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_csv_exports_neutralise_text_and_keep_negative_numbers(hostile_firm: Enterprise,
                                                               register: dict[str, Any]) -> None:
    text = "".join(enterprises_export_csv(user=register["national"])).lstrip("\ufeff")
    records = [r for r in csv.DictReader(io.StringIO(text)) if r["统一社会信用代码"] == hostile_firm.credit_code]
    assert records and all(r["企业名称"].startswith("'=HYPERLINK") for r in records)
    assert all(r["主导产品名称"] == "'@SUM(A1:A9)" for r in records)
    assert all(r[next(k for k in r if k.startswith("净利润"))] == "-123.45" for r in records)


def test_the_import_problem_report_neutralises_the_values_it_quotes(register: dict[str, Any]) -> None:
    from tidu.enterprises.imports import Problem, problems_workbook

    content = problems_workbook([Problem(2, "企业名称", "=cmd|' /C calc'!A0", "不能以 = 开头")], [])
    cell = openpyxl.load_workbook(io.BytesIO(content))["问题清单"]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_the_digital_level_table_neutralises_its_text(register: dict[str, Any]) -> None:
    from tidu.digital.reports import Distribution, distribution_xlsx

    dist = Distribution(levels=[1], rows=[{"division": "C39", "name": "=1+1", "counts": {1: 2}, "total": 2}],
                        totals={1: 2}, firms=2)
    sheet = openpyxl.load_workbook(io.BytesIO(distribution_xlsx(dist))).active
    assert sheet is not None
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "'=1+1"
