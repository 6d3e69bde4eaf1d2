"""Pre-screen flags: figures that look wrong, shown to reviewers beside the frozen engine result.

Pure functions over the frozen record (plain JSON values). A flag is a hint for the reviewer, never a
verdict: it names the fields and says why in Chinese. Thresholds are module constants so a province
can be given its own later.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from tidu.enterprises import provenance, titles

JUMP_FACTOR = Decimal(2)  # a yearly figure more than doubling, or falling below half, is flagged


def _num(record: dict[str, Any], key: str) -> Decimal | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _flag(code: str, fields: list[str], message: str) -> dict[str, Any]:
    return {"code": code, "fields": fields, "message": message}


def prescreen(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Flags for one frozen record: jumps against last year, parts above wholes, impossible ratios.

    >>> [f["code"] for f in prescreen({"rd_staff_y1": 80, "staff_total_y1": 50})]
    ['part_above_whole']
    >>> [f["code"] for f in prescreen({"revenue_y1": 30_000_000, "revenue_y2": 10_000_000})]
    ['jump']
    """
    flags = []
    for part, whole, label in (
        ("rd_staff_y1", "staff_total_y1", "研发人员数超过职工总数"),
        ("tech_staff_y1", "staff_total_y1", "科技人员数超过职工总数"),
        ("main_rev_y1", "revenue_y1", "主营业务收入超过营业收入"),
        ("rd_y1", "revenue_y1", "研发费用超过营业收入"),
        ("total_liabilities_y1", "total_assets_y1", "负债总额超过资产总额（资产负债率高于100%）"),
    ):
        a, b = _num(record, part), _num(record, whole)
        if a is not None and b is not None and a > b:
            flags.append(_flag("part_above_whole", [part, whole], label))
    for now_key, before_key, label in (
        ("revenue_y1", "revenue_y2", "营业收入"),
        ("rd_y1", "rd_y2", "研发费用"),
        ("main_rev_y1", "main_rev_y2", "主营业务收入"),
    ):
        now, before = _num(record, now_key), _num(record, before_key)
        if now is None or before is None or before <= 0:
            continue
        if now > before * JUMP_FACTOR or now * JUMP_FACTOR < before:
            change = (now - before) / before * 100
            flags.append(_flag("jump", [now_key, before_key],
                               f"{label}较上年变化 {change:+.0f}%，请核实"))
    return flags + title_flags(record)


def title_flags(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Titles the reviewer must check: a self-declared title (the platform has no record of that tier,
    so it was granted elsewhere, or it is the 科技型 registration), and a self-declared title the
    platform's record contradicts (expired or revoked: the record decided).

    >>> [f["code"] for f in title_flags({"cert_tech_sme_valid": True})]
    ['title_self_declared']
    >>> title_flags({"cert_innovative_valid": True, "_marks": {"cert_innovative_valid": {"kind": "platform"}}})
    []
    """
    marks = record.get(provenance.FROZEN_MARKS_KEY)
    marks = marks if isinstance(marks, dict) else {}
    flags = []
    for field in titles.CERT_FIELDS:
        value, mark = record.get(field), marks.get(field)
        label = titles.TITLE_LABELS[field]
        if value is True and titles.is_self_declared(mark):
            flags.append(_flag("title_self_declared", [field],
                               f"企业自报持有{label}称号（非本平台认定记录），请核验认定文件及有效期"))
        elif isinstance(mark, dict) and mark.get("kind") == provenance.MarkKind.PLATFORM \
                and mark.get("declared") is True and value is False:
            flags.append(_flag("title_contradicted", [field],
                               f"企业自报持有{label}称号，但本平台认定记录 {mark.get('number')} "
                               f"{provenance.platform_state(mark)}，已按平台记录判断为不具备"))
    return flags
