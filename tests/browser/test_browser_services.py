"""The service list in a real browser: a firm finds a service of its region and requests it; the provider
accepts it and marks it done from its workbench; the firm rates it and the offer shows the average.
Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD, make_enterprise, make_user
from tidu.service_catalog import services
from tidu.service_catalog.services import OfferInput, ProviderInput

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "专精特新申报辅导"


def _listed_offer() -> None:
    firm = make_enterprise("440305", name="深圳浏览器服务测试有限公司")
    make_user("svc_firm", "enterprise", enterprise=firm)
    provider_user = make_user("svc_provider", "provider")
    city = make_user("svc_city", "government", level="city", region="440300")
    provider = services.provider_profile_save(
        actor=provider_user,
        data=ProviderInput(region_code="440305", intro="梯度培育辅导机构", contact_phone="0755-26000000"),
    )
    services.provider_decide(actor=city, provider=provider, approve=True)
    offer = services.offer_save(
        actor=provider_user,
        data=OfferInput(
            title=TITLE,
            category="cultivation",
            description="对照认定标准逐项体检。",
            how_to_request="在线提交需求。",
            response_days=3,
            region_codes=["440300"],
        ),
    )
    services.offer_submit(actor=provider_user, offer=offer)
    services.offer_decide(actor=city, offer=offer, approve=True)


def test_a_firm_requests_a_service_the_provider_answers_and_the_firm_rates_it(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    _listed_offer()

    log_in(page, "svc_firm", PASSWORD)
    page.get_by_role("link", name="服务清单").first.click()
    page.select_option("#category", "cultivation")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#offer-title")).to_have_text(TITLE)
    page.get_by_label("服务需求").fill("今年准备申报专精特新，想先做一次体检。")
    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("联系电话").fill("13800000000")
    screenshot("services-1-firm-requests")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#request-status")).to_contain_text("待响应")
    expect(page.locator("#request-timeliness")).to_contain_text("待响应")

    log_in(page, "svc_provider", PASSWORD)
    page.get_by_role("link", name="服务工作台").click()
    page.get_by_role("link", name="深圳浏览器服务测试有限公司").click()
    page.locator("#provider-text").fill("已受理，顾问明天电话联系。")
    page.get_by_role("button", name="受理").click()
    expect(page.locator("#request-status")).to_contain_text("服务中")
    page.locator("#provider-text").fill("已完成体检，报告已发送。")
    page.get_by_role("button", name="标记完成").click()
    expect(page.locator("#request-status")).to_contain_text("已完成")
    screenshot("services-2-provider-done")

    log_in(page, "svc_firm", PASSWORD)
    page.goto("/services/requests/")
    page.get_by_role("link", name="去评价").click()
    expect(page.locator("#messages")).to_contain_text("已完成体检，报告已发送。")
    page.get_by_label("5 分").check()
    page.get_by_label("评价（选填）").fill("专业、及时。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating")).to_contain_text("5 分")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("#offer-rating")).to_contain_text("5.0")
    expect(page.locator("#ratings")).to_contain_text("专业、及时。")
    screenshot("services-3-rated")
