"""The office that issues a title: the issuing region's 工业和信息化主管部门, or the ministry for little giants.

Most provinces name theirs "<省>工业和信息化厅"; the exceptions below are the names in use in 2025 (a
reorganisation renames an office: add or change its line here, or set TIDU_ISSUING_AUTHORITIES, a mapping
of region code to name, which wins). A city issuing titles (计划单列市) is "<市>工业和信息化局" unless listed.
"""

from __future__ import annotations

from django.conf import settings

from tidu.journey.models import Recognition, Tier
from tidu.regions.models import Region, RegionLevel

MINISTRY = "工业和信息化部"
PROVINCE_EXCEPTIONS: dict[str, str] = {
    "110000": "北京市经济和信息化局",
    "120000": "天津市工业和信息化局",
    "310000": "上海市经济和信息化委员会",
    "500000": "重庆市经济和信息化委员会",
    "330000": "浙江省经济和信息化厅",
    "340000": "安徽省经济和信息化厅",
    "420000": "湖北省经济和信息化厅",
    "510000": "四川省经济和信息化厅",
    "540000": "西藏自治区经济和信息化厅",
}


def authority_of_region(region: Region | None) -> str:
    """The 工业和信息化主管部门 of a province or city; the ministry for the whole country (None)."""
    if region is None:
        return MINISTRY
    configured: dict[str, str] = getattr(settings, "TIDU_ISSUING_AUTHORITIES", {}) or {}
    if region.code in configured:
        return configured[region.code]
    if region.level == RegionLevel.PROVINCE:
        return PROVINCE_EXCEPTIONS.get(region.code, f"{region.name}工业和信息化厅")
    return f"{region.full_name}工业和信息化局"


def issuing_authority(rec: Recognition) -> str:
    """Little giants are recognised by the ministry; the other rungs by the issuing region's office."""
    if rec.tier == Tier.LITTLE_GIANT:
        return MINISTRY
    return authority_of_region(rec.issuing_region)
