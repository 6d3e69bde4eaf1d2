"""An official imports an Excel file in a real browser: template download, upload, the job page
with its progress bar and result; a bad file shows its problems; the progress page follows a
running job by itself (htmx polling) and stops polling when the job ends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, log_in
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tidu.accounts.models import Membership, Organisation
from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def official() -> Any:
    user = get_user_model().objects.create_user(username="sz-official", password=PASSWORD)
    org = Organisation.objects.create(kind="government", name="深圳市工业和信息化局", gov_level="city", region_id="440300")
    Membership.objects.create(user=user, organisation=org)
    return user


def test_an_official_imports_a_file_and_sees_the_result_on_the_progress_page(
    page: Page, official: Any, screenshot: Callable[[str], Path]
) -> None:
    log_in(page, "sz-official")
    page.goto("/io/import/")
    expect(page.get_by_role("heading", name="企业数据导入")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 模板").click()
    assert download.value.suggested_filename == "企业年度数据导入模板.xlsx"

    rows = sample_rows(firms=60, years=[2023, 2024], region_codes=["440305", "440304", "440306"])
    page.set_input_files("input[type=file]", files=[{"name": "深圳市2024.xlsx", "mimeType": XLSX, "buffer": rows_to_xlsx(rows)}])
    page.get_by_role("button", name="上传并导入").click()

    status = page.locator("#job-status")
    expect(status).to_have_attribute("data-status", "succeeded")
    expect(status.locator(".job-percent")).to_have_text("100%")
    expect(status).to_contain_text("新增企业")
    expect(status.locator("dd").first).to_have_text("120")
    screenshot("import-succeeded")
    assert Enterprise.objects.count() == 60 and EnterpriseYear.objects.count() == 120

    rows[5]["revenue"] = "约三千万"
    rows[9]["region"] = "110108"
    page.goto("/io/import/")
    page.set_input_files("input[type=file]", files=[{"name": "有错.xlsx", "mimeType": XLSX, "buffer": rows_to_xlsx(rows)}])
    page.get_by_role("button", name="上传并导入").click()

    expect(status).to_have_attribute("data-status", "rejected")
    expect(status).to_contain_text("共发现 2 个问题")
    problems = status.locator("table.job-problems tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("营业收入（总额）（万元）")
    expect(problems.nth(0)).to_contain_text("约三千万")
    expect(problems.nth(1)).to_contain_text("不在您的辖区内")
    with page.expect_download() as report:
        page.get_by_role("link", name="下载报告").click()
    assert report.value.suggested_filename == "导入问题清单.xlsx"
    screenshot("import-rejected")
    assert EnterpriseYear.objects.count() == 120


def test_the_progress_page_follows_a_running_job_and_stops_polling_when_it_ends(
    page: Page, official: Any, screenshot: Callable[[str], Path]
) -> None:
    job = Job.objects.create(
        kind="enterprise_import", owner=official, status=JobStatus.RUNNING, input_name="大文件.xlsx",
        progress_done=0, progress_total=4000, stage="正在检查第 2 行",
    )
    log_in(page, "sz-official")
    polls: list[str] = []
    page.on("request", lambda req: polls.append(req.url) if req.url.endswith("/status/") else None)
    page.goto(f"/jobs/{job.pk}/")
    expect(page.locator(".job-percent")).to_have_text("0%")

    Job.objects.filter(pk=job.pk).update(progress_done=1000, stage="正在检查第 1002 行")
    expect(page.locator(".job-percent")).to_have_text("25%")
    expect(page.locator(".job-count")).to_have_text("1000 / 4000 行")
    screenshot("import-progress")

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress_done=4000, stage="导入完成",
        result={"summary": [["数据行数", 4000], ["新增企业", 1000]]},
    )
    expect(page.locator("#job-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator(".job-percent")).to_have_text("100%")
    polls_when_done = len(polls)
    page.wait_for_timeout(2500)  # two more poll intervals: no request may follow
    assert len(polls) == polls_when_done
    assert polls_when_done >= 2
