"""Regions: every province, prefecture-level city and county-level unit, loaded by migration from
data/regions.csv; jurisdiction is a code prefix; retired and unknown codes get clear errors."""

from __future__ import annotations

import pytest

from tidu.core.errors import ErrorCode, TiduError
from tidu.regions.loader import load_regions, read_rows
from tidu.regions.models import Region, RegionLevel
from tidu.regions.selectors import region_get, regions_under, registration_region_get

pytestmark = pytest.mark.django_db


def test_the_table_holds_all_mainland_provinces_cities_and_counties() -> None:
    current = Region.objects.filter(active=True)
    assert current.filter(level=RegionLevel.PROVINCE).count() == 31
    assert current.filter(level=RegionLevel.CITY).count() == 333
    assert 2800 <= current.filter(level=RegionLevel.COUNTY).count() <= 2900
    assert not current.filter(code__regex=r"^(71|81|82)").exists()  # outside the programme


def test_parents_follow_the_code_structure() -> None:
    nanshan = Region.objects.get(code="440305")
    assert nanshan.name == "南山区" and nanshan.level == RegionLevel.COUNTY
    assert nanshan.parent is not None and nanshan.parent.code == "440300"
    assert nanshan.parent.parent is not None and nanshan.parent.parent.code == "440000"
    assert nanshan.full_name == "广东省深圳市南山区"
    haidian = Region.objects.get(code="110108")  # municipality: county directly under the province
    assert haidian.parent is not None and haidian.parent.code == "110000"
    xiantao = Region.objects.get(code="429004")  # county-level city administered by the province
    assert xiantao.level == RegionLevel.COUNTY and xiantao.parent is not None and xiantao.parent.code == "420000"


def test_plan_cities_are_flagged() -> None:
    flagged = set(Region.objects.filter(is_plan_city=True).values_list("code", flat=True))
    assert flagged == {"210200", "330200", "350200", "370200", "440300"}


def test_jurisdiction_is_a_code_prefix() -> None:
    assert Region.objects.get(code="440000").jurisdiction_prefix == "44"
    assert Region.objects.get(code="440300").jurisdiction_prefix == "4403"
    assert Region.objects.get(code="440305").jurisdiction_prefix == "440305"
    shenzhen = set(regions_under(Region.objects.get(code="440300")).values_list("code", flat=True))
    assert {"440300", "440303", "440305", "440306"} <= shenzhen
    assert "440106" not in shenzhen


def test_unknown_codes_get_a_clear_chinese_error() -> None:
    for code in ("999999", "12345", "abcdef", "440399"):
        with pytest.raises(TiduError) as exc:
            region_get(code)
        assert exc.value.code == ErrorCode.REGION_UNKNOWN
        assert "不存在" in exc.value.message


def test_retired_codes_say_they_were_retired() -> None:
    with pytest.raises(TiduError) as exc:
        region_get("371202")  # 莱城区, 莱芜市 merged into 济南 in 2019
    assert exc.value.code == ErrorCode.REGION_RETIRED
    assert "已撤销" in exc.value.message and "莱城区" in exc.value.message


def test_firms_register_in_counties_or_in_cities_without_counties() -> None:
    assert registration_region_get("440305").code == "440305"
    assert registration_region_get("441900").name == "东莞市"  # no county level
    for code in ("440000", "440300"):
        with pytest.raises(TiduError) as exc:
            registration_region_get(code)
        assert exc.value.code == ErrorCode.REGION_NOT_COUNTY


def test_reloading_the_same_file_changes_nothing() -> None:
    assert load_regions(Region) == {"created": 0, "updated": 0, "retired": 0}
    assert Region.objects.count() == len(read_rows())


def test_the_region_picker_finds_counties_by_name_or_code_prefix() -> None:
    from django.test import Client

    body = Client().get("/options/regions/", {"q": "南山"}).content.decode()
    assert '<option value="440305">440305 广东省深圳市南山区</option>' in body
    body = Client().get("/options/regions/", {"q": "4419"}).content.decode()
    assert 'value="441900"' in body  # 东莞: a city without counties
    assert 'value="440300"' not in Client().get("/options/regions/", {"q": "4403"}).content.decode()
    assert Client().get("/options/regions/", {"q": ""}).content.decode().strip() == ""


def test_the_industry_picker_finds_codes_by_name() -> None:
    from django.test import Client

    body = Client().get("/options/industries/", {"q": "机床"}).content.decode()
    assert 'value="C3421"' in body and "金属切削机床制造" in body
