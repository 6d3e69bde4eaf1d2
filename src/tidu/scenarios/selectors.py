"""Reads of the library: browse/search with filters, a firm's path, and recommendations with reasons.

The library is public content (no firm data), so everyone logged in may read it. Search goes
through one in-process `tidu.matching` index per process, rebuilt when the library's stamp (count
and latest change) moves, so an edit by an official shows at the next search in every process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet

from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.matching import Boost, Filter, Index, Query, Result
from tidu.scenarios.models import FIELDS, IndustryPath, Scenario
from tidu.scenarios.search_items import scenario_index

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
FIELD_NAMES = dict(FIELDS)

_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "index": None}


def _stamp() -> tuple[Any, ...]:
    agg = Scenario.objects.filter(active=True).aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def scenario_search_index() -> Index:
    """The matching index of the active scenarios (built once per change of the library)."""
    stamp = _stamp()
    with _lock:
        if _cache["stamp"] != stamp or _cache["index"] is None:
            rows = list(Scenario.objects.filter(active=True).values(
                "code", "title", "area", "field", "industries", "min_level", "pain_points", "solution", "benefits",
                "keywords"))
            _cache["index"] = scenario_index(rows)
            _cache["stamp"] = stamp
        index: Index = _cache["index"]
        return index


@dataclass
class Hit:
    scenario: Scenario
    score: float
    reasons: list[str]
    matched: list[str]


def _hits(results: list[Result], reasons_for: Any = None) -> list[Hit]:
    by_code = {s.code: s for s in Scenario.objects.filter(code__in=[r.id for r in results])}
    hits = []
    for r in results:
        scenario = by_code.get(r.id)
        if scenario is None:
            continue
        matched = r.explanation.matched_words[:6] or r.explanation.matched_sounds[:3]
        reasons = list(reasons_for(r, scenario) if reasons_for else [])
        hits.append(Hit(scenario, r.score, reasons, matched))
    return hits


def _text_reasons(r: Result, lead: str) -> list[str]:
    """Name the words that matched; words matched only by their sound are named apart (likely typos)."""
    out = []
    if r.explanation.matched_words:
        out.append(f"{lead}：{'、'.join(r.explanation.matched_words[:5])}")
    if r.explanation.matched_sounds and len(r.explanation.matched_words) < 2:
        out.append(f"读音相近（可能是输入法选错字）：{'、'.join(r.explanation.matched_sounds[:3])}")
    return out


def scenario_search(*, q: str = "", area: str = "", field: str = "", industry: str = "", level: int | None = None,
                    limit: int = 50) -> list[Hit]:
    """Scenarios matching the text and filters, best first (all of them, by code, without text)."""
    filters: list[Filter] = []
    if area:
        filters.append(Filter("area", "eq", area, label=f"业务环节：{area}"))
    if field:
        filters.append(Filter("field", "eq", field, label=f"领域：{FIELD_NAMES.get(field, field)}"))
    if industry:
        filters.append(Filter("industries", "covers", industry.strip().upper(), label=f"适用行业：{industry}"))
    if level:
        filters.append(Filter("min_level", "lte", level, label=f"数字化等级{LEVEL_NAMES.get(level, level)}可用"))
    index = scenario_search_index()
    if not q.strip():
        results = index.search(Query("", filters=tuple(filters), limit=10_000))
        return sorted(_hits(results), key=lambda h: h.scenario.code)[:limit]
    results = index.search(Query(q, filters=tuple(filters), limit=limit))
    return _hits(results, lambda r, s: _text_reasons(r, "与检索词相关"))


def scenario_list() -> QuerySet[Scenario]:
    return Scenario.objects.filter(active=True).order_by("code")


def path_list() -> QuerySet[IndustryPath]:
    return IndustryPath.objects.order_by("division", "code")


def path_for_industry(industry_code: str) -> IndustryPath | None:
    """The path whose industry prefixes cover the code best (the longest matching prefix)."""
    code = (industry_code or "").upper()
    best: tuple[int, IndustryPath] | None = None
    for path in IndustryPath.objects.all():
        for prefix in path.industry_list:
            if code.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), path)
    return best[1] if best else None


def firm_digital_level(enterprise: Enterprise) -> int | None:
    """The firm's latest known digital level (its yearly rows: our results and imported ones)."""
    value = (EnterpriseYear.objects.filter(enterprise=enterprise, digital_level__isnull=False)
             .order_by("-fiscal_year").values_list("digital_level", flat=True).first())
    return int(value) if value is not None else None


def recommend_for_firm(*, enterprise: Enterprise, pain_points: str = "", level: int | None = None,
                       limit: int = 10) -> list[Hit]:
    """Scenarios ranked for the firm's industry, digital level and the pain points it describes.

    Hard filter: at most one level above the firm's (a level-1 firm is not sent to digital twins).
    Soft boosts: written for its industry (+3), within its level (+2), on its sub-industry path (+2).
    Text relevance to the pain points decides among them; every hit says why it was chosen.
    """
    if level is None:
        level = firm_digital_level(enterprise)
    code = enterprise.industry_code
    path = path_for_industry(code)
    filters: list[Filter] = []
    boosts: list[Boost] = []
    industry_label = f"适用于您的行业（{code} {industry_name(code) or industry_name(code[:3])}）"
    boosts.append(Boost(Filter("industries", "covers", code, label=industry_label), 3.0))
    if level is not None:
        reach = max(level, 1) + 1
        filters.append(Filter("min_level", "lte", reach, label=f"不高于您的数字化水平一级以上（{LEVEL_NAMES.get(reach, reach)}以内）"))
        boosts.append(Boost(Filter("min_level", "lte", max(level, 1),
                                   label=f"适合您当前的数字化水平（{LEVEL_NAMES.get(max(level, 1))}）"), 2.0))
    if path is not None and path.scenario_list:
        boosts.append(Boost(Filter("id_code", "in", path.scenario_list, label=f"列入“{path.name}”转型路径"), 2.0))
    index = scenario_search_index()
    results = index.search(Query(pain_points, filters=tuple(filters), boosts=tuple(boosts), limit=limit))
    if pain_points.strip() and len(results) < limit:
        # pain points matched few scenarios: fill with the best fits for the firm's industry and level
        seen = {r.id for r in results}
        more = index.search(Query("", filters=tuple(filters), boosts=tuple(boosts), limit=limit * 3))
        results += [r for r in more if r.id not in seen][: limit - len(results)]

    def reasons(r: Result, s: Scenario) -> list[str]:
        return _text_reasons(r, "与您描述的问题相关") + list(r.explanation.boosts_applied)

    return _hits(results, reasons)
