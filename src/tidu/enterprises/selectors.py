"""Reads of the register, already narrowed to what the user may see, plus the flat evaluation record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import can_view_enterprise, enterprises_visible_to, organisation_of, role_of
from tidu.enterprises import provenance, titles
from tidu.enterprises.models import SUFFIXED, YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.journey.models import Recognition
from tidu.regions.models import code_prefix
from tidu.rules.fields import effective_as_of

# Which suffixes each yearly value has in fields.md (the Y−1 row gives every field).
Y2_FIELDS = ("revenue", "main_rev", "rd", "equity_fin")
Y3_FIELDS = ("revenue", "main_rev", "equity_fin")
# Names of the evaluation record's figures that come from the yearly rows (these carry provenance marks).
YEARLY_RECORD_KEYS = frozenset(
    [f"{f}_y1" if f in SUFFIXED else f for f in YEAR_VALUE_FIELDS]
    + [f"{f}_y2" for f in Y2_FIELDS] + [f"{f}_y3" for f in Y3_FIELDS] + ["zjtx_dev_score_prev"]
)
ENTERPRISE_RECORD_FIELDS = (
    "name", "founded_on", "registered_in_mainland", "independent_legal_person", "resident_enterprise",
    "tax_audit_collection", "listed", "niche_start_on",
)


def enterprise_list(
    *, user: Any, q: str = "", region: str = "", industry: str = "", year: int | None = None,
    held: int | None = None, reachable: int | None = None, sort: str = "",
) -> QuerySet[Enterprise]:
    """Firms the user may see, filtered by name/code text, region prefix and industry prefix, with the tiers
    of their latest standing (梯度看板: `rung_held`, `rung_reachable`, None before a refresh), filterable
    by them (`reachable` −1: any rung above the one held) and sortable (`sort`)."""
    from tidu.insights.selectors import with_tiers

    qs = with_tiers(enterprises_visible_to(user).select_related("region__parent"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__istartswith=q.strip().upper()))
    if region:
        qs = qs.filter(region__code__startswith=code_prefix(region))
    if industry:
        qs = qs.filter(industry_code__startswith=industry.strip().upper())
    if year:
        qs = qs.filter(years__fiscal_year=year)
    if held is not None:
        qs = qs.filter(rung_held=held)
    if reachable == -1:
        qs = qs.filter(rung_reachable__gt=F("rung_held"))
    elif reachable is not None:
        qs = qs.filter(rung_reachable=reachable)
    order = {"-held": (F("rung_held").desc(nulls_last=True), "name"),
             "-reachable": (F("rung_reachable").desc(nulls_last=True), "name"), "region": ("region_id", "name")}
    return qs.order_by(*order.get(sort, ("name",)), "id")


def enterprise_get(*, user: Any, pk: int | None = None, credit_code: str | None = None) -> Enterprise:
    """One firm, or NOT_FOUND whether it does not exist or the user may not see it (no leak)."""
    qs = Enterprise.objects.select_related("region__parent__parent")
    ent = qs.filter(pk=pk).first() if pk is not None else qs.filter(credit_code=(credit_code or "").upper()).first()
    if ent is None or not can_view_enterprise(user, ent):
        raise TiduError(ErrorCode.NOT_FOUND)
    return ent


def enterprise_years(*, user: Any, enterprise: Enterprise) -> QuerySet[EnterpriseYear]:
    if not can_view_enterprise(user, enterprise):
        raise TiduError(ErrorCode.NOT_FOUND)
    return EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-fiscal_year")


def own_enterprise(user: Any) -> Enterprise | None:
    """The firm a firm user works for (None for everyone else)."""
    if role_of(user) != "enterprise":
        return None
    org = organisation_of(user)
    return org.enterprise if org is not None else None


def register_counts() -> dict[str, Any]:
    """Live counts for the home page (public: no firm is named)."""
    latest = EnterpriseYear.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    return {
        "firms": Enterprise.objects.count(),
        "firm_years": EnterpriseYear.objects.count(),
        "latest_year": latest,
        "firms_latest_year": EnterpriseYear.objects.filter(fiscal_year=latest).count() if latest else 0,
        "provinces": len({c[:2] for c in Enterprise.objects.values_list("region_id", flat=True).distinct()}),
        "industries": Enterprise.objects.values("industry_code").distinct().count(),
    }


def _row_values(row: EnterpriseYear | None, fields: Iterable[str], suffix: str) -> dict[str, Any]:
    return {f"{f}{suffix}": (getattr(row, f) if row is not None else None) for f in fields}


def _record(ent: Enterprise, year: int, rows: dict[int, EnterpriseYear]) -> dict[str, Any]:
    y1, y2, y3 = rows.get(year - 1), rows.get(year - 2), rows.get(year - 3)
    record: dict[str, Any] = {"credit_code": ent.credit_code, "year": year}
    record.update({f: getattr(ent, f) for f in ENTERPRISE_RECORD_FIELDS})
    record["region_code"] = ent.region_id
    record["industry_code"] = ent.industry_code
    for f in YEAR_VALUE_FIELDS:
        value = getattr(y1, f) if y1 is not None else None
        if f in SUFFIXED:
            record[f"{f}_y1"] = value
        else:
            record[f] = value if value != "" else None  # an empty enum is "none / not in the list"
    record.update(_row_values(y2, Y2_FIELDS, "_y2"))
    record.update(_row_values(y3, Y3_FIELDS, "_y3"))
    # The previous year's platform score is the score stored with the Y−2 row: never typed twice.
    record["zjtx_dev_score_prev"] = y2.zjtx_dev_score if y2 is not None else None
    return record


def _marks(year: int, rows: dict[int, EnterpriseYear]) -> dict[str, dict[str, Any]]:
    """The provenance mark of every figure of the record that has a value, by record field name."""
    y1, y2 = rows.get(year - 1), rows.get(year - 2)
    marks: dict[str, dict[str, Any]] = {}

    def put(row: EnterpriseYear | None, field: str, key: str) -> None:
        value = getattr(row, field) if row is not None else None
        if row is not None and provenance.has_value(value):
            marks[key] = provenance.effective_mark(row.figure_marks, field, value)

    for f in YEAR_VALUE_FIELDS:
        put(y1, f, f"{f}_y1" if f in SUFFIXED else f)
    for f in Y2_FIELDS:
        put(y2, f, f"{f}_y2")
    for f in Y3_FIELDS:
        put(rows.get(year - 3), f, f"{f}_y3")
    put(y2, "zjtx_dev_score", "zjtx_dev_score_prev")
    return marks


def _rows(enterprise: Enterprise, year: int) -> dict[int, EnterpriseYear]:
    return {r.fiscal_year: r for r in EnterpriseYear.objects.filter(
        enterprise=enterprise, fiscal_year__in=[year - 1, year - 2, year - 3])}


def default_as_of(year: int) -> dt.date:
    """The evaluation date when none is given: today (Beijing) capped at 31 December of `year`, as the
    engine computes it (fields.md `as_of`)."""
    day = effective_as_of({"year": year}, timezone.localdate())
    assert day is not None
    return day


def latest_years(enterprise: Enterprise) -> dict[int, EnterpriseYear]:
    """The firm's three latest fiscal years by fiscal year (one query): the rows the record of the
    evaluation year after the latest one reads (Y−1, Y−2, Y−3), gaps left out."""
    rows = list(EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-fiscal_year")[:3])
    if not rows:
        return {}
    latest = rows[0].fiscal_year
    return {r.fiscal_year: r for r in rows if r.fiscal_year >= latest - 2}


def evaluation_record_with_marks(
    enterprise: Enterprise, year: int, *, as_of: dt.date | None = None,
    rows: dict[int, EnterpriseYear] | None = None, recognitions: Iterable[Recognition] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`evaluation_record` and the provenance mark of each of its yearly figures (two queries).

    The titles held (cert_*_valid) come from the platform's recognition records on `as_of` wherever the
    firm has a record of that tier (marked with the record's number), and from the firm's declaration
    only where it has none (tidu.enterprises.titles). A caller that already holds the yearly rows of
    Y−1..Y−3 (`latest_years`) or all the firm's recognitions passes them and saves the query.
    """
    rows = _rows(enterprise, year) if rows is None else rows
    record, marks = _record(enterprise, year, rows), _marks(year, rows)
    titles.apply_platform_titles(
        record, marks, Recognition.objects.filter(enterprise=enterprise) if recognitions is None else recognitions,
        as_of or default_as_of(year))
    return record, marks


def evaluation_record(enterprise: Enterprise, year: int, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """The flat record of domain/fields.md for evaluation year `year`, from fiscal years Y−1..Y−3.

    Keys are fields.md names (credit_code, year, region_code, revenue_y1, revenue_y2 …); a missing
    yearly row gives None (unknown), never zero. The titles held are those valid on `as_of` (default:
    today capped at 31 December of `year`), from the platform's records where it has them. `as_of` and
    `is_review` themselves belong to an application and are not included. The caller has already
    checked that the user may see the firm.
    """
    return evaluation_record_with_marks(enterprise, year, as_of=as_of)[0]


def evaluation_records(enterprises: QuerySet[Enterprise], year: int, *,
                       as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """The same for many firms with three queries (load once, then compute)."""
    ents = list(enterprises)
    ids = [e.pk for e in ents]
    by_ent: dict[int, dict[int, EnterpriseYear]] = defaultdict(dict)
    for row in EnterpriseYear.objects.filter(enterprise__in=ids, fiscal_year__in=[year - 1, year - 2, year - 3]):
        by_ent[row.enterprise_id][row.fiscal_year] = row
    recs: dict[int, list[Recognition]] = defaultdict(list)
    for rec in Recognition.objects.filter(enterprise__in=ids):
        recs[rec.enterprise_id].append(rec)
    day = as_of or default_as_of(year)
    out = []
    for e in ents:
        record = _record(e, year, by_ent[e.pk])
        titles.apply_platform_titles(record, {}, recs[e.pk], day)
        out.append(record)
    return out


def year_history(*, user: Any, row: EnterpriseYear, limit: int = 50) -> list[Any]:
    """The audit events of one firm-year (filled in, changed, verified), newest first, for whoever may see it."""
    from tidu.core.models import AuditEvent
    from tidu.core.permissions import can_view_enterprise, require

    require(can_view_enterprise(user, row.enterprise), not_found=True)
    return list(AuditEvent.objects.filter(target_type="enterprises.enterpriseyear", target_id=str(row.pk))
                .order_by("-at", "-id")[:limit])
