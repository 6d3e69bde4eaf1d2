"""E-mail to a firm's staff when its application moves (console backend in development).

Sent after the transaction commits, so a rolled-back change never mails anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from tidu.journey.models import Application


def firm_addresses(app: Application) -> list[str]:
    users = get_user_model().objects.filter(membership__organisation__enterprise_id=app.enterprise_id)
    emails = {u.email for u in users if u.email}
    if app.enterprise.contact_email:
        emails.add(app.enterprise.contact_email)
    return sorted(emails)


def notify_firm(app: Application, *, subject: str, body: str) -> None:
    """Queue one e-mail to the firm about `app` (sent on commit)."""
    to = firm_addresses(app)
    if not to:
        return
    text = f"{app.enterprise.name}：\n\n{body}\n\n申报批次：{app.round.name}\n当前状态：{app.get_status_display()}\n\n——梯度平台"
    transaction.on_commit(lambda: send_mail(f"【梯度】{subject}", text, settings.DEFAULT_FROM_EMAIL, to,
                                            fail_silently=True))
