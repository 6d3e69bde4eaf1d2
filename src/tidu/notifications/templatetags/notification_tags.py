"""`{% unread_notifications as n %}`: the unread count for the top bar's badge (one COUNT query)."""

from __future__ import annotations

from django import template

from tidu.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return unread_count(user=request.user)
