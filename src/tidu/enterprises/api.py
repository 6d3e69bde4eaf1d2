"""/api/v1/enterprises: the register for programs, under exactly the web's permissions.

Authentication: `Authorization: Bearer <token>` (tokens from the profile page) or the browser
session. Money is integer yuan; fractions are decimal strings; field names are those of
domain/fields.md (yearly rows drop the _y1 suffix, as in the database).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpRequest, JsonResponse
from ninja import Body, Field, Router, Schema

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import ErrorOut, Limit, Offset, Year
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import role_of
from tidu.enterprises import provenance
from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.selectors import enterprise_get, enterprise_list, enterprise_years, evaluation_record
from tidu.enterprises.services import enterprise_year_save, enterprise_year_verify
from tidu.enterprises.suspicion import year_suspicions

router = Router(auth=API_AUTH, tags=["企业名录"])
MAX_LIMIT = 500



class EnterpriseOut(Schema):
    credit_code: str
    name: str
    region_code: str = Field(..., alias="region_id")
    region_name: str = Field(..., alias="region.full_name")
    industry_code: str
    industry_name: str = ""
    founded_on: dt.date | None = None
    independent_legal_person: bool | None = None

    @staticmethod
    def resolve_industry_name(obj: Enterprise) -> str:
        return industry_name(obj.industry_code) or industry_name(obj.industry_code[:3])


class EnterpriseDetailOut(EnterpriseOut):
    registered_in_mainland: bool | None = None
    resident_enterprise: bool | None = None
    tax_audit_collection: bool | None = None
    listed: bool | None = None
    niche_start_on: dt.date | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    fiscal_years: list[int] = Field(default_factory=list)

    @staticmethod
    def resolve_fiscal_years(obj: Enterprise) -> list[int]:
        return sorted(obj.years.values_list("fiscal_year", flat=True), reverse=True)


class EnterprisePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EnterpriseOut]


def _year_dict(row: EnterpriseYear) -> dict[str, Any]:
    data: dict[str, Any] = {"fiscal_year": row.fiscal_year}
    for f in YEAR_VALUE_FIELDS:
        value = getattr(row, f)
        data[f] = str(value) if isinstance(value, Decimal) else value
    data["updated_at"] = row.updated_at.isoformat()
    data["figure_marks"] = {f: provenance.effective_mark(row.figure_marks, f, getattr(row, f))
                            for f in YEAR_VALUE_FIELDS if provenance.has_value(getattr(row, f))}
    return data


def api_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """TiduError → JSON {code, message, field} with the code's one HTTP status."""

    @functools.wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(request, *args, **kwargs)
        except TiduError as error:
            response = JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
            for name, value in error.headers.items():  # Retry-After of a rate limit
                response[name] = value
            return response

    return wrapper


def _require_register_role(request: HttpRequest) -> None:
    if role_of(request.user) not in {"platform", "government", "enterprise"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)


@router.get("/", response={200: EnterprisePage, 403: ErrorOut}, summary="企业列表（仅限可见范围）")
@api_errors
def list_enterprises(
    request: HttpRequest, q: str = "", region: str = "", industry: str = "", limit: Limit = 100, offset: Offset = 0
) -> Any:
    _require_register_role(request)
    qs = enterprise_list(user=request.user, q=q, region=region, industry=industry)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {"count": qs.count(), "limit": limit, "offset": offset, "items": list(qs[offset: offset + limit])}


@router.get("/{credit_code}", response={200: EnterpriseDetailOut, 403: ErrorOut, 404: ErrorOut}, summary="企业详情")
@api_errors
def get_enterprise(request: HttpRequest, credit_code: str) -> Any:
    _require_register_role(request)
    return enterprise_get(user=request.user, credit_code=credit_code)


@router.get("/{credit_code}/years", response={200: list[dict[str, Any]], 403: ErrorOut, 404: ErrorOut},
            summary="企业年度数据（金额单位：元）")
@api_errors
def list_years(request: HttpRequest, credit_code: str) -> Any:
    _require_register_role(request)
    ent = enterprise_get(user=request.user, credit_code=credit_code)
    return [_year_dict(r) for r in enterprise_years(user=request.user, enterprise=ent)]


@router.put("/{credit_code}/years/{fiscal_year}",
            response={200: dict[str, Any], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="新增或更新一个会计年度的数据（只改传入的字段；金额单位：元）",
            description="保存后返回该年度数据。疑似单位有误的金额（是上年同一字段的1000倍以上，或达到本行业"
                        "大型企业的营业收入/资产总额标准）照常保存，并在 `warnings` 中逐项说明"
                        "（code 为 money_unit_suspect）。")
@api_errors
def put_year(
    request: HttpRequest, credit_code: str, fiscal_year: Year, payload: dict[str, Any] = Body(...)  # noqa: B008
) -> Any:
    _require_register_role(request)
    ent = enterprise_get(user=request.user, credit_code=credit_code)
    unknown = sorted(set(payload) - set(YEAR_VALUE_FIELDS))
    if unknown:
        raise TiduError(ErrorCode.VALIDATION, field=unknown[0], detail=f"未知字段：{', '.join(unknown)}")
    values = _parse_year_payload(payload)
    suspicions = year_suspicions(enterprise=ent, fiscal_year=fiscal_year, values=values, in_yuan=True)
    row, _created = enterprise_year_save(actor=request.user, enterprise=ent, fiscal_year=fiscal_year, values=values,
                                         confirmed_amounts=[s.field for s in suspicions])
    return _year_dict(row) | {"warnings": [s.as_dict() for s in suspicions]}


class VerifyIn(Schema):
    fields: list[str] | None = Field(None, description="要核实的字段（数据库字段名）；不传表示全部有数值的字段")
    seen_updated_at: dt.datetime | None = Field(
        None, description="调用方看到的 updated_at；若其后数据被修改则不核实（400）")


@router.post("/{credit_code}/years/{fiscal_year}/verify",
             response={200: dict[str, Any], 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="主管部门核实某年度的数据（标记为已核实，记入审计日志）")
@api_errors
def verify_year(request: HttpRequest, credit_code: str, fiscal_year: Year, payload: VerifyIn) -> Any:
    """Officials of the firm's jurisdiction only; firm staff get 403, officials elsewhere 404."""
    _require_register_role(request)
    ent = enterprise_get(user=request.user, credit_code=credit_code)
    row = enterprise_years(user=request.user, enterprise=ent).filter(fiscal_year=fiscal_year).first()
    if row is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    row, _chosen = enterprise_year_verify(actor=request.user, row=row, fields=payload.fields,
                                          seen_updated_at=payload.seen_updated_at)
    return _year_dict(row)


def _parse_year_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Coerce JSON values with the model fields' own parsing; a bad value names its field."""
    values: dict[str, Any] = {}
    for name, raw in payload.items():
        field = EnterpriseYear._meta.get_field(name)
        assert isinstance(field, models.Field)
        try:
            if raw is None:
                values[name] = "" if field.get_internal_type() == "CharField" else None
            elif field.get_internal_type() in {"BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"}:
                if isinstance(raw, bool) or not isinstance(raw, int):
                    raise ValueError
                values[name] = raw
            elif field.get_internal_type() == "BooleanField":
                if not isinstance(raw, bool):
                    raise ValueError
                values[name] = raw
            else:
                values[name] = field.to_python(raw)
        except Exception as exc:
            raise TiduError(ErrorCode.VALIDATION, field=name, detail=f"{field.verbose_name}的值“{raw}”格式不对") from exc
        if field.get_internal_type() == "PositiveIntegerField" and values[name] is not None and values[name] < 0:
            raise TiduError(ErrorCode.VALIDATION, field=name, detail=f"{field.verbose_name}不能为负数")
    return values


@router.get("/{credit_code}/evaluation-record", response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut},
            summary="评价用的扁平记录（domain/fields.md 字段名，_y1/_y2/_y3）")
@api_errors
def get_evaluation_record(request: HttpRequest, credit_code: str, year: Year) -> Any:
    _require_register_role(request)
    ent = enterprise_get(user=request.user, credit_code=credit_code)
    record = evaluation_record(ent, year)
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in record.items()}
