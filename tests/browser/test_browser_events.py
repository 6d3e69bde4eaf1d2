"""Matchmaking events in a real browser: a city official creates an event, firms register, the official runs
the optimiser (a background job with its status page) and sees the grid; an SME opens its own schedule with
its check-in QR code. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from tidu.accounts.models import Organisation
from tidu.core.testing import PASSWORD, make_enterprise, make_user
from tidu.events import services
from tidu.events.models import MatchEvent, Meeting
from tidu.events.services import RegistrationInput

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "深圳市融通对接会（浏览器测试）"


def _register_firms(event: MatchEvent) -> None:
    for i, interests in enumerate(("传感器、工业软件", "储能、新能源电池")):
        user = make_user(f"evb_large_{i}", "large")
        Organisation.objects.filter(memberships__user=user).update(name=f"浏览器测试{i}号集团有限公司")
        services.registration_submit(actor=user, event=event, data=RegistrationInput(interests=interests))
    for i, (interests, tier) in enumerate((("传感器、芯片设计", "little_giant"), ("储能", "specialized"),
                                           ("工业软件", ""))):
        firm = make_enterprise("440305", name=f"南山浏览器测试{i}号科技有限公司")
        user = make_user(f"evb_sme_{i}", "enterprise", enterprise=firm)
        Organisation.objects.filter(enterprise=firm).update(name=firm.name)
        services.registration_submit(actor=user, event=event, data=RegistrationInput(interests=interests, tier=tier))


def test_an_official_schedules_an_event_and_a_participant_opens_their_schedule(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    make_user("evb_city", "government", level="city", region="440300")

    log_in(page, "evb_city", PASSWORD)
    page.get_by_role("link", name="对接活动").first.click()
    page.get_by_role("link", name="创建对接活动").click()
    page.locator("#title").fill(TITLE)
    page.locator("#held_on").fill("2026-12-20")
    page.locator("#venue").fill("深圳会展中心")
    page.locator("#slots").fill("3")
    page.locator("#tables").fill("2")
    page.get_by_role("button", name="创建活动").click()
    expect(page.locator("h1")).to_contain_text(TITLE)
    screenshot("events-1-created")

    _register_firms(MatchEvent.objects.get(title=TITLE))
    page.reload()
    expect(page.locator("#registrations")).to_contain_text("大企业 2 家，中小企业 3 家")
    page.get_by_role("button", name="开始排程").click()
    expect(page.locator("body")).to_contain_text("对接活动排程")
    expect(page.locator("body")).to_contain_text("已完成")
    screenshot("events-2-job-done")
    page.goto(f"/events/{MatchEvent.objects.get(title=TITLE).pk}/")
    expect(page.locator("#grid-table")).to_contain_text("南山浏览器测试0号科技有限公司")
    expect(page.locator("#solve-report")).to_contain_text("3 / 3")
    screenshot("events-3-grid")

    mine = Meeting.objects.filter(sme__organisation__enterprise__name="南山浏览器测试0号科技有限公司")
    partner = mine.select_related("large__organisation").first()
    assert partner is not None
    log_in(page, "evb_sme_0", PASSWORD)
    page.get_by_role("link", name="对接活动").first.click()
    page.get_by_role("link", name="我的日程").click()
    expect(page.locator("#schedule-org")).to_contain_text("南山浏览器测试0号科技有限公司")
    expect(page.locator("#my-meetings")).to_contain_text(partner.large.organisation.name)
    expect(page.locator("#my-meetings")).not_to_contain_text("南山浏览器测试1号科技有限公司")
    expect(page.locator("#checkin-qr svg")).to_be_visible()
    screenshot("events-4-my-schedule")
