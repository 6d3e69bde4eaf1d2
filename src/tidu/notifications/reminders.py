"""Reminders before each date of a firm's calendar, in the platform and by e-mail.

For every firm with at least one account, `reminders_send` reads the firm's calendar
(`tidu.ladder.dates.calendar_of`: recognition expiry and review, the yearly data update …) and, for
each date, sends the reminder of the closest lead time reached (settings.REMINDER_LEAD_DAYS, e.g. 30
and 7 days before). Each (date, lead time) is one dedupe key, so a reminder reaches a user once
however often the job runs, and a day the job missed is caught up by the next run (a firm first seen
20 days before a date still gets its 30-day reminder, once).

The yearly-update reminder is skipped for a firm that has already filed the year it asks for.
Runs daily from a django-q2 schedule (migration 0002) and from `manage.py send_reminders`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tidu.accounts.models import Membership
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.ladder.assessment import TIER_LABELS
from tidu.ladder.dates import annual_update_due, calendar_of
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import Delivery, deliver, firm_recipients

DEFAULT_LEAD_DAYS = (30, 7)


def lead_days() -> tuple[int, ...]:
    """The lead times in days, longest first (settings.REMINDER_LEAD_DAYS)."""
    raw: Sequence[int] = getattr(settings, "REMINDER_LEAD_DAYS", DEFAULT_LEAD_DAYS) or DEFAULT_LEAD_DAYS
    return tuple(sorted({int(d) for d in raw if int(d) >= 0}, reverse=True))


def stage_due(days_left: int, leads: Sequence[int]) -> int | None:
    """The lead time whose reminder is due `days_left` days before a date (None: too early or past).

    >>> stage_due(31, (30, 7)), stage_due(30, (30, 7)), stage_due(12, (30, 7)), stage_due(7, (30, 7))
    (None, 30, 30, 7)
    >>> stage_due(0, (30, 7)), stage_due(-1, (30, 7))
    (7, None)
    """
    if days_left < 0:
        return None
    reached = [lead for lead in leads if days_left <= lead]
    return min(reached) if reached else None


@dataclass(frozen=True)
class ReminderRun:
    today: dt.date
    firms: int  # firms whose calendar was read
    reminders: int  # (firm, date) reminders due this run that had not been sent before
    notifications: int  # in-platform rows written


def _recognitions(enterprise_ids: set[int], today: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Unrevoked recognitions per firm, in the shape of `tidu.ladder.assessment.recognitions_of` (which
    `calendar_of` reads), for every firm in one query."""
    from tidu.journey.models import Recognition

    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rec in Recognition.objects.filter(enterprise_id__in=enterprise_ids, revoked_at__isnull=True):
        rows[rec.enterprise_id].append({
            "id": rec.pk, "tier": rec.tier, "tier_label": TIER_LABELS.get(rec.tier, rec.get_tier_display()),
            "number": rec.number, "valid_from": rec.valid_from, "valid_until": rec.valid_until,
            "days_left": (rec.valid_until - today).days, "expired": rec.valid_until < today,
        })
    return rows


def _date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def reminders_send(*, today: dt.date | None = None) -> ReminderRun:
    """Send every reminder due on `today` (default: today in Asia/Shanghai) that was not sent before."""
    day = today or timezone.localdate()
    leads = lead_days()
    ids = set(Membership.objects.filter(organisation__enterprise__isnull=False)
              .values_list("organisation__enterprise_id", flat=True))
    firms = list(Enterprise.objects.filter(pk__in=ids).only("pk", "name", "region_id"))
    recipients = firm_recipients(ids)
    recognitions = _recognitions(ids, day)
    asked_years = {annual_update_due(f.region_id, day).year - 1 for f in firms}
    filed = set(EnterpriseYear.objects.filter(enterprise_id__in=ids, fiscal_year__in=asked_years)
                .values_list("enterprise_id", "fiscal_year"))
    me_link = reverse("ladder:me")
    deliveries = []
    for firm in firms:
        users, emails = recipients[firm.pk]
        if not users:
            continue
        annual_due = annual_update_due(firm.region_id, day)
        for entry in calendar_of(firm.region_id, recognitions.get(firm.pk, []), day):
            stage = stage_due(entry["days"], leads)
            if stage is None:
                continue
            link = me_link
            if entry["date"] == annual_due and entry["title"].startswith("年度数据"):
                if (firm.pk, annual_due.year - 1) in filed:
                    continue
                link = reverse("enterprises:year_edit", kwargs={"year": annual_due.year - 1})
            when = "今天" if entry["days"] == 0 else f"还有{entry['days']}天"
            body = f"{_date_label(entry['date'])}：{entry['title']}（{when}）。{entry.get('detail', '')}"
            deliveries.append(Delivery(
                users=users, kind=NotificationKind.REMINDER, title=f"日程提醒：{entry['title']}", body=body,
                link=link, dedupe_key=f"reminder:{entry['date'].isoformat()}:{stage}:{entry.get('key') or entry['title']}",
                extra_emails=emails, mail_subject=f"提醒：{entry['title']}（{when}）", mail_text=f"{firm.name}：\n\n{body}",
            ))
    with transaction.atomic():
        deliver(deliveries)
    sent = [d for d in deliveries if d.created]
    return ReminderRun(today=day, firms=len(firms), reminders=len(sent),
                       notifications=sum(len(d.created) for d in sent))


def reminders_send_scheduled() -> str:
    """The daily django-q2 task: today's reminders; the summary lands in the task's result."""
    run = reminders_send()
    return f"{run.today}：读取 {run.firms} 家企业的日程，发送 {run.reminders} 条提醒（{run.notifications} 条站内通知）"
