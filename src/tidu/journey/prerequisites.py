"""The title a firm must already hold to apply for a rung (domain/tiers.md §2, §5.5, §6, §7, §8).

| applying for | edition | must hold (any one, valid on the application date) |
|---|---|---|
| 专精特新"小巨人" | 2022 and 2026 | 专精特新中小企业 (`cert_specialized_valid`) |
| 专精特新中小企业 | 2026 | 科技型中小企业 or 创新型中小企业 (`cert_tech_sme_valid` ∨ `cert_innovative_valid`) |
| 专精特新中小企业 | 2022 | nothing nationally (some provinces required 创新型; no provincial rule is encoded) |
| 创新型中小企业 | 2022 | nothing |

The edition is the one the engine applies on the application date (`assessment.edition_for`). The
titles are read from the evaluation record (`enterprises.selectors`), so a platform recognition
record decides wherever the firm has one; a title the platform has no record of may be self-declared
(granted by another province or platform) and lets the firm apply, flagged for the reviewer.
See docs/decisions/0077-titles-from-recognition-records.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tidu.enterprises import provenance, titles
from tidu.journey import assessment
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import Tier


@dataclass(frozen=True)
class Prerequisite:
    fields: tuple[str, ...]  # any one of these titles, valid on the application date
    title: str  # what the firm must hold, in Chinese
    clause: str


_LITTLE_GIANT = Prerequisite(
    ("cert_specialized_valid",), "有效期内的专精特新中小企业称号",
    "工信部企业〔2022〕63号附件3、工信厅企业函〔2025〕190号；工信部企业〔2026〕2号附件2（一）")
PREREQUISITES: dict[str, Prerequisite] = {
    "little_giant/2022": _LITTLE_GIANT,
    "little_giant/2026": _LITTLE_GIANT,
    "specialized_sme/2026": Prerequisite(
        ("cert_tech_sme_valid", "cert_innovative_valid"),
        "有效期内的科技和创新型中小企业称号（科技型中小企业入库登记编号有效或创新型中小企业公告有效）",
        "工信部企业〔2026〕2号附件1（一）"),
}


def prerequisite_for(tier: str, *, as_of: dt.date, year: int) -> Prerequisite | None:
    """What applying for `tier` on `as_of` (evaluation year `year`) requires, or None."""
    return PREREQUISITES.get(assessment.edition_for(tier, as_of=as_of, year=year))


def _why_not(field: str, value: Any, mark: dict[str, Any] | None) -> str:
    label = titles.TITLE_LABELS[field]
    if (mark or {}).get("kind") == provenance.MarkKind.PLATFORM:
        assert mark is not None
        return f"{label}：本平台认定记录 {mark.get('number')} {provenance.platform_state(mark)}"
    return f"{label}：{'未填报' if value is None else '企业填报为“否”'}"


def check(prereq: Prerequisite, record: dict[str, Any], marks: dict[str, Any]) -> dict[str, Any] | None:
    """The title that meets `prereq` as plain data (field, label, source badge, needs_check), platform
    records first; None when no title meets it."""
    held = [f for f in prereq.fields if record.get(f) is True]
    if not held:
        return None
    field = next((f for f in held if not titles.is_self_declared(marks.get(f))), held[0])
    mark = marks.get(field)
    return {"title": prereq.title, "clause": prereq.clause, "field": field, "label": titles.TITLE_LABELS[field],
            "source": provenance.badge(mark), "number": (mark or {}).get("number"),
            "needs_check": titles.is_self_declared(mark)}


def require_prerequisite(*, tier: str, record: dict[str, Any], marks: dict[str, Any], as_of: dt.date,
                         fiscal_year: int) -> dict[str, Any] | None:
    """The prerequisite met (for freezing with the application), None when the tier has none; raises
    PREREQUISITE_MISSING naming the title and why each candidate fails."""
    prereq = prerequisite_for(tier, as_of=as_of, year=fiscal_year + 1)
    if prereq is None:
        return None
    met = check(prereq, record, marks)
    if met is None:
        why = "；".join(_why_not(f, record.get(f), marks.get(f)) for f in prereq.fields)
        raise JourneyError(JourneyCode.PREREQUISITE_MISSING, field=prereq.fields[0], tier=Tier(tier).label,
                           title=prereq.title, clause=prereq.clause, why=why, as_of=as_of, year=fiscal_year)
    return met
