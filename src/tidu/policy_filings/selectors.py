"""Reads of policy applications, narrowed to what the user may see, with their joins chosen."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import gov_level_of, jurisdiction_prefix_of
from tidu.policy_filings.access import can_view_filing, filings_visible_to
from tidu.policy_filings.models import PolicyAttachment, PolicyFiling

_JOINS = ("enterprise__region", "batch__policy__region", "edition", "award")


def filing_list(
    *, user: Any, status: str = "", policy: str = "", to_act: bool = False
) -> QuerySet[PolicyFiling]:
    """The user's visible filings; `to_act`: only those waiting at the official's own level."""
    qs = filings_visible_to(user).select_related(*_JOINS)
    if status:
        qs = qs.filter(status=status)
    if policy:
        qs = qs.filter(batch__policy__code=policy)
    if to_act:
        level = gov_level_of(user)
        prefix = jurisdiction_prefix_of(user)
        if level is None or prefix is None:
            return qs.none()
        qs = qs.filter(status=level, enterprise__region__code__startswith=prefix)
    return qs.order_by("-updated_at", "-id")


def filing_get(*, user: Any, pk: int) -> PolicyFiling:
    """One filing the user may see; otherwise NOT_FOUND (never tells that it exists)."""
    filing = PolicyFiling.objects.select_related(*_JOINS).filter(pk=pk).first()
    if filing is None or not can_view_filing(user, filing):
        raise TiduError(ErrorCode.NOT_FOUND)
    return filing


def filing_for_batch(*, enterprise_id: int, batch_id: int) -> PolicyFiling | None:
    return PolicyFiling.objects.filter(enterprise_id=enterprise_id, batch_id=batch_id).first()


def attachment_get(*, user: Any, pk: int) -> PolicyAttachment:
    att = PolicyAttachment.objects.select_related("filing__enterprise").filter(pk=pk).first()
    if att is None or not can_view_filing(user, att.filing):
        raise TiduError(ErrorCode.NOT_FOUND)
    return att
