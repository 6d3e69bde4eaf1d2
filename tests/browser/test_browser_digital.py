"""A firm completes the digital-level questionnaire in a real browser (saving a draft half way), sees
its level and diagnosis, opens its sub-industry path and gets recommended AI scenarios with reasons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, log_in
from django.contrib.auth import get_user_model
from playwright.sync_api import Locator, Page, expect

from tidu.accounts.models import Membership, Organisation
from tidu.digital.models import Assessment
from tidu.enterprises.models import Enterprise
from tidu.scenarios.services import library_seed_samples

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def firm_user() -> Any:
    firm = Enterprise.objects.create(
        credit_code="91440305MA5DABCD1X", name="深圳市演示精密机械有限公司", region_id="440305", industry_code="C3484"
    )
    library_seed_samples()
    user = get_user_model().objects.create_user(username="firm-digital", password=PASSWORD)
    org = Organisation.objects.create(kind="enterprise", name=firm.name, enterprise=firm)
    Membership.objects.create(user=user, organisation=org)
    return user


def answer_best(question: Locator) -> None:
    """Tick every measure (not "none"), or the last choice: the questionnaire lists options from low to high."""
    boxes = question.locator("input[type=checkbox]")
    if boxes.count():
        for i in range(1, boxes.count()):
            boxes.nth(i).check()
    else:
        question.locator("input[type=radio]").last.check()


def test_a_firm_completes_the_questionnaire_sees_its_level_path_and_recommendations(
    page: Page, firm_user: Any, screenshot: Callable[[str], Path]
) -> None:
    log_in(page, "firm-digital")

    page.goto("/digital/")
    page.get_by_role("link", name="开始评测").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("制造业数字化水平评测表（2024年版）")
    questions = page.locator(".question")
    total = questions.count()
    assert total == 31
    for i in range(total // 2):
        answer_best(questions.nth(i))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("草稿已保存")
    expect(page.locator("main")).to_contain_text(f"已答 {total // 2} / {total} 题")

    page.get_by_role("button", name="提交评测").click()  # half answered: refused, no level
    expect(page.get_by_role("alert")).to_contain_text("全部作答后才能得出等级")
    for i in range(total // 2, total):
        answer_best(page.locator(".question").nth(i))
    screenshot("digital-questionnaire")
    page.get_by_role("button", name="提交评测").click()

    expect(page.locator("#level")).to_have_text("四级")
    expect(page.locator("main")).to_contain_text("总分 100.00 分")
    expect(page.locator("main")).to_contain_text("已达到最高等级")
    expect(page.locator("main")).to_contain_text("没有明显的薄弱环节")
    expect(page.locator(".peer").first).to_contain_text("暂不显示对比")
    screenshot("digital-result")
    assert Assessment.objects.get(status="submitted").level == 4

    page.get_by_role("link", name="查看本行业转型路径").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("通用设备制造")
    expect(page.locator(".stage.current")).to_contain_text("4级")
    expect(page.locator(".tag.sample").first).to_have_text("示例")
    screenshot("digital-path")

    page.get_by_role("link", name="为我推荐场景").click()
    page.fill("textarea[name=pain]", "急单插单太多，Excel排不过来，老是延期交货")
    page.get_by_role("button", name="推荐").click()
    first = page.locator(".scenario").first
    expect(first).to_contain_text("智能排产与动态调度")
    expect(first.locator(".reasons")).to_contain_text("与您描述的问题相关")
    expect(first.locator(".reasons")).to_contain_text("适用于您的行业（C3484")
    screenshot("digital-recommendations")
