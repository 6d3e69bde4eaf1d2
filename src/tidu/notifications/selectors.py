"""Reads of the notifications app: always the user's own rows, nobody else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tidu.notifications.models import Notification


def notifications_of(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first (none for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, user: Any) -> int:
    return notifications_of(user=user, unread_only=True).count()
