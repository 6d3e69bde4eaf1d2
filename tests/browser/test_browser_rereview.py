"""Re-review in a real browser: the province ticks a title nearing expiry and opens its re-review; the
firm confirms its figures and submits; county, city and province approve; the firm sees the extended
validity and downloads its certificate. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from django.utils import timezone
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD
from tidu.journey import services
from tidu.journey.models import Recognition, Tier
from tidu.journey.testing import build_world
from tidu.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_title_nearing_expiry_is_re_reviewed_and_extended(page: Page, screenshot: Callable[[str], Path]) -> None:
    world = build_world()
    until = timezone.localdate() + dt.timedelta(days=45)
    rec = Recognition.objects.create(
        enterprise=world.firms["A"], tier=Tier.SPECIALIZED_SME, number="44-ZJTX-2023-00007",
        issuing_region=Region.objects.get(code="440000"),
        valid_from=services.add_years(until, -3) + dt.timedelta(days=1), valid_until=until,
    )

    log_in(page, "province", PASSWORD)
    page.goto("/journey/rereviews/")
    page.get_by_label(f"选择 {rec.number}").check()
    screenshot("rereview-1-province-ticks-a-title")
    page.get_by_role("button", name="对所选认定发起复核").click()
    expect(page.locator("body")).to_contain_text("已发起 1 件复核")

    log_in(page, "firm_a", PASSWORD)
    page.goto("/journey/")
    page.get_by_role("link", name="确认数据并提交").click()
    page.check("#commitment")
    screenshot("rereview-2-firm-confirms")
    page.get_by_role("button", name="提交复核").click()
    expect(page.locator("#rr-status")).to_contain_text("县级审核中")

    for who, then in (("county", "市级审核中"), ("city", "省级审核中"), ("province", "复核通过")):
        log_in(page, who, PASSWORD)
        page.goto("/journey/rereviews/")
        page.locator("#to-act").get_by_role("link", name="查看").click()
        page.fill("textarea[name=comment]", f"{who} 同意")
        page.get_by_role("button", name="通过", exact=True).click()
        expect(page.locator("#rr-status")).to_contain_text(then)
    screenshot("rereview-3-province-passes")

    new_until = services.add_years(until, 3)
    log_in(page, "firm_a", PASSWORD)
    page.goto("/journey/")
    expect(page.locator("#rereviews")).to_contain_text(f"有效期延至 {new_until:%Y-%m-%d}")
    screenshot("rereview-4-firm-sees-extension")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载证书").first.click()
    assert download.value.suggested_filename == f"tidu-certificate-{rec.number}.pdf"
