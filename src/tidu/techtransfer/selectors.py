"""Reads of technology transfer, already narrowed to what the user may see (see `access`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import is_platform_admin, jurisdiction_prefix_of, role_of
from tidu.enterprises.industries import industry_name
from tidu.needs.selectors import open_public_needs
from tidu.techtransfer import matching
from tidu.techtransfer.access import own_enterprise_id, platform_of
from tidu.techtransfer.models import (
    COUNTED_REVIEWS,
    Achievement,
    AchievementStatus,
    Incubation,
    IncubationStatus,
    Review,
    Transfer,
    TransferRequest,
)

PUBLIC_STATUSES = (AchievementStatus.LISTED, AchievementStatus.TRANSFERRED)


def achievements_visible_to(user: Any) -> QuerySet[Achievement]:
    """Listed (and transferred, read-only) achievements for everyone; a platform also its own in every state."""
    qs = Achievement.objects.select_related("platform")
    if is_platform_admin(user):
        return qs
    own = platform_of(user)
    if own is not None:
        return qs.filter(Q(status__in=PUBLIC_STATUSES) | Q(platform=own))
    return qs.filter(status__in=PUBLIC_STATUSES)


def achievement_get(*, user: Any, pk: int) -> Achievement:
    found = achievements_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return found


def _row(a: Achievement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "keywords": a.keywords,
        "field": a.field,
        "field_label": a.get_field_display(),
        "kind": a.kind,
        "kind_label": a.get_kind_display(),
        "maturity": a.maturity,
        "description": a.description,
        "platform": a.platform.name,
        "industry_codes": a.industry_codes,
    }


_INDEX: list[tuple[Any, Any]] = [(None, None)]  # one (key, index) pair, swapped whole


def listed_index() -> Any:
    """The BM25 index of listed achievements, rebuilt when the listed set changes (count, last change)."""
    listed = Achievement.objects.filter(status=AchievementStatus.LISTED)
    key = tuple(listed.aggregate(n=Count("id"), at=Max("updated_at")).values())
    cached_key, index = _INDEX[0]
    if cached_key != key or index is None:
        index = matching.achievement_index(_row(a) for a in listed.select_related("platform"))
        _INDEX[0] = (key, index)
    return index


@dataclass(frozen=True)
class Found:
    achievement: Achievement
    reasons: tuple[str, ...]


def _load(matches: list[matching.Match]) -> list[Found]:
    """The achievements of the matches, in order, re-checked as listed (the index may be a moment old)."""
    by_id = Achievement.objects.select_related("platform").filter(
        pk__in=[int(m.id) for m in matches], status=AchievementStatus.LISTED
    ).in_bulk()
    return [Found(by_id[int(m.id)], m.reasons) for m in matches if int(m.id) in by_id]


def search_listed(*, query: str, field: str = "", kind: str = "", limit: int = 50) -> list[Found]:
    """Firms' search over listed achievements (BM25 with pinyin typos), with the reasons of each hit."""
    return _load(matching.search(listed_index(), query, field=field, kind=kind, limit=limit))


def matched_for_firm(enterprise: Any, *, limit: int = 10) -> list[Found]:
    """Listed achievements for a firm, with reasons: its industry and its main products."""
    from tidu.enterprises.models import EnterpriseYear

    year = EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-fiscal_year").first()
    products = [year.main_product_name] if year is not None and year.main_product_name else []
    code = enterprise.industry_code or ""
    label = industry_name(code) or industry_name(code[:3]) or industry_name(code[:1]) or ""
    matches = matching.for_firm(listed_index(), industry_code=code, industry_label=label, products=products,
                                limit=limit)
    return _load(matches)


@dataclass(frozen=True)
class NeedMatch:
    need: Any
    found: list[Found]


def open_needs() -> list[Any]:
    """Published public needs of large firms still taking responses (`tidu.needs` decides which those are)."""
    return list(open_public_needs())


def matched_to_needs(achievements: list[Achievement], *, limit: int = 5) -> dict[int, list[tuple[Any, tuple[str, ...]]]]:
    """For each given listed achievement, the open public needs it could answer, with reasons."""
    needs = open_needs()
    wanted = {a.pk for a in achievements if a.status == AchievementStatus.LISTED}
    out: dict[int, list[tuple[Any, tuple[str, ...]]]] = {pk: [] for pk in wanted}
    if not needs or not wanted:
        return out
    index = listed_index()
    for need in needs:
        field_label = need.get_field_display() if hasattr(need, "get_field_display") else ""
        for m in matching.for_need(index, title=need.title, description=need.description or "",
                                   field_label=field_label, limit=20):
            if int(m.id) in out and len(out[int(m.id)]) < limit:
                out[int(m.id)].append((need, m.reasons))
    return out


# ---- requests and records --------------------------------------------------------------------------


def requests_visible_to(user: Any) -> QuerySet[TransferRequest]:
    """A firm its own requests; a platform those addressed to it; officials their jurisdiction's firms'."""
    qs = TransferRequest.objects.select_related("achievement__platform", "enterprise__region")
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "enterprise":
        firm = own_enterprise_id(user)
        return qs.filter(enterprise_id=firm) if firm is not None else qs.none()
    if role == "innovation":
        own = platform_of(user)
        return qs.filter(achievement__platform=own) if own is not None else qs.none()
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        return qs.none() if prefix is None else qs.filter(enterprise__region__code__startswith=prefix)
    return qs.none()


def request_get(*, user: Any, pk: int) -> TransferRequest:
    found = requests_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return found


def _records_visible_to(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "innovation":
        own = platform_of(user)
        return qs.filter(platform=own) if own is not None else qs.none()
    if role == "enterprise":
        firm = own_enterprise_id(user)
        return qs.filter(enterprise_id=firm) if firm is not None else qs.none()
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        return qs.none() if prefix is None else qs.filter(enterprise__region__code__startswith=prefix)
    return qs.none()


def transfers_visible_to(user: Any) -> QuerySet[Transfer]:
    return _records_visible_to(
        user, Transfer.objects.select_related("achievement", "platform", "enterprise__region", "reviewed_by")
    )


def incubations_visible_to(user: Any) -> QuerySet[Incubation]:
    return _records_visible_to(user, Incubation.objects.select_related("platform", "enterprise__region", "reviewed_by"))


@dataclass(frozen=True)
class PlatformCounts:
    """What a platform's page shows, counted from the records (a record an official rejected does not count)."""

    transfers: int
    transfers_confirmed: int
    incubations: int
    incubations_confirmed: int
    incubating_now: int
    listed: int


def platform_counts(platform: Any) -> PlatformCounts:
    t = Transfer.objects.filter(platform=platform).aggregate(
        n=Count("id", filter=Q(review__in=COUNTED_REVIEWS)), ok=Count("id", filter=Q(review=Review.CONFIRMED))
    )
    i = Incubation.objects.filter(platform=platform).aggregate(
        n=Count("id", filter=Q(review__in=COUNTED_REVIEWS)),
        ok=Count("id", filter=Q(review=Review.CONFIRMED)),
        now=Count("id", filter=Q(review__in=COUNTED_REVIEWS, status=IncubationStatus.INCUBATING)),
    )
    listed = Achievement.objects.filter(platform=platform, status=AchievementStatus.LISTED).count()
    return PlatformCounts(t["n"], t["ok"], i["n"], i["ok"], i["now"], listed)
