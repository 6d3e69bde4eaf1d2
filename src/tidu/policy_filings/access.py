"""Who may see and act on a policy application (jurisdiction = region prefix, tidu.core.permissions).

- a firm's staff see and change their own firm's applications only;
- officials see the submitted applications of firms in their jurisdiction and decide only at their own
  level of the policy's review path (county up to the policy's level);
- payouts are recorded by the officials who manage the policy (tidu.policies.selectors.can_manage_policy).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tidu.core.permissions import can_view_enterprise, enterprises_visible_to, organisation_of, role_of
from tidu.filing.workflow import official_at_step, review_path
from tidu.policies.models import AwardStatus
from tidu.policies.selectors import can_manage_policy
from tidu.policy_filings.models import EDITABLE, PolicyFiling, PolicyFilingStatus


def path_of(filing: PolicyFiling) -> tuple[str, ...]:
    """County first, up to the level of the policy (a county policy: the county alone)."""
    return review_path(filing.batch.policy.level)


def filings_visible_to(user: Any) -> QuerySet[PolicyFiling]:
    """Firms: their own, drafts included; officials and admins: submitted ones of firms they may see."""
    qs = PolicyFiling.objects.filter(enterprise__in=enterprises_visible_to(user))
    if role_of(user) != "enterprise":
        qs = qs.exclude(status=PolicyFilingStatus.DRAFT)
    return qs


def can_view_filing(user: Any, filing: PolicyFiling) -> bool:
    if not can_view_enterprise(user, filing.enterprise):
        return False
    return role_of(user) == "enterprise" or filing.status != PolicyFilingStatus.DRAFT


def is_own_firm(user: Any, filing: PolicyFiling) -> bool:
    org = organisation_of(user)
    return role_of(user) == "enterprise" and org is not None and org.enterprise_id == filing.enterprise_id


def can_edit_filing(user: Any, filing: PolicyFiling) -> bool:
    """Only the firm's own staff fill in, attach and submit, while it is a draft or returned."""
    return is_own_firm(user, filing) and filing.status in EDITABLE


def can_review_filing(user: Any, filing: PolicyFiling) -> bool:
    """An official of the filing's current level, on the policy's path, whose jurisdiction holds the firm."""
    return filing.status in path_of(filing) and official_at_step(
        user, filing.status, filing.enterprise.region_id
    )


def can_record_payout(user: Any, filing: PolicyFiling) -> bool:
    """Officials managing the policy, once an award is decided and not fully paid."""
    award = filing.award
    return (
        award is not None
        and award.status in (AwardStatus.GRANTED, AwardStatus.PARTLY_PAID)
        and can_manage_policy(user, filing.batch.policy)
    )
