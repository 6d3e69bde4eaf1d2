"""我的政策 and the official's push list in a real browser: a firm finds the policy it is eligible for with
the reasons; the county opens the 免申即享 push list from its menu, sees the firm with the evidence, tells it,
decides the award and records the payout; the award then appears on the public 奖补公示 list.
Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.policies.demo import load_policies

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRM = "南山浏览器高成长科技有限公司"


def test_a_firm_finds_its_policy_and_the_county_pays_it_from_the_push_list(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    admin = make_user("pol_admin", superuser=True)
    load_policies(lambda item: admin)
    firm = make_enterprise("440305", name=FIRM, industry_code="C3484")
    make_year(firm, 2025, revenue=30_000_000, rd=2_000_000, employees=120)
    make_year(firm, 2024, revenue=20_000_000)
    make_user("pol_firm", "enterprise", enterprise=firm)
    make_user("pol_county", "government", level="county", region="440305")

    log_in(page, "pol_firm", PASSWORD)
    page.get_by_role("link", name="我的政策").first.click()
    eligible = page.locator("#eligible")
    card = eligible.locator('article[data-code="ns-high-growth"]')
    expect(card).to_contain_text("南山区高成长企业奖励")
    expect(card).to_contain_text("营业收入同比增长不低于20%")
    expect(card).to_contain_text("免申即享")
    expect(page.locator("#not_eligible")).to_contain_text("南山区创新型中小企业认定奖励")
    page.get_by_role("button", name="订阅新政策提醒").click()
    expect(page.locator(".messages")).to_contain_text("已订阅")
    screenshot("policies-mine")
    card.get_by_role("link", name="南山区高成长企业奖励").click()
    expect(page.locator("#my-verdict")).to_contain_text("符合条件")
    expect(page.locator("#text-conditions")).to_contain_text("无")

    log_in(page, "pol_county", PASSWORD)
    page.get_by_role("link", name="政策兑现").first.click()
    page.locator("#push-lists tr", has_text="南山区高成长企业奖励").get_by_role("link", name="推送名单").click()
    row = page.locator("#push-list tbody tr", has_text=FIRM)
    expect(row).to_contain_text("2024 年度企业数据")
    screenshot("policies-push-list")
    page.get_by_role("button", name="通知名单中尚未通知的企业").click()
    expect(page.locator(".messages")).to_contain_text("已通知 1 家企业")
    row = page.locator("#push-list tbody tr", has_text=FIRM)
    row.get_by_role("button", name="决定兑现").click()
    expect(page.locator(".messages")).to_contain_text("已决定")
    page.locator("#push-list tbody tr", has_text=FIRM).get_by_role("link").click()
    page.fill("input[name=amount_wan]", "20")
    page.fill("input[name=reference]", "NS-ZF-浏览器-1")
    page.get_by_role("button", name="登记拨付").click()
    expect(page.locator(".kv")).to_contain_text("已拨付")
    screenshot("policies-award-paid")

    page.goto("/policies/awards/")
    expect(page.locator("#awards")).to_contain_text(FIRM)
    expect(page.locator("#awards")).to_contain_text("南山区高成长企业奖励")
