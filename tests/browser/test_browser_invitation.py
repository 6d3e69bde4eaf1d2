"""An official invites a firm of the register that has no account; the firm opens the e-mailed link,
chooses its login and lands on 我的梯度 (real browser)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import PASSWORD, log_in
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

from tidu.accounts.models import Membership, Organisation
from tidu.core.credit_code import make_credit_code
from tidu.enterprises.models import Enterprise, EnterpriseYear

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def imported_firm() -> Any:
    firm = Enterprise.objects.create(
        credit_code=make_credit_code("440305", "48151623"), name="深圳市待开通精密有限公司", region_id="440305",
        industry_code="C3911", source="import", contact_email="boss@daikaitong.test",
    )
    EnterpriseYear.objects.create(enterprise=firm, fiscal_year=2025, revenue=52_000_000, main_rev=50_000_000,
                                  rd=2_600_000, staff_total=120, employees=120)
    official = get_user_model().objects.create_user(username="nanshan-official", password=PASSWORD)
    org = Organisation.objects.create(kind="government", name="南山区工信局", gov_level="county", region_id="440305")
    Membership.objects.create(user=official, organisation=org)
    return firm


def test_an_invited_firm_sets_its_password_from_the_email_and_sees_its_ladder(
    page: Page, imported_firm: Any, screenshot: Callable[[str], Path], mailoutbox: list[Any],
) -> None:
    log_in(page, "nanshan-official")
    page.goto("/accounts/without-account/")
    page.get_by_role("link", name=imported_firm.name).click()
    account = page.locator("#account")
    expect(account).to_contain_text("未开通")
    expect(account.locator("input[name=email]")).to_have_value("boss@daikaitong.test")
    screenshot("invitation-firm-page")
    account.get_by_role("button", name="发送开通邀请").click()
    expect(page.locator(".messages")).to_contain_text("已向 boss@daikaitong.test 发送开通邀请")
    expect(page.locator("#account")).to_contain_text("已邀请，待开通")

    assert [m.to for m in mail.outbox] == [["boss@daikaitong.test"]]
    link = re.search(r"https?://[^/\s]+(/accounts/activate/[^/\s]+/)", mail.outbox[0].body)
    assert link is not None

    page.context.clear_cookies()
    page.goto(link.group(1))
    expect(page.get_by_role("heading", name="开通企业账号")).to_be_visible()
    expect(page.locator("main")).to_contain_text(imported_firm.name)
    page.fill("input[name=username]", "daikaitong")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "short")
    page.get_by_role("button", name="开通账号").click()
    expect(page.locator(".errorlist")).to_be_visible()  # Django's password validators, in Chinese
    page.fill("input[name=password1]", "Daikaitong-Pass-2026")
    page.fill("input[name=password2]", "Daikaitong-Pass-2026")
    screenshot("invitation-activate")
    page.get_by_role("button", name="开通账号").click()

    expect(page.locator(".nav .who")).to_contain_text("daikaitong")
    expect(page).to_have_url(re.compile(r"/ladder/$"))
    expect(page.get_by_role("heading", name="我的梯度")).to_be_visible()
    screenshot("invitation-my-ladder")

    page.context.clear_cookies()
    page.goto(link.group(1))
    expect(page.locator("main")).to_contain_text("使用过")
