"""/api/v1/changes: 重大变化报告 under exactly the web's permissions.

Firms file (multipart: the fields and one or more `files`) and revise returned reports; county offices
review with the `version` they saw (a stale one answers 409). The register changes only on approval.
"""


import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic.json_schema import SkipJsonSchema

from tidu.accounts.auth import API_AUTH
from tidu.changes import evidence, services
from tidu.changes.models import ChangeReport
from tidu.changes.selectors import report_get, reports_visible_to, review_queue, sides_waiting_for
from tidu.core.api_errors import Limit, Offset
from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.api import ErrorOut, api_errors

router = Router(auth=API_AUTH, tags=["重大变化报告"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_LIMIT = 200


class ChangeIn(Schema):
    kinds: list[Literal["name", "region", "ownership", "industry"]] = Field(
        ..., min_length=1, description="name 名称、region 注册地、ownership 所有制/股权结构、industry 主营业务/行业")
    effective_on: dt.date = Field(..., description="变化生效日期，不能晚于今天")
    explanation: str = Field(..., min_length=1)  # a form sends an empty field as absent
    new_name: str = ""
    new_region_code: str = ""
    new_industry_code: str = ""
    new_ownership: str = ""
    # a form cannot send null: absent means "not given" (SkipJsonSchema keeps null out of the schema)
    version: int | SkipJsonSchema[None] = Field(None, description="修改退回的报告时：调用方看到的版本")

    def as_input(self) -> services.ChangeInput:
        return services.ChangeInput(kinds=self.kinds, effective_on=self.effective_on, explanation=self.explanation,
                                    new_name=self.new_name, new_region_code=self.new_region_code,
                                    new_industry_code=self.new_industry_code, new_ownership=self.new_ownership)


class ChangeReviewIn(Schema):
    action: str = Field(..., description="approve 核准 / return 退回修改")
    comment: str = ""
    version: int | None = None


def _out(request: HttpRequest, r: ChangeReport) -> dict[str, Any]:
    return {
        "id": r.pk, "credit_code": r.enterprise.credit_code, "enterprise": r.enterprise.name, "kinds": r.kinds,
        "status": r.status, "version": r.version, "old_name": r.old_name, "new_name": r.new_name,
        "old_region_code": r.old_region_id, "new_region_code": r.new_region_id,
        "old_industry_code": r.old_industry_code, "new_industry_code": r.new_industry_code,
        "new_ownership": r.new_ownership, "effective_on": r.effective_on, "late": r.late,
        "explanation": r.explanation, "submitted_at": r.submitted_at, "approved_at": r.approved_at,
        "sides_needed": r.sides_needed(), "sides_approved": r.approved_sides(),
        "sides_you_decide": sides_waiting_for(request.user, r),
        "steps": [{"side": s.level, "action": s.action, "official": s.official_label, "comment": s.comment,
                   "at": s.at} for s in r.steps.all()],
        "attachments": [{"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size,
                         "sha256": a.sha256} for a in r.attachments.all()],
    }


def _files(files: list[UploadedFile] | None) -> list[tuple[str, bytes]]:
    limit = evidence.max_bytes()
    out = []
    for f in files or []:
        if f.size is not None and f.size > limit:
            raise TiduError(ErrorCode.VALIDATION, field="files",
                            detail=f"证明材料“{f.name}”超过 {limit // (1024 * 1024)} MB，请压缩后上传")
        out.append((f.name or "", f.read(limit + 1)))
    return out


@router.get("/", response={200: list[dict[str, Any]], **ERRORS}, summary="可见的重大变化报告（企业：本企业；政府：辖区）")
@api_errors
def list_reports(request: HttpRequest, status: str = "", limit: Limit = 100, offset: Offset = 0) -> Any:
    qs = reports_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return [_out(request, r) for r in qs[offset: offset + limit]]


@router.get("/queue", response={200: list[dict[str, Any]], **ERRORS}, summary="待本单位审核的报告（县级主管部门）")
@api_errors
def queue(request: HttpRequest) -> Any:
    return [_out(request, r) for r in review_queue(user=request.user)]


@router.get("/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一份重大变化报告")
@api_errors
def get_report(request: HttpRequest, pk: int) -> Any:
    return _out(request, report_get(user=request.user, pk=pk))


@router.post("/", response={201: dict[str, Any], **ERRORS}, summary="企业提交重大变化报告（multipart：字段与证明材料 files）")
@api_errors
def file_report(request: HttpRequest, payload: Form[ChangeIn],
                files: File[list[UploadedFile]] = None) -> Any:  # type: ignore[assignment]
    report = services.change_report_file(actor=request.user, data=payload.as_input(), files=_files(files))
    return Status(201, _out(request, report))


@router.post("/{pk}/revise", response={200: dict[str, Any], **ERRORS}, summary="修改退回的报告并重新提交")
@api_errors
def revise(request: HttpRequest, pk: int, payload: Form[ChangeIn],
           files: File[list[UploadedFile]] = None) -> Any:  # type: ignore[assignment]
    report = services.change_report_revise(actor=request.user, report=report_get(user=request.user, pk=pk),
                                           data=payload.as_input(), files=_files(files),
                                           expected_version=payload.version)
    return _out(request, report)


@router.post("/{pk}/review", response={200: dict[str, Any], **ERRORS}, summary="审核：approve 核准 / return 退回修改")
@api_errors
def review(request: HttpRequest, pk: int, payload: ChangeReviewIn) -> Any:
    report = services.change_report_review(actor=request.user, report=report_get(user=request.user, pk=pk),
                                           action=payload.action, comment=payload.comment,
                                           expected_version=payload.version)
    return _out(request, report)
