"""Pages of change reports: the firm files and revises; the county offices review; everyone sees the history.
Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.changes import evidence, services
from tidu.changes.forms import ChangeReportForm
from tidu.changes.models import ChangeReport, ChangeStatus, Side
from tidu.changes.selectors import (
    attachment_get,
    open_report_of,
    register_history,
    report_get,
    reports_visible_to,
    review_queue,
    sides_waiting_for,
)
from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.http import private_download, tidu_view
from tidu.core.permissions import is_official, organisation_of, require, role_of
from tidu.enterprises.selectors import own_enterprise
from tidu.journey.models import ReviewAction


def _files(request: HttpRequest) -> list[tuple[str, bytes]]:
    """The uploaded evidence, never reading past the size limit (an oversize file is refused unread)."""
    out = []
    limit = evidence.max_bytes()
    for upload in request.FILES.getlist("files"):
        if upload.size is not None and upload.size > limit:
            raise TiduError(ErrorCode.VALIDATION, field="files",
                            detail=f"证明材料“{upload.name}”超过 {limit // (1024 * 1024)} MB，请压缩后上传")
        out.append((upload.name or "", upload.read(limit + 1)))
    return out


def _show_errors(form: ChangeReportForm, exc: TiduError) -> None:
    problems = exc.problems if isinstance(exc, TiduValidationError) else [(exc.field, exc.code, exc.message)]
    for field, _code, message in problems:
        form.add_error(field if field in form.fields else None, message)


def _form_page(request: HttpRequest, form: ChangeReportForm, *, report: ChangeReport | None) -> HttpResponse:
    ent = own_enterprise(request.user)
    last_return = report.steps.filter(action=ReviewAction.RETURN).last() if report is not None else None
    return render(request, "changes/form.html", {"form": form, "enterprise": ent, "report": report,
                                                 "due_months": services.REPORT_WITHIN_MONTHS,
                                                 "last_return": last_return})


@tidu_view
def new(request: HttpRequest) -> HttpResponse:
    """The firm reports a change of its name, region, ownership or main business, with evidence."""
    ent = own_enterprise(request.user)
    require(ent is not None and role_of(request.user) == "enterprise")
    current = open_report_of(enterprise=ent)
    if current is not None:
        messages.info(request, _("已有进行中的重大变化报告，请在此查看或修改。"))
        return redirect("changes:detail", pk=current.pk)
    form = ChangeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.change_report_file(actor=request.user, data=form.change_input(), files=_files(request))
        except TiduError as exc:
            if exc.field is None and not isinstance(exc, TiduValidationError):
                raise
            _show_errors(form, exc)
        else:
            messages.success(request, _("重大变化报告已提交，等待主管部门审核；核准前企业登记信息不变。"))
            return redirect("changes:detail", pk=report.pk)
    return _form_page(request, form, report=None)


@tidu_view
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    own = own_enterprise(request.user)
    require(own is not None and own.pk == report.enterprise_id)
    if report.status != ChangeStatus.RETURNED:
        return redirect("changes:detail", pk=pk)
    form = ChangeReportForm.for_report(report, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_report_revise(actor=request.user, report=report, data=form.change_input(),
                                          files=_files(request), expected_version=_int(request.POST.get("version")))
        except TiduError as exc:
            if exc.field is None and not isinstance(exc, TiduValidationError):
                raise
            _show_errors(form, exc)
        else:
            messages.success(request, _("重大变化报告已重新提交。"))
            return redirect("changes:detail", pk=pk)
    return _form_page(request, form, report=report)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@tidu_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    own = own_enterprise(request.user)
    waiting = sides_waiting_for(request.user, report)
    return render(request, "changes/detail.html", {
        "report": report, "steps": report.steps.all(), "attachments": report.attachments.all(),
        "waiting": [Side(s).label for s in waiting], "reviewable": bool(waiting),
        "review_actions": [(ReviewAction.APPROVE, _("核准")), (ReviewAction.RETURN, _("退回修改"))],
        "own_report": own is not None and own.pk == report.enterprise_id,  # "返回" leads to the firm's list
        "revisable": own is not None and own.pk == report.enterprise_id and report.status == ChangeStatus.RETURNED,
        "last_return": report.steps.filter(action=ReviewAction.RETURN).last(),
        "needed": [(Side(s).label, s in report.approved_sides()) for s in report.sides_needed()],
        "due": services.report_due(report.effective_on),
        "history": register_history(enterprise=report.enterprise).filter(report=report),
        "other_work": _other_work(report) if waiting else None,
    })


def _other_work(report: ChangeReport) -> dict[str, int]:
    """What else moves with the firm: applications under way and titles held (shown to the reviewer)."""
    from tidu.journey.models import REVIEW_STATUSES, AppStatus

    ent = report.enterprise
    return {"applications": ent.applications.filter(
                status__in=[*REVIEW_STATUSES, AppStatus.APPROVED, AppStatus.PUBLICITY]).count(),
            "recognitions": ent.recognitions.filter(revoked_at__isnull=True).count()}


@require_POST
@tidu_view
def review(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get(user=request.user, pk=pk)
    try:
        report = services.change_report_review(
            actor=request.user, report=report, action=request.POST.get("action", ""),
            comment=request.POST.get("comment", ""), expected_version=_int(request.POST.get("version")))
    except TiduError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, {
            ChangeStatus.APPROVED: _("已核准，企业登记信息已变更。"),
            ChangeStatus.RETURNED: _("已退回企业修改。"),
        }.get(ChangeStatus(report.status), _("已核准，等待另一方主管部门核准。")))
    return redirect("changes:detail", pk=pk)


@tidu_view
def mine(request: HttpRequest) -> HttpResponse:
    """The firm's reports and the history of its registered identity."""
    ent = own_enterprise(request.user)
    require(ent is not None)
    return render(request, "changes/mine.html", {
        "enterprise": ent, "reports": reports_visible_to(request.user).filter(enterprise=ent),
        "history": register_history(enterprise=ent), "open_report": open_report_of(enterprise=ent)})


@tidu_view
def queue(request: HttpRequest) -> HttpResponse:
    """Officials: reports waiting for their county office, then the others of the jurisdiction."""
    require(is_official(request.user) or role_of(request.user) == "platform")
    to_act = review_queue(user=request.user)
    acting = {r.pk for r in to_act}
    visible = reports_visible_to(request.user)
    org = organisation_of(request.user)
    return render(request, "changes/queue.html", {
        "to_act": to_act,
        "pending": [r for r in visible.filter(status=ChangeStatus.PENDING).order_by("submitted_at")
                    if r.pk not in acting],
        "returned": visible.filter(status=ChangeStatus.RETURNED).order_by("-status_changed_at")[:50],
        "approved": visible.filter(status=ChangeStatus.APPROVED).order_by("-approved_at")[:50],
        "is_county": org is not None and org.gov_level == "county",
    })


@tidu_view
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    att = attachment_get(user=request.user, pk=pk)
    return private_download(evidence.path_of(att.stored_name), filename=att.original_name,
                            content_type=att.content_type)
