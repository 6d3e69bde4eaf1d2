"""A firm's staff member logs in, changes a yearly figure in 万元 and sees it saved (real browser)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, log_in
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tidu.accounts.models import Membership, Organisation
from tidu.enterprises.models import Enterprise, EnterpriseYear

# The live server runs in another thread: data must be committed, and the regions loaded by the
# migrations are restored after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def firm_user() -> Any:
    firm = Enterprise.objects.create(
        credit_code="91440305MA5DABCD1X", name="深圳市演示精密制造有限公司", region_id="440305", industry_code="C3911"
    )
    EnterpriseYear.objects.create(enterprise=firm, fiscal_year=2024, revenue=12_345_000, main_rev=10_000_000)
    user = get_user_model().objects.create_user(username="firm-staff", password=PASSWORD)
    org = Organisation.objects.create(kind="enterprise", name=firm.name, enterprise=firm)
    Membership.objects.create(user=user, organisation=org)
    return user


def test_a_firm_user_changes_a_yearly_figure_and_sees_it_saved(
    page: Page, firm_user: Any, screenshot: Callable[[str], Path]
) -> None:
    log_in(page, "firm-staff")
    page.goto("/firm/")
    expect(page.get_by_role("cell", name="1,234.5", exact=True)).to_be_visible()

    page.get_by_role("row", name="2024").get_by_role("link", name="修改").click()
    revenue = page.locator("input[name=revenue]")
    expect(revenue).to_have_value("1234.5")
    revenue.fill("2345.6789")
    screenshot("firm-year-form")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".messages")).to_contain_text("2024年度数据已保存")
    expect(page.get_by_role("cell", name="2,345.6789", exact=True)).to_be_visible()
    screenshot("firm-year-saved")
    assert EnterpriseYear.objects.get(fiscal_year=2024).revenue == 23_456_789
