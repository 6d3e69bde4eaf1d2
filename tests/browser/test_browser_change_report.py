"""A rename in a real browser: the firm reports it with its new licence from the profile page; the public
list and the certificate keep the old name while the report waits; the county approves it from its
变化报告 queue; then the list shows the new name with 原名称 and the certificate notes the approved rename.
Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from django.utils import timezone
from playwright.sync_api import Page, expect

from pdf_check import read_pdf
from tidu.core.testing import PASSWORD
from tidu.journey import services
from tidu.journey.models import Tier
from tidu.journey.testing import build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW = "深圳市浏览器更名科技有限公司"
LICENCE = b"%PDF-1.4\n% new business licence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def certificate_text(page: Page) -> str:
    page.goto("/journey/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载证书").first.click()
    return re.sub(r"\s", "", read_pdf(Path(download.value.path()).read_bytes()).text)


def test_a_rename_reaches_the_list_and_certificate_only_after_the_county_approves(
    page: Page, screenshot: Callable[[str], Path], settings: object, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    world = build_world()
    world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                     today=timezone.localdate() - dt.timedelta(days=30))
    [rec] = services.publicity_decide(actor=world.users["province"], publicity=pub)

    log_in(page, "firm_a", PASSWORD)
    page.goto("/firm/profile/")
    expect(page.locator("#identity-name")).to_have_text("企业A有限公司")
    page.get_by_role("link", name="申报重大变化").click()
    page.get_by_label("名称", exact=True).check()
    page.get_by_label("新名称").fill(NEW)
    page.get_by_label("变化生效日期").fill((timezone.localdate() - dt.timedelta(days=7)).isoformat())
    page.get_by_label("情况说明").fill("经股东会决议更名，已换发营业执照。")
    page.set_input_files("#files", files=[{"name": "新营业执照.pdf", "mimeType": "application/pdf",
                                           "buffer": LICENCE}])
    screenshot("change-1-firm-reports-a-rename")
    page.get_by_role("button", name="提交报告").click()
    expect(page.locator("#change-status")).to_contain_text("待主管部门审核")
    expect(page.locator("#change-name")).to_contain_text(NEW)

    page.goto("/recognitions/")
    expect(page.locator("#recognitions")).to_contain_text("企业A有限公司")
    expect(page.locator("#recognitions")).not_to_contain_text(NEW)
    before = certificate_text(page)
    assert "企业名称企业A有限公司" in before and NEW not in before
    screenshot("change-2-list-keeps-the-old-name")

    log_in(page, "county", PASSWORD)
    page.get_by_role("link", name="变化报告").click()
    page.locator("#to-act").get_by_role("link", name="审核").click()
    expect(page.locator("#evidence")).to_contain_text("新营业执照.pdf")
    page.fill("textarea[name=comment]", "与新营业执照一致")
    screenshot("change-3-county-reviews")
    page.get_by_role("button", name="核准", exact=True).click()
    expect(page.locator("#change-status")).to_contain_text("已核准")

    page.goto("/recognitions/")
    expect(page.locator("#recognitions")).to_contain_text(NEW)
    expect(page.locator("#recognitions .former-name")).to_have_text("原名称：企业A有限公司")
    screenshot("change-4-list-shows-the-new-name")
    log_in(page, "firm_a", PASSWORD)
    after = certificate_text(page)
    day = timezone.localdate()
    assert f"企业名称{NEW}" in after
    assert f"于{day.year}年{day.month}月{day.day}日经核准由“企业A有限公司”更名为“{NEW}”" in after
    page.goto(f"/verify/{rec.number}/")
    expect(page.locator("#verify-state")).to_have_text("有效")
    expect(page.locator("#verify-name")).to_contain_text(NEW)
    screenshot("change-5-verification-page")
