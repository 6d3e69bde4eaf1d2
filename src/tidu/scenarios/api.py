"""/api/v1/scenarios: search the AI scenario library, read the paths, and (for a firm) recommendations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tidu.accounts.auth import API_AUTH
from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.enterprises.selectors import own_enterprise
from tidu.scenarios.selectors import Hit, path_list, recommend_for_firm, scenario_search

router = Router(auth=API_AUTH, tags=["AI应用场景与转型路径"])


def _hit(h: Hit) -> dict[str, Any]:
    s = h.scenario
    return {"code": s.code, "title": s.title, "area": s.area, "field": s.field, "industries": s.industry_list,
            "min_level": s.min_level, "sample": s.is_sample, "score": round(h.score, 3), "reasons": h.reasons,
            "matched": h.matched}


@router.get("/", response={200: list[dict[str, Any]]}, summary="检索AI应用场景")
@api_errors
def search(request: HttpRequest, q: str = "", area: str = "", field: str = "", industry: str = "",
           level: int | None = None) -> Any:
    return [_hit(h) for h in scenario_search(q=q, area=area, field=field, industry=industry, level=level)]


@router.get("/recommendations", response={200: list[dict[str, Any]], 403: ErrorOut}, summary="为本企业推荐场景（企业用户）")
@api_errors
def recommendations(request: HttpRequest, pain: str = "") -> Any:
    ent = own_enterprise(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    return [_hit(h) for h in recommend_for_firm(enterprise=ent, pain_points=pain[:500])]


@router.get("/paths", response={200: list[dict[str, Any]]}, summary="细分行业转型路径")
@api_errors
def paths(request: HttpRequest) -> Any:
    return [{"code": p.code, "name": p.name, "division": p.division, "industries": p.industry_list,
             "stages": p.stages, "scenarios": p.scenario_list, "sample": p.is_sample} for p in path_list()]
