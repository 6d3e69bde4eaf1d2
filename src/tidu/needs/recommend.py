"""Recommendations from the register: SMEs for a need (owner, officials) and needs for an SME.

Candidates always come through the scoped selectors, so an invite-only need is never recommended to a firm
that was not invited, and an official is offered only firms of their jurisdiction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tidu.core.permissions import enterprises_visible_to, jurisdiction_prefix_of, role_of
from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.titles import CERT_FIELDS, TITLE_FIELDS
from tidu.journey.models import Recognition
from tidu.needs import selectors
from tidu.needs.errors import NeedCode, NeedError
from tidu.needs.firm_index import current_index
from tidu.needs.models import AcceptanceResult, Need, NeedResponse
from tidu.needs.ranking import (
    FirmProfile,
    Ranked,
    need_index,
    need_profile,
    rank_firms,
    rank_needs,
)


@dataclass
class FirmFit:
    enterprise: Enterprise
    score: float
    reasons: list[str]
    invited: bool = False


@dataclass
class NeedFit:
    need: Need
    score: float
    reasons: list[str]


def firm_profiles(enterprises: QuerySet[Enterprise]) -> dict[str, FirmProfile]:
    """Profiles of the given firms from their latest year, valid recognitions and accepted solutions."""
    firms = {e.pk: e for e in enterprises}
    ids = list(firms)
    latest: dict[int, EnterpriseYear] = {}
    for row in EnterpriseYear.objects.filter(enterprise_id__in=ids).order_by("enterprise_id", "-fiscal_year"):
        latest.setdefault(row.enterprise_id, row)
    today = timezone.localdate()
    titles: dict[int, set[str]] = defaultdict(set)
    for row in latest.values():
        titles[row.enterprise_id].update(f for f in CERT_FIELDS if getattr(row, f) is True)
    recs = Recognition.objects.filter(enterprise_id__in=ids, valid_from__lte=today, valid_until__gte=today,
                                      revoked_at__isnull=True).values_list("enterprise_id", "tier")
    for ent_id, tier in recs:
        titles[ent_id].add(TITLE_FIELDS[tier])
    accepted: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for ent_id, fld, title in NeedResponse.objects.filter(
            enterprise_id__in=ids, acceptance=AcceptanceResult.PASSED).values_list(
            "enterprise_id", "need__field", "need__title"):
        accepted[ent_id].append((fld, title))
    out = {}
    for pk, e in firms.items():
        y = latest.get(pk)
        ratio = (y.rd / y.revenue) if y is not None and y.rd is not None and y.revenue else None
        out[str(pk)] = FirmProfile(
            id=str(pk), name=e.name, region_code=e.region_id, industry_code=e.industry_code,
            industry_name=industry_name(e.industry_code), products=(y.main_product_name if y else "") or "",
            ten_field=(y.product_ten_fields_code if y else "") or "", titles=frozenset(titles[pk]),
            invention_patents=(y.invention_patent_count or 0) if y else 0, rd_ratio=ratio,
            accepted_fields=frozenset(f for f, _t in accepted[pk]), cases="；".join(t for _f, t in accepted[pk]))
    return out


def candidate_firms(user: Any) -> QuerySet[Enterprise]:
    """Owner: every firm of the register (names are public); officials: their jurisdiction."""
    if role_of(user) == "large":
        return Enterprise.objects.all()
    return enterprises_visible_to(user)


def _candidate_prefix(user: Any) -> str:
    """The region prefix the index search keeps to (the candidates' queryset re-checks every result)."""
    if role_of(user) == "government":
        return jurisdiction_prefix_of(user) or ""
    return ""


def firms_for_need(user: Any, need: Need, *, limit: int = 20) -> list[FirmFit]:
    if not (selectors.is_owner(user, need) or selectors.can_curate(user, need)):
        raise NeedError(NeedCode.NOT_OWNER)
    qs = candidate_firms(user).select_related("region")
    responded = [str(i) for i in need.responses.values_list("enterprise_id", flat=True)]
    profile = need_profile(need)
    with current_index() as index:  # the whole register, kept per process (decision 0110)
        ranked: list[Ranked] = rank_firms(index, profile, limit=limit, exclude=responded,
                                          region_prefix=_candidate_prefix(user))
    firms = {str(e.pk): e for e in qs.filter(pk__in=[int(r.id) for r in ranked])}
    return [FirmFit(firms[r.id], r.score, r.reasons, r.id in profile.invited) for r in ranked if r.id in firms]


def needs_for_firm(user: Any, *, limit: int = 20) -> list[NeedFit]:
    """Open needs this firm can see (invite-only only if invited), ranked for it."""
    ent_id = selectors.own_enterprise_id(user)
    if ent_id is None:
        return []
    needs = list(selectors.open_needs_for(user).prefetch_related("invitations"))
    if not needs:
        return []
    firm = firm_profiles(Enterprise.objects.filter(pk=ent_id))[str(ent_id)]
    ranked = rank_needs(need_index(need_profile(n) for n in needs), firm, limit=limit)
    by_id = {str(n.pk): n for n in needs}
    return [NeedFit(by_id[r.id], r.score, r.reasons) for r in ranked]
