"""The import page, the template download, the job page of an import and the import API: who may
use them, and what an official sees after uploading."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tidu.accounts.models import Membership, Organisation
from tidu.accounts.services import api_token_create
from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_user(username: str, kind: str, level: str = "", region: str | None = None, enterprise: Any = None) -> Any:
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    org = Organisation.objects.create(kind=kind, name=username, gov_level=level, region_id=region, enterprise=enterprise)
    Membership.objects.create(user=user, organisation=org)
    return user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def official() -> Any:
    return make_user("sz-city", "government", "city", "440300")


@pytest.fixture
def other_official() -> Any:
    return make_user("bj-city", "government", "province", "110000")


@pytest.fixture
def firm_user() -> Any:
    firm = Enterprise.objects.create(credit_code="91440305MA5DABCD1X", name="演示企业", region_id="440305", industry_code="C3911")
    return make_user("firm", "enterprise", enterprise=firm)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_an_official_opens_the_import_page_and_downloads_the_template(official: Any) -> None:
    client = client_for(official)
    page = client.get(reverse("io:import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "企业数据导入" in html and "下载 Excel 模板" in html and "只能导入注册地在您辖区内的企业" in html

    template = client.get(reverse("io:template"))
    assert template.status_code == 200
    assert template["Content-Type"] == XLSX
    assert "filename*=UTF-8''" in template["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    assert workbook.sheetnames == ["企业年度数据", "填表说明"]


def test_uploading_a_good_file_runs_a_job_and_its_page_shows_the_counts(official: Any) -> None:
    rows = sample_rows(firms=5, years=[2023, 2024], region_codes=["440305", "440304"])
    client = client_for(official)

    response = client.post(reverse("io:import"), {"file": upload("深圳.xlsx", rows_to_xlsx(rows))})

    job = Job.objects.get(kind="enterprise_import")  # the dashboard's refresh of the imported firms is another
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.owner, job.status, job.input_name) == ("enterprise_import", official, JobStatus.SUCCEEDED, "深圳.xlsx")
    assert EnterpriseYear.objects.count() == 10
    html = client.get(response["Location"]).content.decode()
    assert "已完成" in html and "新增企业" in html and "新增年度数据" in html
    assert 'value="100"' in html


def test_uploading_a_bad_file_shows_the_problems_and_offers_the_full_report(official: Any) -> None:
    rows = sample_rows(firms=3, years=[2024], region_codes=["440305"])
    rows[1]["revenue"] = "十万"
    client = client_for(official)

    response = client.post(reverse("io:import"), {"file": upload("有错.xlsx", rows_to_xlsx(rows))}, follow=True)

    html = response.content.decode()
    assert "未通过校验，未写入任何数据" in html
    assert "营业收入（总额）（万元）" in html and "十万" in html and "不是有效的金额" in html
    assert Enterprise.objects.count() == 0
    job = Job.objects.get()
    report = client.get(reverse("jobs:report", args=[job.pk]))
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0]  # type: ignore[attr-defined]
    assert [c.value for c in sheet[1]] == ["行号", "列", "填写的值", "问题说明", "代码"]
    assert [c.value for c in sheet[2]][:3] == [3, "营业收入（总额）（万元）", "十万"]


def test_a_file_of_another_type_is_refused_on_the_page(official: Any) -> None:
    response = client_for(official).post(reverse("io:import"), {"file": upload("说明.pdf", b"%PDF-1.4")})
    assert response.status_code == 400
    assert "只支持 Excel" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", ["io:import", "io:template"])
def test_firm_staff_cannot_import(firm_user: Any, name: str) -> None:
    response = client_for(firm_user).get(reverse(name))
    assert response.status_code == 403


def test_firm_staff_cannot_post_an_import(firm_user: Any) -> None:
    rows = sample_rows(firms=1, years=[2024], region_codes=["440305"])
    response = client_for(firm_user).post(reverse("io:import"), {"file": upload("x.xlsx", rows_to_xlsx(rows))})
    assert response.status_code == 403
    assert not Job.objects.exists() and EnterpriseYear.objects.count() == 0


@pytest.mark.parametrize("name", ["io:import", "io:template", "io:export_xlsx", "io:export_csv"])
def test_anonymous_visitors_are_sent_to_log_in(name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_another_officials_import_job_is_not_found(official: Any, other_official: Any) -> None:
    rows = sample_rows(firms=1, years=[2024], region_codes=["440305"])
    client_for(official).post(reverse("io:import"), {"file": upload("a.xlsx", rows_to_xlsx(rows))})
    job = Job.objects.get(kind="enterprise_import")
    other = client_for(other_official)

    for name in ["jobs:detail", "jobs:status", "jobs:report"]:
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
    assert other.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert str(job.pk) not in other.get(reverse("io:import")).content.decode()


def test_a_program_imports_through_the_api_with_a_token_and_polls_the_job(official: Any, other_official: Any) -> None:
    _, key = api_token_create(user=official, name="脚本")
    rows = sample_rows(firms=4, years=[2024], region_codes=["440306"])
    client = Client()

    response = client.post(
        "/api/v1/io/imports", {"file": upload("api.xlsx", rows_to_xlsx(rows))}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )

    assert response.status_code == 202, response.content
    body = response.json()
    status = client.get(f"/api/v1/jobs/{body['job_id']}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert status["status"] == "succeeded" and status["percent"] == 100
    assert status["result"]["counts"]["years_created"] == 4
    _, other_key = api_token_create(user=other_official, name="别人")
    assert client.get(f"/api/v1/jobs/{body['job_id']}", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 404
    assert client.get(f"/api/v1/jobs/{body['job_id']}").status_code == 401


def test_the_import_api_refuses_firm_staff(firm_user: Any) -> None:
    _, key = api_token_create(user=firm_user, name="企业脚本")
    rows = sample_rows(firms=1, years=[2024], region_codes=["440305"])
    response = Client().post(
        "/api/v1/io/imports", {"file": upload("x.xlsx", rows_to_xlsx(rows))}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Job.objects.exists()
