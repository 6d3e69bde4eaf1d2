"""The inbox (/notifications/) and the officials' page that asks firms for their yearly update.

Thin: parse, call one service or selector, render. Marking read is a POST with the CSRF token.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tidu.core.http import redirect_next, tidu_view
from tidu.core.permissions import jurisdiction_prefix_of, organisation_of, require
from tidu.notifications import services
from tidu.notifications.selectors import notifications_of, unread_count

PAGE_SIZE = 30


@tidu_view
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notifications_of(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page, "unread_only": unread_only, "unread": unread_count(user=request.user),
        "can_request": services.can_request_annual_update(request.user),
    })


@require_POST
@tidu_view
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; with `open=1` go on to the page the notification points at."""
    note = services.notification_mark_read(actor=request.user, notification_id=pk)
    if request.POST.get("open") == "1":
        return redirect_next(request, "notifications:inbox", url=note.link)
    return redirect_next(request, "notifications:inbox")


@require_POST
@tidu_view
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("已将 {n} 条通知标为已读。").format(n=n))
    return redirect("notifications:inbox")


@tidu_view
@require_http_methods(["GET", "POST"])
def annual_update(request: HttpRequest) -> HttpResponse:
    """Officials: the firms of the jurisdiction without last year's record, and the button to ask them."""
    require(services.can_request_annual_update(request.user))
    year = services.annual_update_year(timezone.localdate())
    if request.method == "POST":
        result = services.annual_update_request(actor=request.user, fiscal_year=year)
        if result.enterprises:
            messages.success(request, _("已请 {n} 家企业报送{year}年度数据（站内通知 {users} 人，邮件 {mailed} 家）。").format(
                n=result.enterprises, year=result.fiscal_year, users=result.users_notified, mailed=result.emailed))
        else:
            messages.info(request, _("辖区内企业均已报送{year}年度数据，无需催报。").format(year=year))
        return redirect("notifications:annual_update")
    firms = services.firms_missing_year(user=request.user, fiscal_year=year)
    page = Paginator(firms, 50).get_page(request.GET.get("page"))
    org = organisation_of(request.user)
    return render(request, "notifications/annual_update.html", {
        "page": page, "year": year, "office": org.name if org else _("平台管理员"),
        "jurisdiction": jurisdiction_prefix_of(request.user),
    })
