"""Who may see and do what in technology transfer (on top of `tidu.core.permissions`).

- innovation platforms: their own achievements (every state), the requests addressed to them, their records;
- firms: listed achievements (and transferred ones, read-only), their own requests and their own records;
- officials: everything listed, and requests and records of firms in their jurisdiction, which they confirm;
- platform admins: everything.
"""

from __future__ import annotations

from typing import Any

from tidu.core.permissions import (
    has_own_enterprise,
    is_platform_admin,
    jurisdiction_prefix_of,
    organisation_of,
    role_of,
)


def platform_of(user: Any) -> Any:
    """The innovation-platform organisation of the user (None for everyone else)."""
    org = organisation_of(user)
    return org if org is not None and org.kind == "innovation" else None


def is_platform_user(user: Any) -> bool:
    return role_of(user) == "innovation"


def can_request(user: Any) -> bool:
    return has_own_enterprise(user)


def can_oversee(user: Any) -> bool:
    """Officials with a jurisdiction and platform admins see and confirm records."""
    return is_platform_admin(user) or (role_of(user) == "government" and jurisdiction_prefix_of(user) is not None)


def own_enterprise_id(user: Any) -> int | None:
    org = organisation_of(user)
    return org.enterprise_id if org is not None and role_of(user) == "enterprise" else None
