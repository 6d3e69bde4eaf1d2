"""/api/v1/techtransfer: technology transfer under exactly the web's permissions.

Anyone signed in reads listed achievements (search with reasons); firms get matches and request; platforms
manage their achievements, answer requests and record transfers and incubations; officials read and confirm
the records of firms in their jurisdiction. Money is given in 万元 (text, up to 4 decimals), returned in yuan.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.accounts.models import Organisation
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import organisation_of, require
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.enterprises.money import wan_to_yuan
from tidu.techtransfer import selectors, services
from tidu.techtransfer.access import can_oversee, can_request, is_platform_user
from tidu.techtransfer.models import Achievement, Incubation, Transfer, TransferRequest

router = Router(auth=API_AUTH, tags=["科技成果转化"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_LIMIT = 200


def _achievement_out(a: Achievement, reasons: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "field": a.field,
        "field_label": a.get_field_display(),
        "maturity": a.maturity,
        "maturity_label": a.get_maturity_display(),
        "description": a.description,
        "keywords": a.keywords,
        "industry_codes": a.industry_codes,
        "patent_no": a.patent_no,
        "modes": a.modes,
        "price_min_yuan": a.price_min_yuan,
        "price_max_yuan": a.price_max_yuan,
        "status": a.status,
        "platform": a.platform.name,
        "platform_id": a.platform_id,
        "reasons": list(reasons),
    }


def _request_out(r: TransferRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "achievement_id": r.achievement_id,
        "achievement": r.achievement.title,
        "platform": r.achievement.platform.name,
        "credit_code": r.enterprise.credit_code,
        "enterprise": r.enterprise.name,
        "mode": r.mode,
        "message": r.message,
        "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
        "status": r.status,
        "reply": r.reply,
        "created_at": r.created_at,
    }


def _review(r: Transfer | Incubation) -> dict[str, Any]:
    return {
        "platform": r.platform.name,
        "platform_id": r.platform_id,
        "credit_code": r.enterprise.credit_code,
        "enterprise": r.enterprise.name,
        "region_code": r.enterprise.region_id,
        "review": r.review,
        "review_note": r.review_note,
        "reviewed_at": r.reviewed_at,
    }


def _transfer_out(t: Transfer) -> dict[str, Any]:
    return {"id": t.pk, "achievement_id": t.achievement_id, "achievement": t.achievement.title, "mode": t.mode,
            "amount_yuan": t.amount_yuan, "contract_no": t.contract_no, "contract_on": t.contract_on,
            "evidence": t.evidence, "request_id": t.request_id} | _review(t)


def _incubation_out(i: Incubation) -> dict[str, Any]:
    return {"id": i.pk, "since": i.since, "status": i.status, "ended_on": i.ended_on, "note": i.note} | _review(i)


def _wan(raw: str, field: str) -> int | None:
    return wan_to_yuan(raw, field=field) if (raw or "").strip() else None


class AchievementIn(Schema):
    title: str
    kind: str = Field(..., description="patent 发明专利 / utility 实用新型专利 / prototype 样机与原型 / "
                      "licence 技术秘密与许可 / software 软件著作权 / process 工艺与方法")
    field: str = Field(..., description="manufacturing / materials / electronics / ai / energy / biomed / "
                       "vehicles / other")
    maturity: str = Field(..., description="lab 实验室 / pilot_small 小试 / pilot 中试 / industrial 已产业化")
    description: str
    modes: list[str] = Field(..., description="assignment 转让 / licence 许可 / joint 合作开发，至少一种")
    keywords: str = ""
    industry_codes: str = Field("", description="适用的国民经济行业代码，空格分隔，如 C34 C35")
    patent_no: str = ""
    price_min_wan: str = Field("", description="参考价下限（万元），空为面议")
    price_max_wan: str = Field("", description="参考价上限（万元），空为面议")

    def as_input(self) -> services.AchievementInput:
        return services.AchievementInput(
            title=self.title, kind=self.kind, field=self.field, maturity=self.maturity, description=self.description,
            modes=self.modes, keywords=self.keywords, industry_codes=self.industry_codes, patent_no=self.patent_no,
            price_min_yuan=_wan(self.price_min_wan, "price_min_wan"),
            price_max_yuan=_wan(self.price_max_wan, "price_max_wan"),
        )


class RequestIn(Schema):
    mode: str = Field(..., description="assignment / licence / joint（须为该成果接受的方式）")
    message: str
    contact_name: str
    contact_phone: str


class AnswerIn(Schema):
    action: str = Field(..., description="accept 接洽 / decline 婉拒（须写回复）")
    reply: str = ""


class TransferIn(Schema):
    achievement_id: int
    mode: str
    contract_no: str
    contract_on: dt.date
    evidence: str
    credit_code: str = Field("", description="受让企业；来自申请（request_id）时可空")
    request_id: int | None = None
    amount_wan: str = ""


class IncubationIn(Schema):
    credit_code: str
    since: dt.date
    note: str = ""


class IncubationEndIn(Schema):
    status: str = Field(..., description="graduated 已毕业 / left 已退出")
    ended_on: dt.date


class ReviewIn(Schema):
    confirm: bool
    note: str = Field("", description="不予核实时必填")


def _page(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


@router.get("/achievements", response={200: list[dict[str, Any]], **ERRORS},
            summary="已发布的科技成果（q 检索时附匹配理由；创新平台另见本平台全部状态）")
@api_errors
def list_achievements(request: HttpRequest, q: str = "", field: str = "", kind: str = "", mine: bool = False,
                      limit: int = 100, offset: int = 0) -> Any:
    limit, offset = _page(limit, offset)
    if q.strip() and not mine:
        found = selectors.search_listed(query=q[:100], field=field, kind=kind, limit=offset + limit)
        return [_achievement_out(f.achievement, f.reasons) for f in found[offset:]]
    qs = selectors.achievements_visible_to(request.user)
    if mine:
        require(is_platform_user(request.user))
        qs = qs.filter(platform=organisation_of(request.user))
    else:
        qs = qs.filter(status__in=selectors.PUBLIC_STATUSES)
    if field:
        qs = qs.filter(field=field)
    if kind:
        qs = qs.filter(kind=kind)
    return [_achievement_out(a) for a in qs[offset: offset + limit]]


@router.get("/achievements/matched", response={200: list[dict[str, Any]], **ERRORS},
            summary="为本企业匹配的科技成果（附理由）")
@api_errors
def matched(request: HttpRequest, limit: int = 10) -> Any:
    require(can_request(request.user))
    org = organisation_of(request.user)
    assert org is not None
    found = selectors.matched_for_firm(org.enterprise, limit=max(1, min(limit, 50)))
    return [_achievement_out(f.achievement, f.reasons) for f in found]


@router.get("/achievements/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一项科技成果")
@api_errors
def get_achievement(request: HttpRequest, pk: int) -> Any:
    a = selectors.achievement_get(user=request.user, pk=pk)
    needs = selectors.matched_to_needs([a]).get(a.pk, [])
    return _achievement_out(a) | {"matched_needs": [
        {"id": n.pk, "title": n.title, "reasons": list(reasons)} for n, reasons in needs]}


@router.post("/achievements", response={201: dict[str, Any], **ERRORS}, summary="创新平台新增科技成果（草稿）")
@api_errors
def create_achievement(request: HttpRequest, payload: AchievementIn) -> Any:
    a = services.achievement_save(actor=request.user, data=payload.as_input())
    return Status(201, _achievement_out(selectors.achievement_get(user=request.user, pk=a.pk)))


@router.put("/achievements/{pk}", response={200: dict[str, Any], **ERRORS}, summary="修改草稿或已撤下的成果")
@api_errors
def update_achievement(request: HttpRequest, pk: int, payload: AchievementIn) -> Any:
    a = selectors.achievement_get(user=request.user, pk=pk)
    services.achievement_save(actor=request.user, data=payload.as_input(), achievement=a)
    return _achievement_out(selectors.achievement_get(user=request.user, pk=pk))


@router.post("/achievements/{pk}/actions/{action}", response={200: dict[str, Any], **ERRORS},
             summary="发布（list）或撤下（withdraw）")
@api_errors
def move_achievement(request: HttpRequest, pk: int, action: str) -> Any:
    a = selectors.achievement_get(user=request.user, pk=pk)
    services.achievement_move(actor=request.user, achievement=a, action=action)
    return _achievement_out(selectors.achievement_get(user=request.user, pk=pk))


@router.post("/achievements/{pk}/requests", response={201: dict[str, Any], **ERRORS}, summary="企业申请对接转化")
@api_errors
def request_achievement(request: HttpRequest, pk: int, payload: RequestIn) -> Any:
    require(can_request(request.user))
    a = selectors.achievement_get(user=request.user, pk=pk)
    req = services.request_submit(actor=request.user, achievement=a, data=services.RequestInput(
        mode=payload.mode, message=payload.message, contact_name=payload.contact_name,
        contact_phone=payload.contact_phone))
    return Status(201, _request_out(selectors.request_get(user=request.user, pk=req.pk)))


@router.get("/requests", response={200: list[dict[str, Any]], **ERRORS},
            summary="可见的转化申请（企业：本企业的；创新平台：发给本平台的；政府：辖区企业的）")
@api_errors
def list_requests(request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0) -> Any:
    qs = selectors.requests_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    limit, offset = _page(limit, offset)
    return [_request_out(r) for r in qs[offset: offset + limit]]


@router.get("/requests/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一件转化申请")
@api_errors
def get_request(request: HttpRequest, pk: int) -> Any:
    return _request_out(selectors.request_get(user=request.user, pk=pk))


@router.post("/requests/{pk}/answer", response={200: dict[str, Any], **ERRORS}, summary="创新平台接洽或婉拒")
@api_errors
def answer_request(request: HttpRequest, pk: int, payload: AnswerIn) -> Any:
    req = selectors.request_get(user=request.user, pk=pk)
    if payload.action not in {"accept", "decline"}:
        raise TiduError(ErrorCode.VALIDATION, field="action", detail=f"未知的操作“{payload.action}”")
    services.request_answer(actor=request.user, request=req, action=payload.action, reply=payload.reply)
    return _request_out(selectors.request_get(user=request.user, pk=pk))


@router.get("/transfers", response={200: list[dict[str, Any]], **ERRORS},
            summary="成果转化记录（创新平台：本平台；企业：本企业；政府：辖区企业）")
@api_errors
def list_transfers(request: HttpRequest, review: str = "", limit: int = 100, offset: int = 0) -> Any:
    qs = selectors.transfers_visible_to(request.user)
    if review:
        qs = qs.filter(review=review)
    limit, offset = _page(limit, offset)
    return [_transfer_out(t) for t in qs[offset: offset + limit]]


@router.post("/transfers", response={201: dict[str, Any], **ERRORS}, summary="创新平台登记成果转化")
@api_errors
def record_transfer(request: HttpRequest, payload: TransferIn) -> Any:
    t = services.transfer_record(actor=request.user, data=services.TransferInput(
        achievement_id=payload.achievement_id, mode=payload.mode, contract_no=payload.contract_no,
        contract_on=payload.contract_on, evidence=payload.evidence, credit_code=payload.credit_code,
        request_id=payload.request_id, amount_yuan=_wan(payload.amount_wan, "amount_wan")))
    return Status(201, _transfer_out(selectors.transfers_visible_to(request.user).get(pk=t.pk)))


@router.post("/transfers/{pk}/review", response={200: dict[str, Any], **ERRORS}, summary="主管部门核实转化记录")
@api_errors
def review_transfer(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    require(can_oversee(request.user))
    t = selectors.transfers_visible_to(request.user).filter(pk=pk).first()
    require(t is not None, not_found=True)
    assert t is not None
    services.record_review(actor=request.user, record=t, confirm=payload.confirm, note=payload.note)
    return _transfer_out(selectors.transfers_visible_to(request.user).get(pk=pk))


@router.get("/incubations", response={200: list[dict[str, Any]], **ERRORS}, summary="孵化企业记录")
@api_errors
def list_incubations(request: HttpRequest, review: str = "", limit: int = 100, offset: int = 0) -> Any:
    qs = selectors.incubations_visible_to(request.user)
    if review:
        qs = qs.filter(review=review)
    limit, offset = _page(limit, offset)
    return [_incubation_out(i) for i in qs[offset: offset + limit]]


@router.post("/incubations", response={201: dict[str, Any], **ERRORS}, summary="创新平台登记孵化企业")
@api_errors
def record_incubation(request: HttpRequest, payload: IncubationIn) -> Any:
    i = services.incubation_record(actor=request.user, data=services.IncubationInput(
        credit_code=payload.credit_code, since=payload.since, note=payload.note))
    return Status(201, _incubation_out(selectors.incubations_visible_to(request.user).get(pk=i.pk)))


@router.post("/incubations/{pk}/end", response={200: dict[str, Any], **ERRORS}, summary="孵化企业毕业或退出")
@api_errors
def end_incubation(request: HttpRequest, pk: int, payload: IncubationEndIn) -> Any:
    i = selectors.incubations_visible_to(request.user).filter(pk=pk).first()
    require(i is not None, not_found=True)
    assert i is not None
    services.incubation_end(actor=request.user, incubation=i, status=payload.status, ended_on=payload.ended_on)
    return _incubation_out(selectors.incubations_visible_to(request.user).get(pk=pk))


@router.post("/incubations/{pk}/review", response={200: dict[str, Any], **ERRORS}, summary="主管部门核实孵化记录")
@api_errors
def review_incubation(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    require(can_oversee(request.user))
    i = selectors.incubations_visible_to(request.user).filter(pk=pk).first()
    require(i is not None, not_found=True)
    assert i is not None
    services.record_review(actor=request.user, record=i, confirm=payload.confirm, note=payload.note)
    return _incubation_out(selectors.incubations_visible_to(request.user).get(pk=pk))


@router.get("/platforms/{pk}", response={200: dict[str, Any], **ERRORS},
            summary="创新平台的转化与孵化数量（按记录统计）")
@api_errors
def platform_stats(request: HttpRequest, pk: int) -> Any:
    platform = Organisation.objects.filter(pk=pk, kind="innovation").first()
    require(platform is not None, not_found=True)
    c = selectors.platform_counts(platform)
    return {"id": pk, "name": platform.name if platform else "", "transfers": c.transfers,
            "transfers_confirmed": c.transfers_confirmed, "incubations": c.incubations,
            "incubations_confirmed": c.incubations_confirmed, "incubating_now": c.incubating_now,
            "listed": c.listed}
