"""`{% enterprise_account_section enterprise %}`: the account card on a firm's register page (officials only)."""

from __future__ import annotations

from typing import Any

from django import template

from tidu.accounts.selectors import enterprise_account_card

register = template.Library()


@register.inclusion_tag("accounts/_enterprise_account.html", takes_context=True)
def enterprise_account_section(context: template.Context, enterprise: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    card = enterprise_account_card(user=user, enterprise=enterprise) if user is not None else None
    return {"card": card, "enterprise": enterprise, "csrf_token": context.get("csrf_token")}
