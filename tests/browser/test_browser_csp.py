"""The Content-Security-Policy in a real browser (decision 0104): a firm, a county official and a service provider
walk their key pages, use what runs on JavaScript (the language switcher, an htmx what-if, the 梯度看板's ECharts
and its tooltip, a filter that submits on change, Swagger UI) and the browser reports not one
`securitypolicyviolation`. The policy refuses inline code outright, so a page that broke it would lose its
behaviour without any server error; only the browser can tell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tidu.accounts.models import Membership, Organisation
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.insights.services import refresh_standings
from tidu.ladder.testing import make_climbing_firm
from tidu.service_catalog import services
from tidu.service_catalog.services import ProviderInput

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Runs in every document before its own scripts: each violation is kept on window for the test to read.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
"""


class Watch:
    """Violations and script errors seen on each page, read before the page is left."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seen: list[str] = []
        self.pages = 0
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("pageerror", lambda error: self.seen.append(f"{page.url}: script error {error}"))
        page.on("console", lambda msg: self.seen.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        self.seen += [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__cspViolations || []")]
        self.pages += 1

    def visit(self, path: str) -> None:
        self.page.goto(path)
        self.check()


@pytest.fixture
def people() -> dict[str, Any]:
    firm = make_climbing_firm(name="深圳市内容安全策略演示有限公司")
    user = get_user_model().objects.create_user(username="csp-firm", password=PASSWORD)
    Membership.objects.create(user=user, organisation=Organisation.objects.create(
        kind="enterprise", name=firm.name, enterprise=firm))
    for i in range(6):
        other = make_enterprise("440305", name=f"策略看板企业{i}")
        for fy in (2024, 2025):
            make_year(other, fy, cert_innovative_valid=i % 2 == 0, invention_patent_count=i)
    refresh_standings()
    county = make_user("csp-county", "government", level="county", region="440305")
    provider_user = make_user("csp-provider", "provider")
    provider = services.provider_profile_save(
        actor=provider_user,
        data=ProviderInput(region_code="440305", intro="梯度培育辅导机构", contact_phone="0755-26000000"),
    )
    city = make_user("csp-city", "government", level="city", region="440300")
    services.provider_decide(actor=city, provider=provider, approve=True)
    return {"firm": user, "county": county, "provider": provider_user}


def test_key_pages_of_a_firm_an_official_and_a_provider_break_no_policy(
    page: Page, people: dict[str, Any], screenshot: Callable[[str], Path]
) -> None:
    watch = Watch(page)

    # anonymous: the home page, and the language switcher submits on change (tidu.js, no inline handler)
    watch.visit("/")
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".nav")).to_contain_text("Log in")
    watch.check()
    page.locator("select[name=language]").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    watch.check()

    # a firm: home, 我的梯度 with an htmx what-if swapped in place, the needs and the service list
    log_in(page, "csp-firm", PASSWORD)
    watch.check()
    watch.visit("/ladder/")
    expect(page.locator("svg.radar").first).to_be_visible()
    page.fill("input[name=rd_y1]", "300")
    page.get_by_role("button", name="重新评估").click()
    expect(page.locator("#what-if-note")).to_be_visible()
    watch.check()
    for path in ("/", "/needs/", "/services/", "/recognitions/"):
        watch.visit(path)
    with page.expect_response(lambda r: "/options/areas/" in r.url):  # htmx looks the region up as one types
        page.locator("#region").press_sequentially("南山")
    expect(page.locator("#region_options option").first).to_be_attached()
    watch.check()

    # a county official: 梯度看板 drawn by ECharts, its tooltip shown, the review queue's htmx filter
    log_in(page, "csp-county", PASSWORD)
    watch.visit("/insights/")
    chart = page.locator('[data-chart="by_region"] canvas').first
    expect(chart).to_be_visible()
    expect(page.locator('[data-chart="pyramid"] canvas').first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    before = chart.evaluate("canvas => canvas.toDataURL()")
    chart.hover(position={"x": box["width"] * 0.3, "y": box["height"] * 0.6})
    chart.hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.6})  # the axis tooltip follows
    page.wait_for_function("([el, before]) => el.toDataURL() !== before", arg=[chart.element_handle(), before])
    # drawn on the canvas (renderMode richText), not as HTML with style attributes the policy refuses
    assert page.locator('[data-chart="by_region"] div[style*="z-index"]').count() == 0
    screenshot("csp-insights-tooltip")
    watch.check()
    watch.visit("/journey/queue/")
    watch.visit("/oversight/needs/")
    watch.visit("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("梯度 Tidu API", timeout=60_000)
    watch.check()

    # a provider: its workbench, whose status filter submits on change
    log_in(page, "csp-provider", PASSWORD)
    watch.visit("/provider/")
    page.locator("select#status").select_option(index=1)
    expect(page).to_have_url(re.compile(r"[?&]status=\w"))
    watch.check()

    assert watch.seen == []
    assert watch.pages >= 15
