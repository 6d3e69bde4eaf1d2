"""Reminders before each date of a firm's calendar: at the lead days, in the platform and by e-mail, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from tidu.core.testing import make_year
from tidu.journey.models import Recognition, Tier
from tidu.journey.testing import World
from tidu.notifications.models import Notification, NotificationKind
from tidu.notifications.reminders import reminders_send, stage_due

EXPIRY = dt.date(2028, 9, 30)  # far from 30 April and 31 May, so only the expiry is near
APRIL_30 = dt.date(2027, 4, 30)  # the Guangdong yearly-update deadline for fiscal year 2026


def _recognise(world: World, firm: str = "A", valid_until: dt.date = EXPIRY) -> Recognition:
    return Recognition.objects.create(enterprise=world.firms[firm], tier=Tier.SPECIALIZED_SME,
                                      number=f"44-ZJTX-2025-0000{firm}", valid_from=dt.date(2025, 10, 1),
                                      valid_until=valid_until)


def _expiry_reminders(world: World, who: str = "firm_a") -> list[Notification]:
    return list(Notification.objects.filter(recipient=world.users[who], kind=NotificationKind.REMINDER,
                                            title__contains="认定到期").order_by("id"))


def _run(day: dt.date, capture: Any) -> None:
    with capture(execute=True):
        reminders_send(today=day)


def test_the_reminder_goes_out_30_and_7_days_before_an_expiry_and_only_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _recognise(world)
    _run(EXPIRY - dt.timedelta(days=31), django_capture_on_commit_callbacks)
    assert _expiry_reminders(world) == []
    _run(EXPIRY - dt.timedelta(days=30), django_capture_on_commit_callbacks)
    [first] = _expiry_reminders(world)
    assert first.title == "日程提醒：专精特新中小企业认定到期（44-ZJTX-2025-0000A）"
    assert "2028年9月30日" in first.body and "还有30天" in first.body and first.link == "/ladder/"
    [message] = [m for m in mail.outbox if "认定到期" in m.subject]
    assert message.to == ["firm_a@x.test"] and message.subject.startswith("【梯度】提醒：")
    for days in (30, 29, 8):  # the same day again, then days before the next lead time: nothing new
        _run(EXPIRY - dt.timedelta(days=days), django_capture_on_commit_callbacks)
    assert len(_expiry_reminders(world)) == 1
    _run(EXPIRY - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    _run(EXPIRY - dt.timedelta(days=7), django_capture_on_commit_callbacks)
    _run(EXPIRY - dt.timedelta(days=1), django_capture_on_commit_callbacks)
    assert [("还有30天" in n.body, "还有7天" in n.body) for n in _expiry_reminders(world)] == [(True, False),
                                                                                              (False, True)]
    assert len([m for m in mail.outbox if "认定到期" in m.subject]) == 2
    assert _expiry_reminders(world, "firm_b") == []  # firm B holds no title


def test_a_missed_day_is_caught_up_once_by_the_next_run(world: World) -> None:
    _recognise(world)
    reminders_send(today=EXPIRY - dt.timedelta(days=20))  # the job did not run 30 days before
    reminders_send(today=EXPIRY - dt.timedelta(days=19))
    [late] = _expiry_reminders(world)
    assert "还有20天" in late.body


def test_the_lead_days_are_a_setting(world: World, settings: Any) -> None:
    settings.REMINDER_LEAD_DAYS = [10]
    _recognise(world)
    reminders_send(today=EXPIRY - dt.timedelta(days=30))
    assert _expiry_reminders(world) == []
    reminders_send(today=EXPIRY - dt.timedelta(days=10))
    assert len(_expiry_reminders(world)) == 1


def test_the_yearly_update_reminder_skips_firms_that_already_filed_the_year(world: World) -> None:
    make_year(world.firms["B"], 2026)
    reminders_send(today=APRIL_30 - dt.timedelta(days=30))
    [note] = Notification.objects.filter(recipient=world.users["firm_a"], title__contains="年度数据更新")
    assert note.link == "/firm/years/2026/" and "2027年4月30日" in note.body
    assert not Notification.objects.filter(recipient=world.users["firm_b"], title__contains="年度数据更新").exists()
    # Zhejiang's deadline is 31 May: 61 days away, so nothing yet for firm E.
    assert not Notification.objects.filter(recipient=world.users["firm_e"], kind=NotificationKind.REMINDER).exists()


def test_revoked_titles_are_not_reminded(world: World) -> None:
    rec = _recognise(world)
    rec.revoked_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rec.save()
    reminders_send(today=EXPIRY - dt.timedelta(days=30))
    assert _expiry_reminders(world) == []


def test_the_command_takes_a_simulated_today_and_sends_once(world: World) -> None:
    _recognise(world)
    out = StringIO()
    day = (EXPIRY - dt.timedelta(days=7)).isoformat()
    call_command("send_reminders", "--today", day, stdout=out)
    assert "提前 30、7 天提醒" in out.getvalue() and "发送 0 条提醒" not in out.getvalue()
    out = StringIO()
    call_command("send_reminders", "--today", day, stdout=out)
    assert "发送 0 条提醒" in out.getvalue()
    assert len(_expiry_reminders(world)) == 1


def test_the_daily_schedule_exists_once(db: None) -> None:
    from django_q.models import Schedule

    [schedule] = Schedule.objects.filter(func="tidu.notifications.reminders.reminders_send_scheduled")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1


@pytest.mark.parametrize(("days", "stage"), [(31, None), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)])
def test_the_stage_due_is_the_closest_lead_time_reached(days: int, stage: int | None) -> None:
    assert stage_due(days, (30, 7)) == stage
