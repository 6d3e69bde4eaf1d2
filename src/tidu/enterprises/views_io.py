"""Import and export pages of the register: thin views over `imports` and `exports`."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import tidu_view
from tidu.core.permissions import (
    can_import_enterprises,
    is_official,
    jurisdiction_prefix_of,
    require,
    role_of,
)
from tidu.enterprises.exports import (
    enterprises_export_csv,
    enterprises_export_submit,
    enterprises_export_xlsx,
    export_runs_as_job,
    import_template_xlsx,
)
from tidu.enterprises.imports import MAX_UPLOAD_BYTES, enterprises_import_submit
from tidu.enterprises.provenance import DataSource
from tidu.jobs.selectors import jobs_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROLES = {"platform", "government", "enterprise"}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("数据文件"),
        help_text=_("Excel（.xlsx）或 CSV，按导入模板填写；上限 50 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
    )
    source = forms.ChoiceField(
        label=_("数据来源"), required=False,
        choices=[("", _("企业报送的数据（按自报处理）")), *DataSource.choices],
        help_text=_("如导入的是税务、统计等部门提供的官方数据，请选择来源：导入的各项数据将标记为“来源：…”。"),
    )


@tidu_view
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a filled template; the import runs as a background job and the job page shows progress."""
    require(can_import_enterprises(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            job = enterprises_import_submit(user=request.user, upload=form.cleaned_data["file"],
                                            source=form.cleaned_data.get("source") or "")
        except TiduError as exc:
            if exc.code != ErrorCode.VALIDATION:
                raise
            error = exc.message
        else:
            return redirect("jobs:detail", job_id=job.pk)
    recent = jobs_visible_to(request.user).filter(kind__in=["enterprise_import", "enterprise_export"])[:10]
    prefix = jurisdiction_prefix_of(request.user)
    return render(
        request,
        "enterprises/import.html",
        {"form": form, "error": error, "recent": recent, "prefix": prefix, "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
         "may_declare_source": is_official(request.user), "export_limit": settings.EXPORT_INLINE_MAX_ROWS},
        status=400 if error else 200,
    )


@tidu_view
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    require(can_import_enterprises(request.user))
    response = HttpResponse(import_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = _attachment("企业年度数据导入模板.xlsx")
    return response


def _export(request: HttpRequest, fmt: str) -> HttpResponse | None:
    """A large export runs as a job: GET offers it (a page with one button), POST queues it and opens the
    job's page. None: small enough to download at once."""
    require(role_of(request.user) in EXPORT_ROLES)
    as_job, rows = export_runs_as_job(user=request.user)
    if not as_job:
        return None
    if request.method == "POST":
        job = enterprises_export_submit(user=request.user, fmt=fmt)
        return redirect("jobs:detail", job_id=job.pk)
    return render(request, "enterprises/export_job.html",
                  {"rows": rows, "limit": settings.EXPORT_INLINE_MAX_ROWS, "fmt": fmt.upper()})


@tidu_view
@require_http_methods(["GET", "POST"])
def export_xlsx(request: HttpRequest) -> HttpResponse:
    queued = _export(request, "xlsx")
    if queued is not None:
        return queued
    response = HttpResponse(enterprises_export_xlsx(user=request.user), content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"企业年度数据_{timezone.localdate():%Y%m%d}.xlsx")
    return response


@tidu_view
@require_http_methods(["GET", "POST"])
def export_csv(request: HttpRequest) -> HttpResponse:
    queued = _export(request, "csv")
    if queued is not None:
        return queued
    response = StreamingHttpResponse(enterprises_export_csv(user=request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(f"企业年度数据_{timezone.localdate():%Y%m%d}.csv")
    return cast(HttpResponse, response)  # tidu_view is typed for HttpResponse; a streaming one works too


def _attachment(filename: str) -> str:
    """RFC 5987 file name so that browsers keep the Chinese name."""
    from urllib.parse import quote

    return f"attachment; filename=\"export.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"
