"""Where each yearly figure comes from: self-declared (the default), verified by an official, or taken
from an imported official data source (税务, 统计 …). See docs/decisions/0072-figure-provenance.md.

A firm-year keeps its marks in `EnterpriseYear.figure_marks`: {model field: mark}; a field without a
mark is self-declared. A mark is a small JSON dict::

    {"kind": "verified", "value": 12345600, "by": "county_li", "org": "南山区工信局", "at": "2026-…"}
    {"kind": "source", "source": "tax", "value": 12345600, "by": "…", "org": "…", "at": "…"}

Every mark holds the value it vouches for: a mark whose value no longer matches the stored figure
counts as self-declared, whatever path changed the figure (the services also drop such marks).
The frozen figures of an application carry the marks under `FROZEN_MARKS_KEY`, keyed by the
evaluation record's field names (revenue_y1, rd_y2 …).

Titles already held (cert_*_valid) get a fourth kind when the platform holds a recognition record of
that tier: a platform mark naming the record (`platform_mark`), computed for the evaluation date by
`tidu.enterprises.titles`, never stored on the firm-year (docs/decisions/0077-titles-from-recognition-records.md).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

FROZEN_MARKS_KEY = "_marks"  # not a fields.md name: the engine and the pre-screen ignore it


class MarkKind(models.TextChoices):
    SELF = "self", _("自报")
    VERIFIED = "verified", _("已核实")
    SOURCE = "source", _("官方数据")
    PLATFORM = "platform", _("平台认定记录")


class DataSource(models.TextChoices):
    """Official data sets an official may import figures from."""

    TAX = "tax", _("税务")
    STATS = "stats", _("统计")
    SAMR = "samr", _("市场监管")
    SOCIAL = "social", _("社保")
    IP = "ip", _("知识产权")


SELF_DECLARED: dict[str, Any] = {"kind": MarkKind.SELF.value}


def mark_value(value: Any) -> Any:
    """A figure as the JSON a mark stores and compares (Decimal and dates as text)."""
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")  # 0.12 and 0.12000000 (as read back) compare equal
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def has_value(value: Any) -> bool:
    return value is not None and value != ""


def _actor(actor: Any) -> dict[str, str]:
    from tidu.core.permissions import organisation_of

    if not getattr(actor, "is_authenticated", False):
        return {"by": "系统", "org": ""}
    org = organisation_of(actor)
    return {"by": actor.get_username(), "org": org.name if org is not None else ""}


def verified_mark(*, actor: Any, value: Any, at: dt.datetime) -> dict[str, Any]:
    return {"kind": MarkKind.VERIFIED.value, "value": mark_value(value), **_actor(actor), "at": at.isoformat()}


def source_mark(*, source: str, actor: Any, value: Any, at: dt.datetime) -> dict[str, Any]:
    return {"kind": MarkKind.SOURCE.value, "source": source, "value": mark_value(value), **_actor(actor),
            "at": at.isoformat()}


def platform_mark(*, number: str, tier: str, valid_from: dt.date, valid_until: dt.date,
                  revoked_on: dt.date | None, as_of: dt.date, value: bool, declared: Any = None) -> dict[str, Any]:
    """The mark of a title read from the platform's recognition record `number` on `as_of`.

    `declared` is what the firm had self-declared for the same title, kept when it differs from the
    record (the record wins; the reviewer sees the contradiction).
    """
    mark: dict[str, Any] = {"kind": MarkKind.PLATFORM.value, "number": number, "tier": tier,
                            "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat(),
                            "revoked_on": revoked_on.isoformat() if revoked_on else None,
                            "as_of": as_of.isoformat(), "value": value}
    if declared is not None and declared != value:
        mark["declared"] = declared
    return mark


def platform_state(mark: Mapping[str, Any]) -> str:
    """Why a platform record gives its value on the evaluation date: 有效 / 已撤销 / 已到期 / 尚未生效."""
    if mark.get("value"):
        return "有效"
    as_of = str(mark.get("as_of") or "")
    if mark.get("revoked_on") and str(mark["revoked_on"]) <= as_of:
        return f"已于 {mark['revoked_on']} 撤销"
    if str(mark.get("valid_until") or "") < as_of:
        return f"已于 {mark['valid_until']} 到期"
    return f"{mark.get('valid_from')} 起生效"


def effective_mark(marks: Mapping[str, Any] | None, field: str, value: Any) -> dict[str, Any]:
    """The mark of `field` holding `value`: self-declared unless a mark vouches for exactly this value."""
    mark = (marks or {}).get(field)
    if not isinstance(mark, dict) or mark.get("kind") not in (MarkKind.VERIFIED, MarkKind.SOURCE):
        return dict(SELF_DECLARED)
    if not has_value(value) or mark.get("value") != mark_value(value):
        return dict(SELF_DECLARED)
    return dict(mark)


def without(marks: Mapping[str, Any] | None, fields: Iterable[str]) -> dict[str, Any]:
    """The marks minus those of `fields` (figures that changed go back to self-declared)."""
    drop = set(fields)
    return {k: v for k, v in (marks or {}).items() if k not in drop}


def mark_label(mark: Mapping[str, Any] | None) -> str:
    """The badge: 自报 / 已核实 / 来源：税务."""
    kind = (mark or {}).get("kind")
    if kind == MarkKind.VERIFIED:
        return str(MarkKind.VERIFIED.label)
    if kind == MarkKind.SOURCE:
        source = str((mark or {}).get("source") or "")
        name = DataSource(source).label if source in DataSource.values else source
        return f"来源：{name}"
    if kind == MarkKind.PLATFORM:
        return f"{MarkKind.PLATFORM.label}：编号 {(mark or {}).get('number', '')}"
    return str(MarkKind.SELF.label)


def mark_title(mark: Mapping[str, Any] | None) -> str:
    """A sentence for a tooltip or a PDF note: who vouched, and when (Beijing time, to the minute)."""
    m = mark or {}
    if m.get("kind") == MarkKind.PLATFORM:
        text = (f"本平台认定记录 {m.get('number')}，有效期 {m.get('valid_from')} 至 {m.get('valid_until')}；"
                f"评价基准日 {m.get('as_of')}：{platform_state(m)}")
        if "declared" in m:
            text += f"（企业自报为“{'是' if m['declared'] else '否'}”，以平台记录为准）"
        return text
    if m.get("kind") not in (MarkKind.VERIFIED, MarkKind.SOURCE):
        return "企业自行填报，尚未核实"
    when = ""
    try:
        from zoneinfo import ZoneInfo

        when = dt.datetime.fromisoformat(str(m.get("at"))).astimezone(ZoneInfo("Asia/Shanghai")).strftime(
            "%Y-%m-%d %H:%M")
    except ValueError:
        pass
    who = "".join(x for x in (str(m.get("org") or ""), f" {m.get('by')}" if m.get("by") else "")).strip()
    if m.get("kind") == MarkKind.VERIFIED:
        return f"{who or '主管部门'} 于 {when} 核实"
    return f"{who or '主管部门'} 于 {when} 导入{mark_label(m)[3:]}数据"


def badge(mark: Mapping[str, Any] | None) -> dict[str, str]:
    """What a template shows: kind (CSS class), label, title."""
    return {"kind": str((mark or {}).get("kind") or MarkKind.SELF), "label": mark_label(mark),
            "title": mark_title(mark)}


def tally(marks: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, int]]:
    """(label, count) of each badge among `marks`, self-declared first."""
    counts: dict[str, int] = {}
    for mark in marks.values():
        label = str(MarkKind.PLATFORM.label) if mark.get("kind") == MarkKind.PLATFORM else mark_label(mark)
        counts[label] = counts.get(label, 0) + 1
    self_label = str(MarkKind.SELF.label)
    return sorted(counts.items(), key=lambda kv: (kv[0] != self_label, kv[0]))


def legend() -> dict[str, dict[str, str]]:
    """The three badges as a page's key explains them."""
    return {
        "self": {"kind": MarkKind.SELF.value, "label": str(MarkKind.SELF.label), "title": "企业自行填报"},
        "verified": {"kind": MarkKind.VERIFIED.value, "label": str(MarkKind.VERIFIED.label), "title": "主管部门已核实"},
        "source": {"kind": MarkKind.SOURCE.value, "label": "来源：" + "/".join(str(s.label) for s in DataSource),
                   "title": "来自导入的官方数据"},
        "platform": {"kind": MarkKind.PLATFORM.value, "label": str(MarkKind.PLATFORM.label),
                     "title": "已有称号以本平台的认定记录为准（编号、有效期、撤销）"},
    }
