"""/api/v1/ladder: the live self-assessment and the what-if, under the web's permissions (a firm sees
only itself; officials the firms of their jurisdiction by credit code; others get 404)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from tidu.accounts.auth import API_AUTH
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.ladder import whatif
from tidu.ladder.assessment import as_json, assess, firm_for, recognitions_of, today_shanghai
from tidu.ladder.dates import calendar_of

router = Router(auth=API_AUTH, tags=["我的梯度"])


class AssessmentOut(Schema):
    credit_code: str
    name: str
    fiscal_year: int | None
    year: int | None
    as_of: str | None
    highest_tier: str | None
    next_tier: str | None
    standards: list[dict[str, Any]]
    recognitions: list[dict[str, Any]] = Field(default_factory=list)
    calendar: list[dict[str, Any]] = Field(default_factory=list)
    warnings: list[dict[str, Any]] = Field(
        default_factory=list, description="假设分析中疑似按“元”填写的金额（仅提示，照常评估）")


class WhatIfIn(Schema):
    """Money in 万元 (text, up to 4 decimals), counts as integers; a field left out keeps the firm's figure,
    an empty string makes it unknown."""

    rd_y1: str | None = None
    rd_y2: str | None = None
    revenue_y1: str | None = None
    revenue_y2: str | None = None
    main_rev_y1: str | None = None
    net_profit_y1: str | None = None
    ip_c1_count: str | None = None
    staff_total_y1: str | None = None
    rd_staff_y1: str | None = None


@router.get("/me", response={200: AssessmentOut, 403: ErrorOut}, summary="本企业的梯度自评（实时）")
@api_errors
def me(request: HttpRequest) -> Any:
    a = assess(firm_for(request.user))
    recognitions = recognitions_of(a.enterprise, records=a.recognition_records)
    return {**as_json(a), "recognitions": recognitions,
            "calendar": calendar_of(a.enterprise.region_id, recognitions, today_shanghai())}


@router.post("/what-if", response={200: AssessmentOut, 400: ErrorOut, 403: ErrorOut},
             summary="假设分析：改几个数字重新评估（不保存）")
@api_errors
def what_if(request: HttpRequest, payload: WhatIfIn) -> Any:
    ent = firm_for(request.user)
    overrides = whatif.parse_or_raise(payload.dict(exclude_none=True))
    a = assess(ent, overrides=overrides)
    return {**as_json(a), "warnings": [w.as_dict() for w in whatif.unit_warnings(overrides, ent)]}


@router.get("/firms/{credit_code}", response={200: AssessmentOut, 404: ErrorOut}, summary="某企业的梯度自评（实时）")
@api_errors
def firm(request: HttpRequest, credit_code: str) -> Any:
    return as_json(assess(firm_for(request.user, credit_code)))
