"""Reads of needs and responses, scoped by who asks (tidu.core.permissions). Views, the API, search and the
recommendations all go through these, so an invite-only need cannot leak through one of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tidu.core.permissions import jurisdiction_prefix_of, organisation_of, region_in_jurisdiction, role_of
from tidu.needs.models import (
    SHOWN_STATUSES,
    AcceptanceResult,
    Need,
    NeedField,
    NeedResponse,
    NeedStatus,
    ResponseStatus,
    Visibility,
)


def open_public_needs() -> QuerySet[Need]:
    """Published public needs still taking responses (other apps match against these; anyone signed in sees them)."""
    return Need.objects.filter(
        status=NeedStatus.PUBLISHED, visibility=Visibility.PUBLIC, deadline__gte=timezone.localdate()
    ).select_related("owner", "region")


def own_enterprise_id(user: Any) -> int | None:
    org = organisation_of(user)
    if role_of(user) == "enterprise" and org is not None:
        return org.enterprise_id
    return None


def owner_org_id(user: Any) -> int | None:
    org = organisation_of(user)
    return org.pk if role_of(user) == "large" and org is not None else None


def needs_visible_to(user: Any) -> QuerySet[Need]:
    """Every need this user may open.

    Owner: all its needs. Officials: needs of their jurisdiction except drafts. An SME: shown public needs,
    invite-only ones it was invited to, and any it responded to. Other signed-in roles: shown public needs.
    """
    qs = Need.objects.select_related("owner", "region")
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        if prefix is None:
            return qs.none()
        return qs.exclude(status=NeedStatus.DRAFT).filter(region__code__startswith=prefix)
    shown_public = Q(status__in=SHOWN_STATUSES, visibility=Visibility.PUBLIC)
    if role == "large":
        return qs.filter(Q(owner_id=owner_org_id(user)) | shown_public)
    if role == "enterprise":
        ent = own_enterprise_id(user)
        if ent is None:
            return qs.filter(shown_public)
        invited = Q(status__in=SHOWN_STATUSES, invitations__enterprise_id=ent)
        responded = Q(responses__enterprise_id=ent) & ~Q(status__in=(NeedStatus.DRAFT, NeedStatus.HIDDEN))
        return qs.filter(shown_public | invited | responded).distinct()
    if role in {"provider", "innovation"}:
        return qs.filter(shown_public)
    return qs.none()


def open_needs_for(user: Any) -> QuerySet[Need]:
    """The needs this user could respond to now (published, before the deadline, visible to them)."""
    return needs_visible_to(user).filter(status=NeedStatus.PUBLISHED, deadline__gte=timezone.localdate())


def is_owner(user: Any, need: Need) -> bool:
    return role_of(user) == "platform" or (owner_org_id(user) is not None and need.owner_id == owner_org_id(user))


def can_curate(user: Any, need: Need) -> bool:
    """Officials of the need's region (and platform admins) approve, hide and restore it and invite firms."""
    return role_of(user) in {"platform", "government"} and region_in_jurisdiction(user, need.region_id)


def responses_visible_to(user: Any) -> QuerySet[NeedResponse]:
    """The owner sees responses to its needs, the SME its own, officials those to needs of their jurisdiction."""
    qs = NeedResponse.objects.select_related("need", "need__owner", "need__region", "enterprise")
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        return qs.none() if prefix is None else qs.filter(need__region__code__startswith=prefix)
    if role == "large":
        return qs.filter(need__owner_id=owner_org_id(user))
    if role == "enterprise":
        ent = own_enterprise_id(user)
        return qs.filter(enterprise_id=ent) if ent is not None else qs.none()
    return qs.none()


# ---- the funnel: needs → responses → selections → contracts → accepted ----

FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("needs", "发布需求"), ("responses", "揭榜方案"), ("selections", "选定揭榜方"), ("contracts", "签订合同"),
    ("accepted", "验收通过"),
)


@dataclass
class FunnelCounts:
    label: str
    needs: int = 0
    responses: int = 0
    selections: int = 0
    contracts: int = 0
    accepted: int = 0

    def steps(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, key)) for key, label in FUNNEL_STEPS]


def funnel_cohort(user: Any, *, region_prefix: str = "", field: str = "", start: dt.date | None = None,
                  end: dt.date | None = None) -> QuerySet[Need]:
    """Published needs (ever) the user may see, filtered: the cohort whose later steps the funnel counts.
    The period is that of publication (Beijing dates)."""
    qs = needs_visible_to(user).filter(published_at__isnull=False)
    if region_prefix:
        qs = qs.filter(region__code__startswith=region_prefix)
    if field:
        qs = qs.filter(field=field)
    if start is not None and start > PERIOD_MIN:
        qs = qs.filter(published_at__gte=_day_start(min(start, PERIOD_MAX)))
    if end is not None and end < PERIOD_MAX:
        qs = qs.filter(published_at__lt=_day_start(max(end, PERIOD_MIN) + dt.timedelta(days=1)))
    return qs


# Periods are clamped to these days: beyond them a bound excludes nothing (and date arithmetic stays safe).
PERIOD_MIN, PERIOD_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _count(cohort: QuerySet[Need], label: str, **by: Any) -> FunnelCounts:
    needs = cohort.filter(**by) if by else cohort
    ids = list(needs.values_list("pk", flat=True))
    resp = NeedResponse.objects.filter(need_id__in=ids).exclude(status=ResponseStatus.WITHDRAWN)
    agg = resp.aggregate(
        responses=Count("pk"),
        selections=Count("pk", filter=Q(status=ResponseStatus.SELECTED)),
        contracts=Count("pk", filter=Q(status=ResponseStatus.SELECTED, contract_signed_on__isnull=False)),
        accepted=Count("pk", filter=Q(status=ResponseStatus.SELECTED, acceptance=AcceptanceResult.PASSED)),
    )
    return FunnelCounts(label=label, needs=len(ids), **agg)


def funnel(cohort: QuerySet[Need]) -> FunnelCounts:
    return _count(cohort, "合计")


def funnel_by_region(cohort: QuerySet[Need]) -> list[FunnelCounts]:
    regions = dict(cohort.values_list("region_id", "region__name").distinct())
    return [_count(cohort, f"{name}（{code}）", region_id=code) for code, name in sorted(regions.items())]


def funnel_by_field(cohort: QuerySet[Need]) -> list[FunnelCounts]:
    present = set(cohort.values_list("field", flat=True).distinct())
    return [_count(cohort, str(label), field=value) for value, label in NeedField.choices if value in present]
