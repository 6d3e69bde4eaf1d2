"""The event pages as users click through them: create, register, schedule, adjust (refusals in Chinese),
record outcomes."""

from __future__ import annotations

from django.test import Client
from events_support import EWorld

from tidu.core.testing import PASSWORD
from tidu.events import services
from tidu.events.models import EventStatus, MatchEvent, Meeting


def _client(user: object) -> Client:
    c = Client()
    assert c.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return c


def test_an_official_creates_an_event_from_the_form(world: EWorld) -> None:
    city = _client(world.users["city"])
    assert "创建对接活动" in city.get("/events/").content.decode()
    response = city.post("/events/new/", {"title": "南山区专精特新对接会", "region_code": "440305",
                                           "held_on": "2026-12-28", "venue": "南山软件产业基地", "starts_at": "14:00",
                                           "slot_minutes": "15", "slots": "8", "tables": "12"})
    event = MatchEvent.objects.get(title="南山区专精特新对接会")
    assert response.status_code == 302 and response["Location"] == f"/events/{event.pk}/"
    assert (event.slots, event.tables, event.slot_label(1)) == (8, 12, "第2场 14:15–14:30")
    refused = city.post("/events/new/", {"title": "杭州的活动", "region_code": "330106", "held_on": "2026-12-28",
                                          "venue": "西湖", "slots": "4", "tables": "4"})
    assert "您没有执行此操作的权限" in refused.content.decode()
    assert _client(world.users["sme_1"]).get("/events/new/").status_code == 403


def test_a_firm_registers_with_its_interests_and_a_must_meet(world: EWorld) -> None:
    from tidu.core.testing import make_enterprise, make_user

    firm = make_enterprise("440305", name="南山新报名科技有限公司")
    user = make_user("ev_new_sme", "enterprise", enterprise=firm)
    client = _client(user)
    page = client.get(f"/events/{world.event.pk}/").content.decode()  # type: ignore[union-attr]
    assert "报名参加" in page and world.regs["large_b"].organisation.name in page
    client.post(f"/events/{world.event.pk}/register/", {  # type: ignore[union-attr]
        "interests": "储能、新能源电池", "tier": "specialized", "must_meet": [str(world.regs["large_b"].pk)]})
    reg = world.event.registrations.get(organisation__enterprise=firm)  # type: ignore[union-attr]
    assert reg.interests == ["储能", "新能源电池"] and reg.side == "sme" and reg.tier == "specialized"
    assert list(reg.must_meet.all()) == [world.regs["large_b"]]
    assert "已以中小企业身份报名" in client.get(f"/events/{world.event.pk}/").content.decode()  # type: ignore[union-attr]


def test_the_official_schedules_then_a_conflicting_move_shows_the_chinese_refusal(world: EWorld) -> None:
    city = _client(world.users["city"])
    response = city.post(f"/events/{world.event.pk}/solve/")  # type: ignore[union-attr]
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = city.get(f"/events/{world.event.pk}/").content.decode()  # type: ignore[union-attr]
    assert "洽谈安排表" in page and "有洽谈的中小企业" in page
    meetings = list(Meeting.objects.filter(event=world.event))
    m, other = next((a, b) for a in meetings for b in meetings if a.large_id == b.large_id and a.slot != b.slot)
    after = city.post(f"/events/{world.event.pk}/meetings/move/",  # type: ignore[union-attr]
                      {"meeting": m.pk, "slot": other.slot, "table": other.table}, follow=True).content.decode()
    assert f"在第{other.slot + 1}时段已有洽谈安排，同一时段不能安排两场" in after
    m.refresh_from_db()
    assert m.source == "solver"


def test_outcomes_are_recorded_from_the_page(world: EWorld) -> None:
    services.schedule_submit(actor=world.users["city"], event=world.event)
    first = Meeting.objects.filter(event=world.event).order_by("pk").first()
    assert first is not None
    _client(world.users["city"]).post(f"/events/{world.event.pk}/outcome/", {  # type: ignore[union-attr]
        "held": [str(first.pk)], f"follow_up_{first.pk}": "下周寄送样品", "summary": "签约意向2项"})
    first.refresh_from_db()
    world.event.refresh_from_db()  # type: ignore[union-attr]
    assert first.held is True and first.follow_up == "下周寄送样品"
    assert world.event.status == EventStatus.FINISHED and world.event.outcome.summary == "签约意向2项"  # type: ignore[union-attr]
