"""What a firm holds: the titles of the ladder (fields.md §12, cert_*_valid) on an evaluation date.

The platform's own recognition records (`tidu.journey.models.Recognition`: tier, validity, revocation)
decide a title whenever the firm has a record of that tier: the title is valid on `as_of` if one of
those records covers the day and was not revoked on or before it. Only where the platform has no
record of that tier does the firm's self-declaration count (a title granted by another province or
platform, and always the 科技型 registration, which this platform does not grant); such a "true" is
marked 自报 and flagged for the reviewing official (`tidu.journey.prescreen`).
See docs/decisions/0077-titles-from-recognition-records.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from tidu.enterprises import provenance
from tidu.journey.models import Recognition, Tier

# Recognition tier -> the record field it decides. 科技型 (cert_tech_sme_valid) is registered by the
# science authorities, not recognised here, so it has no tier and stays self-declared.
TITLE_FIELDS: dict[str, str] = {
    Tier.INNOVATIVE_SME: "cert_innovative_valid",
    Tier.SPECIALIZED_SME: "cert_specialized_valid",
    Tier.LITTLE_GIANT: "cert_little_giant_valid",
}
CERT_FIELDS = ("cert_tech_sme_valid", "cert_innovative_valid", "cert_specialized_valid", "cert_little_giant_valid")
TITLE_LABELS: dict[str, str] = {  # Chinese in frozen data and PDFs; pages translate them ({% trans %})
    "cert_tech_sme_valid": gettext_noop("科技型中小企业"),
    "cert_innovative_valid": gettext_noop("创新型中小企业"),
    "cert_specialized_valid": gettext_noop("专精特新中小企业"),
    "cert_little_giant_valid": gettext_noop("专精特新“小巨人”企业"),
}


def revoked_on(rec: Recognition) -> dt.date | None:
    """The (Beijing) day a title was revoked, if it was."""
    return timezone.localdate(rec.revoked_at) if rec.revoked_at is not None else None


def valid_on(rec: Recognition, day: dt.date) -> bool:
    """A record is valid on `day` inside its validity and unless revoked on or before that day."""
    gone = revoked_on(rec)
    return rec.valid_from <= day <= rec.valid_until and (gone is None or gone > day)


def deciding_record(records: Iterable[Recognition], day: dt.date) -> Recognition | None:
    """The record of one tier that decides the title on `day`: a valid one (latest expiry first), else the
    one that began most recently on or before `day` (it says why the title is not valid), else the first
    to begin after it."""
    recs = list(records)
    if not recs:
        return None
    valid = [r for r in recs if valid_on(r, day)]
    if valid:
        return max(valid, key=lambda r: (r.valid_until, r.pk))
    started = [r for r in recs if r.valid_from <= day]
    if started:
        return max(started, key=lambda r: (r.valid_from, r.pk))
    return min(recs, key=lambda r: (r.valid_from, r.pk))


def apply_platform_titles(record: dict[str, Any], marks: dict[str, dict[str, Any]],
                          recognitions: Iterable[Recognition], as_of: dt.date) -> None:
    """Overwrite the cert_*_valid values and marks of `record` with the platform's records (in place).

    A tier with a platform record always takes the record's answer for `as_of`, whatever the firm
    declared; a tier without one keeps the declared value and its ordinary mark (自报 / 已核实 …).
    """
    by_tier: dict[str, list[Recognition]] = {}
    for one in recognitions:
        by_tier.setdefault(one.tier, []).append(one)
    for tier, field in TITLE_FIELDS.items():
        rec = deciding_record(by_tier.get(tier, ()), as_of)
        if rec is None:
            continue
        value = valid_on(rec, as_of)
        marks[field] = provenance.platform_mark(
            number=rec.number, tier=tier, valid_from=rec.valid_from, valid_until=rec.valid_until,
            revoked_on=revoked_on(rec), as_of=as_of, value=value, declared=record.get(field))
        record[field] = value


def is_self_declared(mark: Mapping[str, Any] | None) -> bool:
    return (mark or {}).get("kind", provenance.MarkKind.SELF) == provenance.MarkKind.SELF


def title_rows(record: Mapping[str, Any], marks: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The four titles as a page shows them: label, value (True / False / None), badge, and whether an
    official must check it (a self-declared "yes": not a record of this platform)."""
    rows = []
    for field in CERT_FIELDS:
        value = record.get(field)
        mark = (marks or {}).get(field) if value is not None else None
        rows.append({"field": field, "label": TITLE_LABELS[field], "value": value,
                     "badge": provenance.badge(mark) if value is not None else None,
                     "needs_check": value is True and is_self_declared(mark)})
    return rows
