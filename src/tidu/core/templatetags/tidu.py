"""Template helpers: navigation by role, money in 万元, tri-state booleans."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tidu.core.permissions import (
    ROLE_ANONYMOUS,
    ROLE_NONE,
    can_import_enterprises,
    can_manage_rounds,
    can_open_admin_site,
    can_open_review_pages,
    can_request_annual_update,
    can_view_register,
    has_own_enterprise,
    organisation_of,
    role_of,
)

register = template.Library()


@functools.cache
def _menu() -> list[tuple[Promise, str, Callable[[Any], bool]]]:
    """(label, URL name, the check its view makes): a link shows only to users its page lets in.
    Built once per process: the labels are lazy (translated when shown), the checks take the user."""
    _ = gettext_lazy

    def anyone(user: Any) -> bool:
        return True

    def signed_in(user: Any) -> bool:
        return role_of(user) != ROLE_ANONYMOUS

    return [
        (_("首页"), "home", anyone),
        (_("我的企业"), "enterprises:dashboard", has_own_enterprise),
        (_("我的梯度"), "ladder:me", has_own_enterprise),
        (_("申报与认定"), "journey:home", has_own_enterprise),
        (_("数字化评测"), "digital:home", has_own_enterprise),
        (_("AI场景"), "scenarios:list", has_own_enterprise),
        (_("我的政策"), "policies:mine", has_own_enterprise),
        (_("政策申报"), "policy_filings:index", has_own_enterprise),
        (_("服务清单"), "services:list", anyone),
        (_("服务工作台"), "services:provider_home", lambda user: role_of(user) == "provider"),
        (_("企业信息"), "enterprises:profile", has_own_enterprise),
        (_("企业名录"), "enterprises:register", can_view_register),
        (_("审核队列"), "journey:queue", can_open_review_pages),
        (_("申报批次"), "journey:rounds", can_manage_rounds),
        (_("认定复核"), "journey:rereviews", can_open_review_pages),
        (_("变化报告"), "changes:queue", can_open_review_pages),
        (_("政策申报审核"), "policy_filings:index", can_open_review_pages),
        (_("政策兑现"), "policies:manage", can_view_register),  # officials and platform admins
        (_("服务监管"), "services:oversight", can_request_annual_update),  # officials with a jurisdiction, admins
        (_("催报年度数据"), "notifications:annual_update", can_request_annual_update),
        (_("数字化水平"), "digital:distribution", can_view_register),
        (_("场景库"), "scenarios:list", lambda user: not has_own_enterprise(user) and can_view_register(user)),
        (_("导入导出"), "io:import", can_import_enterprises),
        (_("企业认领"), "accounts:requests", can_view_register),
        (_("大企业需求"), "needs:list", signed_in),  # 发榜/揭榜 (tidu.needs refines who sees what)
        (_("揭榜进展"), "needs:curation", can_view_register),  # officials: the region's needs and the funnel
        (_("对接活动"), "events:list", signed_in),
        (_("科技成果"), "techtransfer:list", signed_in),
        (_("成果转化工作台"), "techtransfer:platform", lambda user: role_of(user) == "innovation"),
        (_("梯度看板"), "insights:dashboard", can_view_register),
        (_("门槛沙盘"), "sandbox:home", can_view_register),
        (_("管理后台"), "admin:index", can_open_admin_site),
        (_("认定名单"), "journey:recognitions", anyone),
        (_("惠企政策"), "policies:list", anyone),
        (_("奖补公示"), "policies:awards", anyone),
        (_("政策快讯"), "news:list", anyone),
        (_("认领状态"), "accounts:request_status", lambda user: role_of(user) == ROLE_NONE),
        (_("我的账号"), "accounts:profile", signed_in),
    ]


# Pages linked from inside other pages only, with the check their view makes.
PAGES_OUTSIDE_MENU: dict[str, Callable[[Any], bool]] = {"scenarios:recommend": has_own_enterprise}


@register.filter
def may_open(user: Any, url_name: str) -> bool:
    """`{% if request.user|may_open:"journey:rounds" %}`: the same check as the menu and the page."""
    if url_name in PAGES_OUTSIDE_MENU:
        return PAGES_OUTSIDE_MENU[url_name](user)
    return any(allowed(user) for _label, name, allowed in _menu() if name == url_name)


@functools.lru_cache(maxsize=512)
def _url_of(name: str, script_prefix: str, language: str | None) -> str | None:
    """`reverse(name)` once per process for each prefix and language (the URL conf does not change while it
    runs); None for a page whose app is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def nav_items(context: template.Context) -> list[dict[str, Any]]:
    """The menu for the current user: (label, url, active), each link allowed by its page's own check."""
    request = context.get("request")
    if request is None:
        return []
    user = request.user
    items: list[tuple[str, str]] = []
    for label, name, allowed in _menu():
        if not allowed(user):
            continue
        url = _url_of(name, get_script_prefix(), get_language())
        if url is not None:  # an app's pages appear once the app is installed
            items.append((str(label), url))
    path = request.path
    return [{"label": label, "url": url, "active": (path == url if url == "/" else path.startswith(url))}
            for label, url in items]


@register.simple_tag
def audit_lines(events: Any) -> list[Any]:
    """`{% audit_lines events as lines %}`: audit events as sentences with before → after, in words."""
    from tidu.core.audit_text import describe_all

    return describe_all(events)


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
def edition_year(pack_edition: Any) -> str:
    """'innovative_sme/2022' → '2022年版' (the standard itself is named by the page)."""
    from tidu.core.vocabulary import edition_year_text

    return edition_year_text(str(pack_edition or ""))


@register.filter
def standard_name(standard: Any) -> str:
    """'specialized_sme' → '专精特新中小企业'."""
    from tidu.core.vocabulary import standard_name as name

    return name(str(standard or ""))


@register.filter
def clause(text: Any) -> str:
    """A criterion's citation without the research notes' file references ("tiers.md §3")."""
    from tidu.core.vocabulary import citation_text

    return citation_text(str(text or ""))


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
