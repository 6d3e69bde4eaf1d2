"""发榜/揭榜 in a real browser: a large firm publishes a need, an SME responds sharing one figure, the owner
selects it and records contract and acceptance, and the official's funnel follows each step.
Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from django.utils import timezone
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "协作机器人精密减速器国产化（浏览器测试）"


def _funnel(page: Page) -> list[str]:
    page.goto("/oversight/needs/")
    return page.locator("#funnel li strong").all_inner_texts()


def test_publish_respond_select_contract_accept_and_the_funnel_follows(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    firm = make_enterprise("440305", name="深圳浏览器谐波传动有限公司", industry_code="C3453")
    make_year(firm, 2025, employees=186, revenue=123_450_000)
    make_user("bn_firm", "enterprise", enterprise=firm)
    make_user("bn_large", "large")
    make_user("bn_county", "government", level="county", region="440305")
    today = timezone.localdate()

    # the large firm publishes
    log_in(page, "bn_large", PASSWORD)
    page.get_by_role("link", name="大企业需求").first.click()
    page.locator("#new-need").click()
    page.fill("#id_title", TITLE)
    page.select_option("#id_field", "robotics")
    page.fill("#id_description", "装配线协作机器人关节减速器依赖进口，寻求国产谐波减速器配套。")
    page.fill("#id_indicators", "传动误差不大于 1 弧分；背隙不大于 10 弧秒。")
    page.fill("#id_budget_min_wan", "200")
    page.fill("#id_budget_max_wan", "500")
    page.fill("#id_deadline", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#id_region_code", "440305")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#need-status")).to_have_text("草稿")
    page.locator("#publish").click()
    expect(page.locator("#need-status")).to_have_text("征集中")
    expect(page.locator("#need-budget")).to_contain_text("200～500 万元")
    screenshot("needs-1-published")

    # the SME finds it and responds, sharing its headcount only
    log_in(page, "bn_firm", PASSWORD)
    page.get_by_role("link", name="大企业需求").first.click()
    page.get_by_role("link", name=TITLE).first.click()
    page.locator("#respond").click()
    page.fill("#id_solution", "柔轮采用新型合金的谐波减速器，分样机、小批量、批量三阶段交付。")
    page.fill("#id_team", "总工程师牵头，研发工程师 8 人。")
    page.get_by_label("从业人员数（人）").check()
    page.get_by_role("button", name="提交方案").click()
    expect(page.locator("#response-status")).to_contain_text("已提交")
    screenshot("needs-2-responded")

    log_in(page, "bn_county", PASSWORD)
    assert _funnel(page) == ["1", "1", "0", "0", "0"]

    # the owner reads it (only the shared figure), selects it, records contract and acceptance
    log_in(page, "bn_large", PASSWORD)
    page.goto("/needs/mine/")
    page.get_by_role("link", name=TITLE).click()
    page.locator("#responses").get_by_role("link", name="深圳浏览器谐波传动有限公司").click()
    expect(page.locator("#shared-figures")).to_contain_text("186")
    expect(page.locator("#shared-figures")).not_to_contain_text("营业收入")
    page.locator("#select").click()
    expect(page.locator("#response-status")).to_contain_text("已选定")
    page.fill("#id_contract-signed_on", today.isoformat())
    page.fill("#id_contract-amount_wan", "320")
    page.get_by_role("button", name="登记合同").click()
    expect(page.locator("#contract-date")).to_have_text(today.isoformat())
    page.select_option("#id_acceptance-passed", "1")
    page.fill("#id_acceptance-on", today.isoformat())
    page.fill("#id_acceptance-note", "指标全部达标")
    page.get_by_role("button", name="记录验收").click()
    expect(page.locator("#acceptance")).to_contain_text("验收通过")
    screenshot("needs-3-accepted")

    # the SME follows its response; the official's funnel shows every step
    log_in(page, "bn_firm", PASSWORD)
    page.goto("/needs/mine/")
    expect(page.locator("#my-responses")).to_contain_text("验收通过")
    log_in(page, "bn_county", PASSWORD)
    assert _funnel(page) == ["1", "1", "1", "1", "1"]
    expect(page.locator("#funnel-by-field")).to_contain_text("高档数控机床和机器人")
    screenshot("needs-4-funnel")
