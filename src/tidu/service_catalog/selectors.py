"""Reads of the service list, each narrowed to what the user may see (see `access`)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import (
    is_platform_admin,
    jurisdiction_prefix_of,
    organisation_of,
    role_of,
)
from tidu.enterprises.models import Enterprise
from tidu.matching import Boost, Filter, Index, Query, Result
from tidu.service_catalog.access import covers_all, overlaps, provider_of, serving_codes
from tidu.service_catalog.deadlines import LABELS, Timeliness, timeliness
from tidu.service_catalog.models import (
    OPEN_REQUEST_STATUSES,
    Category,
    OfferStatus,
    Provider,
    ProviderStatus,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
)
from tidu.service_catalog.search_items import offer_index

MAX_SEARCH_RESULTS = 500


def _with_ratings(qs: QuerySet[ServiceOffer]) -> QuerySet[ServiceOffer]:
    return (
        qs.select_related("provider__organisation", "provider__region")
        .prefetch_related("regions")
        .annotate(rating_avg=Avg("ratings__score"), rating_count=Count("ratings", distinct=True))
    )


_LISTED = Q(status=OfferStatus.LISTED, provider__status=ProviderStatus.APPROVED)
_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "index": None}


def _stamp() -> tuple[Any, ...]:
    offers = ServiceOffer.objects.filter(_LISTED).aggregate(n=Count("id"), last=Max("updated_at"))
    providers = Provider.objects.aggregate(last=Max("updated_at"))
    return (offers["n"], offers["last"], providers["last"])


def offer_search_index() -> Index:
    """The matching index of the listed offers, rebuilt in each process when an offer or provider changes."""
    stamp = _stamp()
    with _lock:
        if _cache["stamp"] != stamp or _cache["index"] is None:
            listed = ServiceOffer.objects.filter(_LISTED)
            regions: dict[int, list[str]] = {}
            for offer_id, code in ServiceOffer.regions.through.objects.filter(
                serviceoffer__in=listed
            ).values_list("serviceoffer_id", "region_id"):
                regions.setdefault(offer_id, []).append(code)
            labels = dict(Category.choices)
            rows = [
                {
                    "id": r["id"],
                    "title": r["title"],
                    "category": r["category"],
                    "category_label": str(labels.get(r["category"], "")),
                    "description": r["description"],
                    "provider": r["provider__organisation__name"],
                    "how_to_request": r["how_to_request"],
                    "region_codes": regions.get(r["id"], []),
                }
                for r in listed.values(
                    "id", "title", "category", "description", "how_to_request", "provider__organisation__name"
                )
            ]
            _cache["index"] = offer_index(rows)
            _cache["stamp"] = stamp
        index: Index = _cache["index"]
        return index


def _filters(region_code: str | None, category: str) -> tuple[Filter, ...]:
    out = []
    if region_code:
        out.append(Filter("serves", "covers", region_code, label="服务贵企业所在地"))
    if category:
        out.append(Filter("category", "eq", category, label=str(dict(Category.choices).get(category, ""))))
    return tuple(out)


def _in_rank_order(results: list[Result]) -> list[ServiceOffer]:
    by_id = {o.pk: o for o in _with_ratings(ServiceOffer.objects.filter(pk__in=[int(r.id) for r in results]))}
    return [by_id[int(r.id)] for r in results if int(r.id) in by_id]


def listed_offers(
    *, region_code: str | None = None, category: str = "", query: str = ""
) -> QuerySet[ServiceOffer] | list[ServiceOffer]:
    """The public list: listed offers of approved providers, serving `region_code` if given.

    Without words: by category, best rated first. With words: ranked by `tidu.matching` (Chinese words,
    synonyms and typed-by-sound matches over title, category, description and provider), best first.
    """
    if query.strip():
        results = offer_search_index().search(
            Query(query, filters=_filters(region_code, category), limit=MAX_SEARCH_RESULTS)
        )
        return _in_rank_order(results)
    qs = ServiceOffer.objects.filter(_LISTED)
    if region_code:
        qs = qs.filter(regions__code__in=serving_codes(region_code))
    if category:
        qs = qs.filter(category=category)
    return _with_ratings(qs.distinct()).order_by("category", "-rating_avg", "title", "id")  # type: ignore[misc]


@dataclass
class Suggestion:
    offer: ServiceOffer
    reasons: list[str]


def _gap_words(enterprise: Enterprise) -> tuple[str, list[str]]:
    """The firm's next tier and what keeps it from it (failed conditions, indicators short of full points),
    as words to look for in the offers; ('', []) when the firm has no figures yet."""
    from tidu.ladder.assessment import assess

    a = assess(enterprise)
    words: list[str] = []
    for s in a.standards:
        if s.get("standard") != a.next_tier:
            continue
        words += [c["label"] for c in s.get("conditions", []) if c.get("value") == "false" and c.get("label")]
        for i in s.get("indicators", []):
            hi, top = i.get("points_hi"), i.get("max")
            if i.get("label") and hi is not None and top is not None and Decimal(str(hi)) < Decimal(str(top)):
                words.append(i["label"])
    return a.next_tier_label, list(dict.fromkeys(words))


def suggest_for_firm(enterprise: Enterprise, *, limit: int = 5) -> list[Suggestion]:
    """Listed offers serving the firm, ranked by what stands between it and its next tier (engine gaps),
    with cultivation services preferred while it has a tier to climb; each says why it was chosen."""
    next_label, gaps = _gap_words(enterprise)
    boosts: tuple[Boost, ...] = ()
    if next_label:
        boosts = (Boost(Filter("category", "eq", Category.CULTIVATION, label=f"助力申报{next_label}"), 1.0),)
    text = " ".join([next_label, *gaps])
    if not text.strip():
        return []
    results = offer_search_index().search(
        Query(text, filters=_filters(enterprise.region_id, ""), boosts=boosts, limit=limit)
    )
    offers = {str(o.pk): o for o in _in_rank_order(results)}
    out = []
    for r in results:
        if r.id not in offers:
            continue
        reasons = list(r.explanation.boosts_applied)
        matched = r.explanation.matched_words[:4]
        if matched:
            reasons.append(f"与贵企业的差距相关：{'、'.join(matched)}")
        out.append(Suggestion(offers[r.id], reasons))
    return out


def offer_get(*, user: Any, pk: int) -> ServiceOffer:
    """A listed offer for anyone; any state for its provider, for officials of a served region, for admins."""
    offer = _with_ratings(ServiceOffer.objects.filter(pk=pk)).first()
    if offer is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    if offer.status == OfferStatus.LISTED and offer.provider.status == ProviderStatus.APPROVED:
        return offer
    if is_platform_admin(user):
        return offer
    own = provider_of(user)
    if own is not None and own.pk == offer.provider_id:
        return offer
    if role_of(user) == "government" and any(overlaps(user, r.code) for r in offer.regions.all()):
        return offer
    raise TiduError(ErrorCode.NOT_FOUND)


def offers_of(provider: Provider) -> QuerySet[ServiceOffer]:
    return (
        _with_ratings(provider.offers.all())
        .annotate(
            open_requests=Count(
                "requests", filter=Q(requests__status__in=OPEN_REQUEST_STATUSES), distinct=True
            ),
        )
        .order_by("status", "category", "title")
    )


def requests_visible_to(user: Any) -> QuerySet[ServiceRequest]:
    """Firms: their own; providers: those addressed to them; officials: firms of their jurisdiction."""
    qs = ServiceRequest.objects.select_related(
        "offer", "enterprise__region", "provider__organisation", "rating"
    )
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "enterprise":
        org = organisation_of(user)
        return (
            qs.filter(enterprise_id=org.enterprise_id) if org is not None and org.enterprise_id else qs.none()
        )
    if role == "provider":
        own = provider_of(user)
        return qs.filter(provider=own) if own is not None else qs.none()
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        if prefix is None:
            return qs.none()
        return qs if prefix == "" else qs.filter(enterprise__region__code__startswith=prefix)
    return qs.none()


def request_get(*, user: Any, pk: int) -> ServiceRequest:
    req = requests_visible_to(user).prefetch_related(Prefetch("messages")).filter(pk=pk).first()
    if req is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return req


def request_timeliness(req: ServiceRequest, today: dt.date | None = None) -> Timeliness:
    responded = timezone.localtime(req.responded_at).date() if req.responded_at else None
    return timeliness(due_on=req.due_on, responded_on=responded, today=today or timezone.localdate())


def annotate_timeliness(requests: list[ServiceRequest], today: dt.date | None = None) -> list[Any]:
    """Set `.timeliness` and `.timeliness_label` on each request (for pages and exports)."""
    day = today or timezone.localdate()
    for req in requests:
        state = request_timeliness(req, day)
        req.timeliness = state  # type: ignore[attr-defined]
        req.timeliness_label = LABELS[state]  # type: ignore[attr-defined]
    return requests


def providers_to_decide(user: Any) -> QuerySet[Provider]:
    qs = Provider.objects.select_related("organisation", "region").filter(status=ProviderStatus.PENDING)
    return _providers_in_jurisdiction(user, qs)


def _providers_in_jurisdiction(user: Any, qs: QuerySet[Provider]) -> QuerySet[Provider]:
    if is_platform_admin(user):
        return qs
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(region__code__startswith=prefix)


def offers_to_decide(user: Any) -> list[ServiceOffer]:
    """Submitted offers with a served region in the jurisdiction; `.decidable` is whether it covers them all."""
    qs = _with_ratings(ServiceOffer.objects.filter(status=OfferStatus.SUBMITTED))
    prefix = jurisdiction_prefix_of(user)
    if not is_platform_admin(user):
        if prefix is None:
            return []
        if prefix:
            qs = qs.filter(regions__code__startswith=prefix).distinct()
    out = list(qs.order_by("updated_at"))
    for offer in out:
        offer.decidable = covers_all(user, [r.code for r in offer.regions.all()])  # type: ignore[attr-defined]
    return out


@dataclass
class ProviderRow:
    provider: Provider
    requests: int
    open: int
    overdue: int
    responded: int
    on_time: int
    ratings: int
    rating_avg: Decimal | None

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.responded:
            return None
        return (Decimal(100 * self.on_time) / self.responded).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def satisfaction_by_provider(
    requests: QuerySet[ServiceRequest], today: dt.date | None = None
) -> list[ProviderRow]:
    """Per provider over the given (already narrowed) requests: counts, overdue, on-time responses, ratings.
    Loads the requests once and computes in Python (the working-day promise is per request)."""
    day = today or timezone.localdate()
    rows: dict[int, ProviderRow] = {}
    scores: dict[int, list[int]] = {}
    for req in requests.select_related("provider__organisation", "rating").order_by():
        row = rows.get(req.provider_id)
        if row is None:
            row = rows[req.provider_id] = ProviderRow(req.provider, 0, 0, 0, 0, 0, 0, None)
            scores[req.provider_id] = []
        row.requests += 1
        row.open += req.status in OPEN_REQUEST_STATUSES
        state = request_timeliness(req, day)
        row.overdue += state == Timeliness.OVERDUE
        if req.responded_at is not None:
            row.responded += 1
            row.on_time += state == Timeliness.ON_TIME
        rating = getattr(req, "rating", None)  # the reverse one-to-one raises AttributeError when absent
        if rating is not None:
            scores[req.provider_id].append(rating.score)
    for pk, row in rows.items():
        values = scores[pk]
        row.ratings = len(values)
        if values:
            row.rating_avg = (Decimal(sum(values)) / len(values)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.provider.name))


def provider_ratings(provider: Provider) -> dict[str, Any]:
    agg = provider.ratings.aggregate(avg=Avg("score"), count=Count("id"))
    return {
        "avg": agg["avg"],
        "count": agg["count"],
        "recent": provider.ratings.select_related("offer", "request__enterprise")[:20],
    }


def open_requests_count(provider: Provider) -> int:
    return provider.requests.filter(status=RequestStatus.SUBMITTED).count()
