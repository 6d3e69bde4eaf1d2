"""API for the register's import and export: upload a file (→ a background job), download CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import ErrorOut
from tidu.core.errors import TiduError
from tidu.core.permissions import require, role_of
from tidu.enterprises.exports import enterprises_export_csv
from tidu.enterprises.imports import enterprises_import_submit

router = Router(tags=["import/export"], auth=API_AUTH)


class ImportAccepted(Schema):
    job_id: str
    status: str
    status_url: str
    page_url: str


@router.post(
    "/imports",
    response={202: ImportAccepted, 400: ErrorOut, 403: ErrorOut},
    summary="上传企业及年度数据文件（Excel/CSV），在后台导入",
)
def import_upload(request: HttpRequest, file: File[UploadedFile], source: Form[str] = "") -> Status[Any]:
    """Same rules as the web page: all rows or none; poll `status_url` for progress and problems.

    `source` (officials only): tax, stats, samr, social or ip when the file is an official data set;
    its figures are then marked as from that source. Empty: figures as the firms declared them."""
    try:
        job = enterprises_import_submit(user=request.user, upload=file, source=source)
    except TiduError as exc:
        return Status(exc.status, exc.as_dict())
    return Status(202, ImportAccepted(
        job_id=str(job.pk),
        status=job.status,
        status_url=request.build_absolute_uri(f"/api/v1/jobs/{job.pk}"),
        page_url=request.build_absolute_uri(reverse("jobs:detail", args=[job.pk])),
    ))


@router.get("/export.csv", response={200: None, 403: ErrorOut}, summary="导出有权查看的企业及年度数据（CSV，金额单位万元）")
def export_csv(request: HttpRequest) -> StreamingHttpResponse | Status[Any]:
    try:
        require(role_of(request.user) in {"platform", "government", "enterprise"})
    except TiduError as exc:
        return Status(exc.status, exc.as_dict())
    response = StreamingHttpResponse(enterprises_export_csv(user=request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="enterprises.csv"'
    return response
