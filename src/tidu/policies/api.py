"""/api/v1/policies: policies, a firm's matches, push lists, awards and payouts under the web's permissions.

Money is exchanged in integer yuan here (the API's unit for every amount); pages show 万元.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import Limit, Offset, Year
from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.ladder.assessment import today_shanghai
from tidu.policies import selectors as S
from tidu.policies import services
from tidu.policies.models import Award, PolicyBatch, PolicyRoute
from tidu.policies.sandbox import firms_in_reach, push_list

router = Router(auth=API_AUTH, tags=["惠企政策"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _policy(p: Any) -> dict[str, Any]:
    return {
        "code": p.code,
        "title": p.title,
        "issuer": p.issuer,
        "document_number": p.document_number,
        "level": p.level,
        "region_code": p.region_id,
        "category": p.category,
        "route": p.route,
        "purpose": p.purpose,
        "in_force_from": p.in_force_from,
        "in_force_to": p.in_force_to,
        "is_sample": p.is_sample,
    }


def _match(m: S.PolicyMatch) -> dict[str, Any]:
    return {
        "policy": _policy(m.policy),
        "edition": m.edition.effective_on,
        "verdict": m.verdict,
        "amount_yuan": m.amount_yuan,
        "deadline": m.deadline,
        "batch_id": m.batch.pk if m.batch else None,
        "conditions": [
            {
                "id": o.spec.id,
                "label": o.spec.label,
                "clause": o.spec.clause,
                "kind": o.spec.kind,
                "state": o.state,
                "missing": [f for f, _ in o.missing],
            }
            for o in m.outcomes
        ],
    }


@router.get("", summary="已发布的政策")
@api_errors
def list_policies(request: HttpRequest) -> Any:
    return [_policy(p) for p in S.policies_published().order_by("code")]


@router.get("/mine", response={200: Any, 403: ErrorOut}, summary="我的政策：本企业按已填报数据的判断结果")
@api_errors
def mine(request: HttpRequest) -> Any:
    ent, matches = S.my_matches(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message="“我的政策”供企业用户使用。")
    return {
        "credit_code": ent.credit_code,
        "as_of": today_shanghai(),
        "matches": [_match(m) for m in matches],
    }


@router.get("/awards", summary="奖补公示（与公开页面相同的内容）")
@api_errors
def awards(
    request: HttpRequest, policy: str = "", year: Year | None = None, limit: Limit = 100, offset: Offset = 0
) -> Any:
    qs = S.awards_public(policy=policy, year=year)[offset : offset + min(max(limit, 1), 500)]
    return [
        {
            "id": a.pk,
            "enterprise": a.enterprise.name,
            "credit_code": a.enterprise.credit_code,
            "policy": a.policy.code,
            "clause": a.clause,
            "amount_yuan": a.amount_yuan,
            "route": a.route,
            "status": a.status,
            "decided_at": a.decided_at,
        }
        for a in qs
    ]


@router.get(
    "/batches/{batch_id}/push-list", response={200: Any, **ERRORS}, summary="免申即享推送名单（本辖区）"
)
@api_errors
def batch_push_list(request: HttpRequest, batch_id: int) -> Any:
    if not S.can_author_policies(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    batch = PolicyBatch.objects.select_related("policy__region").filter(pk=batch_id).first()
    if batch is None or not (
        S.policies_with_push_lists_for(request.user).filter(pk=batch.policy_id).exists()
        or S.can_manage_policy(request.user, batch.policy)
    ):
        raise TiduError(ErrorCode.NOT_FOUND)
    return [
        {
            "credit_code": r.enterprise.credit_code,
            "enterprise": r.enterprise.name,
            "amount_yuan": r.amount_yuan,
            "evidence": r.evidence,
            "pushed": r.pushed,
            "award_id": r.award.pk if r.award else None,
            "double_claim": r.double_claim,
        }
        for r in push_list(user=request.user, batch=batch)
    ]


class GrantIn(Schema):
    credit_code: str
    amount_yuan: int = Field(..., gt=0)
    route: str = Field(PolicyRoute.AUTOMATIC, description="automatic 免申即享 / application 申报兑现")
    basis: str = ""
    filing_ref: str | None = None


@router.post("/batches/{batch_id}/awards", response={201: Any, **ERRORS}, summary="作出奖补决定")
@api_errors
def grant(request: HttpRequest, batch_id: int, payload: GrantIn) -> Any:
    batch = PolicyBatch.objects.select_related("policy__region").filter(pk=batch_id).first()
    if batch is None or not S.can_manage_policy(request.user, batch.policy):
        raise TiduError(ErrorCode.NOT_FOUND)
    ent = firms_in_reach(request.user, batch.policy).filter(credit_code=payload.credit_code.upper()).first()
    if ent is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    award = services.award_grant(
        actor=request.user,
        policy_batch=batch,
        enterprise=ent,
        amount_yuan=payload.amount_yuan,
        route=payload.route,
        basis=payload.basis,
        filing_ref=payload.filing_ref,
    )
    return Status(201, _award(award))


def _award(a: Award) -> dict[str, Any]:
    return {
        "id": a.pk,
        "credit_code": a.enterprise.credit_code,
        "policy": a.policy.code,
        "batch_id": a.batch_id,
        "amount_yuan": a.amount_yuan,
        "paid_yuan": S.paid_yuan(a),
        "status": a.status,
        "route": a.route,
        "double_claim": a.double_claim,
        "double_claim_note": a.double_claim_note,
        "decided_at": a.decided_at,
    }


class AwardPayoutIn(Schema):
    amount_yuan: int = Field(..., gt=0)
    paid_on: dt.date
    reference: str


@router.post("/awards/{award_id}/payouts", response={201: Any, **ERRORS}, summary="登记拨付")
@api_errors
def payout(request: HttpRequest, award_id: int, payload: AwardPayoutIn) -> Any:
    award = S.awards_visible_to(request.user).filter(pk=award_id).first()
    if award is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    services.payout_record(
        actor=request.user,
        award=award,
        amount_yuan=payload.amount_yuan,
        paid_on=payload.paid_on,
        reference=payload.reference,
    )
    award.refresh_from_db()
    return Status(201, _award(award))


@router.get("/{code}", response={200: Any, 404: ErrorOut}, summary="一项政策：条件、金额、批次、修订记录")
@api_errors
def detail(request: HttpRequest, code: str) -> Any:
    policy = S.policy_get(code=code, user=request.user)
    eds = list(policy.editions.order_by("-effective_on"))
    return {
        **_policy(policy),
        "interpretation": policy.interpretation,
        "materials": policy.material_list,
        "editions": [
            {
                "effective_on": e.effective_on,
                "basis": e.basis,
                "conditions": e.conditions,
                "amount_expr": e.amount_expr,
                "amount_cap_yuan": e.amount_cap_yuan,
            }
            for e in eds
        ],
        "batches": [
            {
                "id": b.pk,
                "name": b.name,
                "opens_on": b.opens_on,
                "closes_on": b.closes_on,
                "budget_yuan": b.budget_yuan,
            }
            for b in policy.batches.order_by("opens_on")
        ],
    }
