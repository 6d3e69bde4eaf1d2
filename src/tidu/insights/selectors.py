"""Reads of the dashboard: the cells and standings of one jurisdiction, shaped as charts and lists.

Every function takes the viewer and narrows to their jurisdiction first (officials: their region prefix;
platform admins: all). A chart is plain data (`Chart`): the page draws it with ECharts, the Excel export
and the PDF report write the same numbers, so the three never disagree.

Small cells (docs/decisions/0097): in a breakdown below the viewer's own total (by region, industry,
field), a figure counted over 1–4 firms is withheld (None, shown "<5"), and so is every indicator of a
row with fewer than 5 firms; the jurisdiction's own totals are shown as they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import is_platform_admin, jurisdiction_prefix_of
from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import INDUSTRY_TYPE_2026_CHOICES
from tidu.insights.models import Cell, Dim, Refresh, Rung, Standing
from tidu.regions.models import Region

MIN_CELL = 5
FIELD_NAMES = dict(INDUSTRY_TYPE_2026_CHOICES)


def withhold(n: int | None) -> int | None:
    """A count of 1–4 firms in a breakdown could point at a firm: withheld (0 is shown)."""
    return None if n is not None and 0 < n < MIN_CELL else n


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # bar | stack | line | pyramid
    categories: list[str]
    series: list[dict[str, Any]]  # {"name": str, "data": [number | None]}
    unit: str = "家"
    note: str = ""
    links: list[str] = field(default_factory=list)  # per category: the region code to drill into ('' none)

    @property
    def rows(self) -> list[list[Any]]:
        """One row per category: the category, then each series' value ("<5" where withheld)."""
        return [[cat, *["<5" if s["data"][i] is None else s["data"][i] for s in self.series]]
                for i, cat in enumerate(self.categories)]

    @property
    def drill(self) -> list[tuple[str, str]]:
        return list(zip(self.links, self.categories, strict=False))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "kind": self.kind, "categories": self.categories,
                "series": [{"name": s["name"], "data": [_plain(v) for v in s["data"]]} for s in self.series],
                "unit": self.unit, "note": self.note, "links": self.links}


def _plain(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v


@dataclass
class Scope:
    """Where the viewer looks: a region prefix inside their jurisdiction, and the evaluation year."""

    prefix: str  # '' = the whole country
    year: int | None
    years: list[int]

    @property
    def child_len(self) -> int:
        return {0: 2, 2: 4, 4: 6}.get(len(self.prefix), 6)

    @property
    def drillable(self) -> bool:
        return len(self.prefix) < 6


def rung_labels() -> list[str]:
    return [str(label) for _v, label in Rung.choices]


def scope_for(user: Any, region: str = "", year: int | str | None = None) -> Scope:
    """The viewer's scope: `region` must lie inside their jurisdiction (else not found, no leak)."""
    own = "" if is_platform_admin(user) else jurisdiction_prefix_of(user)
    if own is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    region = (region or "").strip()
    prefix = own
    if region:
        if not region.isdigit() or len(region) not in (2, 4, 6) or not region.startswith(own):
            raise TiduError(ErrorCode.NOT_FOUND)
        prefix = region
    years = sorted(set(Cell.objects.filter(node="", dim=Dim.REGION).values_list("year", flat=True).distinct()))
    chosen = None
    if year not in (None, ""):
        try:
            chosen = int(str(year))
        except ValueError:
            chosen = None
    if chosen not in years:
        chosen = years[-1] if years else None
    return Scope(prefix=prefix, year=chosen, years=years)


def _cells(scope: Scope, dim: str = Dim.REGION) -> QuerySet[Cell]:
    """The cells of the scope's own node in one dimension (a few hundred rows at most)."""
    return Cell.objects.filter(node=scope.prefix, dim=dim)


def standings(scope: Scope) -> QuerySet[Standing]:
    """The scope's standings of its year. A region is a range of codes (province '44' = '44' … '449999'),
    not `LIKE '44%'`: PostgreSQL walks an index for a range under any collation, for LIKE only under "C"
    (measured at 1M firms: a province's lists 300 ms by LIKE; see benchmarks/README.md, decision 0114)."""
    qs = Standing.objects.filter(year=scope.year or 0)
    if len(scope.prefix) == 6:
        return qs.filter(region_code=scope.prefix)
    if scope.prefix:
        return qs.filter(region_code__range=(scope.prefix, scope.prefix.ljust(6, "9")))
    return qs


def region_names(codes: Iterable[str]) -> dict[str, str]:
    full = {c: c.ljust(6, "0") for c in codes}
    names = dict(Region.objects.filter(code__in=set(full.values())).values_list("code", "name"))
    return {c: names.get(f, c) for c, f in full.items()}


def scope_name(scope: Scope) -> str:
    return region_names([scope.prefix])[scope.prefix] if scope.prefix else _("全国")


def breadcrumbs(user: Any, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) from the viewer's own jurisdiction down to the current region."""
    own = "" if is_platform_admin(user) else (jurisdiction_prefix_of(user) or "")
    steps = [p for p in (scope.prefix[:2], scope.prefix[:4], scope.prefix[:6]) if p and len(p) >= len(own)]
    steps = list(dict.fromkeys(s for s in steps if len(s) <= len(scope.prefix)))
    names = region_names(steps)
    crumbs = [] if own else [("", _("全国"))]
    return crumbs + [(s, names[s]) for s in steps]


def pyramid(scope: Scope) -> Chart:
    counts: dict[int, int] = dict(_cells(scope).filter(year=scope.year or 0).values_list("rung").annotate(n=Sum("firms")).order_by())
    labels = rung_labels()
    return Chart("pyramid", _("梯度金字塔（%(year)s年）") % {"year": scope.year}, "pyramid", labels,
                 [{"name": _("企业数"), "data": [counts.get(r, 0) for r in Rung.values]}],
                 note=_("按所持最高称号计；中小企业为未持有梯度称号的在册企业。"))


def pyramid_years(scope: Scope) -> Chart:
    rows = _cells(scope).values_list("year", "rung").annotate(n=Sum("firms")).order_by()
    by = {(y, r): n for y, r, n in rows}
    return Chart("pyramid_years", _("历年梯度分布"), "stack", [str(y) for y in scope.years],
                 [{"name": label, "data": [by.get((y, r), 0) for y in scope.years]}
                  for r, label in zip(Rung.values, rung_labels(), strict=True)])


def _breakdown(scope: Scope, dim: str, names: dict[str, str] | None, chart_id: str, title: str,
               links: bool = False) -> Chart:
    rows = (_cells(scope, dim).filter(year=scope.year or 0).values_list("key", "rung")
            .annotate(n=Sum("firms")).order_by())
    by: dict[str, dict[int, int]] = defaultdict(dict)
    for k, r, n in rows:
        by[k][r] = n
    keys = sorted(by)
    names = names if names is not None else {}
    series = [{"name": label, "data": [withhold(by[k].get(r, 0)) for k in keys]}
              for r, label in zip(Rung.values, rung_labels(), strict=True)]
    return Chart(chart_id, title, "stack", [names.get(k) or k or _("未填") for k in keys], series,
                 note=_("少于5家企业的格子不予显示（<5）。"), links=list(keys) if links else [])


def by_region(scope: Scope) -> Chart:
    codes = set(_cells(scope).filter(year=scope.year or 0).values_list("key", flat=True).distinct())
    return _breakdown(scope, Dim.REGION, region_names(codes), "by_region",
                      _("按地区"), links=scope.drillable)


def by_industry(scope: Scope) -> Chart:
    letters = _cells(scope, Dim.INDUSTRY).values_list("key", flat=True).distinct()
    return _breakdown(scope, Dim.INDUSTRY, {c: industry_name(c) for c in letters if c}, "by_industry",
                      _("按行业门类"))


def by_field(scope: Scope) -> Chart:
    return _breakdown(scope, Dim.FIELD, {k: str(v) for k, v in FIELD_NAMES.items()}, "by_field",
                      _("按产业领域（传统/新兴/未来产业）"))


def movement(scope: Scope) -> Chart:
    rows = _cells(scope).values("year").annotate(up=Sum("moved_up"), down=Sum("moved_down")).order_by("year")
    by: dict[int, dict[str, Any]] = {r["year"]: dict(r) for r in rows}
    return Chart("movement", _("升降级企业（与上一评价年度相比）"), "bar", [str(y) for y in scope.years],
                 [{"name": _("升级"), "data": [by.get(y, {}).get("up", 0) for y in scope.years]},
                  {"name": _("降级"), "data": [by.get(y, {}).get("down", 0) for y in scope.years]}])


def risks(scope: Scope) -> Chart:
    """Titles at risk, expiring, firms reachable and one step away, by child region."""
    rows: list[dict[str, Any]] = [dict(r) for r in (
        _cells(scope).filter(year=scope.year or 0).annotate(k=F("key"))
        .values("k").annotate(risk=Sum("at_risk"), exp=Sum("expiring"), reach=Sum("reachable"),
                              step=Sum("one_step")).order_by("k"))]
    names = region_names([r["k"] for r in rows])
    return Chart("risks", _("称号风险与晋级机会（按地区）"), "bar", [names[r["k"]] for r in rows], [
        {"name": _("复核风险"), "data": [withhold(r["risk"]) for r in rows]},
        {"name": _("一年内到期"), "data": [withhold(r["exp"]) for r in rows]},
        {"name": _("已可升一级"), "data": [withhold(r["reach"]) for r in rows]},
        {"name": _("一步之遥"), "data": [withhold(r["step"]) for r in rows]},
    ], note=_("少于5家企业的格子不予显示（<5）。"), links=[r["k"] for r in rows] if scope.drillable else [])


def innovation(scope: Scope) -> Chart:
    rows: list[dict[str, Any]] = [dict(r) for r in (
        _cells(scope).filter(year=scope.year or 0).annotate(k=F("key"))
        .values("k").annotate(n=Sum("firms"), rd=Sum("rd"), rev=Sum("revenue"), pat=Sum("invention_patents"),
                              large=Sum("supplies_large")).order_by("k"))]
    names = region_names([r["k"] for r in rows])

    def ok(r: dict[str, Any], v: Any) -> Any:
        return v if r["n"] >= MIN_CELL else None

    return Chart("innovation", _("创新指标（按地区）"), "bar", [names[r["k"]] for r in rows], [
        {"name": _("研发强度（%）"), "data": [ok(r, round(Decimal(r["rd"]) * 100 / r["rev"], 2) if r["rev"] else None)
                                         for r in rows]},
        {"name": _("户均发明专利（件）"), "data": [ok(r, round(Decimal(r["pat"]) / r["n"], 2)) for r in rows]},
        {"name": _("服务产业链龙头企业占比（%）"), "data": [ok(r, round(Decimal(r["large"]) * 100 / r["n"], 1))
                                                  for r in rows]},
    ], unit="", note=_("研发强度＝研发费用合计÷营业收入合计；少于5家企业的地区不予显示。"))


def money(scope: Scope) -> Chart | None:
    """Policy money paid (tidu.policies payouts), by year paid, in 万元; None when the app has none."""
    try:
        from tidu.policies.models import Payout
    except ImportError:  # pragma: no cover - the policies app is optional
        return None
    qs = Payout.objects.all()
    if scope.prefix:
        qs = qs.filter(award__enterprise__region__code__startswith=scope.prefix)
    rows = list(qs.annotate(y=ExtractYear("paid_on")).values("y").annotate(total=Sum("amount_yuan"),
                                                                            firms=Count("award__enterprise",
                                                                                        distinct=True)).order_by("y"))
    return Chart("money", _("政策资金拨付（万元）"), "bar", [str(r["y"]) for r in rows], [
        {"name": _("拨付金额（万元）"),
         "data": [round(Decimal(r["total"]) / 10_000, 2) if r["firms"] >= MIN_CELL else None for r in rows]},
    ], unit="万元", note=_("按拨付日期所在年度；获拨企业少于5家的年度不予显示。"))


def charts(scope: Scope) -> list[Chart]:
    if scope.year is None:
        return []
    out = [pyramid(scope), pyramid_years(scope), by_region(scope), by_industry(scope), by_field(scope),
           movement(scope), risks(scope), innovation(scope)]
    m = money(scope)
    return out + ([m] if m is not None else [])


def chart(scope: Scope, chart_id: str) -> Chart:
    for c in charts(scope):
        if c.id == chart_id:
            return c
    raise TiduError(ErrorCode.NOT_FOUND)


# Each list in an order an index of the standings gives (year, flag, region or date), so the first rows
# come without sorting the jurisdiction; the totals come from the node's cells.
LISTS = {
    "at_risk": ("at_risk", lambda qs: qs.filter(at_risk=True).order_by("region_code", "enterprise_id")),
    "expiring": ("expiring", lambda qs: qs.filter(expiring=True).order_by("expires_on", "enterprise_id")),
    "one_step": ("one_step", lambda qs: qs.filter(one_step=True).order_by("region_code", "enterprise_id")),
    "reachable": ("reachable", lambda qs: qs.filter(can_rise=True).order_by("region_code", "enterprise_id")),
}


def list_totals(scope: Scope) -> dict[str, int]:
    sums = _cells(scope).filter(year=scope.year or 0).aggregate(
        **{key: Sum(counter) for key, (counter, _f) in LISTS.items()})
    return {k: v or 0 for k, v in sums.items()}


def firm_list(scope: Scope, which: str, limit: int = 50) -> list[Standing]:
    """The first firms of the scope in one list (titles at risk, expiring, one step away, reachable)."""
    if which not in LISTS or scope.year is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return list(LISTS[which][1](standings(scope)).select_related("enterprise")[:limit])


def last_refresh() -> Refresh | None:
    return Refresh.objects.first()


def refreshes_pending() -> int:
    """Refresh jobs queued or running (an import queues one by itself): the page says the figures are moving."""
    from tidu.jobs.models import Job, JobStatus

    return Job.objects.filter(kind="insights_refresh", status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()


def latest_years() -> int | None:
    return Standing.objects.aggregate(y=Max("year"))["y"]


def with_tiers(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Firms annotated with their latest standing: `rung_held`, `rung_reachable`, `tiers_year` (the register list)."""
    from django.db.models import OuterRef, Subquery

    latest = Standing.objects.filter(enterprise=OuterRef("pk")).order_by("-year")
    return qs.annotate(rung_held=Subquery(latest.values("rung_held")[:1]),
                       rung_reachable=Subquery(latest.values("rung_reachable")[:1]),
                       tiers_year=Subquery(latest.values("year")[:1]))
