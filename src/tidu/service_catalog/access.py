"""Who may see and do what in the service list (on top of `tidu.core.permissions`).

- firms: the listed offers serving their region; their own requests only;
- providers: their own profile, offers and the requests addressed to them only;
- officials: providers whose home region, offers with a served region, and requests from firms, inside their
  jurisdiction; they decide providers of their jurisdiction and offers whose every region it covers;
- platform admins: everything.
"""

from __future__ import annotations

from typing import Any

from tidu.core.permissions import (
    has_own_enterprise,
    is_platform_admin,
    jurisdiction_prefix_of,
    organisation_of,
    region_in_jurisdiction,
    role_of,
)
from tidu.service_catalog.models import Provider
from tidu.service_catalog.search_items import code_prefix


def provider_of(user: Any) -> Provider | None:
    """The provider profile of a provider user's organisation (None if none yet, or not a provider)."""
    org = organisation_of(user)
    if org is None or org.kind != "provider":
        return None
    return Provider.objects.filter(organisation=org).select_related("organisation", "region").first()


def is_provider_user(user: Any) -> bool:
    return role_of(user) == "provider"


def can_oversee(user: Any) -> bool:
    """服务监管: officials with a jurisdiction and platform admins."""
    return is_platform_admin(user) or (
        role_of(user) == "government" and jurisdiction_prefix_of(user) is not None
    )


def can_request(user: Any) -> bool:
    return has_own_enterprise(user)


def serving_codes(region_code: str) -> list[str]:
    """The region codes whose offers serve a firm registered in `region_code`: the county, its city, its province.

    >>> serving_codes("440305")
    ['440305', '440300', '440000']
    """
    return list(dict.fromkeys([region_code, region_code[:4] + "00", region_code[:2] + "0000"]))


def overlaps(user: Any, region_code: str) -> bool:
    """Does a served region touch this official's jurisdiction (inside it, or covering part of it)?"""
    if is_platform_admin(user):
        return True
    prefix = jurisdiction_prefix_of(user)
    return prefix is not None and (
        region_code.startswith(prefix) or prefix.startswith(code_prefix(region_code))
    )


def covers_all(user: Any, region_codes: list[str]) -> bool:
    """May this official decide an offer serving these regions (all inside the jurisdiction)?"""
    return bool(region_codes) and all(region_in_jurisdiction(user, code) for code in region_codes)
