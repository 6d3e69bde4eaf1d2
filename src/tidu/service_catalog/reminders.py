"""Overdue requests: the provider (and the firm) are told once when a request passes its promised day unanswered.

Each request carries one dedupe key per side, so the notice reaches each recipient once however often the
job runs; a day the job missed is caught up by the next run. Runs daily from a django-q2 schedule
(migration 0002) and from `manage.py notify_overdue_services`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tidu.notifications.models import NotificationKind
from tidu.notifications.services import Delivery, deliver, firm_recipients
from tidu.service_catalog.models import RequestStatus, ServiceRequest


@dataclass
class OverdueRun:
    today: dt.date
    requests: int
    notifications: int


def overdue_notify(*, today: dt.date | None = None) -> OverdueRun:
    """Tell the provider's staff and the firm about every request unanswered after its due day (once each)."""
    day = today or timezone.localdate()
    overdue = list(
        ServiceRequest.objects.filter(
            status=RequestStatus.SUBMITTED, responded_at__isnull=True, due_on__lt=day
        )
        .select_related("offer", "enterprise", "provider__organisation")
        .order_by("due_on", "id")
    )
    if not overdue:
        return OverdueRun(day, 0, 0)
    firms = firm_recipients({r.enterprise_id for r in overdue})
    staff: dict[int, list[Any]] = {}
    for user in (
        get_user_model()
        .objects.filter(
            is_active=True, membership__organisation_id__in={r.provider.organisation_id for r in overdue}
        )
        .select_related("membership")
    ):
        staff.setdefault(user.membership.organisation_id, []).append(user)
    deliveries = []
    for r in overdue:
        link = reverse("services:request", args=[r.pk])
        deliveries.append(
            Delivery(
                users=staff.get(r.provider.organisation_id, []),
                kind=NotificationKind.REMINDER,
                title=f"服务申请已逾期未响应：{r.offer.title}",
                body=f"{r.enterprise.name}于 {r.submitted_on:%Y-%m-%d} 提交的申请应于 {r.due_on:%Y-%m-%d} 前响应，"
                "请尽快受理、回复或婉拒。逾期情况计入主管部门的满意度统计。",
                link=link,
                dedupe_key=f"service-overdue:{r.pk}:provider",
            )
        )
        users, _emails = firms[r.enterprise_id]
        deliveries.append(
            Delivery(
                users=users,
                kind=NotificationKind.REMINDER,
                title=f"服务机构逾期未响应：{r.offer.title}",
                body=f"{r.provider.name}未在承诺时间（{r.due_on:%Y-%m-%d} 前）内响应贵企业的申请，已提醒该机构；"
                f"也可致电 {r.provider.contact_phone} 联系。",
                link=link,
                dedupe_key=f"service-overdue:{r.pk}:firm",
            )
        )
    with transaction.atomic():
        done = deliver(deliveries)
    return OverdueRun(day, len(overdue), sum(len(d.created) for d in done))


def overdue_notify_scheduled() -> str:
    """The django-q2 entry point (a plain function path the schedule can name)."""
    run = overdue_notify()
    return f"{run.today}: {run.requests} overdue, {run.notifications} notifications"
