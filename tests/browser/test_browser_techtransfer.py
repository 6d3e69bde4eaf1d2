"""Technology transfer in a real browser: a platform lists an achievement, a firm finds it and requests a
transfer, the platform accepts, records the transfer, and the count on its page goes from 0 to 1.
Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD, make_enterprise, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "精密零部件激光焊接工艺"
FIRM = "深圳浏览器成果受让测试有限公司"


def test_a_platform_lists_an_achievement_a_firm_requests_it_and_the_transfer_is_counted(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    firm = make_enterprise("440305", name=FIRM, industry_code="C3484")
    make_user("tt_firm", "enterprise", enterprise=firm)
    make_user("tt_platform", "innovation")

    log_in(page, "tt_platform", PASSWORD)
    page.get_by_role("link", name="成果转化工作台").click()
    expect(page.locator("#count-transfers")).to_contain_text("0 项")
    page.get_by_role("link", name="新增科技成果").click()
    page.get_by_label("成果名称").fill(TITLE)
    page.get_by_label("成果类型").select_option("process")
    page.get_by_label("技术领域").select_option("manufacturing")
    page.get_by_label("成熟度").select_option("industrial")
    page.get_by_label("成果简介").fill("面向不锈钢薄壁精密零部件的激光焊接工艺包，焊缝变形小于0.05毫米。")
    page.get_by_label("关键词").fill("激光焊接 薄壁")
    page.get_by_label("适用行业代码").fill("C34")
    page.get_by_label("许可", exact=True).check()
    page.get_by_label("参考价下限（万元）").fill("30")
    page.get_by_label("参考价上限（万元）").fill("80")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#achievement-status")).to_contain_text("草稿")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#achievement-status")).to_contain_text("已发布")
    screenshot("techtransfer-1-platform-lists")

    log_in(page, "tt_firm", PASSWORD)
    page.get_by_role("link", name="科技成果", exact=True).click()
    expect(page.locator("#suggestions")).to_contain_text(TITLE)  # matched to the firm's industry, with reasons
    expect(page.locator("#suggestions")).to_contain_text("适用于贵企业所属行业")
    page.locator("#q").fill("激光焊接")
    page.get_by_role("button", name="检索").click()
    page.locator("#achievements").get_by_role("link", name=TITLE).click()
    expect(page.locator("#achievement-title")).to_have_text(TITLE)
    page.get_by_label("需求说明").fill("两条阀门产线想试用该焊接工艺，先许可一年。")
    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("联系电话").fill("13800000000")
    screenshot("techtransfer-2-firm-requests")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#request-status")).to_contain_text("待回复")

    log_in(page, "tt_platform", PASSWORD)
    page.get_by_role("link", name="成果转化工作台").click()
    page.locator("#platform-requests").get_by_role("link", name=FIRM).click()
    page.locator("#reply").fill("已安排工程师面谈。")
    page.get_by_role("button", name="接洽").click()
    expect(page.locator("#request-status")).to_contain_text("洽谈中")
    page.get_by_role("link", name="登记成果转化").click()
    page.get_by_label("合同金额（万元）").fill("50")
    page.get_by_label("合同编号").fill("2026440305000777")
    page.get_by_label("签约日期").fill("2026-11-20")
    page.get_by_label("合同佐证").fill("技术合同认定登记号 2026440305000777")
    page.get_by_role("button", name="登记").click()
    expect(page.locator("#count-transfers")).to_contain_text("1 项（其中已核实 0 项）")
    expect(page.locator("#platform-transfers")).to_contain_text(FIRM)
    screenshot("techtransfer-3-transfer-counted")

    log_in(page, "tt_firm", PASSWORD)
    page.goto("/techtransfer/requests/")
    expect(page.locator("#requests")).to_contain_text("已成交")
