"""Pages of the service list: firms browse, request, follow and rate; providers manage offers and answer;
officials approve and watch deadlines and satisfaction. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.core.errors import TiduError, TiduValidationError
from tidu.core.http import render_error, tidu_view
from tidu.core.permissions import organisation_of, require, role_of
from tidu.core.text import neutralise_cell
from tidu.regions.models import Region
from tidu.service_catalog import selectors, services
from tidu.service_catalog.access import can_oversee, can_request, is_provider_user, provider_of
from tidu.service_catalog.deadlines import Timeliness
from tidu.service_catalog.forms import OfferForm, ProviderForm, RequestForm
from tidu.service_catalog.models import (
    EDITABLE_OFFER_STATUSES,
    OPEN_REQUEST_STATUSES,
    Category,
    OfferStatus,
    ProviderStatus,
    RequestStatus,
    ServiceOffer,
    Side,
)

PAGE_SIZE = 20


def _show_errors(form: Any, exc: TiduError) -> None:
    problems = exc.problems if isinstance(exc, TiduValidationError) else [(exc.field, exc.code, exc.message)]
    aliases = {"price": "price_wan"}
    for field, _code, message in problems:
        name = aliases.get(field or "", field)
        form.add_error(name if name in form.fields else None, message)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _own_region(user: Any) -> Region | None:
    org = organisation_of(user)
    if org is not None and org.enterprise_id is not None:
        return org.enterprise.region  # type: ignore[union-attr]
    return None


def catalog(request: HttpRequest) -> HttpResponse:
    """服务清单: open to everyone. A firm sees what serves its region; others pick a region (or see all)."""
    own = _own_region(request.user)
    code = (request.GET.get("region") or "").strip()
    region = (
        own if own is not None and not code else Region.objects.filter(code=code).first() if code else None
    )
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    query = (request.GET.get("q") or "").strip()[:100]
    offers = selectors.listed_offers(
        region_code=region.code if region else None, category=category, query=query
    )
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    org = organisation_of(request.user)
    firm = org.enterprise if org is not None and own is not None else None
    suggestions = (
        selectors.suggest_for_firm(firm)
        if firm is not None and not (query or category or code) and page.number == 1
        else []
    )
    return render(
        request,
        "service_catalog/list.html",
        {
            "page": page,
            "offers": page.object_list,
            "categories": Category.choices,
            "category": category,
            "query": query,
            "region": region,
            "region_code": code,
            "own_region": own,
            "can_request": can_request(request.user),
            "suggestions": suggestions,
        },
    )


def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        offer = selectors.offer_get(user=request.user, pk=pk)
    except TiduError as exc:
        return render_error(request, exc)
    own_open = None
    if can_request(request.user):
        own_open = (
            selectors.requests_visible_to(request.user)
            .filter(offer=offer, status__in=OPEN_REQUEST_STATUSES)
            .first()
        )
    org = organisation_of(request.user)
    initial = {
        "contact_name": request.user.get_full_name() or "" if request.user.is_authenticated else "",
        "contact_phone": getattr(getattr(request.user, "membership", None), "phone", ""),
    }
    ent = org.enterprise if org is not None else None
    if ent is not None:
        initial = {
            "contact_name": ent.contact_name or initial["contact_name"],
            "contact_phone": ent.contact_phone or initial["contact_phone"],
        }
    return render(
        request,
        "service_catalog/offer.html",
        {
            "offer": offer,
            "regions": offer.regions.all(),
            "ratings": offer.ratings.select_related("request__enterprise")[:20],
            "can_request": can_request(request.user) and offer.status == OfferStatus.LISTED,
            "own_open": own_open,
            "form": RequestForm(initial=initial),
            "is_owner": (p := provider_of(request.user)) is not None and p.pk == offer.provider_id,
        },
    )


@require_POST
@tidu_view
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_request(request.user))
    offer = selectors.offer_get(user=request.user, pk=pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            req = services.request_submit(actor=request.user, offer=offer, data=form.request_input())
        except TiduError as exc:
            if exc.status == 404:
                raise
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                _("服务申请已提交，服务机构应于 %(day)s 前响应。") % {"day": req.due_on.strftime("%Y-%m-%d")},
            )
            return redirect("services:request", pk=req.pk)
    return render(
        request,
        "service_catalog/offer.html",
        {
            "offer": selectors.offer_get(user=request.user, pk=pk),
            "regions": offer.regions.all(),
            "ratings": offer.ratings.select_related("request__enterprise")[:20],
            "can_request": True,
            "own_open": None,
            "form": form,
            "is_owner": False,
        },
        status=400,
    )


@tidu_view
def my_requests(request: HttpRequest) -> HttpResponse:
    """The firm's requests with the promised response date and whether it is overdue."""
    require(can_request(request.user))
    reqs = selectors.annotate_timeliness(list(selectors.requests_visible_to(request.user)[:200]))
    return render(request, "service_catalog/my_requests.html", {"requests": reqs})


@tidu_view
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    [req] = selectors.annotate_timeliness([req])
    org = organisation_of(request.user)
    is_firm = org is not None and org.enterprise_id == req.enterprise_id
    own = provider_of(request.user)
    is_provider = own is not None and own.pk == req.provider_id
    rating = getattr(req, "rating", None)
    return render(
        request,
        "service_catalog/request.html",
        {
            "req": req,
            "msgs": req.messages.all(),
            "is_firm": is_firm,
            "is_provider": is_provider,
            "is_open": req.status in OPEN_REQUEST_STATUSES,
            "rating": rating,
            "can_rate": is_firm and req.status == RequestStatus.DONE and rating is None,
            "scores": [5, 4, 3, 2, 1],
        },
    )


@require_POST
@tidu_view
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    post = request.POST
    version = _int(post.get("version"))
    done_text = {
        "accept": _("已受理该服务申请。"),
        "reply": _("回复已发送。"),
        "message": _("留言已发送。"),
        "done": _("已标记服务完成，企业可以评价。"),
        "decline": _("已婉拒该服务申请。"),
        "rate": _("感谢您的评价。"),
    }
    try:
        if action == "accept":
            services.request_accept(
                actor=request.user, request=req, message=post.get("text", ""), expected_version=version
            )
        elif action == "reply":
            services.request_reply(
                actor=request.user, request=req, text=post.get("text", ""), side=Side.PROVIDER
            )
        elif action == "message":
            services.request_reply(actor=request.user, request=req, text=post.get("text", ""), side=Side.FIRM)
        elif action == "done":
            services.request_done(
                actor=request.user, request=req, summary=post.get("text", ""), expected_version=version
            )
        elif action == "decline":
            services.request_decline(
                actor=request.user, request=req, reason=post.get("text", ""), expected_version=version
            )
        elif action == "rate":
            services.request_rate(
                actor=request.user, request=req, score=post.get("score", ""), comment=post.get("comment", "")
            )
        else:
            return HttpResponse(status=404)
    except TiduError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done_text[action])
    return redirect("services:request", pk=pk)


# ---- providers -------------------------------------------------------------------------------------


@tidu_view
def provider_home(request: HttpRequest) -> HttpResponse:
    """服务机构工作台: profile state, offers by state, the requests addressed to us, our ratings."""
    require(is_provider_user(request.user))
    provider = provider_of(request.user)
    if provider is None:
        return redirect("services:provider_profile")
    status = request.GET.get("status", "")
    reqs = selectors.requests_visible_to(request.user)
    if status in RequestStatus.values:
        reqs = reqs.filter(status=status)
    listed = selectors.annotate_timeliness(list(reqs[:200]))
    return render(
        request,
        "service_catalog/provider_home.html",
        {
            "provider": provider,
            "offers": selectors.offers_of(provider),
            "requests": listed,
            "status": status,
            "statuses": RequestStatus.choices,
            "ratings": selectors.provider_ratings(provider),
            "editable": EDITABLE_OFFER_STATUSES,
            "approved": provider.status == ProviderStatus.APPROVED,
            "overdue": sum(1 for r in listed if r.timeliness == Timeliness.OVERDUE),
        },
    )


@tidu_view
def provider_profile(request: HttpRequest) -> HttpResponse:
    require(is_provider_user(request.user))
    provider = provider_of(request.user)
    form = ProviderForm.for_provider(provider, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_profile_save(actor=request.user, data=form.provider_input())
        except TiduError as exc:
            if exc.field is None and not isinstance(exc, TiduValidationError):
                raise
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                _("机构信息已保存。")
                if provider.status == ProviderStatus.APPROVED
                else _("机构信息已提交，等待所在地主管部门审核。"),
            )
            return redirect("services:provider_home")
    return render(request, "service_catalog/provider_profile.html", {"form": form, "provider": provider})


def _offer_form_page(request: HttpRequest, form: OfferForm, offer: ServiceOffer | None) -> HttpResponse:
    return render(request, "service_catalog/offer_form.html", {"form": form, "offer": offer})


@tidu_view
def offer_new(request: HttpRequest) -> HttpResponse:
    require(is_provider_user(request.user))
    if provider_of(request.user) is None:
        return redirect("services:provider_profile")
    form = OfferForm.for_offer(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_save(actor=request.user, data=form.offer_input())
        except TiduError as exc:
            if exc.field is None and not isinstance(exc, TiduValidationError):
                raise
            _show_errors(form, exc)
        else:
            messages.success(request, _("服务事项已保存为草稿，提交审核后才会上架。"))
            return redirect("services:offer_edit", pk=offer.pk)
    return _offer_form_page(request, form, None)


def _own_offer(request: HttpRequest, pk: int) -> ServiceOffer:
    provider = provider_of(request.user)
    require(provider is not None, not_found=True)
    offer = ServiceOffer.objects.filter(pk=pk, provider=provider).prefetch_related("regions").first()
    require(offer is not None, not_found=True)
    assert offer is not None
    return offer


@tidu_view
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _own_offer(request, pk)
    form = OfferForm.for_offer(offer, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_save(actor=request.user, offer=offer, data=form.offer_input())
        except TiduError as exc:
            if exc.field is None and not isinstance(exc, TiduValidationError):
                raise
            _show_errors(form, exc)
        else:
            messages.success(request, _("服务事项已保存。"))
            return redirect("services:offer_edit", pk=offer.pk)
    return _offer_form_page(request, form, offer)


@require_POST
@tidu_view
def offer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    offer = _own_offer(request, pk)
    try:
        if action == "submit":
            services.offer_submit(actor=request.user, offer=offer)
            messages.success(request, _("已提交主管部门审核。"))
        elif action == "withdraw":
            services.offer_withdraw(actor=request.user, offer=offer)
            messages.success(request, _("服务事项已下架；进行中的服务申请不受影响。"))
        else:
            return HttpResponse(status=404)
    except TiduError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    return redirect("services:offer_edit", pk=offer.pk)


# ---- officials -------------------------------------------------------------------------------------


def _oversight_requests(request: HttpRequest) -> tuple[list[Any], str]:
    reqs = selectors.requests_visible_to(request.user)
    view = request.GET.get("show", "open")
    if view == "open":
        reqs = reqs.filter(status__in=OPEN_REQUEST_STATUSES)
    listed = selectors.annotate_timeliness(list(reqs.order_by("due_on", "id")[:500]))
    if view == "overdue":
        listed = [r for r in listed if r.timeliness == Timeliness.OVERDUE]
    return listed, view


@tidu_view
def oversight(request: HttpRequest) -> HttpResponse:
    """服务监管: providers and offers waiting for this office, requests against their deadlines, satisfaction."""
    require(can_oversee(request.user))
    listed, view = _oversight_requests(request)
    return render(
        request,
        "service_catalog/oversight.html",
        {
            "providers": selectors.providers_to_decide(request.user),
            "offers": selectors.offers_to_decide(request.user),
            "requests": listed,
            "show": view,
            "by_provider": selectors.satisfaction_by_provider(selectors.requests_visible_to(request.user)),
            "is_platform": role_of(request.user) == "platform",
        },
    )


@tidu_view
def oversight_export(request: HttpRequest) -> HttpResponse:
    """Satisfaction by provider and the requests, as a CSV Excel opens (UTF-8 with BOM, cells neutralised)."""
    require(can_oversee(request.user))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="services-{day:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "服务机构",
            "申请数",
            "办理中",
            "逾期未响应",
            "已响应",
            "按时响应",
            "按时响应率(%)",
            "评价数",
            "平均评分",
        ]
    )
    for row in selectors.satisfaction_by_provider(selectors.requests_visible_to(request.user), day):
        writer.writerow(
            [
                neutralise_cell(row.provider.name),
                row.requests,
                row.open,
                row.overdue,
                row.responded,
                row.on_time,
                row.on_time_rate if row.on_time_rate is not None else "",
                row.ratings,
                row.rating_avg if row.rating_avg is not None else "",
            ]
        )
    writer.writerow([])
    writer.writerow(
        ["服务事项", "服务机构", "企业", "统一社会信用代码", "提交日期", "应响应日期", "状态", "时效", "评分"]
    )
    for r in selectors.annotate_timeliness(
        list(selectors.requests_visible_to(request.user).order_by("due_on", "id")), day
    ):
        rating = getattr(r, "rating", None)
        writer.writerow(
            [
                neutralise_cell(r.offer.title),
                neutralise_cell(r.provider.name),
                neutralise_cell(r.enterprise.name),
                r.enterprise.credit_code,
                r.submitted_on.isoformat(),
                r.due_on.isoformat(),
                r.get_status_display(),
                r.timeliness_label,
                rating.score if rating is not None else "",
            ]
        )
    return response


@require_POST
@tidu_view
def provider_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_oversee(request.user))
    provider = selectors.providers_to_decide(request.user).filter(pk=pk).first()
    if provider is None:
        messages.error(request, _("该服务机构不在您的待审核列表中（可能已被审核）。"))
        return redirect("services:oversight")
    try:
        services.provider_decide(
            actor=request.user,
            provider=provider,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except TiduError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审核服务机构“%(name)s”。") % {"name": provider.name})
    return redirect("services:oversight")


@require_POST
@tidu_view
def offer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_oversee(request.user))
    offer = selectors.offer_get(user=request.user, pk=pk)
    try:
        services.offer_decide(
            actor=request.user,
            offer=offer,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except TiduError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已审核服务事项“%(title)s”。") % {"title": offer.title})
    return redirect("services:oversight")
