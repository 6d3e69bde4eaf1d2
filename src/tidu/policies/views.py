"""Pages of policies. Thin: parse, call one service or selector, render.

Public: the policy list, a policy, the award disclosure and its open-data export. Firms: 我的政策 (their
own firm only), subscription, their awards. Officials: write policies as data with a sandbox, publish,
push lists (免申即享), awards and payouts of their jurisdiction.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import render_error, tidu_view
from tidu.core.permissions import require
from tidu.core.text import neutralise_cell
from tidu.enterprises.selectors import own_enterprise
from tidu.ladder.assessment import today_shanghai
from tidu.policies import conditions as C
from tidu.policies import selectors as S
from tidu.policies import services
from tidu.policies.forms import BatchForm, EditionForm, GrantForm, PayoutForm, PolicyForm
from tidu.policies.models import (
    Award,
    PolicyBatch,
    PolicyCategory,
    PolicyLevel,
    PolicyRoute,
    PolicyStatus,
    PolicySubscription,
)
from tidu.policies.sandbox import (
    firms_in_reach,
    push_list,
    sandbox_in_background,
    sandbox_run,
    sandbox_submit,
)
from tidu.rules import ExprError

# ---- public -----------------------------------------------------------------------------------------


def policy_list(request: HttpRequest) -> HttpResponse:
    day = today_shanghai()
    qs = S.policies_published().order_by("level", "-in_force_from", "code")
    level, category, q = (
        request.GET.get("level", ""),
        request.GET.get("category", ""),
        request.GET.get("q", "").strip(),
    )
    if level in PolicyLevel.values:
        qs = qs.filter(level=level)
    if category in PolicyCategory.values:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(title__icontains=q)
    policies = list(qs.prefetch_related("batches"))
    rows = [{"policy": p, "in_force": p.in_force_on(day), "batch": S.current_batch(p, day)} for p in policies]
    return render(
        request,
        "policies/list.html",
        {
            "rows": rows,
            "levels": PolicyLevel.choices,
            "categories": PolicyCategory.choices,
            "level": level,
            "category": category,
            "q": q,
            "today": day,
        },
    )


def _edition_rows(edition: Any) -> list[dict[str, Any]]:
    rows = []
    for s in C.check_conditions(edition.conditions):
        fields = (
            [(f, C.field_label(f)) for f in C.compile_expr(s.expr).columns] if s.kind == "machine" else []
        )
        rows.append({"spec": s, "fields": fields})
    return rows


def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        policy = S.policy_get(code=code, user=request.user)
    except TiduError as e:
        return render_error(request, e)
    day = today_shanghai()
    editions = list(policy.editions.order_by("-effective_on"))
    edition = S.edition_in_force(policy, day) or (editions[0] if editions else None)
    rows = _edition_rows(edition) if edition is not None else []
    batches = sorted(policy.batches.all(), key=lambda b: b.opens_on)
    match = None
    ent = own_enterprise(request.user)
    if (
        ent is not None
        and policy.status == PolicyStatus.PUBLISHED
        and str(ent.region_id).startswith(policy.region_prefix)
    ):
        match = S.match_one(ent, policy, day)
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "edition": edition,
            "editions": editions,
            "rows": rows,
            "machine": [r for r in rows if r["spec"].kind == "machine"],
            "text": [r for r in rows if r["spec"].kind == "text"],
            "batches": batches,
            "today": day,
            "match": match,
            "in_force": policy.in_force_on(day),
            "can_manage": S.can_manage_policy(request.user, policy),
        },
    )


AWARD_COLUMNS = (
    "企业名称",
    "统一社会信用代码",
    "政策",
    "政策编号",
    "文号",
    "依据条款",
    "金额（万元）",
    "兑现方式",
    "状态",
    "决定日期",
)


def _award_filters(request: HttpRequest) -> tuple[str, str, int | None]:
    year_text = request.GET.get("year", "").strip()
    return (
        request.GET.get("q", "").strip(),
        request.GET.get("policy", "").strip(),
        int(year_text) if year_text.isdigit() else None,
    )


def awards_public(request: HttpRequest) -> HttpResponse:
    q, code, year = _award_filters(request)
    page = Paginator(S.awards_public(q=q, policy=code, year=year), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/awards.html",
        {
            "page": page,
            "q": q,
            "policy_code": code,
            "year": year or "",
            "policies": S.policies_published().filter(awards__isnull=False).distinct().order_by("title"),
        },
    )


def _award_row(a: Award) -> list[Any]:
    """Only what the decision itself discloses: no figure of the firm beyond the amount awarded."""
    from tidu.enterprises.money import yuan_to_wan_text

    return [
        a.enterprise.name,
        a.enterprise.credit_code,
        a.policy.title,
        a.policy.code,
        a.policy.document_number,
        a.clause,
        yuan_to_wan_text(a.amount_yuan),
        a.get_route_display(),
        a.get_status_display(),
        timezone.localtime(a.decided_at).date().isoformat(),
    ]


def awards_export(request: HttpRequest, fmt: str) -> HttpResponse:
    q, code, year = _award_filters(request)
    awards = S.awards_public(q=q, policy=code, year=year)
    if fmt == "json":
        keys = (
            "firm",
            "credit_code",
            "policy",
            "policy_code",
            "document_number",
            "clause",
            "amount_wan",
            "route",
            "status",
            "decided_on",
        )
        data = [
            dict(zip(keys, [neutralise_cell(v) for v in _award_row(a)], strict=True))
            for a in awards.iterator()
        ]
        resp = HttpResponse(
            json.dumps({"awards": data, "unit": "万元"}, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    elif fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")  # Excel opens UTF-8 Chinese correctly
        writer = csv.writer(buf)
        writer.writerow(AWARD_COLUMNS)
        for a in awards.iterator():
            writer.writerow([neutralise_cell(v) for v in _award_row(a)])
        resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        return render_error(request, TiduError(ErrorCode.NOT_FOUND))
    resp["Content-Disposition"] = f'attachment; filename="policy-awards.{fmt}"'
    return resp


# ---- firms ------------------------------------------------------------------------------------------


@tidu_view
def mine(request: HttpRequest) -> HttpResponse:
    ent, matches = S.my_matches(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message=_("“我的政策”供企业用户使用。"))
    groups = [
        (v, S.VERDICT_LABELS[v], [m for m in matches if m.verdict == v])
        for v in (S.ELIGIBLE, S.POSSIBLE, S.NOT_ELIGIBLE)
    ]
    return render(
        request,
        "policies/mine.html",
        {
            "enterprise": ent,
            "groups": groups,
            "today": today_shanghai(),
            "subscribed": PolicySubscription.objects.filter(enterprise=ent).exists(),
            "fiscal_year": matches[0].fiscal_year if matches else None,
        },
    )


@tidu_view
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    on = services.subscription_set(actor=request.user, on=request.POST.get("on") == "1")
    messages.success(request, _("已订阅新政策提醒。") if on else _("已取消新政策提醒。"))
    return redirect("policies:mine")


@tidu_view
def my_awards(request: HttpRequest) -> HttpResponse:
    ent = own_enterprise(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message=_("“我的奖补”供企业用户使用。"))
    awards = S.awards_visible_to(request.user).prefetch_related("payouts")
    return render(request, "policies/my_awards.html", {"enterprise": ent, "awards": awards})


# ---- officials ------------------------------------------------------------------------------------


@tidu_view
def manage_list(request: HttpRequest) -> HttpResponse:
    require(S.can_author_policies(request.user))
    return render(
        request,
        "policies/manage_list.html",
        {
            "policies": S.policies_managed_by(request.user).order_by("status", "-in_force_from"),
            "push_policies": S.policies_with_push_lists_for(request.user).prefetch_related("batches"),
            "today": today_shanghai(),
        },
    )


@tidu_view
def policy_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    require(S.can_author_policies(request.user))
    policy = S.policy_get(code=code, user=request.user) if code else None
    if policy is not None:
        require(S.can_manage_policy(request.user, policy))
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            saved = services.policy_save(actor=request.user, policy=policy, **values)
        except TiduError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("已保存政策“%(t)s”。") % {"t": saved.title})
            return redirect("policies:manage_detail", code=saved.code)
    return render(request, "policies/edit.html", {"form": form, "policy": policy})


def _manage_context(request: HttpRequest, policy: Any, **extra: Any) -> dict[str, Any]:
    day = today_shanghai()
    edition = S.edition_in_force(policy, max(day, policy.in_force_from))
    editions = list(policy.editions.order_by("-effective_on"))
    initial = {}
    latest = editions[0] if editions else None
    if latest is not None:
        initial = {
            "conditions": C.dump_conditions(latest.conditions),
            "amount_expr": latest.amount_expr,
            "amount_clause": latest.amount_clause,
            "amount_cap_wan": _wan_text(latest.amount_cap_yuan),
        }
    ctx = {
        "policy": policy,
        "editions": editions,
        "edition": edition,
        "batches": sorted(policy.batches.all(), key=lambda b: b.opens_on),
        "edition_form": EditionForm(initial=initial),
        "batch_form": BatchForm(),
        "today": day,
        "awards": policy.awards.select_related("enterprise", "batch").order_by("-decided_at")[:50],
        "field_list": sorted(C.policy_fields().values(), key=lambda f: f.name),
    }
    ctx.update(extra)
    return ctx


def _wan_text(yuan: int | None) -> str:
    from tidu.enterprises.money import yuan_to_wan_text

    return yuan_to_wan_text(yuan)


@tidu_view
def manage_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = S.policy_get(code=code, user=request.user)
    require(S.can_manage_policy(request.user, policy))
    return render(request, "policies/manage_detail.html", _manage_context(request, policy))


@tidu_view
@require_POST
def edition_new(request: HttpRequest, code: str) -> HttpResponse:
    """Sandbox (try the conditions over the jurisdiction's firms, nothing saved) or save a new edition."""
    policy = S.policy_get(code=code, user=request.user)
    require(S.can_manage_policy(request.user, policy))
    form = EditionForm(request.POST)
    sandbox = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            if request.POST.get("action") == "sandbox" and sandbox_in_background(
                user=request.user, policy=policy
            ):
                job = sandbox_submit(
                    user=request.user,
                    policy=policy,
                    conditions=d["conditions"],
                    amount_expr=d["amount_expr"] or "",
                    amount_cap_yuan=d["amount_cap_wan"],
                )
                return redirect("jobs:detail", job_id=job.pk)
            if request.POST.get("action") == "sandbox":
                sandbox = sandbox_run(
                    user=request.user,
                    policy=policy,
                    conditions=d["conditions"],
                    amount_expr=d["amount_expr"] or "",
                    amount_cap_yuan=d["amount_cap_wan"],
                )
            else:
                services.edition_add(
                    actor=request.user,
                    policy=policy,
                    effective_on=d["effective_on"],
                    conditions=d["conditions"],
                    amount_expr=d["amount_expr"] or "",
                    amount_cap_yuan=d["amount_cap_wan"],
                    amount_clause=d["amount_clause"],
                    basis=d["basis"] or "",
                )
                messages.success(request, _("已保存 %(d)s 生效的新版本。") % {"d": d["effective_on"]})
                return redirect("policies:manage_detail", code=policy.code)
        except ExprError as e:
            form.add_error("conditions", str(e))
        except TiduError as e:
            form.add_error(
                e.field if e.field in form.fields and e.field != "amount_cap_yuan" else None, e.message
            )
    ctx = _manage_context(request, policy, edition_form=form, sandbox=sandbox, open_edition=True)
    return render(request, "policies/manage_detail.html", ctx, status=200 if form.is_valid() else 400)


@tidu_view
@require_POST
def batch_new(request: HttpRequest, code: str) -> HttpResponse:
    policy = S.policy_get(code=code, user=request.user)
    # before the form: an invalid one re-renders the management page (push list, awards, payouts)
    require(S.can_manage_policy(request.user, policy))
    form = BatchForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.batch_add(
                actor=request.user,
                policy=policy,
                name=d["name"],
                opens_on=d["opens_on"],
                closes_on=d["closes_on"],
                budget_yuan=d["budget_wan"],
            )
        except TiduError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            messages.success(request, _("已添加批次“%(n)s”。") % {"n": d["name"]})
            return redirect("policies:manage_detail", code=policy.code)
    return render(
        request, "policies/manage_detail.html", _manage_context(request, policy, batch_form=form), status=400
    )


@tidu_view
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    policy = S.policy_get(code=code, user=request.user)
    told = services.policy_publish(actor=request.user, policy=policy)
    messages.success(request, _("已发布；已提醒 %(n)s 家订阅且可能符合条件的企业。") % {"n": told})
    return redirect("policies:manage_detail", code=policy.code)


def _batch_for(user: Any, batch_id: int) -> PolicyBatch:
    """A batch whose push list the user may see (covering their jurisdiction), else NOT_FOUND."""
    batch = PolicyBatch.objects.select_related("policy__region").filter(pk=batch_id).first()
    if batch is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    visible = S.policies_with_push_lists_for(user).filter(pk=batch.policy_id).exists()
    if not (visible or S.can_manage_policy(user, batch.policy)):
        raise TiduError(ErrorCode.NOT_FOUND)
    return batch


@tidu_view
def push_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The push list of a batch: firms of the official's jurisdiction the engine finds eligible, with evidence."""
    require(S.can_author_policies(request.user))
    batch = _batch_for(request.user, batch_id)
    can_decide = S.can_manage_policy(request.user, batch.policy)
    if request.method == "POST":
        require(can_decide)
        try:
            if request.POST.get("action") == "notify":
                told = services.push_send(actor=request.user, batch=batch)
                messages.success(request, _("已通知 %(n)s 家企业。") % {"n": told})
            elif request.POST.get("action") == "grant":
                form = GrantForm(request.POST)
                ent = (
                    firms_in_reach(request.user, batch.policy)
                    .filter(pk=int(raw) if (raw := request.POST.get("enterprise", "")).isdigit() else 0)
                    .first()
                )
                if ent is None:
                    raise TiduError(ErrorCode.NOT_FOUND)
                if not form.is_valid():
                    raise TiduError(
                        ErrorCode.VALIDATION,
                        detail="；".join(str(e) for errs in form.errors.values() for e in errs),
                    )
                row = next(
                    (r for r in push_list(user=request.user, batch=batch) if r.enterprise.pk == ent.pk), None
                )
                award = services.award_grant(
                    actor=request.user,
                    policy_batch=batch,
                    enterprise=ent,
                    amount_yuan=form.cleaned_data["amount_wan"],
                    route=PolicyRoute.AUTOMATIC,
                    basis=form.cleaned_data["basis"] or _("免申即享：按核实的年度数据直接兑现"),
                    evidence=row.evidence if row else None,
                )
                if award.double_claim:
                    messages.warning(
                        request, _("已决定，但疑似重复享受：%(n)s") % {"n": award.double_claim_note}
                    )
                else:
                    messages.success(request, _("已决定给予 %(f)s 奖补。") % {"f": ent.name})
        except TiduError as e:
            messages.error(request, e.message)
        return redirect("policies:push", batch_id=batch.pk)
    rows = push_list(user=request.user, batch=batch)
    return render(
        request,
        "policies/push.html",
        {
            "batch": batch,
            "policy": batch.policy,
            "rows": rows,
            "can_decide": can_decide,
            "total": sum(r.amount_yuan or 0 for r in rows),
            "today": today_shanghai(),
        },
    )


@tidu_view
def award_detail(request: HttpRequest, award_id: int) -> HttpResponse:
    award = S.awards_visible_to(request.user).filter(pk=award_id).first()
    if award is None or S.can_author_policies(request.user) is False:
        raise TiduError(ErrorCode.NOT_FOUND)
    can_pay = S.can_manage_policy(request.user, award.policy)
    form = PayoutForm(request.POST or None, initial={"paid_on": today_shanghai()})
    if request.method == "POST":
        require(can_pay)
        try:
            if request.POST.get("action") == "revoke":
                services.award_revoke(actor=request.user, award=award, reason=request.POST.get("reason", ""))
                messages.success(request, _("已撤销该奖补决定。"))
                return redirect("policies:award", award_id=award.pk)
            if form.is_valid():
                services.payout_record(
                    actor=request.user,
                    award=award,
                    amount_yuan=form.cleaned_data["amount_wan"],
                    paid_on=form.cleaned_data["paid_on"],
                    reference=form.cleaned_data["reference"],
                )
                messages.success(request, _("已登记拨付。"))
                return redirect("policies:award", award_id=award.pk)
        except TiduError as e:
            form.add_error(e.field.replace("amount_yuan", "amount_wan") if e.field else None, e.message)
    return render(
        request,
        "policies/award.html",
        {
            "award": award,
            "payouts": award.payouts.all(),
            "paid": S.paid_yuan(award),
            "form": form,
            "can_pay": can_pay,
        },
    )


@tidu_view
def payouts(request: HttpRequest) -> HttpResponse:
    require(S.can_author_policies(request.user))
    awards = S.awards_visible_to(request.user).prefetch_related("payouts")
    status = request.GET.get("status", "")
    if status:
        awards = awards.filter(status=status)
    page = Paginator(awards.order_by("-decided_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/payouts.html",
        {"page": page, "status": status, "statuses": Award._meta.get_field("status").choices},
    )
