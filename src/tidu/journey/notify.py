"""Telling people that an application or a re-review moved: the firm's staff, and the officials whose
queue it reaches.

Each message is an in-platform notification (written inside the caller's transaction, so a rolled-back
change leaves none) and an e-mail (console backend in development) sent only after the transaction
commits, so a rolled-back change never mails anyone. Delivery is `tidu.notifications.services`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse

from tidu.enterprises.models import Enterprise
from tidu.journey.models import Application, ReReview
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import firm_recipients, notify_users


def firm_addresses(app: Application) -> list[str]:
    """Every e-mail address of the firm: its staff users and its contact address."""
    users, emails = firm_recipients([app.enterprise_id])[app.enterprise_id]
    return sorted({u.email for u in users if u.email} | set(emails))


def notify_enterprise(
    enterprise: Enterprise, *, subject: str, body: str, link: str, details: str = "",
    kind: str = NotificationKind.APPLICATION,
) -> None:
    """Tell a firm's staff in the platform (now) and by e-mail (on commit), its contact address too.

    The firm-level entry point: it needs no application, so a title imported without one is reached as
    well. `details` (state lines such as the round or the title's number) follow the body.
    """
    users, emails = firm_recipients([enterprise.pk])[enterprise.pk]
    text = f"{body}\n{details}" if details else body
    mail = f"{enterprise.name}：\n\n{body}" + (f"\n\n{details}" if details else "")
    notify_users(users=users, kind=kind, title=subject, body=text, link=link, extra_emails=emails, mail_text=mail)


def notify_firm(app: Application, *, subject: str, body: str, link: str = "") -> None:
    """Tell the firm's staff about `app` (its round and status follow the body); `link` defaults to its page."""
    notify_enterprise(
        app.enterprise, subject=subject, body=body, link=link or reverse("journey:detail", kwargs={"pk": app.pk}),
        details=f"申报批次：{app.round.name}\n当前状态：{app.get_status_display()}",
    )


def notify_firm_of_rereview(rr: ReReview, *, subject: str, body: str) -> None:
    """Tell the firm about the re-review of its title, whether or not the title came from an application
    on the platform; the title and the re-review's own state follow the body, the link is the re-review."""
    rec = rr.recognition
    notify_enterprise(
        rec.enterprise, subject=subject, body=body, kind=NotificationKind.REREVIEW,
        link=reverse("journey:rereview", kwargs={"pk": rr.pk}),
        details=f"认定：{rec.get_tier_display()}（编号 {rec.number}）\n复核状态：{rr.get_status_display()}",
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
