"""Dates that stay right: a publicity end counted by weekends only (its year's holidays unpublished)
moves when an administrator enters the holidays, and its officials are told; officials choose the
first day of publicity (a working day, not in the past); no two notices share a title; a round whose
deadline has passed is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tidu.core.models import AuditEvent
from tidu.journey import services
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import ApplicationRound, CalendarDay, Publicity, Tier
from tidu.journey.testing import World
from tidu.notifications.models import Notification

D = dt.date
MONDAY = D(2026, 11, 30)  # "today" in these tests: the services take the clock as a parameter


def publish(world: World, **kwargs: object) -> Publicity:
    kwargs.setdefault("today", MONDAY)
    return services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                      **kwargs)  # type: ignore[arg-type]


def refused(code: JourneyCode, call: object, *args: object, **kwargs: object) -> JourneyError:
    with pytest.raises(JourneyError) as exc:
        call(*args, **kwargs)  # type: ignore[operator]
    assert exc.value.journey_code == code, exc.value.message
    return exc.value


# ---- a provisional end moves when the holidays are entered ------------------------------------------


@pytest.mark.django_db
def test_a_provisional_end_moves_when_the_new_years_holiday_is_entered_and_the_officials_are_told(
        world: World) -> None:
    world.approved("A")
    pub = publish(world, starts_on=D(2026, 12, 28))  # 7 working days (专精特新 default) into 2027
    assert (pub.ends_on, pub.end_provisional) == (D(2027, 1, 5), True)  # 1 January counted as a working day

    moves = services.calendar_day_set(actor=world.users["admin"], day=D(2027, 1, 1), is_workday=False, note="元旦")

    pub.refresh_from_db()
    assert (pub.ends_on, pub.end_provisional) == (D(2027, 1, 6), False)
    assert [(m.old_end, m.new_end) for m in moves] == [(D(2027, 1, 5), D(2027, 1, 6))]
    event = AuditEvent.objects.get(action="journey.publicity.reschedule")
    assert event.data["ends_on"] == {"old": "2027-01-05", "new": "2027-01-06"}
    assert event.data["provisional"] == {"old": True, "new": False}
    assert AuditEvent.objects.filter(action="journey.calendar.save").count() == 1
    told = Notification.objects.filter(title__contains="公示截止日期调整")
    assert {n.recipient.username for n in told} == {"province"}  # the publisher, the province's official
    assert "2027-01-05" in told[0].body and "2027-01-06" in told[0].body
    assert not Notification.objects.filter(recipient=world.users["province_zj"], title__contains="公示截止").exists()


@pytest.mark.django_db
def test_the_admin_table_of_holidays_moves_the_end_and_removing_the_entry_moves_it_back(world: World) -> None:
    world.approved("A")
    pub = publish(world, starts_on=D(2026, 12, 28))
    admin = world.client("admin")

    response = admin.post("/admin/journey/calendarday/add/", {"day": "2027-01-01", "is_workday": "", "note": "元旦"},
                          follow=True)

    assert response.status_code == 200
    assert "2027-01-06" in response.content.decode()  # the administrator sees which publicity moved
    pub.refresh_from_db()
    assert (pub.ends_on, pub.end_provisional) == (D(2027, 1, 6), False)

    entry = CalendarDay.objects.get()
    admin.post(f"/admin/journey/calendarday/{entry.pk}/delete/", {"post": "yes"})

    pub.refresh_from_db()
    assert not CalendarDay.objects.exists()
    assert (pub.ends_on, pub.end_provisional) == (D(2027, 1, 5), True)
    assert AuditEvent.objects.filter(action="journey.publicity.reschedule").count() == 2
    assert AuditEvent.objects.filter(action="journey.calendar.delete").count() == 1


@pytest.mark.django_db
def test_a_decided_publicity_keeps_its_dates_and_only_administrators_enter_holidays(world: World) -> None:
    world.approved("A")
    pub = publish(world, starts_on=D(2026, 12, 28))
    Publicity.objects.filter(pk=pub.pk).update(status="decided")

    assert services.calendar_day_set(actor=world.users["admin"], day=D(2027, 1, 1), is_workday=False) == []
    pub.refresh_from_db()
    assert pub.ends_on == D(2027, 1, 5)
    with pytest.raises(Exception) as exc:
        services.calendar_day_set(actor=world.users["province"], day=D(2027, 1, 4), is_workday=False)
    assert getattr(exc.value, "code", None) == "permission_denied"
    assert world.client("province").get("/admin/journey/calendarday/add/").status_code in (302, 403)


# ---- officials choose the start ---------------------------------------------------------------------


@pytest.mark.django_db
def test_officials_choose_the_start_and_the_default_is_the_next_working_day(world: World) -> None:
    world.approved("A")
    assert services.publicity_default_start(D(2026, 9, 30)) == D(2026, 10, 8)  # after the National Day week
    assert services.publicity_default_start(D(2026, 12, 4)) == D(2026, 12, 7)  # Friday → Monday

    pub = publish(world, starts_on=D(2026, 12, 2))

    assert (pub.starts_on, pub.ends_on) == (D(2026, 12, 2), D(2026, 12, 10))
    world.approved("B")
    assert publish(world).starts_on == D(2026, 12, 1)  # nothing chosen: the next working day


@pytest.mark.django_db
@pytest.mark.parametrize(("starts_on", "code", "words"), [
    (D(2026, 11, 27), JourneyCode.PUBLICITY_START_PAST, "早于今天"),
    (D(2026, 12, 5), JourneyCode.PUBLICITY_START_NOT_WORKDAY, "2026-12-07"),  # a Saturday: Monday is offered
    (D(2027, 2, 17), JourneyCode.PUBLICITY_START_NOT_WORKDAY, "不是工作日"),  # entered Spring Festival
])
def test_a_past_or_non_working_start_is_refused_naming_the_field(world: World, starts_on: dt.date,
                                                                  code: JourneyCode, words: str) -> None:
    CalendarDay.objects.create(day=D(2027, 2, 17), is_workday=False, note="春节")
    world.approved("A")
    error = refused(code, publish, world, starts_on=starts_on)
    assert error.field == "starts_on" and words in error.message
    assert not Publicity.objects.exists()


@pytest.mark.django_db
def test_the_rounds_page_offers_the_next_working_day_and_refuses_a_weekend(world: World) -> None:
    world.approved("A")
    client = world.client("province")
    rnd = world.rounds[Tier.SPECIALIZED_SME]
    page = client.get("/journey/rounds/").content.decode()
    assert f'name="starts_on" value="{services.publicity_default_start():%Y-%m-%d}"' in page

    response = client.post(f"/journey/rounds/{rnd.pk}/publicity/", {"starts_on": "2030-01-05", "title": ""},
                           follow=True)  # a Saturday

    assert "不是工作日" in response.content.decode()
    assert not Publicity.objects.exists()


# ---- titles -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_notices_may_not_share_a_title(world: World) -> None:
    world.approved("A")
    first = publish(world, starts_on=D(2026, 12, 1), title="广东省2026年专精特新中小企业拟认定名单公示")
    world.approved("B")

    error = refused(JourneyCode.PUBLICITY_TITLE_TAKEN, publish, world, starts_on=D(2026, 12, 2),
                    title=" 广东省2026年专精特新中小企业拟认定名单公示 ")

    assert error.field == "title" and "2026-12-01" in error.message and error.status == 409
    response = world.client("province").post(
        f"/journey/rounds/{first.round_id}/publicity/",
        {"starts_on": services.publicity_default_start().isoformat(), "title": first.title}, follow=True)
    assert "已被" in response.content.decode() and Publicity.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Publicity.objects.create(round=first.round, title=first.title, starts_on=first.starts_on,
                                 ends_on=first.ends_on, working_days=1)
    second = publish(world, starts_on=D(2026, 12, 2))  # no title given: a free one from the round's name
    assert second.title == f"{first.round.name}拟认定名单公示"
    world.approved("C")
    assert publish(world, starts_on=D(2026, 12, 3)).title == f"{first.round.name}拟认定名单公示（第2次）"


@pytest.mark.django_db
def test_a_title_a_spreadsheet_would_run_as_a_formula_is_refused(world: World) -> None:
    world.approved("A")
    error = refused(JourneyCode.PUBLICITY_TITLE_INVALID, publish, world, title="=HYPERLINK(\"http://x\")")
    assert error.field == "title"


# ---- rounds -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_round_whose_deadline_has_passed_is_refused(world: World) -> None:
    before = ApplicationRound.objects.count()
    error = refused(JourneyCode.ROUND_DEADLINE_PAST, services.round_open, actor=world.users["province"],
                    name="过去的批次", tier=Tier.INNOVATIVE_SME, region_code="440000",
                    opens_on=D(2026, 1, 5), deadline=D(2026, 2, 5), today=MONDAY)
    assert error.field == "deadline" and "2026-02-05" in error.message and "早于今天" in error.message
    error = refused(JourneyCode.DATES_INVALID, services.round_open, actor=world.users["province"], name="颠倒",
                    tier=Tier.INNOVATIVE_SME, region_code="440000", opens_on=D(2027, 3, 1), deadline=D(2027, 2, 1),
                    today=MONDAY)
    assert error.field == "deadline" and "早于开始受理日期" in error.message
    assert ApplicationRound.objects.count() == before


@pytest.mark.django_db
def test_the_page_and_the_api_refuse_a_round_dated_in_the_past(world: World) -> None:
    before = ApplicationRound.objects.count()
    response = world.client("province").post("/journey/rounds/", {
        "name": "补录批次", "tier": Tier.INNOVATIVE_SME, "region": "440000",
        "opens_on": "2020-01-01", "deadline": "2020-03-01"}, follow=True)
    assert "早于今天" in response.content.decode()
    api = world.bearer("province").post("/api/v1/journey/rounds", {
        "name": "补录批次", "tier": Tier.INNOVATIVE_SME, "region_code": "440000",
        "opens_on": "2020-01-01", "deadline": "2020-03-01"}, content_type="application/json")
    assert api.status_code == 400
    assert api.json()["code"] == "round_deadline_past" and api.json()["field"] == "deadline"
    assert ApplicationRound.objects.count() == before


@pytest.mark.django_db
def test_the_api_publishes_with_a_chosen_start_and_title_and_refuses_a_weekend(world: World) -> None:
    world.approved("A")
    rnd = world.rounds[Tier.SPECIALIZED_SME]
    api = world.bearer("province")
    url = f"/api/v1/journey/rounds/{rnd.pk}/publicity"
    weekend = api.post(url, {"starts_on": "2030-01-05"}, content_type="application/json")
    assert weekend.status_code == 400 and weekend.json()["code"] == "publicity_start_not_workday"
    start = services.publicity_default_start()
    ok = api.post(url, {"starts_on": str(start), "title": "广东省专精特新公示（API）"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["starts_on"] == str(start)
    assert Publicity.objects.get().title == "广东省专精特新公示（API）"
