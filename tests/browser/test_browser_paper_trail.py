"""The paper trail in a real browser: the firm uploads its materials, locks the application, downloads
the 申报书 (a PDF carrying the checksum shown on the page), is refused submission without the stamped
copy (the message names it), uploads the stamped scan, unlocks (the scan goes, the next lock has another
checksum), locks again, uploads the new scan and submits. Screenshots: test-artifacts/paper-NN-*.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in, upload_material
from playwright.sync_api import Page, expect

from pdf_check import read_pdf
from tidu.core.testing import PASSWORD
from tidu.journey.demo import sample_pdf
from tidu.journey.models import Application, AppStatus
from tidu.journey.testing import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.VAR_DIR = tmp_path  # uploaded files of this test stay out of the developer's var/
    return build_world()


def download_form(page: Page) -> str:
    """Download the 申报书 from the page; return its text (whitespace removed)."""
    with page.expect_download() as info:
        page.locator("#application-form").click()
    path = info.value.path()
    assert path is not None
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF") and info.value.suggested_filename.endswith(".pdf")
    return re.sub(r"\s", "", read_pdf(data).text)


def lock(page: Page) -> str:
    """Sign the commitment and lock; return the full fingerprint the page shows."""
    page.check("#commitment")
    page.get_by_role("button", name="锁定并生成申报书").click()
    expect(page.locator(".messages")).to_contain_text("申报已锁定")
    fingerprint = page.locator("#fingerprint")
    full = fingerprint.get_attribute("title") or ""
    assert re.fullmatch(r"[0-9a-f]{64}", full)
    expect(fingerprint).to_have_text(full[:16])
    return full


def test_the_firm_locks_prints_stamps_uploads_and_submits(
    page: Page, world: World, screenshot: Callable[[str], Path]
) -> None:
    app = world.draft("A")
    log_in(page, "firm_a", PASSWORD)
    page.goto(f"/journey/applications/{app.pk}/")
    expect(page.locator('#paper-trail li[aria-current="step"]')).to_have_text("1 完善材料")
    expect(page.locator('#checklist tr[data-kind="business_licence"] .material-status')).to_have_text("缺少")
    expect(page.locator("#application-form")).to_have_count(0)  # nothing to print before the lock

    upload_material(page, "business_licence", "营业执照.pdf", sample_pdf("licence"))
    upload_material(page, "financial_report", "2025年审计报告.pdf", sample_pdf("audit"))
    expect(page.locator('#checklist tr[data-kind="business_licence"] .material-status')).to_have_text("✓ 已上传")
    expect(page.locator('#checklist tr[data-kind="financial_report"] .material-status')).to_have_text("✓ 已上传")
    expect(page.locator('#paper-trail li[aria-current="step"]')).to_have_text("2 锁定并下载申报书")
    screenshot("paper-01-materials")

    first = lock(page)
    expect(page.locator('#paper-trail li[aria-current="step"]')).to_have_text("3 盖章上传")
    expect(page.locator("#kind option")).to_have_count(1)  # only the stamped copy while locked
    form = download_form(page)
    assert first in form and "企业A有限公司" in form and "营业执照.pdf" in form
    screenshot("paper-02-locked")

    # Submitting without the stamped copy is refused, and the page says what is missing.
    page.locator("#submit").get_by_role("button", name="提交申报").click()
    expect(page.locator(".messages")).to_contain_text("还缺少以下必需材料：盖章申报书")
    expect(page.locator("#app-status")).to_contain_text("草稿")
    screenshot("paper-03-refused")

    upload_material(page, "stamped_form", "盖章申报书.pdf", sample_pdf("stamped", first))
    expect(page.locator('#checklist tr[data-kind="stamped_form"]')).to_contain_text("与当前锁定的申报书一致")
    expect(page.locator('#paper-trail li[aria-current="step"]')).to_have_text("4 提交")

    # A late correction: unlocking voids the printout and its scan; the next lock has another checksum.
    page.locator("#unlock").get_by_role("button", name="解除锁定，返回修改").click()
    expect(page.locator(".messages")).to_contain_text("已解除锁定")
    expect(page.locator('#checklist tr[data-kind="stamped_form"] .material-status')).to_have_text("缺少")
    expect(page.locator("#application-form")).to_have_count(0)
    second = lock(page)
    assert second != first
    assert second in download_form(page)
    upload_material(page, "stamped_form", "盖章申报书（第二版）.pdf", sample_pdf("stamped", second))
    screenshot("paper-04-stamped")

    page.locator("#submit").get_by_role("button", name="提交申报").click()
    expect(page.locator(".messages")).to_contain_text("申报已提交")
    expect(page.locator("#app-status")).to_contain_text("县级审核中")
    expect(page.locator("#paper-trail")).to_have_count(0)
    screenshot("paper-05-submitted")
    app = Application.objects.get(pk=app.pk)
    assert app.status == AppStatus.COUNTY
    assert app.attachments.get(kind="stamped_form").original_name == "盖章申报书（第二版）.pdf"

    # The county sees each material with its kind, and the stamped copy matching the record.
    log_in(page, "county", PASSWORD)
    page.goto(f"/journey/applications/{app.pk}/")
    expect(page.locator('#checklist tr[data-kind="stamped_form"]')).to_contain_text("与当前锁定的申报书一致")
    expect(page.locator('#checklist tr[data-kind="financial_report"]')).to_contain_text("审计报告 / 财务报表")
    expect(page.locator("#fingerprint")).to_have_text(second[:16])
    screenshot("paper-06-county-review")
