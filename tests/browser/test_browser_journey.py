"""The journey in a real browser: a firm applies with its materials, locks, uploads the stamped form and
submits; the county, the city and the
province approve in turn; the province publishes the list; after publicity ends (simulated by moving
its dates) the province decides and the firm appears on the public list. Screenshots of each step go
to var/test-artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in, upload_material
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from tidu.core.testing import PASSWORD
from tidu.journey.models import Application, AppStatus, Publicity
from tidu.journey.testing import World, build_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page: Page, name: str) -> None:
    folder = Path(settings.REPO_DIR if hasattr(settings, "REPO_DIR") else Path.cwd()) / "var" / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"journey-{name}.png"), full_page=True)


def approve_as(page: Page, who: str, firm_name: str, next_status: str) -> None:
    log_in(page, who, PASSWORD)
    page.goto("/journey/queue/")
    page.get_by_role("link", name=firm_name).click()
    page.fill("textarea[name=comment]", f"{who} 审核同意")
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#app-status")).to_contain_text(next_status)
    shot(page, f"approved-by-{who}")


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> World:
    settings.VAR_DIR = tmp_path  # uploaded files of this test stay out of the developer's var/
    return build_world()


def test_apply_review_publicity_and_recognition_in_a_browser(
    page: Page, browser_context: BrowserContext, world: World
) -> None:
    firm = world.firms["A"].name
    log_in(page, "firm_a", PASSWORD)
    page.goto("/journey/")
    expect(page.get_by_role("heading", name="申报与认定")).to_be_visible()
    page.locator("form.round-apply", has_text="广东省专精特新中小企业申报").get_by_role("button", name="申报").click()
    expect(page.locator("#app-status")).to_contain_text("草稿")
    upload_material(page, "business_licence", "营业执照.pdf", PDF)
    upload_material(page, "financial_report", "审计报告.pdf", PDF + b"% audit report\n")
    expect(page.get_by_role("link", name="营业执照.pdf")).to_be_visible()
    page.check("#commitment")
    shot(page, "firm-before-lock")
    page.get_by_role("button", name="锁定并生成申报书").click()
    expect(page.locator("#application-form")).to_be_visible()
    upload_material(page, "stamped_form", "盖章申报书.pdf", PDF + b"% stamped\n")
    shot(page, "firm-before-submit")
    page.get_by_role("button", name="提交申报", exact=True).click()
    expect(page.locator("#app-status")).to_contain_text("县级审核中")
    shot(page, "firm-submitted")

    approve_as(page, "county", firm, "市级审核中")
    approve_as(page, "city", firm, "省级审核中")
    approve_as(page, "province", firm, "审核通过")

    page.goto("/journey/rounds/")
    page.get_by_role("button", name="发布公示（1 家）").click()
    expect(page.get_by_role("cell", name=firm)).to_be_visible()
    shot(page, "publicity")
    assert Application.objects.get(enterprise=world.firms["A"]).status == AppStatus.PUBLICITY

    # Simulated time: the publicity period is over.
    today = timezone.localdate()
    Publicity.objects.update(starts_on=today - dt.timedelta(days=20), ends_on=today - dt.timedelta(days=1))
    page.reload()
    page.get_by_role("button", name="公示期满，作出认定决定").click()
    expect(page.locator(".messages")).to_contain_text("已认定 1 家企业")

    browser_context.clear_cookies()
    page.goto("/recognitions/")
    row = page.locator("#recognitions tbody tr", has_text=firm)
    expect(row).to_contain_text("专精特新中小企业")
    expect(row).to_contain_text("南山区")
    shot(page, "public-list")

    log_in(page, "firm_a", PASSWORD)
    page.goto("/journey/")
    expect(page.get_by_text("已认定", exact=True)).to_be_visible()
    shot(page, "firm-recognised")
