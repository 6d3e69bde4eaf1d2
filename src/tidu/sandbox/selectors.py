"""Reads of the threshold sandbox, scoped: an official sees their own runs, over their jurisdiction."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tidu.core.permissions import enterprises_visible_to, is_platform_admin, jurisdiction_prefix_of, require
from tidu.enterprises.models import Enterprise
from tidu.sandbox.models import SandboxRun


def can_use_sandbox(user: Any) -> bool:
    """Officials (any level) and platform admins."""
    return is_platform_admin(user) or jurisdiction_prefix_of(user) is not None


def scope_prefix(user: Any) -> str:
    return jurisdiction_prefix_of(user) or ""


def runs_of(user: Any) -> QuerySet[SandboxRun]:
    require(can_use_sandbox(user))
    return SandboxRun.objects.filter(owner=user).select_related("job")


def run_for(user: Any, pk: int) -> SandboxRun:
    require(can_use_sandbox(user))
    run = SandboxRun.objects.select_related("job").filter(pk=pk, owner=user).first()
    require(run is not None, not_found=True)
    assert run is not None
    return run


def firms_of(user: Any, run: SandboxRun, which: str) -> list[Enterprise]:
    """The firms of a list (entering / leaving) the user may still see, by region then name."""
    ids = (run.result or {}).get(f"{which}_ids") or []
    qs = enterprises_visible_to(user).filter(pk__in=ids).select_related("region")
    return sorted(qs, key=lambda e: (e.region_id, e.name))
