"""What-if: the few figures that decide most verdicts, typed in 万元 where money, checked by the engine's
own field parser (`tidu.rules.fields.coerce_record`), never saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.enterprises.money import wan_to_yuan, yuan_to_wan_text
from tidu.enterprises.suspicion import Suspicion, yuan_suspicions


@dataclass(frozen=True)
class WhatIfField:
    name: str  # the engine record's field name (fields.yaml)
    label: str
    money: bool


FIELDS: tuple[WhatIfField, ...] = (
    WhatIfField("rd_y1", gettext_noop("上年研发费用总额"), True),
    WhatIfField("rd_y2", gettext_noop("前年研发费用总额"), True),
    WhatIfField("revenue_y1", gettext_noop("上年营业收入"), True),
    WhatIfField("revenue_y2", gettext_noop("前年营业收入"), True),
    WhatIfField("main_rev_y1", gettext_noop("上年主营业务收入"), True),
    WhatIfField("net_profit_y1", gettext_noop("上年净利润"), True),
    WhatIfField("ip_c1_count", gettext_noop("有效Ⅰ类知识产权数（件）"), False),
    WhatIfField("staff_total_y1", gettext_noop("职工总数（人）"), False),
    WhatIfField("rd_staff_y1", gettext_noop("研发人员数（人）"), False),
)
BY_NAME = {f.name: f for f in FIELDS}


def initial(record: dict[str, Any]) -> dict[str, str]:
    """The form's starting values from the firm's record (money in 万元; '' when unknown)."""
    out = {}
    for f in FIELDS:
        v = record.get(f.name)
        out[f.name] = "" if v is None else (yuan_to_wan_text(int(v)) if f.money else str(v))
    return out


def parse(data: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """(typed overrides for the engine record, {field: Chinese error}) from submitted form data.

    A blank box means "unknown" (the engine then says what it cannot judge); a field not submitted
    at all keeps the firm's own figure.
    """
    raw: dict[str, object] = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        if f.name not in data:
            continue
        text = str(data.get(f.name) or "").strip()
        if text == "":
            raw[f.name] = None
            continue
        if f.money:
            try:
                raw[f.name] = wan_to_yuan(text, allow_negative=f.name == "net_profit_y1", field=f.name)
            except TiduError as exc:
                errors[f.name] = f"{f.label}：{exc.message}"
        else:
            raw[f.name] = text
    from tidu.rules.fields import coerce_record

    typed, problems, _warnings = coerce_record({k: v for k, v in raw.items() if v is not None}, require_key=False)
    for issue in problems:
        if issue.field in BY_NAME and issue.field not in errors:
            errors[issue.field] = issue.message  # the engine's message names the field itself
        elif issue.field not in BY_NAME:
            errors.setdefault("form", issue.message)
    overrides = {name: (typed.get(name) if value is not None else None) for name, value in raw.items()}
    return overrides, errors


def parse_or_raise(data: Any) -> dict[str, Any]:
    """`parse` for the API: the overrides, or one VALIDATION error listing every problem."""
    overrides, errors = parse(data)
    if errors:
        raise TiduValidationError([(None if k == "form" else k, ErrorCode.VALIDATION, m) for k, m in errors.items()])
    return overrides


def _previous(name: str) -> str:
    """The same figure one fiscal year earlier in the engine's record: rd_y1 → rd_y2."""
    for n in (1, 2):
        if name.endswith(f"_y{n}"):
            return f"{name[:-1]}{n + 1}"
    return ""


def unit_warnings(overrides: dict[str, Any], enterprise: Any, *, in_yuan: bool = False) -> list[Suspicion]:
    """What-if amounts that look typed in 元 (warn only: nothing is saved, the engine runs anyway),
    against the firm's saved figures (an amount left as saved is not questioned)."""
    money = {k: v for k, v in overrides.items() if k in BY_NAME and BY_NAME[k].money and v is not None}
    if not money:
        return []
    from tidu.ladder.assessment import base_record  # assessment is the page's model; this module is its form

    _year, record, _marks = base_record(enterprise)
    record = record or {}
    return yuan_suspicions(
        values=money,
        before={k: record.get(k) for k in money},
        previous={k: record.get(_previous(k)) for k in money},
        industry_code=str(record.get("industry_code") or ""),
        labels={k: BY_NAME[k].label for k in money},
        in_yuan=in_yuan,
    )
