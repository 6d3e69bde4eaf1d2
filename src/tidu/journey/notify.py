"""Telling people that an application moved: the firm's staff, and the officials whose queue it reaches.

Each message is an in-platform notification (written inside the caller's transaction, so a rolled-back
change leaves none) and an e-mail (console backend in development) sent only after the transaction
commits, so a rolled-back change never mails anyone. Delivery is `tidu.notifications.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

from tidu.journey.models import Application
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import firm_recipients, notify_users


def firm_addresses(app: Application) -> list[str]:
    """Every e-mail address of the firm: its staff users and its contact address."""
    users, emails = firm_recipients([app.enterprise_id])[app.enterprise_id]
    return sorted({u.email for u in users if u.email} | set(emails))


def notify_firm(app: Application, *, subject: str, body: str, link: str = "") -> None:
    """Tell the firm's staff about `app` in the platform (now) and by e-mail (on commit).

    `link` defaults to the application's page.
    """
    users, emails = firm_recipients([app.enterprise_id])[app.enterprise_id]
    state = f"申报批次：{app.round.name}\n当前状态：{app.get_status_display()}"
    notify_users(
        users=users, kind=NotificationKind.APPLICATION, title=subject, body=f"{body}\n{state}",
        link=link or reverse("journey:detail", kwargs={"pk": app.pk}), extra_emails=emails,
        mail_text=f"{app.enterprise.name}：\n\n{body}\n\n{state}",
    )


def officials_covering(region_code: str, level: str) -> QuerySet[Any]:
    """Active officials of `level` (county, city, province, national) whose jurisdiction holds `region_code`.

    The same jurisdictions as `tidu.core.permissions.jurisdiction_prefix_of`: a county its own code, a
    city the codes sharing its first four digits, a province its first two, the national office all.
    """
    code = str(region_code)
    covers = (Q(membership__organisation__gov_level="county", membership__organisation__region_id=code)
              | Q(membership__organisation__gov_level="city", membership__organisation__region__code__startswith=code[:4])
              | Q(membership__organisation__gov_level="province",
                  membership__organisation__region__code__startswith=code[:2])
              | Q(membership__organisation__gov_level="national"))
    return get_user_model().objects.filter(
        covers, is_active=True, membership__organisation__kind="government", membership__organisation__gov_level=level,
    )


def notify_officials(*, region_code: str, level: str, title: str, body: str, link: str) -> None:
    """Tell the officials of `level` covering `region_code` that work waits for them (platform + e-mail)."""
    users = list(officials_covering(region_code, level))
    if users:
        notify_users(users=users, kind=NotificationKind.REVIEW, title=title, body=body, link=link)


def notify_review_queue(app: Application) -> None:
    """`app` has just reached a review level (its status): tell that level's officials of the firm's region."""
    notify_officials(
        region_code=app.enterprise.region_id, level=app.status,
        title=f"待审核：{app.enterprise.name}（{app.round.get_tier_display()}）",
        body=f"{app.enterprise.name}的{app.round.get_tier_display()}申报已进入{app.get_status_display()}环节，"
             f"请在审核队列中处理。\n申报批次：{app.round.name}（截止 {app.round.deadline}）",
        link=reverse("journey:detail", kwargs={"pk": app.pk}),
    )
