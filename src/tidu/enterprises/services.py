"""Writes to the register: each service checks permission, validates, writes in one transaction
and records an audit event. Views, the API, the importer and commands call these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tidu.core.audit import audit_record, changed_fields
from tidu.core.credit_code import validate_credit_code
from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.permissions import (
    can_edit_enterprise,
    can_view_enterprise,
    is_official,
    region_in_jurisdiction,
    require,
)
from tidu.core.text import validate_no_formula_prefix
from tidu.core.validators import validate_email, validate_phone
from tidu.enterprises import provenance
from tidu.enterprises.industries import check_industry_code
from tidu.enterprises.models import YEAR_VALUE_FIELDS, Enterprise, EnterpriseSource, EnterpriseYear
from tidu.enterprises.validation import year_errors
from tidu.regions.selectors import registration_region_get

PROFILE_FIELDS = (
    "name", "industry_code", "founded_on", "independent_legal_person", "registered_in_mainland",
    "resident_enterprise", "tax_audit_collection", "listed", "niche_start_on", "contact_name", "contact_phone",
    "contact_email",
)
# What the platform certifies about a firm's identity changes only through a reviewed 重大变化报告
# (tidu.changes, docs/decisions/0074-identity-changes-through-reviewed-reports.md), never by a profile edit.
IDENTITY_FIELDS = {"name": "企业名称", "region_code": "注册地行政区划", "industry_code": "国民经济行业代码"}
EDITABLE_PROFILE_FIELDS = tuple(f for f in PROFILE_FIELDS if f not in IDENTITY_FIELDS)
NAME_MAX_LENGTH = 200
FIRST_FISCAL_YEAR = 2000
# Contact details entering the register are checked by the one shared validator (tidu.core.validators).
CONTACT_CHECKS = {"contact_phone": validate_phone, "contact_email": validate_email}
CONTACT_LABELS = {"contact_phone": "联系电话", "contact_email": "联系邮箱"}


def enterprise_name_validate(raw: str, *, field: str = "name") -> str:
    """A firm name as stored: trimmed, not empty, at most 200 characters, never a spreadsheet formula."""
    name = (raw or "").strip()
    if not name:
        raise TiduError(ErrorCode.VALIDATION, field=field, detail="企业名称不能为空")
    if len(name) > NAME_MAX_LENGTH:
        raise TiduError(ErrorCode.VALIDATION, field=field, detail=f"企业名称不能超过{NAME_MAX_LENGTH}个字")
    try:
        validate_no_formula_prefix(name)
    except ValidationError as exc:
        raise TiduError(ErrorCode.VALIDATION, field=field, detail=f"企业名称{exc.messages[0]}") from exc
    return name


def industry_code_validate(raw: str) -> str:
    """The normalised GB/T 4754-2017 code, or TiduError INDUSTRY_CODE_INVALID/UNKNOWN."""
    result = check_industry_code(raw)
    if not result.ok:
        code = ErrorCode.INDUSTRY_CODE_INVALID if "格式" in result.reason else ErrorCode.INDUSTRY_CODE_UNKNOWN
        raise TiduError(code, field="industry_code", value=raw, reason=result.reason)
    return result.code


def fiscal_year_validate(year: int, *, today: dt.date | None = None) -> int:
    """A fiscal year must be closed or current: 2000 … this year."""
    high = (today or dt.date.today()).year
    if not isinstance(year, int) or not FIRST_FISCAL_YEAR <= year <= high:
        raise TiduError(ErrorCode.FISCAL_YEAR_INVALID, field="fiscal_year", value=year, low=FIRST_FISCAL_YEAR, high=high)
    return year


def _system_or_allowed(actor: Any, region_code: str) -> None:
    if actor is not None and not region_in_jurisdiction(actor, region_code):
        raise TiduError(ErrorCode.PERMISSION_DENIED)


@transaction.atomic
def enterprise_create(
    *,
    actor: Any,
    credit_code: str,
    name: str,
    region_code: str,
    industry_code: str,
    source: str = EnterpriseSource.ADMIN,
    check_permission: bool = True,
    **profile: Any,
) -> Enterprise:
    """Add a firm to the register. `actor` None means the system (seed data, firm self-registration,
    which passes check_permission=False after its own checks)."""
    code = validate_credit_code(credit_code)
    region = registration_region_get(region_code)
    if check_permission:
        _system_or_allowed(actor, region.code)
    if Enterprise.objects.filter(credit_code=code).exists():
        raise TiduError(ErrorCode.ENTERPRISE_ALREADY_REGISTERED, field="credit_code")
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    for key, check in CONTACT_CHECKS.items():
        if profile.get(key):
            profile[key] = check(profile[key], label=CONTACT_LABELS[key], field=key)
    ent = Enterprise.objects.create(
        credit_code=code, name=enterprise_name_validate(name), region=region, industry_code=industry_code_validate(industry_code),
        source=source, **profile,
    )
    audit_record(actor=actor, action="enterprise.create", target=ent,
                 data={"credit_code": code, "region_code": region.code, "source": source})
    return ent


@transaction.atomic
def enterprise_update(*, actor: Any, enterprise: Enterprise, data: dict[str, Any]) -> Enterprise:
    """Change a firm's profile: contact details and the self-declared facts, not its credit code.

    The identity (name, region, industry) is refused here for everyone (IDENTITY_LOCKED): it changes only
    when an official approves a 重大变化报告 (tidu.changes). An unchanged identity value passes, so a form
    that posts the whole profile still saves.
    """
    if not can_edit_enterprise(actor, enterprise):
        raise TiduError(ErrorCode.NOT_FOUND)
    before = {f: getattr(enterprise, f) for f in PROFILE_FIELDS} | {"region_code": enterprise.region_id}
    for key, value in data.items():
        if key in IDENTITY_FIELDS:
            current = before[key]
            given = value.strip() if isinstance(value, str) else value
            if given != current:
                raise TiduError(ErrorCode.IDENTITY_LOCKED, field=key, label=IDENTITY_FIELDS[key])
        elif key in CONTACT_CHECKS and value and value != before[key]:
            setattr(enterprise, key, CONTACT_CHECKS[key](value, label=CONTACT_LABELS[key], field=key))
        elif key in PROFILE_FIELDS:
            setattr(enterprise, key, value.strip() if isinstance(value, str) else value)
        else:
            raise TypeError(f"unknown field {key}")
    enterprise.save()
    after = {f: getattr(enterprise, f) for f in PROFILE_FIELDS} | {"region_code": enterprise.region_id}
    changes = changed_fields(before, after)
    if changes:
        audit_record(actor=actor, action="enterprise.update", target=enterprise, data={"changes": changes})
    return enterprise


@transaction.atomic
def enterprise_year_save(
    *, actor: Any, enterprise: Enterprise, fiscal_year: int, values: dict[str, Any], check_permission: bool = True,
    confirmed_amounts: list[str] | tuple[str, ...] = (),
) -> tuple[EnterpriseYear, bool]:
    """Create or update (upsert) the row of one fiscal year; returns (row, created).

    Values are model field names (money in yuan). Fields not in `values` keep their stored value.
    Range and cross-field checks run on the merged row; any error rejects the whole save.
    `confirmed_amounts`: amounts that looked typed in 元 (tidu.enterprises.suspicion) and were saved
    anyway; the audit event records them.
    """
    if check_permission and not can_edit_enterprise(actor, enterprise):
        raise TiduError(ErrorCode.NOT_FOUND)
    fiscal_year_validate(fiscal_year)
    unknown = set(values) - set(YEAR_VALUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown yearly fields: {sorted(unknown)}")
    row = EnterpriseYear.objects.select_for_update().filter(enterprise=enterprise, fiscal_year=fiscal_year).first()
    created = row is None
    if row is None:
        row = EnterpriseYear(enterprise=enterprise, fiscal_year=fiscal_year)
    before = {f: getattr(row, f) for f in YEAR_VALUE_FIELDS}
    merged = before | values
    problems = year_errors(merged)
    if problems:
        raise TiduValidationError([(p.field, p.code, p.message) for p in problems])
    for key, value in values.items():
        setattr(row, key, value)
    changes = changed_fields(before, {f: getattr(row, f) for f in YEAR_VALUE_FIELDS})
    # A changed figure is the firm's word again until an official or a data source vouches for it.
    unmarked = sorted(f for f in changes if f in (row.figure_marks or {}))
    row.figure_marks = provenance.without(row.figure_marks, changes)
    row.save()
    if changes or created:
        data: dict[str, Any] = {"fiscal_year": fiscal_year, "changes": changes}
        if unmarked:
            data["marks_reset"] = unmarked
        if confirmed_amounts:
            data["confirmed_amounts"] = sorted(confirmed_amounts)
        audit_record(actor=actor, action="enterprise_year.create" if created else "enterprise_year.update",
                     target=row, data=data)
    return row, created


@transaction.atomic
def enterprise_year_verify(
    *, actor: Any, row: EnterpriseYear, fields: list[str] | None = None, seen_updated_at: dt.datetime | None = None
) -> tuple[EnterpriseYear, list[str]]:
    """An official of the firm's jurisdiction marks figures of one firm-year as verified.

    `fields` None means every figure that has a value. `seen_updated_at` is when the row the official
    looked at was last changed: if the firm changed it since, nothing is marked (VALIDATION), so an
    official never vouches for a figure they did not see. Returns the row and the fields marked.
    Firm staff and platform admins get PERMISSION_DENIED; officials outside the jurisdiction NOT_FOUND.
    """
    ent = row.enterprise
    require(can_view_enterprise(actor, ent), not_found=True)
    require(is_official(actor) and region_in_jurisdiction(actor, ent.region_id))
    locked = EnterpriseYear.objects.select_for_update().get(pk=row.pk)
    if seen_updated_at is not None and locked.updated_at != seen_updated_at:
        raise TiduError(ErrorCode.VALIDATION, field="fields", detail="该年度数据在您查看后已被修改，请刷新页面后重新核实")
    with_value = [f for f in YEAR_VALUE_FIELDS if provenance.has_value(getattr(locked, f))]
    if fields is None:
        chosen = with_value
    else:
        unknown = sorted(set(fields) - set(YEAR_VALUE_FIELDS))
        if unknown:
            raise TiduError(ErrorCode.VALIDATION, field="fields", detail=f"未知字段：{', '.join(unknown)}")
        empty = sorted(set(fields) - set(with_value))
        if empty:
            raise TiduError(ErrorCode.VALIDATION, field="fields",
                            detail=f"没有数值的项目不能核实：{', '.join(empty)}")
        chosen = [f for f in YEAR_VALUE_FIELDS if f in set(fields)]
    if not chosen:
        raise TiduError(ErrorCode.VALIDATION, field="fields", detail="请选择要核实的数据")
    now = timezone.now()
    marks = dict(locked.figure_marks or {})
    for f in chosen:
        marks[f] = provenance.verified_mark(actor=actor, value=getattr(locked, f), at=now)
    locked.figure_marks = marks
    locked.save(update_fields=["figure_marks", "updated_at"])
    audit_record(actor=actor, action="enterprise_year.verify", target=locked,
                 data={"fiscal_year": locked.fiscal_year,
                       "verified": {f: provenance.mark_value(getattr(locked, f)) for f in chosen}})
    return locked, chosen
