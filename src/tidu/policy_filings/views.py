"""Pages of policy applications: apply from a policy, the application page (the firm's steps, the
officials' review, decision and payouts, the payout followed to the end), and the list / review queue.
Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import private_download, tidu_view
from tidu.core.permissions import gov_level_of, require, role_of
from tidu.enterprises.money import wan_to_yuan
from tidu.enterprises.selectors import own_enterprise
from tidu.filing.models import ReviewAction
from tidu.journey import frozen, storage
from tidu.policies.selectors import policy_get
from tidu.policy_filings import materials, progress, services
from tidu.policy_filings.access import (
    can_edit_filing,
    can_record_payout,
    can_review_filing,
    path_of,
)
from tidu.policy_filings.errors import FilingError
from tidu.policy_filings.models import PolicyFilingStatus
from tidu.policy_filings.selectors import attachment_get, filing_for_batch, filing_get, filing_list

LEVEL_LABELS = {"county": gettext_lazy("县级"), "city": gettext_lazy("市级"), "province": gettext_lazy("省级"),
                "national": gettext_lazy("国家级")}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _wan_field(raw: str, field: str) -> int | None:
    """An amount typed in 万元 (blank: none), as exact yuan."""
    return wan_to_yuan(raw, field=field) if raw.strip() else None


@tidu_view
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """申请政策: the policy, the firm's verdict and estimate, the materials; a prefilled form starts a draft."""
    policy = policy_get(code=code, user=request.user)
    ent = own_enterprise(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message=_("只有企业用户可以申请政策。"))
    problem, batch, match = "", None, None
    try:
        batch, match = services.applicable(enterprise=ent, policy=policy)
    except FilingError as error:
        problem = error.message
    if batch is not None:
        held = filing_for_batch(enterprise_id=ent.pk, batch_id=batch.pk)
        if held is not None:
            return redirect("policy_filings:detail", pk=held.pk)
    if request.method == "POST" and not problem:
        try:
            filing = services.policy_filing_start(
                actor=request.user,
                policy=policy,
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                statement=request.POST.get("statement", ""),
            )
        except FilingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("申请草稿已创建（{ref}）：请上传申报材料，核对数据后签署承诺并提交。").format(
                    ref=filing.reference
                ),
            )
            return redirect("policy_filings:detail", pk=filing.pk)
    return render(
        request,
        "policy_filings/apply.html",
        {
            "policy": policy,
            "enterprise": ent,
            "batch": batch,
            "match": match,
            "problem": problem,
            "materials": [m for m in policy.material_list],
            "form": {
                "contact_name": request.POST.get("contact_name", ent.contact_name),
                "contact_phone": request.POST.get("contact_phone", ent.contact_phone),
                "statement": request.POST.get("statement", ""),
            },
        },
    )


@tidu_view
def index(request: HttpRequest) -> HttpResponse:
    """政策申报: a firm's own applications; an official's jurisdiction, by default those at their level."""
    role = role_of(request.user)
    if role not in {"enterprise", "government", "platform"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    status = request.GET.get("status", "")
    to_act = role == "government" and request.GET.get("all") != "1" and not status
    filings = filing_list(
        user=request.user, status=status, policy=request.GET.get("policy", ""), to_act=to_act
    )
    return render(
        request,
        "policy_filings/index.html",
        {
            "filings": filings[:200],
            "status": status,
            "statuses": PolicyFilingStatus.choices,
            "to_act": to_act,
            "official": role == "government",
            "level": gov_level_of(request.user),
        },
    )


@tidu_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: progress to the last payout, steps, the frozen record, materials and actions."""
    filing = filing_get(user=request.user, pk=pk)
    attachments = list(filing.attachments.all())
    path = path_of(filing)
    award = filing.award
    reviewable = can_review_filing(request.user, filing)
    return render(
        request,
        "policy_filings/detail.html",
        {
            "filing": filing,
            "policy": filing.batch.policy,
            "steps": filing.steps.all(),
            "stages": progress.stages(filing),
            "paid_yuan": progress.paid_yuan(filing),
            "payouts": list(award.payouts.all()) if award is not None else [],
            "materials": materials.status(filing, attachments),
            "editable": can_edit_filing(request.user, filing),
        "is_firm": role_of(request.user) == "enterprise",
            "reviewable": reviewable,
            "top_level": reviewable and filing.status == path[-1],
            "path_labels": [LEVEL_LABELS[level] for level in path],
            "review_actions": ReviewAction.choices,
            "can_pay": can_record_payout(request.user, filing),
            "assessment": filing.frozen_assessment or {},
            "figures": frozen.figure_rows(filing.frozen_figures, (filing.fiscal_year or 0) + 1)
            if filing.frozen_figures
            else [],
            "commitment_text": services.COMMITMENT_TEXT,
            "max_mb": storage.max_bytes() // (1024 * 1024),
            "today": timezone.localdate(),
            "last_return": filing.steps.filter(action=ReviewAction.RETURN).last()
            if filing.status == PolicyFilingStatus.RETURNED
            else None,
        },
    )


def _back(pk: int) -> HttpResponse:
    return redirect("policy_filings:detail", pk=pk)


@require_POST
@tidu_view
def update(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get(user=request.user, pk=pk)
    try:
        services.policy_filing_update(
            actor=request.user,
            filing=filing,
            contact_name=request.POST.get("contact_name", ""),
            contact_phone=request.POST.get("contact_phone", ""),
            statement=request.POST.get("statement", ""),
            expected_version=_int(request.POST.get("version")),
        )
    except FilingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已保存。"))
    return _back(pk)


@require_POST
@tidu_view
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get(user=request.user, pk=pk)
    try:
        services.policy_filing_submit(
            actor=request.user,
            filing=filing,
            commitment=request.POST.get("commitment") == "on",
            expected_version=_int(request.POST.get("version")),
        )
    except FilingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("申请已提交，进入{level}。").format(level=filing.get_status_display()))
    return _back(pk)


@require_POST
@tidu_view
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get(user=request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
        return _back(pk)
    try:
        services.attachment_add(
            actor=request.user,
            filing=filing,
            material=request.POST.get("material", ""),
            name=upload.name or "",
            data=storage.read_upload(upload),
        )
    except TiduError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("材料已上传。"))
    return _back(pk)


@tidu_view
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    att = attachment_get(user=request.user, pk=pk)
    return private_download(storage.path_of(att.stored_name), filename=att.original_name,
                            content_type=att.content_type)


@require_POST
@tidu_view
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    att = attachment_get(user=request.user, pk=pk)
    filing_pk = att.filing_id
    try:
        services.attachment_delete(actor=request.user, attachment=att)
    except FilingError as error:
        messages.error(request, error.message)
    return _back(filing_pk)


@require_POST
@tidu_view
def review(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get(user=request.user, pk=pk)
    try:
        services.policy_filing_review(
            actor=request.user,
            filing=filing,
            action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""),
            amount_yuan=_wan_field(request.POST.get("amount_wan", ""), "amount"),
            expected_version=_int(request.POST.get("version")),
        )
    except TiduError as error:
        if error.status == 404 or (error.status == 403 and not isinstance(error, FilingError)):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已记录审核意见：{status}。").format(status=filing.get_status_display()))
    return _back(pk)


@require_POST
@tidu_view
def payout(request: HttpRequest, pk: int) -> HttpResponse:
    filing = filing_get(user=request.user, pk=pk)
    require(can_record_payout(request.user, filing))
    try:
        amount = _wan_field(request.POST.get("amount_wan", ""), "amount")
        if amount is None:
            raise TiduError(ErrorCode.REASON_REQUIRED, field="amount", what=_("拨付金额（万元）"))
        try:
            paid_on = dt.date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            raise TiduError(
                ErrorCode.VALIDATION, field="paid_on", detail=_("拨付日期应为 年-月-日")
            ) from None
        services.policy_filing_payout(
            actor=request.user,
            filing=filing,
            amount_yuan=amount,
            paid_on=paid_on,
            reference=request.POST.get("reference", ""),
        )
    except TiduError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已登记拨付。"))
    return _back(pk)
