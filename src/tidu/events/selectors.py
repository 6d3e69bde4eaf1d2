"""Reads of matchmaking events, narrowed to what the user may see, and who may do what.

Officials run the events of their jurisdiction (an event's region code under their prefix); large firms
see every event, SMEs those held for their county, city or province; a participant reads only their
own registration and schedule.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import (
    is_official,
    is_platform_admin,
    jurisdiction_prefix_of,
    organisation_of,
    region_in_jurisdiction,
    role_of,
)
from tidu.events.grid import Firm, Problem
from tidu.events.models import MatchEvent, Meeting, Registration, Side

PARTICIPANT_ROLES = {"enterprise": Side.SME, "large": Side.LARGE}


def can_create_event(user: Any) -> bool:
    return is_platform_admin(user) or (is_official(user) and jurisdiction_prefix_of(user) is not None)


def can_manage_event(user: Any, event: MatchEvent) -> bool:
    return region_in_jurisdiction(user, event.region_id)


def side_of(user: Any) -> str | None:
    """The side a user would register on (None: not a participant)."""
    role = role_of(user)
    if role == "enterprise" and organisation_of(user) is not None and organisation_of(user).enterprise_id:  # type: ignore[union-attr]
        return Side.SME
    return Side.LARGE if role == "large" else None


def events_visible_to(user: Any) -> QuerySet[MatchEvent]:
    qs = MatchEvent.objects.select_related("region")
    if is_platform_admin(user):
        return qs
    prefix = jurisdiction_prefix_of(user)
    if prefix is not None:
        return qs.filter(region__code__startswith=prefix)
    org = organisation_of(user)
    side = side_of(user)
    if org is None or side is None:
        return qs.none()
    if side == Side.LARGE:
        return qs
    code = org.enterprise.region_id  # type: ignore[union-attr]
    local = Q(region__code__in=[code, code[:4] + "00", code[:2] + "0000"])
    return qs.filter(local | Q(registrations__organisation=org)).distinct()


def event_get(user: Any, pk: int) -> MatchEvent:
    if not 0 < pk < 2**63:  # past what the database holds: not found, never a server error
        raise TiduError(ErrorCode.NOT_FOUND)
    event = events_visible_to(user).filter(pk=pk).first()
    if event is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return event


def registration_of(user: Any, event: MatchEvent) -> Registration | None:
    org = organisation_of(user)
    if org is None:
        return None
    return Registration.objects.filter(event=event, organisation=org).select_related("organisation").first()


def registrations_of_event(event: MatchEvent) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .select_related("organisation", "organisation__enterprise")
        .prefetch_related("must_meet", "wishes")
        .order_by("side", "organisation__name")
    )


def meetings_of_event(event: MatchEvent) -> QuerySet[Meeting]:
    return Meeting.objects.filter(event=event).select_related("large__organisation", "sme__organisation")


def schedule_of(registration: Registration) -> QuerySet[Meeting]:
    """One participant's meetings (only theirs: the page and the PDF read nothing else)."""
    return (
        Meeting.objects.filter(Q(large=registration) | Q(sme=registration))
        .select_related("large__organisation", "sme__organisation")
        .order_by("slot")
    )


def problem_of(event: MatchEvent) -> Problem:
    """The event's registrations as the pure scheduler's input (one query each for rows and requests)."""
    regs = list(registrations_of_event(event))
    firms = [
        Firm(
            id=r.pk,
            side=r.side,
            name=r.organisation.name,
            interests=frozenset(r.interests or []),
            industry=r.industry_code,
            fields=frozenset(r.fields or []),
            tier=r.tier,
            wishes=frozenset(w.pk for w in r.wishes.all()),
            must_meet=frozenset(m.pk for m in r.must_meet.all()),
        )
        for r in regs
    ]
    return Problem(slots=event.slots, tables=event.tables, firms=firms)
