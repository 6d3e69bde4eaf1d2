"""Who may see and change what. Every view, endpoint and import calls these; none re-implements them.

Rules (object by object):
- platform admins (superusers or members of a platform organisation) see and change everything;
- a firm's staff see and change their own firm only;
- a government office sees and maintains the firms registered in its jurisdiction: a county its
  county, a city the counties of its city (code prefix PPCC), a province the province (PP),
  the national office everything;
- large enterprises and service providers see no firm's confidential figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from tidu.core.errors import ErrorCode, TiduError

if TYPE_CHECKING:
    from tidu.accounts.models import Organisation
    from tidu.enterprises.models import Enterprise

ROLE_ANONYMOUS = "anonymous"
ROLE_NONE = "none"  # logged in, no organisation


def organisation_of(user: Any) -> Organisation | None:
    """The user's organisation (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "_tidu_org"):
        cached: Organisation | None = user._tidu_org
        return cached
    from tidu.accounts.models import Membership

    membership = Membership.objects.select_related("organisation__region", "organisation__enterprise").filter(
        user=user
    ).first()
    org = membership.organisation if membership else None
    user._tidu_org = org
    return org


def role_of(user: Any) -> str:
    """One of: anonymous, none, platform, enterprise, government, large, provider, innovation."""
    if not getattr(user, "is_authenticated", False):
        return ROLE_ANONYMOUS
    if user.is_superuser:
        return "platform"
    org = organisation_of(user)
    return org.kind if org is not None else ROLE_NONE


def is_platform_admin(user: Any) -> bool:
    return role_of(user) == "platform"


def is_official(user: Any) -> bool:
    return role_of(user) == "government"


def jurisdiction_prefix_of(user: Any) -> str | None:
    """The region-code prefix a government user covers ('' = the whole country); None if not an official."""
    org = organisation_of(user)
    if org is None or org.kind != "government":
        return None
    if org.gov_level == "national":
        return ""
    if org.region is None:
        return None
    if org.gov_level == "province":
        return org.region.code[:2]
    if org.gov_level == "city":
        return org.region.code[:4]
    return org.region.code


def region_in_jurisdiction(user: Any, region_code: str) -> bool:
    """May this user maintain firms registered in `region_code` (officials and platform admins)?"""
    if is_platform_admin(user):
        return True
    prefix = jurisdiction_prefix_of(user)
    return prefix is not None and str(region_code).startswith(prefix)


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    """The firms whose full record, confidential figures included, this user may read."""
    from tidu.enterprises.models import Enterprise

    qs = Enterprise.objects.all()
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "enterprise":
        org = organisation_of(user)
        return qs.filter(pk=org.enterprise_id) if org is not None and org.enterprise_id else qs.none()
    if role == "government":
        prefix = jurisdiction_prefix_of(user)
        if prefix is None:
            return qs.none()
        return qs if prefix == "" else qs.filter(region__code__startswith=prefix)
    return qs.none()


def can_view_enterprise(user: Any, enterprise: Enterprise) -> bool:
    role = role_of(user)
    if role == "platform":
        return True
    if role == "enterprise":
        org = organisation_of(user)
        return org is not None and org.enterprise_id == enterprise.pk
    if role == "government":
        return region_in_jurisdiction(user, enterprise.region_id)
    return False


def can_edit_enterprise(user: Any, enterprise: Enterprise) -> bool:
    """Firm staff maintain their firm; officials maintain (import, correct) firms of their jurisdiction."""
    return can_view_enterprise(user, enterprise)


def can_view_register(user: Any) -> bool:
    """May open the list of firms (officials and platform admins)."""
    return role_of(user) in {"platform", "government"}


def can_import_enterprises(user: Any) -> bool:
    """May upload files of firms and years (officials and platform admins); rows are then checked
    one by one with `region_in_jurisdiction`."""
    return can_view_register(user)


# ---- pages: who may open what (each view checks its own helper; the menu shows only links that pass) ----

ROUND_MANAGER_LEVELS = frozenset({"province", "national"})


def gov_level_of(user: Any) -> str | None:
    """county / city / province / national for an official, else None."""
    org = organisation_of(user)
    return org.gov_level if org is not None and org.kind == "government" else None


def has_own_enterprise(user: Any) -> bool:
    """Firm staff whose organisation is tied to a firm of the register (我的企业, 我的梯度, 申报…)."""
    org = organisation_of(user)
    return role_of(user) == "enterprise" and org is not None and org.enterprise_id is not None


def can_open_review_pages(user: Any) -> bool:
    """Review queue, re-reviews, the journey's audit trail: officials and platform admins."""
    return role_of(user) in {"platform", "government"}


def can_manage_rounds(user: Any) -> bool:
    """申报批次 and publicity are run by provincial or national offices (and platform admins)."""
    return is_platform_admin(user) or gov_level_of(user) in ROUND_MANAGER_LEVELS


def can_request_annual_update(user: Any) -> bool:
    """Officials (for their jurisdiction) and platform admins (for everyone)."""
    return is_platform_admin(user) or (is_official(user) and jurisdiction_prefix_of(user) is not None)


def can_open_admin_site(user: Any) -> bool:
    """Django's admin lets in active staff users only."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


def require(allowed: bool, *, not_found: bool = False) -> None:
    """Raise the right TiduError when `allowed` is false: 404 hides that the object exists."""
    if not allowed:
        raise TiduError(ErrorCode.NOT_FOUND if not_found else ErrorCode.PERMISSION_DENIED)
