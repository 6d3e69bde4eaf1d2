"""Publicity runs N Chinese working days (holidays and adjusted working weekends counted), N set per
jurisdiction; anyone may object while it runs; officials resolve objections, then recognise."""

from __future__ import annotations

import datetime as dt

import pytest

from tidu.journey import services
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import AppStatus, CalendarDay, Objection, PublicitySetting, Recognition, Tier
from tidu.journey.testing import World
from tidu.journey.workdays import working_period

D = dt.date


def test_publicity_across_national_day_skips_the_holiday_and_counts_the_adjusted_saturday() -> None:
    # 2026: 1–7 Oct off; Saturday 10 Oct is a working day. From Wed 30 Sep, five working days are
    # 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct, Mon 12 Oct.
    period = working_period(D(2026, 9, 30), 5)
    assert period.ends_on == D(2026, 10, 12)
    assert not period.provisional
    assert working_period(D(2026, 9, 30), 4).ends_on == D(2026, 10, 10)  # ends on the worked Saturday


def test_a_period_starting_on_a_holiday_begins_counting_after_it() -> None:
    assert working_period(D(2026, 10, 3), 1).ends_on == D(2026, 10, 8)


def test_a_period_reaching_a_year_without_a_holiday_notice_is_provisional_and_does_not_crash() -> None:
    period = working_period(D(2026, 12, 28), 7)  # 2027 is unknown to chinesecalendar 1.11.0
    assert period.provisional
    assert period.ends_on == D(2027, 1, 5)  # weekends only: 28–31 Dec, 1 (Fri), 4, 5 Jan


def test_an_administrators_entries_make_the_unknown_year_known() -> None:
    overrides = {D(2027, 1, 1): False}  # New Year's Day off
    period = working_period(D(2026, 12, 28), 7, overrides)
    assert period.ends_on == D(2027, 1, 6)
    assert not period.provisional


@pytest.mark.django_db
def test_the_publicity_length_comes_from_the_province_setting_else_the_default(world: World) -> None:
    rnd = world.rounds[Tier.SPECIALIZED_SME]
    assert services.publicity_working_days(rnd) == services.DEFAULT_PUBLICITY_WORKING_DAYS[Tier.SPECIALIZED_SME]
    PublicitySetting.objects.create(region=None, tier=Tier.SPECIALIZED_SME, working_days=8)
    assert services.publicity_working_days(rnd) == 8
    PublicitySetting.objects.create(region_id="440000", tier=Tier.SPECIALIZED_SME, working_days=10)
    assert services.publicity_working_days(rnd) == 10
    PublicitySetting.objects.create(region_id="330000", tier=Tier.INNOVATIVE_SME, working_days=3)
    assert services.publicity_working_days(world.rounds[Tier.INNOVATIVE_SME]) == 5


@pytest.mark.django_db
def test_published_publicity_uses_the_calendar_and_the_admin_entries(world: World) -> None:
    PublicitySetting.objects.create(region_id="440000", tier=Tier.SPECIALIZED_SME, working_days=5)
    world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                     starts_on=D(2026, 9, 30), today=D(2026, 9, 30))
    assert (pub.ends_on, pub.working_days, pub.end_provisional) == (D(2026, 10, 12), 5, False)
    world.approved("B")
    CalendarDay.objects.create(day=D(2027, 1, 1), is_workday=False, note="元旦")
    pub2 = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                      starts_on=D(2026, 12, 30), today=D(2026, 12, 1))
    assert (pub2.ends_on, pub2.end_provisional) == (D(2027, 1, 6), False)


@pytest.mark.django_db
def test_anyone_objects_during_publicity_and_an_upheld_objection_removes_the_firm(world: World) -> None:
    a, b = world.approved("A"), world.approved("B")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME])
    a.refresh_from_db()
    assert a.status == AppStatus.PUBLICITY
    anon = world.client("anon")
    page = anon.get(f"/publicity/{pub.pk}/").content.decode()
    assert "企业A有限公司" in page and "企业B有限公司" in page and "777" not in page
    response = anon.post(f"/publicity/{pub.pk}/objections/",
                         {"application": a.pk, "contact_name": "张三", "contact": "13800000000",
                          "text": "该企业主导产品并非自主研发"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.lodged_by is None and objection.status == "open"
    api = world.client("anon").post(f"/api/v1/journey/publicity/{pub.pk}/objections",
                                    {"application_id": b.pk, "contact_name": "李四", "contact": "lisi@example.com", "text": "数据存疑"},
                                    content_type="application/json")
    assert api.status_code == 201
    after = pub.ends_on + dt.timedelta(days=1)
    with pytest.raises(JourneyError) as exc:
        services.publicity_decide(actor=world.users["province"], publicity=pub, today=after)
    assert exc.value.journey_code == JourneyCode.OBJECTIONS_PENDING
    services.objection_resolve(actor=world.users["province"], objection=objection, upheld=True,
                               resolution="经核实异议成立")
    services.objection_resolve(actor=world.users["province"], objection=Objection.objects.get(application=b),
                               upheld=False, resolution="经核实数据无误")
    recs = services.publicity_decide(actor=world.users["province"], publicity=pub, today=after)
    assert [r.enterprise.name for r in recs] == ["企业B有限公司"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (AppStatus.REJECTED, AppStatus.RECOGNISED)


@pytest.mark.django_db
def test_no_decision_before_publicity_ends_and_no_objection_after(world: World) -> None:
    world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME])
    with pytest.raises(JourneyError) as exc:
        services.publicity_decide(actor=world.users["province"], publicity=pub, today=pub.ends_on)
    assert exc.value.journey_code == JourneyCode.PUBLICITY_NOT_OVER
    with pytest.raises(JourneyError) as exc:
        services.objection_lodge(actor=None, publicity=pub, application=pub.applications.get(), name="王五",
                                 contact="13900000000", text="迟到的异议", today=pub.ends_on + dt.timedelta(days=1))
    assert exc.value.journey_code == JourneyCode.PUBLICITY_CLOSED


@pytest.mark.django_db
def test_a_recognition_has_a_number_and_three_years_of_validity(world: World) -> None:
    world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                     starts_on=D(2026, 11, 2), today=D(2026, 11, 2))
    [rec] = services.publicity_decide(actor=world.users["province"], publicity=pub, today=D(2026, 12, 1))
    assert rec.number == "44-ZJTX-2026-00001"
    assert (rec.valid_from, rec.valid_until) == (D(2026, 12, 1), D(2029, 11, 30))
    assert Recognition.objects.get().tier == Tier.SPECIALIZED_SME
    home = world.client("firm_a").get("/journey/").content.decode()
    assert "44-ZJTX-2026-00001" in home
