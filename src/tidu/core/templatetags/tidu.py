"""Template helpers: navigation by role, money in 万元, tri-state booleans."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tidu.core.permissions import organisation_of, role_of

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context: template.Context) -> list[dict[str, Any]]:
    """The menu for the current user's role: (label, url, active)."""
    request = context.get("request")
    if request is None:
        return []
    user = request.user
    role = role_of(user)
    wanted: list[tuple[str, str]] = [(_("首页"), "home")]
    if role == "enterprise":
        wanted += [(_("我的企业"), "enterprises:dashboard"), (_("我的梯度"), "ladder:me"),
                   (_("申报与认定"), "journey:home"), (_("数字化评测"), "digital:home"),
                   (_("AI场景"), "scenarios:list"), (_("企业信息"), "enterprises:profile")]
    if role in {"government", "platform"}:
        wanted += [(_("企业名录"), "enterprises:register"), (_("审核队列"), "journey:queue"),
                   (_("申报批次"), "journey:rounds"), (_("认定复核"), "journey:rereviews"),
                   (_("催报年度数据"), "notifications:annual_update"), (_("数字化水平"), "digital:distribution"),
                   (_("场景库"), "scenarios:list"), (_("导入导出"), "io:import"), (_("企业认领"), "accounts:requests")]
    if role == "none":  # a claimant or a held registration, waiting for the county
        wanted += [(_("认领状态"), "accounts:request_status")]
    if role == "platform":
        wanted += [(_("管理后台"), "admin:index")]
    wanted += [(_("认定名单"), "journey:recognitions")]
    if role != "anonymous":
        wanted += [(_("我的账号"), "accounts:profile")]
    items: list[tuple[str, str]] = []
    for label, name in wanted:
        with contextlib.suppress(NoReverseMatch):  # an app's pages appear once the app is installed
            items.append((label, reverse(name)))
    path = request.path
    return [{"label": label, "url": url, "active": (path == url if url == "/" else path.startswith(url))}
            for label, url in items]


@register.simple_tag(takes_context=True)
def org_label(context: template.Context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    org = organisation_of(request.user)
    if org is None:
        return _("平台管理员") if getattr(request.user, "is_superuser", False) else ""
    return org.name


@register.filter
def wan(yuan: Any) -> str:
    """Integer yuan shown in 万元 with thousands separators and up to 4 decimals ('—' when unknown)."""
    if yuan is None or yuan == "":
        return "—"
    value = Decimal(int(yuan)) / 10000
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text


@register.filter
def tri(value: Any) -> str:
    if value is None:
        return _("未知")
    return _("是") if value else _("否")


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:.{int(digits)}f}%"
