"""Who may see and act on the journey, built on `tidu.core.permissions` (jurisdiction = region prefix).

- a firm's staff see and change their own firm's applications only;
- officials see the submitted applications of firms in their jurisdiction, and act only on those
  waiting at their own level (a county official at the county step, never at the city's);
- rounds and publicity are run by provincial (or national) offices for their region;
- platform admins see everything but take no review decisions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tidu.core.permissions import (
    ROUND_MANAGER_LEVELS,
    can_view_enterprise,
    enterprises_visible_to,
    gov_level_of,
    is_platform_admin,
    jurisdiction_prefix_of,
    organisation_of,
    role_of,
)
from tidu.filing.workflow import official_at_step
from tidu.journey.models import (
    REREVIEW_FIRM_STATUSES,
    Application,
    ApplicationRound,
    AppStatus,
    Recognition,
    ReReview,
)


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Firms: their own; officials and admins: submitted applications of firms they may see."""
    qs = Application.objects.filter(enterprise__in=enterprises_visible_to(user))
    if role_of(user) != "enterprise":
        qs = qs.exclude(status=AppStatus.DRAFT)
    return qs


def can_view_application(user: Any, app: Application) -> bool:
    if not can_view_enterprise(user, app.enterprise):
        return False
    return role_of(user) == "enterprise" or app.status != AppStatus.DRAFT


def can_edit_application(user: Any, app: Application) -> bool:
    """Only the firm's own staff fill in, attach and submit."""
    org = organisation_of(user)
    return role_of(user) == "enterprise" and org is not None and org.enterprise_id == app.enterprise_id


def can_review(user: Any, app: Application) -> bool:
    """An official of the application's current level whose jurisdiction holds the firm."""
    return official_at_step(user, app.status, app.enterprise.region_id)


def can_manage_round(user: Any, rnd: ApplicationRound | None = None, region_code: str | None = None) -> bool:
    """Provincial/national offices run rounds, publicity and decisions for regions they cover."""
    if is_platform_admin(user):
        return True
    if gov_level_of(user) not in ROUND_MANAGER_LEVELS:
        return False
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return False
    code = region_code if rnd is None else (rnd.region_id or "")
    if not code:  # a national round
        return prefix == ""
    return str(code).startswith(prefix)


def rounds_managed_by(user: Any) -> QuerySet[ApplicationRound]:
    qs = ApplicationRound.objects.select_related("region")
    if is_platform_admin(user):
        return qs
    prefix = jurisdiction_prefix_of(user)
    if gov_level_of(user) not in ROUND_MANAGER_LEVELS or prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(region__code__startswith=prefix)


# ---- re-review (复核) and certificates --------------------------------------------------------------


def can_view_recognition(user: Any, rec: Recognition) -> bool:
    """The firm itself, officials whose jurisdiction holds the firm, platform admins (certificate, re-review)."""
    return can_view_enterprise(user, rec.enterprise)


def can_open_rereview(user: Any, rec: Recognition) -> bool:
    """The offices that run rounds and decisions for the firm's region (province, national) open re-reviews."""
    return can_manage_round(user, region_code=rec.enterprise.region_id)


def can_edit_rereview(user: Any, rr: ReReview) -> bool:
    org = organisation_of(user)
    return (role_of(user) == "enterprise" and org is not None and org.enterprise_id == rr.recognition.enterprise_id
            and rr.status in REREVIEW_FIRM_STATUSES)


def can_review_rereview(user: Any, rr: ReReview) -> bool:
    """An official of the re-review's current level whose jurisdiction holds the firm."""
    return official_at_step(user, rr.status, rr.recognition.enterprise.region_id)
