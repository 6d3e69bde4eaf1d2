"""/api/v1/needs: 发榜/揭榜 under exactly the web's permissions (the same selectors and services).

Large firms create, publish and run their needs, read responses (with only the figures each SME shared) and
record selection, contract, milestones and acceptance; SMEs read needs visible to them (ranked with reasons),
respond and withdraw; officials curate the needs of their region, invite firms and read the funnel.
"""


import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import require, role_of
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.enterprises.models import Enterprise
from tidu.enterprises.money import wan_to_yuan
from tidu.needs import recommend, selectors, services
from tidu.needs.errors import NeedCode, NeedError
from tidu.needs.models import SHAREABLE_FIGURES, Milestone, Need, NeedField, NeedResponse, NeedStatus

router = Router(auth=API_AUTH, tags=["大企业需求（发榜/揭榜）"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_LIMIT = 200
# Bounded parameters: an absurd number is a 422, never a database overflow.
Pk = Annotated[int, Field(ge=1, le=2**63 - 1, description="记录编号")]
Limit = Annotated[int, Field(ge=1, le=2**31 - 1, description="每页条数（超过上限按上限）")]
Offset = Annotated[int, Field(ge=0, le=2**31 - 1, description="起始位置")]
NeedFilter = Annotated[int, Field(ge=0, le=2**31 - 1, description="只看这项需求的方案（需求编号；0 为全部）")]


def _need_out(n: Need) -> dict[str, Any]:
    return {
        "id": n.pk, "title": n.title, "field": n.field, "field_label": n.get_field_display(),
        "owner": n.owner.name, "region_code": n.region_id, "description": n.description,
        "indicators": n.indicators, "budget_min_yuan": n.budget_min, "budget_max_yuan": n.budget_max,
        "deadline": n.deadline, "timeline": n.timeline, "ip_arrangement": n.ip_arrangement,
        "ip_note": n.ip_note, "visibility": n.visibility, "status": n.status,
        "status_label": n.get_status_display(), "published_at": n.published_at,
        "approved": n.approved_at is not None,
    }


def _response_out(r: NeedResponse) -> dict[str, Any]:
    return {
        "id": r.pk, "need_id": r.need_id, "need": r.need.title, "credit_code": r.enterprise.credit_code,
        "enterprise": r.enterprise.name, "solution": r.solution, "team": r.team, "rd_evidence": r.rd_evidence,
        "prior_cases": r.prior_cases, "shared_fiscal_year": r.shared_fiscal_year,
        "shared_figures": r.shared_figures, "status": r.status, "status_label": r.get_status_display(),
        "submitted_at": r.submitted_at, "decided_at": r.decided_at, "decision_note": r.decision_note,
        "contract_signed_on": r.contract_signed_on, "contract_amount_yuan": r.contract_amount,
        "acceptance": r.acceptance, "accepted_on": r.accepted_on, "acceptance_note": r.acceptance_note,
        "milestones": [{"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on, "note": m.note}
                       for m in r.milestones.all()],
    }


def _need(request: HttpRequest, pk: Pk) -> Need:
    need = selectors.needs_visible_to(request.user).filter(pk=pk).first()
    if need is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return need


def _response(request: HttpRequest, pk: Pk) -> NeedResponse:
    resp = selectors.responses_visible_to(request.user).filter(pk=pk).first()
    if resp is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return resp


def _wan(raw: str, field: str) -> int | None:
    return wan_to_yuan(raw, field=field) if raw.strip() else None


class NeedIn(Schema):
    title: str
    field: str = Field(..., description="技术领域：ict / robotics / aerospace / marine / rail / vehicles / power / "
                                        "agri / materials / biomed / energy / other")
    description: str
    indicators: str
    deadline: dt.date
    region_code: str = Field(..., description="6位行政区划代码")
    budget_min_wan: str = Field("", description="预算下限（万元），留空为面议")
    budget_max_wan: str = ""
    timeline: str = ""
    ip_arrangement: str = Field("negotiated", description="owner / solver / shared / negotiated")
    ip_note: str = ""
    visibility: str = Field("public", description="public 公开发榜 / invite_only 定向邀请")

    def as_input(self) -> services.NeedInput:
        return services.NeedInput(
            title=self.title, field=self.field, description=self.description, indicators=self.indicators,
            deadline=self.deadline, region_code=self.region_code,
            budget_min=_wan(self.budget_min_wan, "budget_min_wan"),
            budget_max=_wan(self.budget_max_wan, "budget_max_wan"), timeline=self.timeline,
            ip_arrangement=self.ip_arrangement, ip_note=self.ip_note, visibility=self.visibility)


class NeedActionIn(Schema):
    action: str = Field(..., description="publish 发布 / close 结束征集 / cancel 撤回（发榜企业）；"
                                         "approve 审核通过 / hide 下架 / restore 恢复（主管部门）")
    text: str = Field("", description="撤回或下架理由（下架必填）")


class InviteIn(Schema):
    credit_code: str
    note: str = ""


class ResponseIn(Schema):
    solution: str
    team: str
    rd_evidence: str = ""
    prior_cases: str = ""
    share: list[str] = Field(default_factory=list, description="向发榜企业共享的数据项：" + " / ".join(SHAREABLE_FIGURES))


class ResponseActionIn(Schema):
    action: str = Field(..., description="withdraw 撤回（揭榜企业）；shortlist 入围 / select 选定 / reject 未入选（发榜企业）")
    note: str = ""


class ContractIn(Schema):
    signed_on: dt.date
    amount_wan: str = ""
    note: str = ""


class MilestoneIn(Schema):
    title: str
    due_on: dt.date
    note: str = ""


class MilestoneDoneIn(Schema):
    done_on: dt.date


class AcceptanceIn(Schema):
    passed: bool
    on: dt.date
    note: str = ""


@router.get("/", response={200: list[dict[str, Any]], **ERRORS}, summary="可见的需求（定向邀请的只对受邀企业可见）")
@api_errors
def list_needs(request: HttpRequest, q: str = "", field: str = "", status: str = "", limit: Limit = 100,
               offset: Offset = 0) -> Any:
    qs = selectors.needs_visible_to(request.user)
    if services.clean(q):
        text = services.clean(q)[:100]
        from django.db.models import Q

        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(indicators__icontains=text))
    if field:
        qs = qs.filter(field=field) if field in NeedField.values else qs.none()
    if status:
        qs = qs.filter(status=status) if status in NeedStatus.values else qs.none()
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return [_need_out(n) for n in qs.order_by("-published_at", "-pk")[offset: offset + limit]]


@router.get("/recommended", response={200: list[dict[str, Any]], **ERRORS}, summary="为本企业推荐的需求（含理由）")
@api_errors
def recommended(request: HttpRequest, limit: Limit = 20) -> Any:
    require(selectors.own_enterprise_id(request.user) is not None)
    return [_need_out(f.need) | {"score": f.score, "reasons": f.reasons}
            for f in recommend.needs_for_firm(request.user, limit=max(1, min(limit, 50)))]


@router.get("/funnel", response={200: dict[str, Any], **ERRORS}, summary="揭榜漏斗：需求→方案→选定→签约→验收（按地区、领域）")
@api_errors
def funnel(request: HttpRequest, region: str = "", field: str = "", start: dt.date | None = None,
           end: dt.date | None = None) -> Any:
    require(role_of(request.user) in {"government", "platform", "large"})
    cohort = selectors.funnel_cohort(request.user, region_prefix=services.clean(region)[:6],
                                     field=field if field in NeedField.values else "", start=start, end=end)

    def row(c: selectors.FunnelCounts) -> dict[str, Any]:
        return {"label": c.label, "needs": c.needs, "responses": c.responses, "selections": c.selections,
                "contracts": c.contracts, "accepted": c.accepted}

    return {"total": row(selectors.funnel(cohort)),
            "by_region": [row(c) for c in selectors.funnel_by_region(cohort)],
            "by_field": [row(c) for c in selectors.funnel_by_field(cohort)]}


@router.get("/responses", response={200: list[dict[str, Any]], **ERRORS},
            summary="可见的揭榜方案（发榜企业：收到的；中小企业：本企业的；主管部门：辖区需求的）")
@api_errors
def list_responses(request: HttpRequest, need: NeedFilter = 0, limit: Limit = 100, offset: Offset = 0) -> Any:
    qs = selectors.responses_visible_to(request.user).prefetch_related("milestones")
    if need:
        qs = qs.filter(need_id=need)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    return [_response_out(r) for r in qs[offset: offset + limit]]


@router.get("/responses/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一份揭榜方案")
@api_errors
def get_response(request: HttpRequest, pk: Pk) -> Any:
    return _response_out(_response(request, pk))


@router.post("/responses/{pk}/actions", response={200: dict[str, Any], **ERRORS}, summary="撤回、入围、选定、未入选")
@api_errors
def response_action(request: HttpRequest, pk: Pk, payload: ResponseActionIn) -> Any:
    resp = _response(request, pk)
    actions = {"withdraw": services.response_withdraw, "shortlist": services.response_shortlist}
    if payload.action in actions:
        actions[payload.action](actor=request.user, response=resp)
    elif payload.action == "select":
        services.response_select(actor=request.user, response=resp, note=payload.note)
    elif payload.action == "reject":
        services.response_reject(actor=request.user, response=resp, note=payload.note)
    else:
        raise NeedError(NeedCode.FIELD_UNKNOWN, field="action", value=payload.action, what="操作")
    return _response_out(_response(request, pk))


@router.post("/responses/{pk}/contract", response={200: dict[str, Any], **ERRORS}, summary="登记合同（发榜企业）")
@api_errors
def contract(request: HttpRequest, pk: Pk, payload: ContractIn) -> Any:
    resp = _response(request, pk)
    services.contract_record(actor=request.user, response=resp, signed_on=payload.signed_on,
                             amount=_wan(payload.amount_wan, "amount_wan"), note=payload.note)
    return _response_out(_response(request, pk))


@router.post("/responses/{pk}/milestones", response={201: dict[str, Any], **ERRORS}, summary="添加里程碑")
@api_errors
def add_milestone(request: HttpRequest, pk: Pk, payload: MilestoneIn) -> Any:
    resp = _response(request, pk)
    services.milestone_add(actor=request.user, response=resp, title=payload.title, due_on=payload.due_on,
                           note=payload.note)
    return Status(201, _response_out(_response(request, pk)))


@router.post("/responses/{pk}/milestones/{mid}/done", response={200: dict[str, Any], **ERRORS},
             summary="里程碑完成")
@api_errors
def milestone_done(request: HttpRequest, pk: Pk, mid: Pk, payload: MilestoneDoneIn) -> Any:
    resp = _response(request, pk)
    ms = Milestone.objects.filter(response=resp, pk=mid).first()
    if ms is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    services.milestone_done(actor=request.user, milestone=ms, done_on=payload.done_on)
    return _response_out(_response(request, pk))


@router.post("/responses/{pk}/acceptance", response={200: dict[str, Any], **ERRORS}, summary="记录验收（发榜企业）")
@api_errors
def acceptance(request: HttpRequest, pk: Pk, payload: AcceptanceIn) -> Any:
    resp = _response(request, pk)
    services.acceptance_record(actor=request.user, response=resp, passed=payload.passed, on=payload.on,
                               note=payload.note)
    return _response_out(_response(request, pk))


@router.post("/", response={201: dict[str, Any], **ERRORS}, summary="新建需求（草稿，大企业）")
@api_errors
def create_need(request: HttpRequest, payload: NeedIn) -> Any:
    need = services.need_save(actor=request.user, data=payload.as_input())
    return Status(201, _need_out(_need(request, need.pk)))


@router.get("/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一项需求")
@api_errors
def get_need(request: HttpRequest, pk: Pk) -> Any:
    return _need_out(_need(request, pk))


@router.put("/{pk}", response={200: dict[str, Any], **ERRORS}, summary="修改需求（草稿或征集中）")
@api_errors
def update_need(request: HttpRequest, pk: Pk, payload: NeedIn) -> Any:
    services.need_save(actor=request.user, need=_need(request, pk), data=payload.as_input())
    return _need_out(_need(request, pk))


@router.post("/{pk}/actions", response={200: dict[str, Any], **ERRORS}, summary="发布、结束征集、撤回；审核、下架、恢复")
@api_errors
def need_action(request: HttpRequest, pk: Pk, payload: NeedActionIn) -> Any:
    need = _need(request, pk)
    simple = {"publish": services.need_publish, "close": services.need_close, "approve": services.need_approve,
              "restore": services.need_restore}
    if payload.action in simple:
        simple[payload.action](actor=request.user, need=need)
    elif payload.action == "cancel":
        services.need_cancel(actor=request.user, need=need, reason=payload.text)
    elif payload.action == "hide":
        services.need_hide(actor=request.user, need=need, reason=payload.text)
    else:
        raise NeedError(NeedCode.FIELD_UNKNOWN, field="action", value=payload.action, what="操作")
    return _need_out(_need(request, pk))


@router.post("/{pk}/invitations", response={201: dict[str, Any], **ERRORS}, summary="邀请企业揭榜（发榜企业或主管部门）")
@api_errors
def invite(request: HttpRequest, pk: Pk, payload: InviteIn) -> Any:
    need = _need(request, pk)
    firm = Enterprise.objects.filter(credit_code=services.clean(payload.credit_code).upper()[:18]).first()
    if firm is None:
        raise NeedError(NeedCode.ENTERPRISE_UNKNOWN, credit_code=payload.credit_code)
    inv = services.invite(actor=request.user, need=need, enterprise=firm, note=payload.note)
    return Status(201, {"need_id": need.pk, "credit_code": firm.credit_code, "enterprise": firm.name,
                        "created_at": inv.created_at})


@router.get("/{pk}/firms", response={200: list[dict[str, Any]], **ERRORS}, summary="按匹配度排序的中小企业（含理由）")
@api_errors
def ranked_firms(request: HttpRequest, pk: Pk, limit: Limit = 20) -> Any:
    need = _need(request, pk)
    return [{"credit_code": f.enterprise.credit_code, "enterprise": f.enterprise.name,
             "region_code": f.enterprise.region_id, "score": f.score, "reasons": f.reasons, "invited": f.invited}
            for f in recommend.firms_for_need(request.user, need, limit=max(1, min(limit, 50)))]


@router.post("/{pk}/responses", response={201: dict[str, Any], **ERRORS}, summary="提交揭榜方案（中小企业）")
@api_errors
def submit_response(request: HttpRequest, pk: Pk, payload: ResponseIn) -> Any:
    need = _need(request, pk)
    resp = services.response_submit(actor=request.user, need=need, data=services.ResponseInput(
        solution=payload.solution, team=payload.team, rd_evidence=payload.rd_evidence,
        prior_cases=payload.prior_cases, share=tuple(payload.share)))
    return Status(201, _response_out(_response(request, resp.pk)))
