"""Reads of the journey, already narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import CharField, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.models import AuditEvent
from tidu.core.permissions import require
from tidu.journey.access import applications_visible_to, can_view_application, gov_level_of
from tidu.journey.models import (
    REVIEW_STATUSES,
    Application,
    ApplicationRound,
    Attachment,
    Publicity,
    Recognition,
    RoundStatus,
)


def application_get(*, user: Any, pk: int) -> Application:
    """One application, or NOT_FOUND whether it is missing or hidden from the user (no leak)."""
    app = (Application.objects.select_related("enterprise__region", "round__region").filter(pk=pk).first())
    if app is None or not can_view_application(user, app):
        raise TiduError(ErrorCode.NOT_FOUND)
    return app


def attachment_get(*, user: Any, pk: int) -> Attachment:
    att = Attachment.objects.select_related("application__enterprise").filter(pk=pk).first()
    require(att is not None and can_view_application(user, att.application), not_found=True)
    assert att is not None
    return att


def application_list(
    *, user: Any, tier: str = "", region: str = "", status: str = "", waiting_days: int | None = None,
    mine_to_act: bool = False, round_id: int | None = None, prescreen: str = "",
) -> QuerySet[Application]:
    """Applications the user may see, filtered. `mine_to_act`: only those at the official's level."""
    qs = applications_visible_to(user).select_related("enterprise__region", "round").defer("frozen_figures")
    if mine_to_act:
        level = gov_level_of(user)
        qs = qs.filter(status=level) if level in REVIEW_STATUSES else qs.none()
    if tier:
        qs = qs.filter(round__tier=tier)
    if region:
        qs = qs.filter(enterprise__region__code__startswith=region.strip().rstrip("0") or region)
    if status:
        qs = qs.filter(status=status)
    if round_id:
        qs = qs.filter(round_id=round_id)
    if prescreen == "flagged":
        qs = qs.filter(frozen_assessment__prescreen_flags__0__isnull=False)
    elif prescreen in ("true", "false", "unknown"):
        qs = qs.filter(frozen_assessment__verdict=prescreen)
    if waiting_days:
        qs = qs.filter(status_changed_at__lte=timezone.now() - dt.timedelta(days=waiting_days))
    return qs.order_by("status_changed_at", "id")


def rounds_open_for(*, enterprise: Any, today: dt.date | None = None) -> list[ApplicationRound]:
    """Open rounds whose region holds the firm (none outside their receiving window)."""
    day = today or timezone.localdate()
    rounds = ApplicationRound.objects.select_related("region").filter(
        status=RoundStatus.OPEN, opens_on__lte=day, deadline__gte=day)
    return [r for r in rounds if enterprise.region_id.startswith(r.region_prefix)]


def publicity_get(*, pk: int) -> Publicity:
    """Publicity lists are public (names, regions and tiers only)."""
    pub = Publicity.objects.select_related("round").filter(pk=pk).first()
    if pub is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    return pub


def publicities_open() -> QuerySet[Publicity]:
    return Publicity.objects.select_related("round").filter(status="open").order_by("-starts_on")


def recognitions_public(
    *, q: str = "", tier: str = "", region: str = "", today: dt.date | None = None
) -> QuerySet[Recognition]:
    """Titles in force today (not revoked, not expired): the public list. Carries no figures."""
    day = today or timezone.localdate()
    qs = Recognition.objects.select_related("enterprise__region__parent__parent").filter(
        revoked_at__isnull=True, valid_from__lte=day, valid_until__gte=day)
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(number__icontains=q))
    if tier:
        qs = qs.filter(tier=tier)
    if region:
        qs = qs.filter(enterprise__region__code__startswith=region.strip().rstrip("0") or region)
    return qs.order_by("-valid_from", "number")


def recognitions_of(*, enterprise: Any) -> QuerySet[Recognition]:
    return Recognition.objects.filter(enterprise=enterprise).order_by("-valid_from")


def audit_events_visible_to(*, user: Any, application: Application | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the journey's applications the official may see (read-only evidence)."""
    apps = applications_visible_to(user)
    if application is not None:
        apps = apps.filter(pk=application.pk)
    ids = apps.annotate(key=Cast("pk", CharField())).values("key")
    return AuditEvent.objects.filter(target_type="journey.application", target_id__in=Subquery(ids)).order_by("-at", "-id")
