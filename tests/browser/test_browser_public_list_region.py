"""A visitor filters the public recognition list by typing a place's name: suggestions come as they
type, and a name (not a code) filters the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tidu.journey.testing import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_filters_the_public_list_by_a_city_name(page: Page, live_server: object) -> None:
    world = build_world()
    for firm in "ACD":  # 深圳南山区, 深圳福田区, 广州天河区
        world.imported_title(firm, days_left=400)

    page.goto("/recognitions/")
    field = page.get_by_label("地区")
    field.press_sequentially("深圳", delay=50)
    expect(page.locator("#region_options option[value='广东省深圳市']")).to_have_count(1)
    expect(page.locator("#region_options option[value='广东省深圳市南山区']")).to_have_count(1)
    page.get_by_role("button", name="查询").click()

    table = page.locator("#recognitions")
    expect(table).to_contain_text("企业A有限公司")
    expect(table).to_contain_text("企业C有限公司")
    expect(table).not_to_contain_text("企业D有限公司")
    expect(page.get_by_label("地区")).to_have_value("深圳")

    page.get_by_label("地区").fill("南山区")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("对应多个地区：黑龙江省鹤岗市南山区（230404）、广东省深圳市南山区（440305）")
    page.get_by_label("地区").fill("广东省深圳市南山区")
    page.get_by_role("button", name="查询").click()
    expect(table).to_contain_text("企业A有限公司")
    expect(table).not_to_contain_text("企业C有限公司")
