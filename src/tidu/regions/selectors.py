"""Region look-ups with clear Chinese errors for unknown and retired codes."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from tidu.core.errors import ErrorCode, TiduError
from tidu.regions.models import Region, RegionLevel

CODE_RE = re.compile(r"^\d{6}$")
LEADING_CODE_RE = re.compile(r"^(\d{6})(?!\d)")
# Suffixes people leave out when they name a place: 广东 for 广东省, 深圳 for 深圳市, 南山 for 南山区.
NAME_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区",
                 "盟", "省", "市", "区", "县", "旗")
AMBIGUOUS_SHOWN = 5


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


def _short(name: str) -> str:
    """广东省 → 广东, 深圳市 → 深圳, 南山区 → 南山 (a name of two characters or fewer stays whole)."""
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _ancestors(region: Region) -> list[Region]:
    out, node = [], region.parent
    while node is not None:
        out.append(node)
        node = node.parent
    return out


def _prefix_fits(prefix: str, region: Region) -> bool:
    """Whether what precedes the region's own name names its province/city: 广东省深圳市, 深圳, 广东深圳市 …"""
    rest = prefix
    for node in reversed(_ancestors(region)):
        for form in (node.name, _short(node.name)):
            if rest.startswith(form):
                rest = rest[len(form):]
                break
    return rest == ""


def region_find(text: str, *, field: str = "region") -> Region:
    """The current region a person means by a code or a name, at any level (province, city, county).

    Accepts a 6-digit code ("440305", also "440305 广东省深圳市南山区" as pick lists show it), a full
    name ("广东省深圳市南山区"), a name ("南山区", "深圳市"), a name without its suffix ("深圳", "南山"),
    or one qualified by its province or city ("深圳南山区"). Raises TiduError REGION_NAME_UNKNOWN, or
    REGION_AMBIGUOUS listing the candidates (two 南山区: Shenzhen's and Hegang's), or REGION_UNKNOWN /
    REGION_RETIRED for a code.
    """
    value = "".join(str(text or "").split())[:40]
    code = LEADING_CODE_RE.match(value)
    if code:
        return region_get(code.group(1), field=field)
    if not value:
        raise TiduError(ErrorCode.REGION_NAME_UNKNOWN, field=field, value=value)
    active = Region.objects.filter(active=True).select_related("parent__parent")
    # The place named last in the text: every ending of it, with and without the usual suffix.
    endings = [value[i:] for i in range(len(value))]
    found = [r for r in active.filter(name__in=endings) if _prefix_fits(value[: len(value) - len(r.name)], r)]
    if not found:  # the usual suffix left out: 深圳, 南山, 深圳南山
        named = active.filter(name__in=[e + suffix for e in endings for suffix in NAME_SUFFIXES])
        found = [r for r in named if value.endswith(_short(r.name))
                 and _prefix_fits(value[: len(value) - len(_short(r.name))], r)]
    if not found:
        raise TiduError(ErrorCode.REGION_NAME_UNKNOWN, field=field, value=value)
    if len(found) > 1:
        found.sort(key=lambda r: r.code)
        choices = "、".join(f"{r.full_name}（{r.code}）" for r in found[:AMBIGUOUS_SHOWN])
        if len(found) > AMBIGUOUS_SHOWN:
            choices += f" 等 {len(found)} 个"
        raise TiduError(ErrorCode.REGION_AMBIGUOUS, field=field, value=value, choices=choices)
    return found[0]


def regions_named(q: str, *, limit: int = 30) -> list[Region]:
    """Current regions of any level whose code starts with or whose name contains `q`, for pick lists:
    provinces first, then cities, then counties, then the divisions of the first places found."""
    q = "".join(str(q or "").split())
    if not q:
        return []
    qs = Region.objects.filter(active=True).select_related("parent__parent")
    if q.isdigit():
        qs = qs.filter(code__startswith=q)
    else:
        qs = qs.filter(name__contains=_short(q) if len(q) > 2 else q)
    order = {"province": 0, "city": 1, "county": 2}
    found = sorted(qs[: limit * 4], key=lambda r: (order[r.level], r.code))[:limit]
    # Typing a city (深圳) offers its districts too; a province, its cities.
    parents = [r for r in found if r.level != "county"][:3]
    if parents and len(found) < limit:
        seen = {r.code for r in found}
        children = (Region.objects.filter(active=True, parent__in=parents).select_related("parent__parent")
                    .order_by("code")[: limit - len(found)])
        found += [r for r in children if r.code not in seen]
    return found[:limit]

