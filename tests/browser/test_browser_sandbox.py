"""The threshold sandbox in a real browser: a county official opens it from the menu, picks a standard,
sees the pass mark in force with its document, raises it, runs, reads the answer by region and industry,
and opens the list of firms that would drop out (each a link to the firm)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tidu.accounts.demo import DEMO_PASSWORD
from tidu.sandbox.models import SandboxRun

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_official_runs_a_sandbox_and_opens_the_firms_that_drop_out(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    call_command("seed_demo", firms=300, verbosity=0)
    log_in(page, "demo-county", DEMO_PASSWORD)
    page.get_by_role("link", name="门槛沙盘").first.click()
    page.select_option("#standard", "innovative_sme")
    page.get_by_role("button", name="打开").click()
    row = page.locator("#thresholds tbody tr", has_text="综合评价得分")
    expect(row).to_contain_text("60")
    expect(row).to_contain_text("工信部企业〔2022〕63号")
    row.locator("input").fill("95")
    screenshot("sandbox-form")
    page.get_by_role("button", name="开始试算").click()
    expect(page.locator("#sandbox-totals")).to_be_visible()
    expect(page.locator("#sandbox-by-region")).to_contain_text("南山区")
    expect(page.locator("#sandbox-by-industry")).to_contain_text("制造业")
    run = SandboxRun.objects.get()
    leaving = run.result["leaving"]
    assert leaving >= 1  # the demo register has firms scoring between 60 and 95
    expect(page.locator("#sandbox-leaving")).to_contain_text(f"{leaving} 家")
    screenshot("sandbox-result")
    page.locator("#sandbox-leaving").click()
    firms = page.locator("#sandbox-firms tbody tr")
    expect(firms).to_have_count(leaving)
    screenshot("sandbox-leaving")
    href = firms.first.get_by_role("link").get_attribute("href")
    assert href in {f"/enterprises/{pk}/" for pk in run.result["leaving_ids"]}
    firms.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(re.escape(str(href)) + "$"))
