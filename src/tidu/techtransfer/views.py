"""Pages of technology transfer: firms search, get matches with reasons and request; platforms list
achievements, answer requests and record transfers and incubations; officials confirm their region's records.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.accounts.models import Organisation
from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.http import tidu_view
from tidu.core.permissions import organisation_of, require
from tidu.techtransfer import selectors, services
from tidu.techtransfer.access import can_oversee, can_request, is_platform_user, platform_of
from tidu.techtransfer.forms import (
    AchievementForm,
    IncubationEndForm,
    IncubationForm,
    RequestForm,
    TransferForm,
)
from tidu.techtransfer.models import (
    EDITABLE_STATUSES,
    OPEN_REQUEST_STATUSES,
    AchievementKind,
    AchievementStatus,
    Incubation,
    IncubationStatus,
    RequestStatus,
    Review,
    TechField,
    Transfer,
)

PAGE_SIZE = 20


def _show_errors(form: Any, exc: TiduError) -> None:
    problems = exc.problems if isinstance(exc, TiduValidationError) else [(exc.field, exc.code, exc.message)]
    aliases = {"price_min": "price_min_wan", "price_max": "price_max_wan", "amount": "amount_wan"}
    for field, _code, message in problems:
        name = aliases.get(field or "", field)
        form.add_error(name if name in form.fields else None, message)


def _firm(user: Any) -> Any:
    org = organisation_of(user)
    return org.enterprise if org is not None and can_request(user) else None


@tidu_view
def achievement_list(request: HttpRequest) -> HttpResponse:
    """科技成果: search (BM25, reasons shown); a firm without a query sees the achievements matched to it."""
    query = (request.GET.get("q") or "").strip()[:100]
    field = request.GET.get("field", "")
    field = field if field in TechField.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in AchievementKind.values else ""
    firm = _firm(request.user)
    found = selectors.search_listed(query=query, field=field, kind=kind) if query else None
    rows = None
    if found is None:
        qs = selectors.achievements_visible_to(request.user).filter(status=AchievementStatus.LISTED)
        if field:
            qs = qs.filter(field=field)
        if kind:
            qs = qs.filter(kind=kind)
        rows = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    suggestions = selectors.matched_for_firm(firm) if firm is not None and not (query or field or kind) else []
    platforms = Organisation.objects.filter(kind="innovation").order_by("name")
    return render(request, "techtransfer/list.html", {
        "query": query, "field": field, "kind": kind, "fields": TechField.choices, "kinds": AchievementKind.choices,
        "found": found, "page": rows, "suggestions": suggestions, "is_firm": firm is not None,
        "is_platform": is_platform_user(request.user), "can_oversee": can_oversee(request.user),
        "platforms": platforms,
    })


@tidu_view
def achievement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    own = platform_of(request.user)
    is_owner = own is not None and own.pk == achievement.platform_id
    own_open = None
    form = None
    firm = _firm(request.user)
    if firm is not None:
        own_open = selectors.requests_visible_to(request.user).filter(
            achievement=achievement, status__in=OPEN_REQUEST_STATUSES).first()
        if achievement.status == AchievementStatus.LISTED and own_open is None:
            form = RequestForm(modes=achievement.modes, initial={
                "contact_name": firm.contact_name, "contact_phone": firm.contact_phone})
    needs = selectors.matched_to_needs([achievement]).get(achievement.pk, [])
    return render(request, "techtransfer/achievement.html", {
        "a": achievement, "is_owner": is_owner, "own_open": own_open, "form": form, "needs": needs,
        "editable": achievement.status in EDITABLE_STATUSES, "counts": selectors.platform_counts(achievement.platform),
    })


@require_POST
@tidu_view
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    require(can_request(request.user))
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    form = RequestForm(request.POST, modes=achievement.modes)
    if form.is_valid():
        try:
            req = services.request_submit(actor=request.user, achievement=achievement, data=form.request_input())
        except TiduError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("申请已提交，创新平台回复后会通知您。"))
            return redirect("techtransfer:request", req.pk)
    return render(request, "techtransfer/achievement.html", {
        "a": achievement, "form": form, "is_owner": False, "own_open": None, "needs": [], "editable": False,
        "counts": selectors.platform_counts(achievement.platform),
    }, status=400)


@tidu_view
def request_list(request: HttpRequest) -> HttpResponse:
    require(can_request(request.user) or is_platform_user(request.user) or can_oversee(request.user))
    qs = selectors.requests_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "techtransfer/requests.html", {
        "page": page, "statuses": RequestStatus.choices, "status": status,
        "is_platform": is_platform_user(request.user),
    })


@tidu_view
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    own = platform_of(request.user)
    is_owner = own is not None and own.pk == req.achievement.platform_id
    transfer = Transfer.objects.filter(request=req).first()
    return render(request, "techtransfer/request.html", {"r": req, "is_owner": is_owner, "transfer": transfer})


@require_POST
@tidu_view
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_answer(actor=request.user, request=req, action=action, reply=request.POST.get("reply", ""))
    except TiduError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            raise
        messages.error(request, exc.message)
    return redirect("techtransfer:request", req.pk)


# ---- the platform's workbench ------------------------------------------------------------------------


def _own_platform(request: HttpRequest) -> Any:
    own = platform_of(request.user)
    require(own is not None)
    return own


@tidu_view
def platform_home(request: HttpRequest) -> HttpResponse:
    own = _own_platform(request)
    return render(request, "techtransfer/platform_home.html", {
        "platform": own,
        "counts": selectors.platform_counts(own),
        "achievements": selectors.achievements_visible_to(request.user).filter(platform=own).order_by("status", "-id"),
        "requests": selectors.requests_visible_to(request.user).filter(status__in=OPEN_REQUEST_STATUSES)[:50],
        "transfers": selectors.transfers_visible_to(request.user)[:50],
        "incubations": selectors.incubations_visible_to(request.user)[:100],
        "end_form": IncubationEndForm(),
    })


@tidu_view
def achievement_new(request: HttpRequest) -> HttpResponse:
    _own_platform(request)
    form = AchievementForm.for_achievement(None, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.achievement_save(actor=request.user, data=form.achievement_input())
        except TiduError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("已保存为草稿，发布后企业即可检索。"))
            return redirect("techtransfer:achievement", a.pk)
    return render(request, "techtransfer/achievement_form.html", {"form": form, "a": None})


@tidu_view
def achievement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    own = _own_platform(request)
    a = selectors.achievement_get(user=request.user, pk=pk)
    require(a.platform_id == own.pk, not_found=True)
    form = AchievementForm.for_achievement(a, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.achievement_save(actor=request.user, data=form.achievement_input(), achievement=a)
        except TiduError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("techtransfer:achievement", a.pk)
    return render(request, "techtransfer/achievement_form.html", {"form": form, "a": a})


@require_POST
@tidu_view
def achievement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    own = _own_platform(request)
    a = selectors.achievement_get(user=request.user, pk=pk)
    require(a.platform_id == own.pk, not_found=True)
    try:
        services.achievement_move(actor=request.user, achievement=a, action=action)
    except TiduError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            raise
        messages.error(request, exc.message)
    return redirect("techtransfer:achievement", a.pk)


@tidu_view
def transfer_new(request: HttpRequest) -> HttpResponse:
    own = _own_platform(request)
    req = None
    if request.GET.get("request") or request.POST.get("request"):
        try:
            req_id = int(request.GET.get("request") or request.POST.get("request") or "")
        except ValueError:
            raise TiduError(ErrorCode.NOT_FOUND) from None
        req = selectors.request_get(user=request.user, pk=req_id)
    achievements = list(selectors.achievements_visible_to(request.user).filter(
        platform=own, status__in=(AchievementStatus.LISTED, AchievementStatus.WITHDRAWN)))
    initial = {"achievement": req.achievement_id, "mode": req.mode} if req is not None else {}
    form = TransferForm(request.POST if request.method == "POST" else None, achievements=achievements,
                        initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_record(actor=request.user, data=form.transfer_input(req.pk if req else None))
        except TiduError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("已登记成果转化，待企业所在地主管部门核实。"))
            return redirect("techtransfer:platform")
    return render(request, "techtransfer/record_form.html", {
        "form": form, "req": req, "title": _("登记成果转化"), "action": "techtransfer:transfer_new"})


@tidu_view
def incubation_new(request: HttpRequest) -> HttpResponse:
    _own_platform(request)
    form = IncubationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.incubation_record(actor=request.user, data=form.incubation_input())
        except TiduError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("已登记孵化企业，待企业所在地主管部门核实。"))
            return redirect("techtransfer:platform")
    return render(request, "techtransfer/record_form.html", {
        "form": form, "req": None, "title": _("登记孵化企业"), "action": "techtransfer:incubation_new"})


@require_POST
@tidu_view
def incubation_end(request: HttpRequest, pk: int) -> HttpResponse:
    inc = selectors.incubations_visible_to(request.user).filter(pk=pk).first()
    require(inc is not None and is_platform_user(request.user), not_found=True)
    assert inc is not None
    form = IncubationEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择结束方式并填写日期。"))
        return redirect("techtransfer:platform")
    try:
        services.incubation_end(actor=request.user, incubation=inc, status=form.cleaned_data["status"],
                                ended_on=form.cleaned_data["ended_on"])
    except TiduError as exc:
        messages.error(request, exc.message)
    return redirect("techtransfer:platform")


# ---- public page of a platform, officials' oversight -------------------------------------------------


@tidu_view
def platform_page(request: HttpRequest, pk: int) -> HttpResponse:
    platform = Organisation.objects.filter(pk=pk, kind="innovation").first()
    require(platform is not None, not_found=True)
    return render(request, "techtransfer/platform_page.html", {
        "platform": platform,
        "counts": selectors.platform_counts(platform),
        "achievements": selectors.achievements_visible_to(request.user).filter(
            platform=platform, status__in=selectors.PUBLIC_STATUSES),
    })


@tidu_view
def oversight(request: HttpRequest) -> HttpResponse:
    require(can_oversee(request.user))
    review = request.GET.get("review", "")
    transfers = selectors.transfers_visible_to(request.user)
    incubations = selectors.incubations_visible_to(request.user)
    if review in Review.values:
        transfers, incubations = transfers.filter(review=review), incubations.filter(review=review)
    return render(request, "techtransfer/oversight.html", {
        "transfers": transfers[:200], "incubations": incubations[:200], "reviews": Review.choices, "review": review,
        "pending": selectors.transfers_visible_to(request.user).filter(review=Review.PENDING).count()
        + selectors.incubations_visible_to(request.user).filter(review=Review.PENDING).count(),
        "incubating": IncubationStatus.INCUBATING,
    })


@require_POST
@tidu_view
def record_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    require(can_oversee(request.user))
    qs = selectors.transfers_visible_to(request.user) if kind == "transfer" else (
        selectors.incubations_visible_to(request.user) if kind == "incubation" else None)
    record: Transfer | Incubation | None = qs.filter(pk=pk).first() if qs is not None else None
    require(record is not None, not_found=True)
    assert record is not None
    try:
        services.record_review(actor=request.user, record=record, confirm=request.POST.get("decision") == "confirm",
                               note=request.POST.get("note", ""))
    except TiduError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录核实结果。"))
    return redirect("techtransfer:oversight")
