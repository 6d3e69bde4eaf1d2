"""Reads of change reports, narrowed to who may see them, and who may decide which side.

- a firm's staff see their own firm's reports;
- officials see the reports of firms in their jurisdiction, and of firms moving into it;
- the county-level office holding the firm decides the origin side; for a move, the county-level office
  receiving it decides the destination side; nobody else decides (higher levels and admins only read).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from tidu.changes.models import (
    OPEN_STATUSES,
    ChangeAttachment,
    ChangeReport,
    ChangeStatus,
    RegisterChange,
    Side,
)
from tidu.core.permissions import (
    is_platform_admin,
    jurisdiction_prefix_of,
    organisation_of,
    region_in_jurisdiction,
    require,
    role_of,
)

REVIEW_LEVEL = "county"


def reports_visible_to(user: Any) -> QuerySet[ChangeReport]:
    qs = ChangeReport.objects.select_related("enterprise__region", "old_region__parent__parent",
                                             "new_region__parent__parent")
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "enterprise":
        org = organisation_of(user)
        return qs.filter(enterprise_id=org.enterprise_id) if org is not None and org.enterprise_id else qs.none()
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        if prefix is None:
            return qs.none()
        if prefix == "":
            return qs
        return qs.filter(Q(old_region__code__startswith=prefix) | Q(new_region__code__startswith=prefix)
                         | Q(enterprise__region__code__startswith=prefix))
    return qs.none()


def report_get(*, user: Any, pk: int) -> ChangeReport:
    report = reports_visible_to(user).filter(pk=pk).first()
    require(report is not None, not_found=True)
    assert report is not None
    return report


def open_report_of(*, enterprise: Any) -> ChangeReport | None:
    return ChangeReport.objects.filter(enterprise=enterprise, status__in=OPEN_STATUSES).first()


def sides_of(user: Any, report: ChangeReport) -> list[str]:
    """The sides this user's office decides on this report (whatever its state)."""
    org = organisation_of(user)
    if org is None or org.kind != "government" or org.gov_level != REVIEW_LEVEL:
        return []
    sides: list[str] = []
    if region_in_jurisdiction(user, report.old_region_id):
        sides.append(Side.ORIGIN)
    if report.moves and report.new_region_id and region_in_jurisdiction(user, report.new_region_id):
        sides.append(Side.DESTINATION)
    return sides


def sides_waiting_for(user: Any, report: ChangeReport) -> list[str]:
    """The sides this user may approve or return now: pending, theirs, not yet approved."""
    if report.status != ChangeStatus.PENDING:
        return []
    done = set(report.approved_sides())
    return [s for s in sides_of(user, report) if s not in done]


def review_queue(*, user: Any) -> list[ChangeReport]:
    """Pending reports waiting for this county office (either side), late ones first, then oldest."""
    if is_platform_admin(user):
        return []
    pending = reports_visible_to(user).filter(status=ChangeStatus.PENDING).order_by("-late", "submitted_at", "id")
    return [r for r in pending if sides_waiting_for(user, r)]


def attachment_get(*, user: Any, pk: int) -> ChangeAttachment:
    att = ChangeAttachment.objects.select_related("report").filter(
        pk=pk, report__in=reports_visible_to(user)).first()
    require(att is not None, not_found=True)
    assert att is not None
    return att


def register_history(*, enterprise: Any) -> QuerySet[RegisterChange]:
    return RegisterChange.objects.filter(enterprise=enterprise).order_by("approved_at", "id")


def name_changes_after(*, enterprise: Any, since: dt.datetime) -> list[RegisterChange]:
    """The approved renames of a firm after `since` (a recognition's creation), oldest first."""
    return list(RegisterChange.objects.filter(enterprise=enterprise, field="name", approved_at__gt=since)
                .order_by("approved_at", "id"))
