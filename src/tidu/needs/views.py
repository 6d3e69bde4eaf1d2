"""Pages of 发榜/揭榜: the catalogue, a need (owner, SME, official views), responses, curation and the funnel.
Thin: parse, call one service or selector, render. Every read goes through tidu.needs.selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import tidu_view
from tidu.core.permissions import is_official, require, role_of
from tidu.enterprises.models import Enterprise
from tidu.needs import recommend, selectors, services
from tidu.needs.errors import NeedCode, NeedError
from tidu.needs.forms import (
    AcceptanceForm,
    ContractForm,
    FunnelFilterForm,
    MilestoneForm,
    NeedForm,
    ResponseForm,
)
from tidu.needs.models import (
    FIGURE_LABELS,
    MONEY_FIGURES,
    Milestone,
    Need,
    NeedField,
    NeedResponse,
    NeedStatus,
    ResponseStatus,
)

PAGE_SIZE = 20


def _form_error(form: Any, exc: TiduError) -> None:
    aliases = {"budget_min": "budget_min_wan", "budget_max": "budget_max_wan"}
    name = aliases.get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def _need(request: HttpRequest, pk: int) -> Need:
    """A need the user may open; 404 otherwise (an invite-only need does not betray that it exists)."""
    need = selectors.needs_visible_to(request.user).filter(pk=pk).first()
    if need is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return need


def _response(request: HttpRequest, pk: int) -> NeedResponse:
    resp = selectors.responses_visible_to(request.user).filter(pk=pk).first()
    if resp is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return resp


def shared_rows(resp: NeedResponse) -> list[tuple[str, Any, bool]]:
    """(label, value, is money) of exactly the figures the SME chose to share."""
    return [(label, resp.shared_figures[key], key in MONEY_FIGURES)
            for key, label in FIGURE_LABELS.items() if key in resp.shared_figures]


@tidu_view
def catalogue(request: HttpRequest) -> HttpResponse:
    """大企业需求: visible needs (filter by field and words); an SME also gets its ranked recommendations."""
    qs = selectors.needs_visible_to(request.user).filter(status__in=(
        NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.COMPLETED))
    field = request.GET.get("field", "")
    if field in NeedField.values:
        qs = qs.filter(field=field)
    else:
        field = ""
    query = services.clean(request.GET.get("q") or "")[:100]
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(description__icontains=query) | Q(indicators__icontains=query))
    page = Paginator(qs.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    fits = recommend.needs_for_firm(request.user, limit=5) if not (query or field) and page.number == 1 else []
    return render(request, "needs/catalogue.html", {
        "page": page, "needs": page.object_list, "fields": NeedField.choices, "field": field, "query": query,
        "fits": fits, "role": role_of(request.user),
    })


@tidu_view
def mine(request: HttpRequest) -> HttpResponse:
    """我的发榜 (large firm) or 我的揭榜 (SME: responses, invitations, recommended needs)."""
    role = role_of(request.user)
    if role == "large":
        needs = selectors.needs_visible_to(request.user).filter(owner_id=selectors.owner_org_id(request.user)) \
            .annotate(n_responses=Count("responses", filter=~Q(responses__status=ResponseStatus.WITHDRAWN)),
                      n_selected=Count("responses", filter=Q(responses__status=ResponseStatus.SELECTED)))
        cohort = selectors.funnel_cohort(request.user).filter(owner_id=selectors.owner_org_id(request.user))
        return render(request, "needs/mine_owner.html", {"needs": needs, "funnel": selectors.funnel(cohort)})
    ent = selectors.own_enterprise_id(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    responses = selectors.responses_visible_to(request.user)
    invited = selectors.open_needs_for(request.user).filter(invitations__enterprise_id=ent).exclude(
        responses__enterprise_id=ent)
    return render(request, "needs/mine_firm.html", {
        "responses": responses, "invited": invited, "fits": recommend.needs_for_firm(request.user, limit=10)})


@tidu_view
def need_new(request: HttpRequest) -> HttpResponse:
    require(role_of(request.user) == "large")
    form = NeedForm.for_need(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.need_input()
        if data is not None:
            try:
                need = services.need_save(actor=request.user, data=data)
            except TiduError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("需求已保存为草稿，确认无误后请点击“发布”。"))
                return redirect("needs:detail", need.pk)
    return render(request, "needs/need_form.html", {"form": form, "need": None})


@tidu_view
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need(request, pk)
    require(selectors.is_owner(request.user, need))
    form = NeedForm.for_need(need, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.need_input()
        if data is not None:
            try:
                services.need_save(actor=request.user, need=need, data=data)
            except TiduError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("needs:detail", need.pk)
    return render(request, "needs/need_form.html", {"form": form, "need": need})


@tidu_view
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need(request, pk)
    owner = selectors.is_owner(request.user, need)
    curator = selectors.can_curate(request.user, need)
    ent = selectors.own_enterprise_id(request.user)
    responses = selectors.responses_visible_to(request.user).filter(need=need) if (owner or curator) else None
    own = NeedResponse.objects.filter(need=need, enterprise_id=ent).first() if ent is not None else None
    can_respond = (ent is not None and selectors.open_needs_for(request.user).filter(pk=need.pk).exists()
                   and (own is None or own.status == ResponseStatus.WITHDRAWN))
    from tidu.core.models import AuditEvent

    events = AuditEvent.objects.filter(target_type="needs.need", target_id=str(need.pk)).order_by("-at")[:30] \
        if (owner or curator) else []
    return render(request, "needs/need_detail.html", {
        "need": need, "is_owner": owner, "is_curator": curator, "responses": responses, "own": own,
        "can_respond": can_respond, "invitations": need.invitations.select_related("enterprise") if (owner or curator)
        else [], "events": events, "today": timezone.localdate(),
    })


@tidu_view
def need_firms(request: HttpRequest, pk: int) -> HttpResponse:
    """SMEs ranked by fit for the need, with reasons; the owner or an official may invite them."""
    need = _need(request, pk)
    fits = recommend.firms_for_need(request.user, need, limit=20)
    return render(request, "needs/need_firms.html", {
        "need": need, "fits": fits, "can_invite": need.status in (NeedStatus.DRAFT, NeedStatus.PUBLISHED)})


NEED_ACTIONS = {
    "publish": (services.need_publish, "需求已发布。"),
    "close": (services.need_close, "已结束征集，可继续评选已收到的方案。"),
    "approve": (services.need_approve, "已审核通过。"),
    "restore": (services.need_restore, "已恢复上架。"),
}


@tidu_view
@require_POST
def need_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    need = _need(request, pk)
    text = (request.POST.get("text") or "").strip()
    try:
        if action in NEED_ACTIONS:
            fn, msg = NEED_ACTIONS[action]
            fn(actor=request.user, need=need)
        elif action == "cancel":
            services.need_cancel(actor=request.user, need=need, reason=text)
            msg = "需求已撤回。"
        elif action == "hide":
            services.need_hide(actor=request.user, need=need, reason=text)
            msg = "需求已下架，发榜企业会收到通知。"
        elif action == "invite":
            code = services.clean(request.POST.get("credit_code") or "").upper()[:18]
            firm = Enterprise.objects.filter(credit_code=code).first()
            if firm is None:
                raise NeedError(NeedCode.ENTERPRISE_UNKNOWN, credit_code=code)
            services.invite(actor=request.user, need=need, enterprise=firm, note=text)
            msg = f"已邀请{firm.name}揭榜。"
        else:
            raise TiduError(ErrorCode.NOT_FOUND)
    except NeedError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _(msg))
    back = request.POST.get("next") or ""
    return redirect(back if back.startswith("/needs/") else f"/needs/{need.pk}/")


@tidu_view
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    need = _need(request, pk)
    require(selectors.own_enterprise_id(request.user) is not None)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resp = services.response_submit(actor=request.user, need=need, data=form.response_input())
        except TiduError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("揭榜方案已提交，发榜企业会收到通知。"))
            return redirect("needs:response", resp.pk)
    return render(request, "needs/respond.html", {"need": need, "form": form})


@tidu_view
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resp = _response(request, pk)
    owner = selectors.is_owner(request.user, resp.need)
    from tidu.core.models import AuditEvent

    return render(request, "needs/response.html", {
        "resp": resp, "need": resp.need, "is_owner": owner,
        "is_firm": selectors.own_enterprise_id(request.user) == resp.enterprise_id,
        "shared": shared_rows(resp), "milestones": resp.milestones.all(),
        "contract_form": ContractForm(prefix="contract"), "milestone_form": MilestoneForm(prefix="milestone"),
        "acceptance_form": AcceptanceForm(prefix="acceptance"),
        "events": AuditEvent.objects.filter(target_type="needs.needresponse", target_id=str(resp.pk)).order_by("-at"),
        "today": timezone.localdate(),
    })


@tidu_view
@require_POST
def response_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    resp = _response(request, pk)
    note = (request.POST.get("note") or "").strip()
    try:
        if action == "withdraw":
            services.response_withdraw(actor=request.user, response=resp)
        elif action == "shortlist":
            services.response_shortlist(actor=request.user, response=resp)
        elif action == "select":
            services.response_select(actor=request.user, response=resp, note=note)
        elif action == "reject":
            services.response_reject(actor=request.user, response=resp, note=note)
        elif action == "contract":
            form = ContractForm(request.POST, prefix="contract")
            if not form.is_valid():
                raise NeedError(NeedCode.REQUIRED, what="合同签订日期")
            amount = form.amount()
            if form.errors:
                raise NeedError(NeedCode.REQUIRED, what="正确的合同金额（万元，最多4位小数）")
            services.contract_record(actor=request.user, response=resp, signed_on=form.cleaned_data["signed_on"],
                                     amount=amount, note=form.cleaned_data.get("note") or "")
        elif action == "milestone":
            mform = MilestoneForm(request.POST, prefix="milestone")
            if not mform.is_valid():
                raise NeedError(NeedCode.REQUIRED, what="里程碑名称和计划完成日期")
            services.milestone_add(actor=request.user, response=resp, title=mform.cleaned_data["title"],
                                   due_on=mform.cleaned_data["due_on"], note=mform.cleaned_data.get("note") or "")
        elif action == "milestone_done":
            raw = request.POST.get("milestone") or ""
            ms = Milestone.objects.filter(response=resp, pk=int(raw)).first() if raw.isdigit() and len(raw) < 18 \
                else None
            if ms is None:
                raise TiduError(ErrorCode.NOT_FOUND)
            services.milestone_done(actor=request.user, milestone=ms, done_on=timezone.localdate())
        elif action == "accept":
            aform = AcceptanceForm(request.POST, prefix="acceptance")
            if not aform.is_valid():
                raise NeedError(NeedCode.REQUIRED, what="验收结果和验收日期")
            services.acceptance_record(actor=request.user, response=resp, passed=aform.cleaned_data["passed"],
                                       on=aform.cleaned_data["on"], note=aform.cleaned_data.get("note") or "")
        else:
            raise TiduError(ErrorCode.NOT_FOUND)
    except NeedError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存。"))
    return redirect("needs:response", resp.pk)


@tidu_view
def curation(request: HttpRequest) -> HttpResponse:
    """主管部门: the region's need catalogue (approve, hide, restore) and the funnel by region, field, period."""
    require(is_official(request.user) or role_of(request.user) == "platform")
    form = FunnelFilterForm(request.GET or None)
    params: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        params = {"region_prefix": (d.get("region") or "").strip(), "field": d.get("field") or "",
                  "start": d.get("start"), "end": d.get("end")}
    cohort = selectors.funnel_cohort(request.user, **params)
    catalogue = selectors.needs_visible_to(request.user).exclude(status=NeedStatus.CANCELLED).annotate(
        n_responses=Count("responses", filter=~Q(responses__status=ResponseStatus.WITHDRAWN)))
    page = Paginator(catalogue.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "needs/curation.html", {
        "form": form, "total": selectors.funnel(cohort), "by_region": selectors.funnel_by_region(cohort),
        "by_field": selectors.funnel_by_field(cohort), "page": page, "needs": page.object_list,
        "steps": [label for _k, label in selectors.FUNNEL_STEPS],
    })
