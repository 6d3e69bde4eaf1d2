"""Reads of accounts: the officials' queue of claims and registrations, firms without an account, a
firm's account state, a user's own requests. Each is narrowed to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tidu.accounts.models import AccountRequest, Invitation, Membership, RequestStatus
from tidu.core.permissions import (
    enterprises_visible_to,
    is_official,
    is_platform_admin,
    jurisdiction_prefix_of,
    region_in_jurisdiction,
)
from tidu.enterprises.models import Enterprise


def can_review_accounts(user: Any) -> bool:
    """Officials (for their jurisdiction) and platform admins handle invitations, claims and registrations."""
    return is_official(user) or is_platform_admin(user)


def _in_jurisdiction(user: Any, qs: QuerySet[AccountRequest]) -> QuerySet[AccountRequest]:
    if is_platform_admin(user):
        return qs
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(review_region__code__startswith=prefix)


def account_requests_open(*, user: Any) -> QuerySet[AccountRequest]:
    """Claims and held registrations waiting for a decision, and flagged registrations not yet looked at."""
    qs = AccountRequest.objects.filter(status__in=[RequestStatus.PENDING, RequestStatus.ACCEPTED]).select_related(
        "user", "enterprise__region__parent__parent", "region__parent__parent", "review_region")
    return _in_jurisdiction(user, qs).order_by("created_at", "id")


def account_requests_decided(*, user: Any, limit: int = 20) -> QuerySet[AccountRequest]:
    qs = AccountRequest.objects.filter(status__in=[RequestStatus.CONFIRMED, RequestStatus.REJECTED]).select_related(
        "user", "decided_by", "enterprise")
    return _in_jurisdiction(user, qs).order_by("-decided_at", "-id")[:limit]


def own_account_requests(*, user: Any) -> QuerySet[AccountRequest]:
    """The signed-in user's own requests (what they typed and the decision; never the register's figures)."""
    return AccountRequest.objects.filter(user_id=getattr(user, "pk", None) or 0).select_related(
        "region__parent__parent").order_by("-created_at", "-id")


def enterprises_without_account(*, user: Any, q: str = "") -> QuerySet[Enterprise]:
    """Firms the user may see on which no active user works yet (the officials' list 未开通账号的企业)."""
    qs = enterprises_visible_to(user).exclude(organisation__memberships__user__is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__istartswith=q.strip().upper()))
    return qs.select_related("region__parent").order_by("name", "id")


def latest_invitations(enterprise_ids: list[int]) -> dict[int, Invitation]:
    """The newest invitation of each firm, in one query (load once, then show)."""
    latest: dict[int, Invitation] = {}
    for inv in Invitation.objects.filter(enterprise_id__in=enterprise_ids).order_by("enterprise_id", "-created_at",
                                                                                     "-id"):
        latest.setdefault(inv.enterprise_id, inv)
    return latest


@dataclass
class AccountCard:
    """What an official sees of a firm's account on its page in the register."""

    can_invite: bool
    members: int
    invitation: Invitation | None
    invitation_state: str
    requests: list[AccountRequest]


def enterprise_account_card(*, user: Any, enterprise: Enterprise) -> AccountCard | None:
    """The account section of a firm's register page, or None for anyone but its jurisdiction's officials."""
    if not (can_review_accounts(user) and region_in_jurisdiction(user, enterprise.region_id)):
        return None
    members = Membership.objects.filter(organisation__enterprise=enterprise, user__is_active=True).count()
    invitation = Invitation.objects.filter(enterprise=enterprise).order_by("-created_at", "-id").first()
    requests = list(AccountRequest.objects.filter(enterprise=enterprise).select_related("user", "decided_by")
                    .order_by("-created_at", "-id")[:10])
    return AccountCard(
        can_invite=members == 0, members=members, invitation=invitation,
        invitation_state=invitation.state(timezone.now()) if invitation else "",
        requests=requests,
    )
