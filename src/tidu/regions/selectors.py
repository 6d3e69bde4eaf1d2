"""Region look-ups with clear Chinese errors for unknown and retired codes."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from tidu.core.errors import ErrorCode, TiduError
from tidu.regions.models import Region, RegionLevel

CODE_RE = re.compile(r"^\d{6}$")


def region_get(code: str, *, field: str = "region_code") -> Region:
    """The current region for a code, or TiduError REGION_UNKNOWN / REGION_RETIRED."""
    value = str(code).strip()
    if not CODE_RE.match(value):
        raise TiduError(ErrorCode.REGION_UNKNOWN, field=field, value=value)
    region = Region.objects.select_related("parent__parent").filter(code=value).first()
    if region is None:
        raise TiduError(ErrorCode.REGION_UNKNOWN, field=field, value=value)
    if not region.active:
        raise TiduError(ErrorCode.REGION_RETIRED, field=field, value=value, name=region.name)
    return region


def registration_region_get(code: str, *, field: str = "region_code") -> Region:
    """A region a firm can be registered in: a county-level unit, or a city without counties (东莞)."""
    region = region_get(code, field=field)
    if region.level == RegionLevel.COUNTY:
        return region
    if region.level == RegionLevel.CITY and not region.children.filter(active=True).exists():
        return region
    raise TiduError(ErrorCode.REGION_NOT_COUNTY, field=field, value=region.code, name=region.name)


def regions_under(region: Region) -> QuerySet[Region]:
    """Current regions inside a jurisdiction (the region itself included)."""
    return Region.objects.filter(code__startswith=region.jurisdiction_prefix, active=True)


def registration_regions() -> QuerySet[Region]:
    """Every region a firm may register in, for pick lists."""
    return Region.objects.filter(active=True, level__in=[RegionLevel.COUNTY, RegionLevel.CITY]).select_related("parent")
