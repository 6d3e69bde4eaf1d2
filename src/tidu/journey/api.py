"""/api/v1/journey: rounds, applications, review, attachments, publicity, objections, recognitions.

Same services and permission helpers as the pages. Changes to an application carry the `version`
the caller saw; a stale version answers 409 with code "conflict" and the current status.
The recognised list and publicity lists are public and carry no figures.
"""


import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import Days, Id, Limit, Offset
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import client_ip, private_download
from tidu.core.permissions import enterprises_visible_to, require, role_of
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.enterprises.selectors import own_enterprise
from tidu.journey import checklist, frozen, services, storage
from tidu.journey.access import (
    can_edit_rereview,
    can_review,
    can_review_rereview,
    gov_level_of,
    rounds_managed_by,
)
from tidu.journey.application_form import application_form_pdf
from tidu.journey.certificate import certificate_pdf
from tidu.journey.models import (
    Application,
    ApplicationRound,
    Attachment,
    AttachmentKind,
    Objection,
    Recognition,
    ReReview,
)
from tidu.journey.selectors import (
    application_get,
    application_list,
    attachment_get,
    publicity_get,
    recognition_get,
    recognitions_nearing_expiry,
    recognitions_public,
    rereview_get,
    rereviews_visible_to,
    rounds_open_for,
)
from tidu.journey.verify import verify_url
from tidu.rules import read_result_json

router = Router(auth=API_AUTH, tags=["梯度培育"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}
MAX_LIMIT = 500


class RoundOut(Schema):
    id: int
    name: str
    tier: str
    region_code: str | None
    opens_on: dt.date
    deadline: dt.date
    status: str

    @staticmethod
    def resolve_region_code(obj: ApplicationRound) -> str | None:
        return obj.region_id


class RoundIn(Schema):
    name: str = ""
    tier: str
    region_code: str | None = None
    opens_on: dt.date
    deadline: dt.date


class PublishIn(Schema):
    starts_on: dt.date | None = None
    title: str = ""


class ApplicationStepOut(Schema):
    level: str
    action: str
    official: str
    comment: str
    at: dt.datetime


class ApplicationAttachmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    content_type: str
    size: int
    sha256: str
    form_fingerprint: str
    current: bool  # a stamped copy: printed from the application's current lock; other kinds: always true


class ApplicationMaterialOut(Schema):
    kind: str
    label: str
    required: bool
    hint: str
    ok: bool
    attachment_ids: list[int]


class ApplicationOut(Schema):
    id: int
    enterprise: str
    credit_code: str
    region_code: str
    round_id: int
    tier: str
    fiscal_year: int
    status: str
    version: int
    locked_at: dt.datetime | None
    submitted_at: dt.datetime | None
    status_changed_at: dt.datetime | None
    pack_edition: str
    verdict: str | None
    prescreen_flags: list[dict[str, Any]]


class ApplicationDetailOut(ApplicationOut):
    can_review: bool
    fingerprint: str  # SHA-256 of the locked record, printed on every page of the 申报书; "" when unlocked
    frozen_figures: dict[str, Any]
    frozen_assessment: dict[str, Any]
    steps: list[ApplicationStepOut]
    attachments: list[ApplicationAttachmentOut]
    checklist: list[ApplicationMaterialOut]
    missing: list[str]  # labels of the required materials not yet satisfied


class ApplicationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ApplicationOut]


class ApplyIn(Schema):
    fiscal_year: int | None = None


class LockIn(Schema):
    commitment: bool
    version: int


class VersionIn(Schema):
    version: int


class ApplicationReviewIn(Schema):
    action: str
    comment: str = ""
    version: int


class PublicityAppOut(Schema):
    application_id: int
    name: str
    region: str


class PublicityOut(Schema):
    id: int
    title: str
    tier: str
    starts_on: dt.date
    ends_on: dt.date
    working_days: int
    end_provisional: bool
    status: str
    applications: list[PublicityAppOut]


class ObjectionIn(Schema):
    application_id: int
    contact_name: str = ""  # required: the service refuses an objection without a real name
    contact: str  # a mainland mobile number or an e-mail address
    text: str


class ObjectionOut(Schema):
    id: int
    application_id: int
    status: str
    resolution: str


class ResolveIn(Schema):
    upheld: bool
    resolution: str


class RecognitionOut(Schema):
    """The public view of a title: name, region, tier, validity. Nothing else."""

    name: str
    former_name: str | None = None  # the name it was granted under, when the firm has since been renamed
    region_code: str
    region: str
    tier: str
    tier_label: str
    valid_from: dt.date
    valid_until: dt.date


class RecognitionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RecognitionOut]


class RecognitionAdminOut(RecognitionOut):
    id: int
    number: str
    revoked_at: dt.datetime | None
    revoked_reason: str


class RevokeIn(Schema):
    reason: str


def _app_out(app: Application) -> dict[str, Any]:
    return {
        "id": app.pk, "enterprise": app.enterprise.name, "credit_code": app.enterprise.credit_code,
        "region_code": app.enterprise.region_id, "round_id": app.round_id, "tier": app.round.tier,
        "fiscal_year": app.fiscal_year, "status": app.status, "version": app.version, "locked_at": app.locked_at,
        "submitted_at": app.submitted_at, "status_changed_at": app.status_changed_at, "pack_edition": app.pack_edition,
        "verdict": app.frozen_assessment.get("verdict"),
        "prescreen_flags": app.frozen_assessment.get("prescreen_flags") or [],
    }


def _attachment_out(app: Application, a: Attachment, fingerprint: str | None = None) -> dict[str, Any]:
    current = a.kind != AttachmentKind.STAMPED_FORM or checklist.stamped_is_current(app, a, fingerprint)
    return {"id": a.pk, "kind": a.kind, "kind_label": a.get_kind_display(), "name": a.original_name,
            "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
            "form_fingerprint": a.form_fingerprint, "current": current}


def _detail_out(request: HttpRequest, app: Application) -> dict[str, Any]:
    attachments = list(app.attachments.all())
    fingerprint = frozen.fingerprint(app) if app.locked else ""
    materials = checklist.status(app, attachments)
    return _app_out(app) | {
        "can_review": can_review(request.user, app),
        "fingerprint": fingerprint,
        "frozen_figures": app.frozen_figures, "frozen_assessment": read_result_json(app.frozen_assessment),
        "steps": [{"level": s.level, "action": s.action, "official": s.official_label, "comment": s.comment,
                   "at": s.at} for s in app.steps.all()],
        "attachments": [_attachment_out(app, a, fingerprint) for a in attachments],
        "checklist": [{"kind": m["kind"], "label": str(m["label"]), "required": m["required"], "hint": str(m["hint"]),
                       "ok": m["ok"], "attachment_ids": [a.pk for a in m["files"]]} for m in materials],
        "missing": [str(m["label"]) for m in materials if m["required"] and not m["ok"]],
    }


def _rec_out(rec: Recognition) -> dict[str, Any]:
    return {"name": rec.enterprise.name, "former_name": rec.former_name or None, "region_code": rec.enterprise.region_id,
            "region": rec.enterprise.region.full_name, "tier": rec.tier, "tier_label": rec.get_tier_display(),
            "valid_from": rec.valid_from, "valid_until": rec.valid_until}


def _round(request: HttpRequest, pk: int, *, managed: bool) -> ApplicationRound:
    qs = rounds_managed_by(request.user) if managed else ApplicationRound.objects.select_related("region")
    rnd = qs.filter(pk=pk).first()
    require(rnd is not None, not_found=True)
    assert rnd is not None
    return rnd


# ---- rounds ---------------------------------------------------------------------------------------


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="申报批次（企业：可申报的；主管部门：所管理的）")
@api_errors
def list_rounds(request: HttpRequest) -> Any:
    ent = own_enterprise(request.user)
    if ent is not None:
        return rounds_open_for(enterprise=ent)
    return list(rounds_managed_by(request.user).order_by("-opens_on", "-id"))


@router.post("/rounds", response={201: RoundOut, **ERRORS}, summary="开启申报批次")
@api_errors
def open_round(request: HttpRequest, payload: RoundIn) -> Any:
    rnd = services.round_open(actor=request.user, name=payload.name, tier=payload.tier,
                              region_code=payload.region_code, opens_on=payload.opens_on, deadline=payload.deadline)
    return Status(201, rnd)


@router.post("/rounds/{pk}/close", response={200: RoundOut, **ERRORS}, summary="截止受理")
@api_errors
def close_round(request: HttpRequest, pk: int) -> Any:
    return services.round_close(actor=request.user, rnd=_round(request, pk, managed=True))


@router.post("/rounds/{pk}/apply", response={201: ApplicationOut, **ERRORS}, summary="在批次中创建申报草稿")
@api_errors
def apply(request: HttpRequest, pk: int, payload: ApplyIn) -> Any:
    app = services.application_create(actor=request.user, rnd=_round(request, pk, managed=False),
                                      fiscal_year=payload.fiscal_year)
    return Status(201, _app_out(app))


@router.post("/rounds/{pk}/publicity", response={201: PublicityOut, **ERRORS}, summary="发布公示")
@api_errors
def publish(request: HttpRequest, pk: int) -> Any:
    """Optional JSON body (PublishIn): `starts_on`, a working day from today (default the next working
    day); `title`, unique (default from the round's name). Parsed here so that an empty POST still works."""
    rnd = _round(request, pk, managed=True)
    payload = PublishIn()
    if request.body and request.content_type == "application/json":
        try:
            payload = PublishIn.model_validate_json(request.body)
        except ValueError as exc:
            raise TiduError(ErrorCode.VALIDATION, field="starts_on",
                            detail="请求体应为 {\"starts_on\": \"YYYY-MM-DD\", \"title\": \"…\"}") from exc
    pub = services.publicity_publish(actor=request.user, rnd=rnd, starts_on=payload.starts_on, title=payload.title)
    return Status(201, _publicity_out(pub.pk))


# ---- applications --------------------------------------------------------------------------------


@router.get("/applications", response={200: ApplicationPage, **ERRORS}, summary="申报列表（含审核队列）")
@api_errors
def list_applications(
    request: HttpRequest, tier: str = "", region: str = "", status: str = "", waiting_days: Days | None = None,
    to_act: bool = False, round_id: Id | None = None, prescreen: str = "", limit: Limit = 100, offset: Offset = 0,
) -> Any:
    """`to_act=true`: only the applications waiting at the official's own level (their queue).
    `prescreen`: true / false / unknown (the frozen verdict) or flagged (has pre-screen flags)."""
    if role_of(request.user) not in {"enterprise", "government", "platform"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    qs = application_list(user=request.user, tier=tier, region=region, status=status, waiting_days=waiting_days,
                          mine_to_act=to_act, round_id=round_id, prescreen=prescreen)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [_app_out(a) for a in qs[offset: offset + limit]]}


@router.get("/applications/{pk}", response={200: ApplicationDetailOut, **ERRORS}, summary="申报详情")
@api_errors
def get_application(request: HttpRequest, pk: int) -> Any:
    return _detail_out(request, application_get(user=request.user, pk=pk))


@router.get("/applications/{pk}/form.pdf", response={200: None, **ERRORS},
            summary="申报书（PDF，按锁定时冻结的数据生成，供打印盖章）")
@api_errors
def application_form(request: HttpRequest, pk: int) -> Any:
    """Same permission as the application itself; 400 while it is not locked (nothing frozen yet)."""
    app = application_get(user=request.user, pk=pk)
    response = HttpResponse(application_form_pdf(app), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tidu-application-{app.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/applications/{pk}/lock", response={200: ApplicationDetailOut, **ERRORS},
             summary="签署承诺并锁定：冻结数据和自评结果，生成申报书（此后只能上传盖章申报书）")
@api_errors
def lock(request: HttpRequest, pk: int, payload: LockIn) -> Any:
    app = services.application_lock(actor=request.user, application=application_get(user=request.user, pk=pk),
                                    commitment=payload.commitment, expected_version=payload.version)
    return _detail_out(request, app)


@router.post("/applications/{pk}/unlock", response={200: ApplicationDetailOut, **ERRORS},
             summary="解除锁定：作废申报书及其盖章扫描件，返回修改")
@api_errors
def unlock(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    app = services.application_unlock(actor=request.user, application=application_get(user=request.user, pk=pk),
                                      expected_version=payload.version)
    return _detail_out(request, app)


@router.post("/applications/{pk}/submit", response={200: ApplicationDetailOut, **ERRORS},
             summary="提交已锁定的申报（必需材料齐全，盖章申报书与当前锁定一致）")
@api_errors
def submit(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    app = services.application_submit(actor=request.user, application=application_get(user=request.user, pk=pk),
                                      expected_version=payload.version)
    return _detail_out(request, app)


@router.post("/applications/{pk}/review", response={200: ApplicationDetailOut, **ERRORS},
             summary="审核：approve 通过 / return 退回 / reject 不予通过")
@api_errors
def review(request: HttpRequest, pk: int, payload: ApplicationReviewIn) -> Any:
    app = services.application_review(actor=request.user, application=application_get(user=request.user, pk=pk),
                                      action=payload.action, comment=payload.comment,
                                      expected_version=payload.version)
    return _detail_out(request, app)


@router.post("/applications/{pk}/attachments", response={201: ApplicationAttachmentOut, **ERRORS},
             summary="上传附件（PDF、JPG、PNG），kind 为材料类型（见申报详情的 checklist；盖章申报书 stamped_form 须在锁定后上传）")
@api_errors
def upload(
    request: HttpRequest, pk: int, file: UploadedFile = File(...),  # noqa: B008
    kind: str = Form(AttachmentKind.OTHER.value),
) -> Any:
    app = application_get(user=request.user, pk=pk)
    att = services.attachment_add(actor=request.user, application=app, name=file.name or "",
                                  data=storage.read_upload(file), kind=kind)
    return Status(201, _attachment_out(app, att))


@router.get("/attachments/{pk}", response={200: None, **ERRORS}, summary="下载附件")
@api_errors
def download(request: HttpRequest, pk: int) -> Any:
    att = attachment_get(user=request.user, pk=pk)
    return private_download(storage.path_of(att.stored_name), filename=att.original_name,
                            content_type=att.content_type)


@router.delete("/attachments/{pk}", response={204: None, **ERRORS}, summary="删除附件")
@api_errors
def delete_attachment(request: HttpRequest, pk: int) -> Any:
    services.attachment_delete(actor=request.user, attachment=attachment_get(user=request.user, pk=pk))
    return Status(204, None)


# ---- publicity and objections --------------------------------------------------------------------


def _publicity_out(pk: int) -> dict[str, Any]:
    pub = publicity_get(pk=pk)
    apps = pub.applications.select_related("enterprise__region__parent__parent").order_by("id")
    return {"id": pub.pk, "title": pub.title, "tier": pub.round.tier, "starts_on": pub.starts_on,
            "ends_on": pub.ends_on, "working_days": pub.working_days, "end_provisional": pub.end_provisional,
            "status": pub.status,
            "applications": [{"application_id": a.pk, "name": a.enterprise.name, "region": a.enterprise.region.full_name}
                             for a in apps]}


@router.get("/publicity/{pk}", response={200: PublicityOut, **ERRORS}, auth=None, summary="公示名单（公开）")
@api_errors
def get_publicity(request: HttpRequest, pk: int) -> Any:
    return _publicity_out(pk)


@router.post("/publicity/{pk}/objections", response={201: ObjectionOut, 429: ErrorOut, **ERRORS}, auth=None,
             summary="提出异议（任何人，公示期内）")
@api_errors
def lodge_objection(request: HttpRequest, pk: int, payload: ObjectionIn) -> Any:
    pub = publicity_get(pk=pk)
    app = pub.applications.filter(pk=payload.application_id).first()
    require(app is not None, not_found=True)
    assert app is not None
    obj = services.objection_lodge(actor=request.user, publicity=pub, application=app, name=payload.contact_name,
                                   contact=payload.contact, text=payload.text, ip=client_ip(request))
    return Status(201, {"id": obj.pk, "application_id": app.pk, "status": obj.status, "resolution": obj.resolution})


@router.post("/objections/{pk}/resolve", response={200: ObjectionOut, **ERRORS}, summary="处理异议")
@api_errors
def resolve_objection(request: HttpRequest, pk: int, payload: ResolveIn) -> Any:
    obj = Objection.objects.select_related("publicity__round", "application").filter(pk=pk).first()
    require(obj is not None and services.can_publish(request.user, obj.publicity.round), not_found=True)
    assert obj is not None
    services.objection_resolve(actor=request.user, objection=obj, upheld=payload.upheld,
                               resolution=payload.resolution)
    return {"id": obj.pk, "application_id": obj.application_id, "status": obj.status, "resolution": obj.resolution}


@router.post("/publicity/{pk}/decide", response={200: list[RecognitionAdminOut], **ERRORS},
             summary="公示期满后作出认定决定")
@api_errors
def decide(request: HttpRequest, pk: int) -> Any:
    pub = publicity_get(pk=pk)
    require(services.can_publish(request.user, pub.round), not_found=True)
    return [_rec_out(r) | {"id": r.pk, "number": r.number, "revoked_at": None, "revoked_reason": ""}
            for r in services.publicity_decide(actor=request.user, publicity=pub)]


# ---- recognitions ------------------------------------------------------------------------------


@router.get("/recognitions", response={200: RecognitionPage, 400: ErrorOut}, auth=None, summary="认定企业名单（公开，不含任何经营数据）")
@api_errors
def list_recognitions(request: HttpRequest, q: str = "", tier: str = "", region: str = "", limit: Limit = 100,
                      offset: Offset = 0) -> Any:
    qs = recognitions_public(q=q, tier=tier, region=region)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset,
            "items": [_rec_out(r) for r in qs[offset: offset + limit]]}


@router.post("/recognitions/{pk}/revoke", response={200: RecognitionAdminOut, **ERRORS}, summary="撤销认定")
@api_errors
def revoke(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    rec = (Recognition.objects.select_related("enterprise__region")
           .filter(pk=pk, enterprise__in=enterprises_visible_to(request.user)).first())
    require(rec is not None, not_found=True)
    assert rec is not None
    services.recognition_revoke(actor=request.user, recognition=rec, reason=payload.reason)
    return _rec_out(rec) | {"id": rec.pk, "number": rec.number, "revoked_at": rec.revoked_at,
                            "revoked_reason": rec.revoked_reason}


# ---- re-review (复核) and certificates --------------------------------------------------------------


class ExpiringOut(Schema):
    recognition_id: int
    number: str
    enterprise: str
    credit_code: str
    region_code: str
    tier: str
    valid_until: dt.date
    days_left: int
    window_days: int
    rereview_id: int | None
    rereview_status: str | None


class ReReviewOpenIn(Schema):
    recognition_ids: list[int]


class ReReviewOpenResult(Schema):
    recognition_id: int
    ok: bool
    message: str
    rereview_id: int | None


class ReReviewOut(Schema):
    id: int
    recognition_id: int
    number: str
    enterprise: str
    credit_code: str
    region_code: str
    tier: str
    status: str
    version: int
    fiscal_year: int
    old_valid_until: dt.date
    new_valid_until: dt.date | None
    valid_until: dt.date
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_reason: str
    pack_edition: str
    verdict: str | None


class ReReviewDetailOut(ReReviewOut):
    can_submit: bool
    can_review: bool
    frozen_figures: dict[str, Any]
    frozen_assessment: dict[str, Any]
    steps: list[ApplicationStepOut]


class ReReviewSubmitIn(Schema):
    commitment: bool
    version: int
    fiscal_year: int | None = None


def _rr_out(rr: ReReview) -> dict[str, Any]:
    rec = rr.recognition
    return {
        "id": rr.pk, "recognition_id": rec.pk, "number": rec.number, "enterprise": rec.enterprise.name,
        "credit_code": rec.enterprise.credit_code, "region_code": rec.enterprise.region_id, "tier": rec.tier,
        "status": rr.status, "version": rr.version, "fiscal_year": rr.fiscal_year,
        "old_valid_until": rr.old_valid_until, "new_valid_until": rr.new_valid_until, "valid_until": rec.valid_until,
        "submitted_at": rr.submitted_at, "decided_at": rr.decided_at, "decision_reason": rr.decision_reason,
        "pack_edition": rr.pack_edition, "verdict": rr.frozen_assessment.get("verdict"),
    }


def _rr_detail_out(request: HttpRequest, rr: ReReview) -> dict[str, Any]:
    return _rr_out(rr) | {
        "can_submit": can_edit_rereview(request.user, rr), "can_review": can_review_rereview(request.user, rr),
        "frozen_figures": rr.frozen_figures, "frozen_assessment": read_result_json(rr.frozen_assessment),
        "steps": [{"level": s.level, "action": s.action, "official": s.official_label, "comment": s.comment,
                   "at": s.at} for s in rr.steps.all()],
    }


@router.get("/recognitions/expiring", response={200: list[ExpiringOut], **ERRORS},
            summary="辖区内进入复核期的认定（主管部门）")
@api_errors
def list_expiring(request: HttpRequest) -> Any:
    if role_of(request.user) not in {"government", "platform"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    return [{"recognition_id": r["rec"].pk, "number": r["rec"].number, "enterprise": r["rec"].enterprise.name,
             "credit_code": r["rec"].enterprise.credit_code, "region_code": r["rec"].enterprise.region_id,
             "tier": r["rec"].tier, "valid_until": r["rec"].valid_until, "days_left": r["days_left"],
             "window_days": r["window"], "rereview_id": r["rereview"].pk if r["rereview"] else None,
             "rereview_status": r["rereview"].status if r["rereview"] else None}
            for r in recognitions_nearing_expiry(user=request.user)]


@router.get("/recognitions/{pk}/certificate", response={200: None, **ERRORS}, summary="下载认定证书（PDF）")
@api_errors
def get_certificate(request: HttpRequest, pk: int) -> Any:
    rec = recognition_get(user=request.user, pk=pk)
    response = HttpResponse(certificate_pdf(rec, today=timezone.localdate(), verify_url=verify_url(request, rec)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tidu-certificate-{rec.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/rereviews", response={200: list[ReReviewOpenResult], **ERRORS},
             summary="对一件或多件认定发起复核（省级、国家级主管部门）")
@api_errors
def open_rereviews(request: HttpRequest, payload: ReReviewOpenIn) -> Any:
    """Each title opens or fails on its own (`ok`, `message`); unknown or hidden ids answer 404 for the lot."""
    recs = [recognition_get(user=request.user, pk=pk) for pk in payload.recognition_ids]
    return [{"recognition_id": r.recognition_id, "ok": r.ok, "message": r.message, "rereview_id": r.rereview_id}
            for r in services.rereview_open_batch(actor=request.user, recognitions=recs)]


@router.get("/rereviews", response={200: list[ReReviewOut], **ERRORS}, summary="复核列表（企业：本企业；主管部门：辖区）")
@api_errors
def list_rereviews(request: HttpRequest, status: str = "", to_act: bool = False) -> Any:
    """`to_act=true`: only the re-reviews waiting at the official's own level."""
    if role_of(request.user) not in {"enterprise", "government", "platform"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    qs = rereviews_visible_to(user=request.user, status=status)
    if to_act:
        qs = qs.filter(status=gov_level_of(request.user) or "-")
    return [_rr_out(rr) for rr in qs[:MAX_LIMIT]]


@router.get("/rereviews/{pk}", response={200: ReReviewDetailOut, **ERRORS}, summary="复核详情")
@api_errors
def get_rereview(request: HttpRequest, pk: int) -> Any:
    return _rr_detail_out(request, rereview_get(user=request.user, pk=pk))


@router.post("/rereviews/{pk}/submit", response={200: ReReviewDetailOut, **ERRORS},
             summary="企业确认最新数据、签署承诺并提交复核")
@api_errors
def submit_rereview(request: HttpRequest, pk: int, payload: ReReviewSubmitIn) -> Any:
    rr = services.rereview_submit(actor=request.user, rereview=rereview_get(user=request.user, pk=pk),
                                  commitment=payload.commitment, fiscal_year=payload.fiscal_year,
                                  expected_version=payload.version)
    return _rr_detail_out(request, rr)


@router.post("/rereviews/{pk}/review", response={200: ReReviewDetailOut, **ERRORS},
             summary="复核审核：approve 通过（末级即复核通过并延长有效期）/ return 退回 / reject 不予通过")
@api_errors
def review_rereview(request: HttpRequest, pk: int, payload: ApplicationReviewIn) -> Any:
    rr = services.rereview_review(actor=request.user, rereview=rereview_get(user=request.user, pk=pk),
                                  action=payload.action, comment=payload.comment, expected_version=payload.version)
    return _rr_detail_out(request, rr)
