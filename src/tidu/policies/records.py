"""The record a policy is judged on: the firm's latest stored firm-year (as the ladder reads it, titles from
the platform's recognition records) plus the facts of `conditions.EXTRA_FIELDS`.

One builder for one firm (我的政策, with the provenance marks) and one for many (sandbox, push lists:
load once, then compute).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Max, QuerySet

from tidu.enterprises import titles
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import evaluation_records
from tidu.journey.models import Recognition, Tier
from tidu.ladder.assessment import base_record, packs, today_shanghai
from tidu.rules.fields import effective_as_of

FIRST_YEAR_FIELDS = {
    Tier.SPECIALIZED_SME: "specialized_first_year",
    Tier.LITTLE_GIANT: "little_giant_first_year",
    Tier.INNOVATIVE_SME: "innovative_first_year",
}


@dataclass
class FirmRecord:
    enterprise: Enterprise
    fiscal_year: int | None  # latest fiscal year on file (None: no figures yet)
    as_of: dt.date
    record: dict[str, Any]  # prepared: exact numbers, extra facts
    self_declared: frozenset[str] = frozenset()
    marks: dict[str, Any] = field(default_factory=dict)


def prepare(record: dict[str, Any]) -> dict[str, Any]:
    """Exact numbers for the compiled closures (Decimal → Fraction), text codes as text."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, Decimal):
            v = Fraction(v)
        out[k] = v
    return out


def _size_level(record: dict[str, Any]) -> str | None:
    if record.get("year") is None:
        return None
    level = packs().explain(record, standards=["size_class"])["size_class"].level
    return str(level) if level else None


def add_facts(
    record: dict[str, Any],
    enterprise: Enterprise,
    recognitions: Iterable[Recognition],
    as_of: dt.date,
    size_level: str | None,
) -> dict[str, Any]:
    """The extra facts (region parts, industry parts, size, first year of each title held on `as_of`)."""
    region = str(enterprise.region_id)
    record["region_code"] = region
    record["province_code"] = region[:2] + "0000"
    record["city_code"] = region[:4] + "00"
    code = enterprise.industry_code or ""
    record["industry_code"] = code or None
    record["industry_section"] = code[:1] or None
    record["industry_division"] = code[:3] if len(code) >= 3 else None
    record["size_level"] = size_level
    by_tier: dict[str, list[Recognition]] = defaultdict(list)
    for rec in recognitions:
        by_tier[rec.tier].append(rec)
    sources: dict[str, str] = {}
    for tier, name in FIRST_YEAR_FIELDS.items():
        deciding = titles.deciding_record(by_tier.get(tier, ()), as_of)
        held = deciding is not None and titles.valid_on(deciding, as_of)
        record[name] = deciding.valid_from.year if held and deciding is not None else None
        if deciding is not None:
            sources[name] = sources[titles.TITLE_FIELDS[tier]] = f"平台认定记录 {deciding.number}"
    record["_title_records"] = sources
    # The platform grants these titles: with no record of it and no declaration, the firm does not hold it
    # (an open "unknown" would make every title policy "possibly eligible" for every firm). Decision 0089.
    for title_field in titles.TITLE_FIELDS.values():
        if record.get(title_field) is None:
            record[title_field] = False
    return record


def firm_record(enterprise: Enterprise, today: dt.date | None = None) -> FirmRecord:
    """One firm's record for policies on `today` (Beijing), with which figures it declared itself."""
    day = today or today_shanghai()
    latest, record, marks = base_record(enterprise, day)
    if latest is None:
        record = {"credit_code": enterprise.credit_code, "year": None}
        as_of = day
    else:
        as_of = effective_as_of({"year": latest + 1}, day) or day
    recs = list(Recognition.objects.filter(enterprise=enterprise))
    add_facts(record, enterprise, recs, as_of, _size_level(record) if latest is not None else None)
    declared = frozenset(k for k, m in marks.items() if titles.is_self_declared(m))
    return FirmRecord(enterprise, latest, as_of, prepare(record), declared, marks)


def firm_records(firms: QuerySet[Enterprise], today: dt.date | None = None) -> list[dict[str, Any]]:
    """Records of many firms, each on its own latest fiscal year (a few queries per distinct year)."""
    day = today or today_shanghai()
    latest = dict(
        EnterpriseYear.objects.filter(enterprise__in=firms)
        .values("enterprise_id")
        .annotate(y=Max("fiscal_year"))
        .values_list("enterprise_id", "y")
    )
    ents = {e.pk: e for e in firms}
    by_year: dict[int, list[int]] = defaultdict(list)
    for pk in ents:
        if pk in latest:
            by_year[latest[pk]].append(pk)
    recs: dict[int, list[Recognition]] = defaultdict(list)
    for rec in Recognition.objects.filter(enterprise__in=list(ents)):
        recs[rec.enterprise_id].append(rec)
    out: list[dict[str, Any]] = []
    for fy, ids in sorted(by_year.items()):
        as_of = effective_as_of({"year": fy + 1}, day) or day
        for e, record in zip(
            [ents[i] for i in sorted(ids)],
            evaluation_records(Enterprise.objects.filter(pk__in=ids).order_by("pk"), fy + 1, as_of=as_of),
            strict=True,
        ):
            record["enterprise_id"] = e.pk
            add_facts(record, e, recs[e.pk], as_of, None)
            out.append(record)
    for pk, e in ents.items():
        if pk not in latest:
            record = {"credit_code": e.credit_code, "year": None, "enterprise_id": pk}
            add_facts(record, e, recs[pk], day, None)
            out.append(record)
    return out
