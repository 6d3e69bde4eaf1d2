"""Reads of the journey, already narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import CharField, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.models import AuditEvent
from tidu.core.permissions import enterprises_visible_to, require
from tidu.journey.access import (
    applications_visible_to,
    can_view_application,
    can_view_recognition,
    gov_level_of,
)
from tidu.journey.models import (
    REREVIEW_DONE_STATUSES,
    REVIEW_STATUSES,
    Application,
    ApplicationRound,
    Attachment,
    Publicity,
    Recognition,
    ReReview,
    ReReviewSetting,
    RoundStatus,
)
from tidu.regions.models import code_prefix
from tidu.regions.selectors import region_find


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
        qs = qs.filter(enterprise__region__code__startswith=code_prefix(region))
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
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(granted_name__icontains=q) | Q(number__icontains=q))
    if tier:
        qs = qs.filter(tier=tier)
    if region.strip():  # a code or a name (深圳, 南山区, 广东省深圳市); TiduError if unknown or ambiguous
        qs = qs.filter(enterprise__region__code__startswith=region_find(region).jurisdiction_prefix)
    return qs.order_by("-valid_from", "number")


def recognitions_of(*, enterprise: Any) -> QuerySet[Recognition]:
    return Recognition.objects.filter(enterprise=enterprise).order_by("-valid_from")


def audit_events_visible_to(*, user: Any, application: Application | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the journey's applications the official may see (read-only evidence); without
    `application`, also those of the recognitions and re-reviews of the firms they may see."""
    apps = applications_visible_to(user)
    if application is not None:
        apps = apps.filter(pk=application.pk)
    ids = apps.annotate(key=Cast("pk", CharField())).values("key")
    wanted = Q(target_type="journey.application", target_id__in=Subquery(ids))
    if application is None:  # the jurisdiction's whole trail: titles and their re-reviews too
        firms = enterprises_visible_to(user)
        recs = Recognition.objects.filter(enterprise__in=firms).annotate(key=Cast("pk", CharField())).values("key")
        rrs = ReReview.objects.filter(recognition__enterprise__in=firms).annotate(
            key=Cast("pk", CharField())).values("key")
        wanted |= (Q(target_type="journey.recognition", target_id__in=Subquery(recs))
                   | Q(target_type="journey.rereview", target_id__in=Subquery(rrs)))
    return AuditEvent.objects.filter(wanted).order_by("-at", "-id")


def rereview_audit_events(*, user: Any, rereview: ReReview) -> QuerySet[AuditEvent]:
    """The audit trail of one re-review and of its title, for officials who may see the firm."""
    require(can_view_recognition(user, rereview.recognition), not_found=True)
    return AuditEvent.objects.filter(
        Q(target_type="journey.rereview", target_id=str(rereview.pk))
        | Q(target_type="journey.recognition", target_id=str(rereview.recognition_id))).order_by("-at", "-id")


# ---- re-review (复核) and certificates --------------------------------------------------------------

# domain/tiers.md §9: a title is reviewed at its expiry, in the annual round of the year it expires (the 2026
# little-giant notice took filings 25 April – 25 May and provincial recommendations by 30 June for titles
# expiring that summer). Six months before expiry covers filing and review; provinces set their own window
# (ReReviewSetting), and TIDU_REREVIEW_WINDOW_DAYS changes the national default.
DEFAULT_REREVIEW_WINDOW_DAYS = 180


def rereview_windows() -> tuple[list[tuple[str, int]], int]:
    """(jurisdiction prefix, days) most specific first, and the national default — loaded once per call site."""
    default = int(getattr(settings, "TIDU_REREVIEW_WINDOW_DAYS", DEFAULT_REREVIEW_WINDOW_DAYS))
    by_prefix = []
    for s in ReReviewSetting.objects.select_related("region"):
        if s.region is None:
            default = s.window_days
        else:
            by_prefix.append((s.region.jurisdiction_prefix, s.window_days))
    return sorted(by_prefix, key=lambda p: -len(p[0])), default


def window_for(region_code: str, windows: tuple[list[tuple[str, int]], int]) -> int:
    by_prefix, default = windows
    return next((days for prefix, days in by_prefix if region_code.startswith(prefix)), default)


def recognition_get(*, user: Any, pk: int) -> Recognition:
    """One recognition of a firm the user may see (the firm, officials of its jurisdiction), else NOT_FOUND."""
    rec = Recognition.objects.select_related("enterprise__region", "issuing_region").filter(pk=pk).first()
    require(rec is not None and can_view_recognition(user, rec), not_found=True)
    assert rec is not None
    return rec


def recognitions_nearing_expiry(*, user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Unrevoked titles of the user's jurisdiction that expire within their region's re-review window,
    soonest first, each with its days left and its open re-review (if any)."""
    day = today or timezone.localdate()
    windows = rereview_windows()
    longest = max([windows[1], *(d for _p, d in windows[0])])
    candidates = (Recognition.objects.select_related("enterprise__region")
                  .filter(enterprise__in=enterprises_visible_to(user), revoked_at__isnull=True,
                          valid_until__gte=day, valid_until__lte=day + dt.timedelta(days=longest))
                  .order_by("valid_until", "number"))
    open_rr = {rr.recognition_id: rr for rr in ReReview.objects.filter(
        recognition__in=candidates).exclude(status__in=REREVIEW_DONE_STATUSES)}
    rows = []
    for rec in candidates:
        window = window_for(rec.enterprise.region_id, windows)
        if (rec.valid_until - day).days <= window:
            rows.append({"rec": rec, "days_left": (rec.valid_until - day).days, "window": window,
                         "rereview": open_rr.get(rec.pk)})
    return rows


def rereviews_visible_to(*, user: Any, status: str = "") -> QuerySet[ReReview]:
    """Re-reviews of the firms the user may see (the firm: its own; officials: their jurisdiction)."""
    qs = ReReview.objects.select_related("recognition__enterprise__region").filter(
        recognition__enterprise__in=enterprises_visible_to(user))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-status_changed_at", "-id")


def rereview_get(*, user: Any, pk: int) -> ReReview:
    rr = ReReview.objects.select_related("recognition__enterprise__region", "recognition__issuing_region").filter(
        pk=pk).first()
    require(rr is not None and can_view_recognition(user, rr.recognition), not_found=True)
    assert rr is not None
    return rr


def recognition_by_number(number: str) -> Recognition | None:
    """Any title by its number, revoked and expired ones too: the public verification page says which."""
    value = (number or "").strip().upper()
    if not value or len(value) > 40:
        return None
    return Recognition.objects.select_related("enterprise__region__parent__parent").filter(number=value).first()
