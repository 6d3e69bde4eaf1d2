"""Every write of the notifications app: deliver (in the platform and by e-mail), mark read, and the
officials' request to firms for their yearly data update.

A delivery writes its rows inside the caller's transaction (so a rolled-back change leaves no
notification) and sends its e-mail only after that transaction commits (so a rolled-back change mails
nobody). A message with a `dedupe_key` reaches each recipient at most once: the key is unique per
recipient in the database, and e-mail goes out only for rows that were actually inserted.

Marking a notification read is not audited: it changes nothing but the reader's own inbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tidu.core import permissions
from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import (
    enterprises_visible_to,
    jurisdiction_prefix_of,
    organisation_of,
)
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.ladder.dates import annual_update_due
from tidu.notifications.models import Notification, NotificationKind

SIGNATURE = "——梯度平台"


@dataclass
class Delivery:
    """One message to a set of users (in the platform) and addresses (by e-mail).

    `extra_emails` are mailed along with the users (a firm's contact address, which has no account).
    With a `dedupe_key`, the e-mail goes out only if at least one user had not received the key yet;
    a delivery with a key and no user sends nothing (there is no row to remember it by).
    """

    users: Sequence[Any]
    kind: str
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str = ""
    extra_emails: Sequence[str] = ()
    mail_subject: str = ""  # default: the title
    mail_text: str = ""  # default: the body
    created: list[Notification] = field(default_factory=list)


def _insert_once(rows: list[Notification]) -> list[Notification]:
    """Insert the rows whose (recipient, key) is new; return those inserted (keyless rows always are)."""
    plain = [r for r in rows if not r.dedupe_key]
    keyed = [r for r in rows if r.dedupe_key]
    inserted = Notification.objects.bulk_create(plain) if plain else []
    if keyed:
        seen = set(Notification.objects.filter(
            recipient_id__in={r.recipient_id for r in keyed}, dedupe_key__in={r.dedupe_key for r in keyed},
        ).values_list("recipient_id", "dedupe_key"))
        for row in keyed:
            if (row.recipient_id, row.dedupe_key) in seen:
                continue
            seen.add((row.recipient_id, row.dedupe_key))
            try:  # a concurrent run may have inserted it since: the unique constraint decides
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            inserted.append(row)
    return inserted


def _mail_text(delivery: Delivery) -> str:
    text = delivery.mail_text or delivery.body
    return f"{text}\n\n请登录梯度平台，在“通知”中查看详情。\n\n{SIGNATURE}"


def deliver(deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Write the in-platform rows now and queue the e-mails for after commit (one connection for all)."""
    batch = list(deliveries)
    rows: list[Notification] = []
    owner: dict[int, Delivery] = {}
    for d in batch:
        for user in {u.pk: u for u in d.users}.values():
            row = Notification(recipient=user, kind=d.kind, title=d.title[:200], body=d.body, link=d.link[:500],
                               dedupe_key=d.dedupe_key[:255])
            owner[id(row)] = d
            rows.append(row)
    for row in _insert_once(rows):
        owner[id(row)].created.append(row)
    mails: list[tuple[str, str, str, list[str]]] = []
    for d in batch:
        if d.dedupe_key and not d.created:
            continue
        recipients = {row.recipient.email for row in d.created if row.recipient.email}
        if not d.dedupe_key:
            recipients |= {u.email for u in d.users if u.email}
        recipients |= {e for e in d.extra_emails if e}
        if recipients:
            mails.append((f"【梯度】{d.mail_subject or d.title}", _mail_text(d), settings.DEFAULT_FROM_EMAIL,
                          sorted(recipients)))
    if mails:
        transaction.on_commit(lambda: _send_after_commit(mails))
    return batch


MAIL_INLINE_LIMIT = 20  # more messages than this go to the background worker instead of the request


def send_mails(mails: Sequence[tuple[str, str, str, list[str]]]) -> int:
    """Send (subject, text, from, to) messages on one connection; a mail failure never breaks a change."""
    return send_mass_mail(tuple(mails), fail_silently=True)


def _send_after_commit(mails: list[tuple[str, str, str, list[str]]]) -> None:
    if len(mails) <= MAIL_INLINE_LIMIT:
        send_mails(mails)
        return
    from django_q.tasks import async_task

    async_task("tidu.notifications.services.send_mails", mails, task_name="通知邮件")


def notify_users(
    *, users: Sequence[Any], kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = "",
    extra_emails: Sequence[str] = (), mail_subject: str = "", mail_text: str = "",
) -> list[Notification]:
    """One message to `users` in the platform and by e-mail; returns the rows created."""
    [d] = deliver([Delivery(users=users, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key,
                            extra_emails=extra_emails, mail_subject=mail_subject, mail_text=mail_text)])
    return d.created


def firm_recipients(enterprise_ids: Iterable[int]) -> dict[int, tuple[list[Any], list[str]]]:
    """{enterprise id: (its staff users, its contact e-mail if any)} in two queries."""
    ids = set(enterprise_ids)
    result: dict[int, tuple[list[Any], list[str]]] = {pk: ([], []) for pk in ids}
    staff = get_user_model().objects.filter(is_active=True, membership__organisation__enterprise_id__in=ids)
    for user in staff.annotate(enterprise_pk=F("membership__organisation__enterprise_id")):
        result[user.enterprise_pk][0].append(user)
    contacts = Enterprise.objects.filter(pk__in=ids).exclude(contact_email="").values_list("pk", "contact_email")
    for pk, email in contacts:
        result[pk][1].append(email)
    return result


# ---- the reader's own inbox ------------------------------------------------------------------------


def notification_mark_read(*, actor: Any, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (someone else's answers NOT_FOUND, hiding it exists)."""
    if not getattr(actor, "is_authenticated", False):
        raise TiduError(ErrorCode.LOGIN_REQUIRED)
    note = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if note is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return note


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    if not getattr(actor, "is_authenticated", False):
        raise TiduError(ErrorCode.LOGIN_REQUIRED)
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


# ---- officials ask firms for their yearly update ----------------------------------------------------


def can_request_annual_update(user: Any) -> bool:
    """Officials (for their jurisdiction) and platform admins (for everyone); the menu asks the same."""
    return permissions.can_request_annual_update(user)


def annual_update_year(today: dt.date | None = None) -> int:
    """The fiscal year firms are asked for: the last one closed (the year before today's)."""
    return (today or timezone.localdate()).year - 1


def firms_missing_year(*, user: Any, fiscal_year: int) -> Any:
    """The firms of the user's jurisdiction that have no record for `fiscal_year`."""
    has_year = EnterpriseYear.objects.filter(fiscal_year=fiscal_year).values("enterprise_id")
    return enterprises_visible_to(user).exclude(pk__in=has_year).select_related("region").order_by("region_id", "name")


@dataclass(frozen=True)
class AnnualUpdateRequest:
    fiscal_year: int
    enterprises: int  # firms asked
    users_notified: int  # in-platform notifications written
    emailed: int  # firms with at least one e-mail address


def annual_update_request(
    *, actor: Any, fiscal_year: int | None = None, today: dt.date | None = None
) -> AnnualUpdateRequest:
    """Ask every firm of the actor's jurisdiction without a record for the year to submit it."""
    if not can_request_annual_update(actor):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    day = today or timezone.localdate()
    year = fiscal_year or annual_update_year(day)
    if not 2000 <= year < day.year:
        raise TiduError(ErrorCode.FISCAL_YEAR_INVALID, field="fiscal_year", value=year, low=2000, high=day.year - 1)
    firms = list(firms_missing_year(user=actor, fiscal_year=year).values_list("pk", "name", "credit_code",
                                                                             "region_id"))
    link = reverse("enterprises:year_edit", kwargs={"year": year})
    with transaction.atomic():
        audit_record(actor=actor, action="notifications.annual_update.request", target=None, data={
            "fiscal_year": year, "jurisdiction": jurisdiction_prefix_of(actor) or "", "enterprises": len(firms),
            "credit_codes": [f[2] for f in firms],
        })
        recipients = firm_recipients(f[0] for f in firms)
        org = organisation_of(actor)
        office = org.name if org is not None else "梯度平台"
        title = f"请报送{year}年度数据"

        def body(region_code: str) -> str:
            due = annual_update_due(region_code, dt.date(year + 1, 1, 1))  # due in the year after
            when = f"{due.year}年{due.month}月{due.day}日"
            deadline = f"截止日期为{when}" if due >= day else f"原定截止日期{when}已过，请尽快补报"
            return (f"{office}请贵企业在梯度平台报送{year}年度的经营和创新数据（营业收入、研发费用、知识产权等），"
                    f"{deadline}。年度数据用于梯度评估、认定复核和政策服务。")

        deliveries = [
            Delivery(users=recipients[pk][0], kind=NotificationKind.ANNUAL_UPDATE, title=title, body=body(region),
                     link=link, extra_emails=recipients[pk][1], mail_text=f"{name}：\n\n{body(region)}")
            for pk, name, _code, region in firms
        ]
        deliver(deliveries)
    users = sum(len(d.created) for d in deliveries)
    emailed = sum(1 for f in firms if recipients[f[0]][1] or any(u.email for u in recipients[f[0]][0]))
    return AnnualUpdateRequest(fiscal_year=year, enterprises=len(firms), users_notified=users, emailed=emailed)

