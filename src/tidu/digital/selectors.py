"""Reads of self-assessment results, narrowed to who may see them, and the peer comparisons.

A result is seen by the firm itself, the officials whose jurisdiction holds the firm, and platform
admins; anyone else gets NOT_FOUND (the same as a result that does not exist). Peer percentiles use
each firm's latest submitted result of the same edition and category, and are withheld when the
group has fewer than PEER_MINIMUM firms, so no single firm's score can be read off.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import can_view_enterprise, enterprises_visible_to
from tidu.digital.models import Assessment, AssessmentStatus
from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.regions.models import Region

PEER_MINIMUM = 5


def assessment_get(*, user: Any, pk: int) -> Assessment:
    """One assessment, or NOT_FOUND when it does not exist or the user may not see the firm."""
    found = Assessment.objects.select_related("enterprise__region").filter(pk=pk).first()
    if found is None or not can_view_enterprise(user, found.enterprise):
        raise TiduError(ErrorCode.NOT_FOUND)
    return found


def assessments_of(*, user: Any, enterprise: Enterprise) -> QuerySet[Assessment]:
    if not can_view_enterprise(user, enterprise):
        raise TiduError(ErrorCode.NOT_FOUND)
    return Assessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.SUBMITTED).order_by(
        "-submitted_at", "-id")


def results_visible_to(*, user: Any) -> QuerySet[Assessment]:
    """Submitted results of the firms the user may see (officials: their jurisdiction), newest first."""
    return (Assessment.objects.filter(enterprise__in=enterprises_visible_to(user), status=AssessmentStatus.SUBMITTED)
            .select_related("enterprise__region").order_by("-submitted_at", "-id"))


def latest_result(enterprise: Enterprise) -> Assessment | None:
    """The latest submitted result (the caller has checked that the user may see the firm)."""
    return (Assessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.SUBMITTED)
            .order_by("-submitted_at", "-id").first())


def open_draft(enterprise: Enterprise) -> Assessment | None:
    return Assessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.DRAFT).first()


@dataclass(frozen=True)
class PeerComparison:
    group: str  # Chinese: 同行业（C34 通用设备制造业） / 同省份（广东省）
    firms: int
    percentile: int | None  # share of the group scoring below this firm (ties count half); None = withheld
    withheld: bool

    @property
    def message(self) -> str:
        if self.withheld:
            return f"{self.group}参与评测的企业不足{PEER_MINIMUM}家，暂不显示对比，以免反推个别企业的得分。"
        return f"{self.group}共{self.firms}家企业参与评测，您的得分高于其中{self.percentile}%的企业。"


def _latest_scores(edition: str, category: str) -> dict[int, tuple[Decimal, str, str]]:
    """enterprise id -> (score, industry code, region code) of its latest submitted result (one query)."""
    rows = (Assessment.objects.filter(status=AssessmentStatus.SUBMITTED, edition=edition, category=category)
            .order_by("enterprise_id", "-submitted_at", "-id")
            .values_list("enterprise_id", "score", "enterprise__industry_code", "enterprise__region_id"))
    latest: dict[int, tuple[Decimal, str, str]] = {}
    for ent_id, score, industry, region in rows:
        if ent_id not in latest and score is not None:
            latest[ent_id] = (score, industry, region)
    return latest


def peer_comparisons(assessment: Assessment) -> list[PeerComparison]:
    """Percentile of this result within its sub-industry (GB/T 4754 大类) and within its province."""
    if assessment.score is None:
        return []
    latest = _latest_scores(assessment.edition, assessment.category)
    ent = assessment.enterprise
    latest[ent.pk] = (assessment.score, ent.industry_code, ent.region_id)
    division = ent.industry_code[:3]
    province_code = ent.region_id[:2] + "0000"
    province = Region.objects.filter(code=province_code).values_list("name", flat=True).first() or province_code
    groups = [
        (f"同行业（{division} {industry_name(division)}）", [s for s, ind, _r in latest.values() if ind[:3] == division]),
        (f"同省份（{province}）", [s for s, _i, reg in latest.values() if reg[:2] == ent.region_id[:2]]),
    ]
    out = []
    for label, scores in groups:
        if len(scores) < PEER_MINIMUM:
            out.append(PeerComparison(label, len(scores), None, True))
            continue
        below = sum(1 for s in scores if s < assessment.score)
        ties = sum(1 for s in scores if s == assessment.score) - 1  # not counting itself
        others = len(scores) - 1
        pct = round(100 * (below + ties / 2) / others) if others else 0
        out.append(PeerComparison(label, len(scores), pct, False))
    return out


@dataclass
class Distribution:
    levels: list[int]  # 0..4
    rows: list[dict[str, Any]]  # {division, name, counts: {level: n}, total}
    totals: dict[int, int]
    firms: int


def level_distribution(*, user: Any) -> Distribution:
    """Digital levels of the firms the user may see, by sub-industry (GB/T 4754 大类), from each firm's
    latest yearly row that has a level (the platform result, ours or imported)."""
    visible = enterprises_visible_to(user)
    rows = (EnterpriseYear.objects.filter(enterprise__in=visible, digital_level__isnull=False)
            .order_by("enterprise_id", "-fiscal_year")
            .values_list("enterprise_id", "digital_level", "enterprise__industry_code"))
    seen: set[int] = set()
    by_division: dict[str, Counter[int]] = defaultdict(Counter)
    for ent_id, level, industry in rows:
        if ent_id in seen:
            continue
        seen.add(ent_id)
        by_division[industry[:3]][int(level or 0)] += 1
    levels = [0, 1, 2, 3, 4]
    table = []
    totals: Counter[int] = Counter()
    for division in sorted(by_division):
        counts = by_division[division]
        totals.update(counts)
        table.append({"division": division, "name": industry_name(division),
                      "counts": {lvl: counts.get(lvl, 0) for lvl in levels}, "total": sum(counts.values())})
    return Distribution(levels=levels, rows=table, totals={lvl: totals.get(lvl, 0) for lvl in levels}, firms=len(seen))
