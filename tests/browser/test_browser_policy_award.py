"""A policy paid through an application, in a real browser: the firm finds an eligible policy on 我的政策,
applies (prefilled), uploads the materials the policy lists, signs and submits; the county approves, the
city decides the amount in 万元 and records the payout; the firm sees the payout complete, and the award is
on the public award list. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD
from tidu.journey.demo import sample_pdf
from tidu.journey.testing import build_world
from tidu.policy_filings.models import PolicyFiling
from tidu.policy_filings.testing import make_policy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _upload(page: Page, material: str, name: str, data: bytes) -> None:
    page.select_option("#material", material)
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    page.locator("#upload").get_by_role("button", name="上传", exact=True).click()
    expect(page.locator("#checklist")).to_contain_text(name)


def test_a_firm_applies_for_a_policy_and_the_award_is_paid_and_published(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    world = build_world()
    firm = world.firms["A"]
    firm.contact_name, firm.contact_phone = "李会计", "13800138001"
    firm.save(update_fields=["contact_name", "contact_phone"])
    batch = make_policy(world.users["city"], code="sz-rd-browser", title="深圳市研发投入奖补（测试）")

    log_in(page, "firm_a", PASSWORD)
    page.goto("/policies/mine/")
    card = page.locator('article[data-code="sz-rd-browser"]')
    expect(card).to_contain_text("深圳市研发投入奖补（测试）")
    screenshot("policy-1-mine")
    card.get_by_role("link", name="申请").click()
    expect(page.locator("#verdict")).to_contain_text("符合条件")
    expect(page.locator("#contact_name")).to_have_value("李会计")  # prefilled from the profile
    page.fill("#statement", "2025年度研发投入情况见专项审计报告。")
    screenshot("policy-2-apply")
    page.click("#start")
    expect(page.locator("#filing-status")).to_contain_text("草稿")
    _upload(page, "营业执照", "营业执照.pdf", sample_pdf("licence"))
    _upload(page, "研发费用专项审计报告", "研发审计.pdf", sample_pdf("rd audit"))
    page.check("#commitment")
    page.click("#submit-filing")
    expect(page.locator("#filing-status")).to_contain_text("县级审核中")
    screenshot("policy-3-submitted")
    filing = PolicyFiling.objects.get(batch=batch)

    log_in(page, "county", PASSWORD)
    page.goto("/policy-filings/")
    page.get_by_role("link", name=filing.reference).click()
    page.fill("#comment", "材料齐全")
    page.locator("#review").get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#filing-status")).to_contain_text("市级审核中")

    log_in(page, "city", PASSWORD)
    page.goto(f"/policy-filings/{filing.pk}/")
    page.fill("#amount_wan", "45")
    screenshot("policy-4-city-decides")
    page.locator("#review").get_by_role("button", name="通过", exact=True).click()
    expect(page.locator("#approved")).to_contain_text("45 万元")
    page.fill("#pay_amount", "45")
    page.fill("#reference", "SZCZ-BF-0001")
    page.click("#record-payout")
    expect(page.locator("#paid")).to_contain_text("已拨付")

    log_in(page, "firm_a", PASSWORD)
    page.goto(f"/policy-filings/{filing.pk}/")
    expect(page.locator('#progress [data-stage="pay"]')).to_have_attribute("data-state", "done")
    expect(page.locator("#payouts")).to_contain_text("SZCZ-BF-0001")
    screenshot("policy-5-firm-sees-payout")

    page.context.clear_cookies()
    page.goto("/policies/awards/")
    expect(page.locator("body")).to_contain_text(firm.name)
    expect(page.locator("body")).to_contain_text("深圳市研发投入奖补（测试）")
    expect(page.locator("body")).to_contain_text("45")
    screenshot("policy-6-public-awards")
