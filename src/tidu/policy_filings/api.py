"""/api/v1/policy-filings: a firm applies under a policy, attaches, submits; officials review, decide the
amount and record payouts. Same services and permissions as the pages; changes carry the `version` the
caller saw (a stale one answers 409). Money is in yuan (integers) here, as everywhere in the API.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import Limit, Offset
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import private_download
from tidu.core.permissions import role_of
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.journey import storage
from tidu.policies.selectors import policy_get
from tidu.policy_filings import materials, progress, services
from tidu.policy_filings.access import can_edit_filing, can_record_payout, can_review_filing, path_of
from tidu.policy_filings.models import PolicyAttachment, PolicyFiling
from tidu.policy_filings.selectors import attachment_get, filing_get, filing_list

router = Router(auth=API_AUTH, tags=["政策申报兑现"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
}
MAX_LIMIT = 500


class StartIn(Schema):
    contact_name: str | None = None  # default: the firm's profile
    contact_phone: str | None = None
    statement: str = ""


class UpdateIn(Schema):
    contact_name: str
    contact_phone: str
    statement: str = ""
    version: int | None = None


class SubmitIn(Schema):
    commitment: bool
    version: int | None = None


class FilingReviewIn(Schema):
    action: str  # approve | return | reject
    comment: str = ""
    amount_yuan: int | None = None  # the top level's decision; default the frozen estimate
    version: int | None = None


class FilingPayoutIn(Schema):
    amount_yuan: int
    paid_on: dt.date
    reference: str


class FilingStepOut(Schema):
    level: str
    action: str
    official: str
    comment: str
    at: dt.datetime


class FilingAttachmentOut(Schema):
    id: int
    material: str
    name: str
    content_type: str
    size: int
    sha256: str


class FilingMaterialOut(Schema):
    material: str
    required: bool
    ok: bool
    attachment_ids: list[int]


class StageOut(Schema):
    key: str
    label: str
    state: str
    note: str


class PayoutOut(Schema):
    amount_yuan: int
    paid_on: dt.date
    reference: str


class FilingOut(Schema):
    id: int
    reference: str
    enterprise: str
    credit_code: str
    policy_code: str
    policy_title: str
    batch: str
    closes_on: dt.date
    status: str
    status_label: str
    version: int
    estimated_yuan: int | None
    approved_yuan: int | None
    award_status: str | None
    paid_yuan: int
    submitted_at: dt.datetime | None
    updated_at: dt.datetime


class FilingDetailOut(FilingOut):
    contact_name: str
    contact_phone: str
    statement: str
    review_path: list[str]
    stages: list[StageOut]
    steps: list[FilingStepOut]
    materials: list[FilingMaterialOut]
    attachments: list[FilingAttachmentOut]
    payouts: list[PayoutOut]
    frozen_assessment: dict[str, Any]
    frozen_figures: dict[str, Any]
    can_edit: bool
    can_review: bool
    can_record_payout: bool


class FilingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[FilingOut]


def _out(f: PolicyFiling) -> dict[str, Any]:
    policy = f.batch.policy
    return {
        "id": f.pk,
        "reference": f.reference,
        "enterprise": f.enterprise.name,
        "credit_code": f.enterprise.credit_code,
        "policy_code": policy.code,
        "policy_title": policy.title,
        "batch": f.batch.name,
        "closes_on": f.batch.closes_on,
        "status": f.status,
        "status_label": f.get_status_display(),
        "version": f.version,
        "estimated_yuan": f.estimated_yuan,
        "approved_yuan": f.approved_yuan,
        "award_status": f.award.status if f.award is not None else None,
        "paid_yuan": progress.paid_yuan(f),
        "submitted_at": f.submitted_at,
        "updated_at": f.updated_at,
    }


def _att_out(a: PolicyAttachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "material": a.material,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
    }


def _detail(request: HttpRequest, f: PolicyFiling) -> dict[str, Any]:
    f = filing_get(user=request.user, pk=f.pk)  # fresh, with its joins
    atts = list(f.attachments.all())
    return _out(f) | {
        "contact_name": f.contact_name,
        "contact_phone": f.contact_phone,
        "statement": f.statement,
        "review_path": list(path_of(f)),
        "stages": [s.__dict__ for s in progress.stages(f)],
        "steps": [
            {
                "level": s.level,
                "action": s.action,
                "official": s.official_label,
                "comment": s.comment,
                "at": s.at,
            }
            for s in f.steps.all()
        ],
        "materials": [
            {
                "material": m["material"],
                "required": m["required"],
                "ok": m["ok"],
                "attachment_ids": [a.pk for a in m["files"]],
            }
            for m in materials.status(f, atts)
        ],
        "attachments": [_att_out(a) for a in atts],
        "payouts": (
            [
                {"amount_yuan": p.amount_yuan, "paid_on": p.paid_on, "reference": p.reference}
                for p in f.award.payouts.all()
            ]
            if f.award is not None
            else []
        ),
        "frozen_assessment": f.frozen_assessment,
        "frozen_figures": f.frozen_figures,
        "can_edit": can_edit_filing(request.user, f),
        "can_review": can_review_filing(request.user, f),
        "can_record_payout": can_record_payout(request.user, f),
    }


@router.post(
    "/policies/{code}/apply",
    response={201: FilingDetailOut, **ERRORS},
    summary="申请政策：在受理中的批次创建申请草稿（按企业资料预填；明显不符合条件或已截止的拒绝）",
)
@api_errors
def apply(request: HttpRequest, code: str, payload: StartIn) -> Any:
    filing = services.policy_filing_start(
        actor=request.user,
        policy=policy_get(code=code, user=request.user),
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        statement=payload.statement,
    )
    return Status(201, _detail(request, filing))


@router.get(
    "",
    response={200: FilingPage, **ERRORS},
    summary="政策申报列表（企业：本企业；主管部门：辖区，to_act 为本级待审）",
)
@api_errors
def list_filings(
    request: HttpRequest,
    status: str = "",
    policy: str = "",
    to_act: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    if role_of(request.user) not in {"enterprise", "government", "platform"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    qs = filing_list(user=request.user, status=status, policy=policy, to_act=to_act)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_out(f) for f in qs[offset : offset + limit]],
    }


@router.get("/{pk}", response={200: FilingDetailOut, **ERRORS}, summary="政策申报详情（含拨付进度）")
@api_errors
def get_filing(request: HttpRequest, pk: int) -> Any:
    return _detail(request, filing_get(user=request.user, pk=pk))


@router.post(
    "/{pk}/update", response={200: FilingDetailOut, **ERRORS}, summary="修改联系人和申请说明（草稿或退回时）"
)
@api_errors
def update(request: HttpRequest, pk: int, payload: UpdateIn) -> Any:
    filing = services.policy_filing_update(
        actor=request.user,
        filing=filing_get(user=request.user, pk=pk),
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        statement=payload.statement,
        expected_version=payload.version,
    )
    return _detail(request, filing)


@router.post(
    "/{pk}/attachments",
    response={201: FilingAttachmentOut, **ERRORS},
    summary="上传申报材料（PDF、JPG、PNG），material 为政策材料清单中的一项",
)
@api_errors
def upload(
    request: HttpRequest,
    pk: int,
    file: UploadedFile = File(...),  # noqa: B008
    material: str = Form(..., min_length=1),
) -> Any:
    filing = filing_get(user=request.user, pk=pk)
    att = services.attachment_add(
        actor=request.user,
        filing=filing,
        material=material,
        name=file.name or "",
        data=storage.read_upload(file),
    )
    return Status(201, _att_out(att))


@router.get("/attachments/{pk}", response={200: None, **ERRORS}, summary="下载申报材料")
@api_errors
def download(request: HttpRequest, pk: int) -> Any:
    att = attachment_get(user=request.user, pk=pk)
    return private_download(storage.path_of(att.stored_name), filename=att.original_name,
                            content_type=att.content_type)


@router.delete("/attachments/{pk}", response={204: None, **ERRORS}, summary="删除申报材料")
@api_errors
def delete_attachment(request: HttpRequest, pk: int) -> Any:
    services.attachment_delete(actor=request.user, attachment=attachment_get(user=request.user, pk=pk))
    return Status(204, None)


@router.post(
    "/{pk}/submit",
    response={200: FilingDetailOut, **ERRORS},
    summary="签署承诺并提交：冻结数据和条件判断，进入县级审核",
)
@api_errors
def submit(request: HttpRequest, pk: int, payload: SubmitIn) -> Any:
    filing = services.policy_filing_submit(
        actor=request.user,
        filing=filing_get(user=request.user, pk=pk),
        commitment=payload.commitment,
        expected_version=payload.version,
    )
    return _detail(request, filing)


@router.post(
    "/{pk}/review",
    response={200: FilingDetailOut, **ERRORS},
    summary="审核：approve 通过（最后一级核定金额 amount_yuan，默认测算金额，不超过上限）/ return 退回 / reject 不予支持",
)
@api_errors
def review(request: HttpRequest, pk: int, payload: FilingReviewIn) -> Any:
    filing = services.policy_filing_review(
        actor=request.user,
        filing=filing_get(user=request.user, pk=pk),
        action=payload.action,
        comment=payload.comment,
        amount_yuan=payload.amount_yuan,
        expected_version=payload.version,
    )
    return _detail(request, filing)


@router.post("/{pk}/payouts", response={201: FilingDetailOut, **ERRORS}, summary="登记一笔拨付（元）")
@api_errors
def payout(request: HttpRequest, pk: int, payload: FilingPayoutIn) -> Any:
    filing = filing_get(user=request.user, pk=pk)
    services.policy_filing_payout(
        actor=request.user,
        filing=filing,
        amount_yuan=payload.amount_yuan,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )
    return Status(201, _detail(request, filing))
