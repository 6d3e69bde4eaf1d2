"""A firm opens 我的梯度, raises last year's R&D in the what-if, sees 专精特新 turn to 符合 without a page
reload, and downloads the diagnosis PDF (real browser)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, log_in
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tidu.accounts.models import Membership, Organisation
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def firm_user() -> Any:
    firm = make_climbing_firm(name="深圳市梯度演示制造有限公司")
    user = get_user_model().objects.create_user(username="ladder-staff", password=PASSWORD)
    org = Organisation.objects.create(kind="enterprise", name=firm.name, enterprise=firm)
    Membership.objects.create(user=user, organisation=org)
    return user


def test_a_firm_tries_more_rd_and_downloads_its_diagnosis(
    page: Page, firm_user: Any, screenshot: Callable[[str], Path]
) -> None:
    log_in(page, "ladder-staff")

    page.goto("/ladder/")
    specialized = page.locator('[data-standard="specialized_sme"]')
    expect(specialized).to_have_text("不符合")
    expect(page.locator("svg.radar").first).to_be_visible()
    screenshot("ladder-page")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: tables scroll inside their cards
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("ladder-page-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.evaluate("window.__same_page = true")  # gone if the browser loaded a new page
    page.fill("input[name=rd_y1]", "300")
    page.get_by_role("button", name="重新评估").click()
    expect(page.locator("#what-if-note")).to_be_visible()
    expect(specialized).to_have_text("符合")
    assert page.evaluate("window.__same_page === true"), "htmx swapped the results in place"
    screenshot("ladder-what-if")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载诊断报告（PDF）").click()
    download = download_info.value
    path = download.path()
    assert path is not None
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data
