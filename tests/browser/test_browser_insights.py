"""A province official opens 梯度看板, sees the charts drawn, drills province → city → county, and exports a
chart to Excel (real browser)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.insights.services import refresh_standings

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def province_official() -> Any:
    for region, n in (("440305", 7), ("440304", 6), ("440106", 5)):
        for i in range(n):
            firm = make_enterprise(region, name=f"看板企业{region}-{i}")
            for fy in (2024, 2025):
                make_year(firm, fy, cert_innovative_valid=i % 2 == 0, invention_patent_count=i)
    refresh_standings()
    return make_user("insights-province", "government", level="province", region="440000")


def test_an_official_drills_from_province_to_county_and_exports_a_chart(
    page: Page, province_official: Any, screenshot: Callable[[str], Path]
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, "insights-province", PASSWORD)
    page.get_by_role("link", name="梯度看板").first.click()
    expect(page.locator("h1")).to_have_text("广东省梯度看板")
    expect(page.locator('[data-chart="pyramid"] canvas')).to_be_visible()  # ECharts drew it
    expect(page.locator('[data-chart="by_region"] canvas')).to_be_visible()
    screenshot("insights-province")

    page.locator("#chart-by_region .drill").get_by_role("link", name="深圳市").click()
    expect(page.locator("h1")).to_have_text("深圳市梯度看板")
    expect(page.locator(".crumbs")).to_contain_text("广东省")
    page.locator("#chart-by_region .drill").get_by_role("link", name="南山区").click()
    expect(page.locator("h1")).to_have_text("南山区梯度看板")
    expect(page.locator("#chart-by_region .drill")).to_have_count(0)  # a county is the last level
    screenshot("insights-county")

    with page.expect_download() as download_info:
        page.locator("#chart-pyramid").get_by_role("link", name="导出Excel").click()
    data = Path(download_info.value.path()).read_bytes()
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("梯度金字塔") and "南山区" in rows[0][0]
    counts = {r[0]: r[1] for r in rows[2:6]}
    assert sum(counts.values()) == 7  # the seven firms of 南山区 in the latest year
    assert errors == []
