"""/api/v1/insights: the dashboard's charts of a region inside the caller's jurisdiction (the numbers the
page draws, the Excel and the PDF print; withheld small cells are null)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tidu.accounts.auth import API_AUTH
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import can_view_register
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.insights import selectors

router = Router(auth=API_AUTH, tags=["梯度看板"])


class ChartsOut(Schema):
    region: str
    region_name: str
    year: int | None
    years: list[int]
    charts: list[dict[str, Any]]
    lists: dict[str, int]


@router.get("/charts", response={200: ChartsOut, 403: ErrorOut, 404: ErrorOut},
            summary="梯度看板的全部图表数据（少于5家企业的格子为 null）")
@api_errors
def charts(request: HttpRequest, region: str = "", year: int | None = None) -> Any:
    if not can_view_register(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    scope = selectors.scope_for(request.user, region, year)
    return {"region": scope.prefix, "region_name": selectors.scope_name(scope), "year": scope.year,
            "years": scope.years, "charts": [c.as_json() for c in selectors.charts(scope)],
            "lists": selectors.list_totals(scope) if scope.year is not None else {}}
