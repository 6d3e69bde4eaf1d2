"""People name places, not codes: a region is found by its code, its full name, its name, or its name
without 省/市/区; a name that fits several places is refused with the candidates listed."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.errors import ErrorCode, TiduError
from tidu.regions.selectors import region_find, regions_named

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "code"), [
    ("440305", "440305"),
    ("440305 广东省深圳市南山区", "440305"),
    ("广东省深圳市南山区", "440305"),
    ("深圳市南山区", "440305"),
    ("深圳南山区", "440305"),
    ("深圳南山", "440305"),
    (" 深圳市 ", "440300"),
    ("深圳", "440300"),
    ("广东省", "440000"),
    ("广东", "440000"),
    ("北京", "110000"),
    ("北京市朝阳区", "110105"),
    ("东莞市", "441900"),
    ("新疆维吾尔自治区", "650000"),
    ("新疆", "650000"),
])
def test_a_region_is_found_by_code_or_by_name(text: str, code: str) -> None:
    assert region_find(text).code == code


@pytest.mark.parametrize("text", ["南山区", "朝阳区", "朝阳"])
def test_a_name_of_several_places_lists_them_so_the_user_can_pick(text: str) -> None:
    with pytest.raises(TiduError) as exc:
        region_find(text)
    assert exc.value.code == ErrorCode.REGION_AMBIGUOUS and exc.value.field == "region"
    assert f"“{text}”对应多个地区：" in exc.value.message
    if text == "南山区":
        assert "广东省深圳市南山区（440305）" in exc.value.message and "黑龙江省鹤岗市南山区（230404）" in exc.value.message


@pytest.mark.parametrize(("text", "code"), [("火星市", ErrorCode.REGION_NAME_UNKNOWN), ("", ErrorCode.REGION_NAME_UNKNOWN),
                                            ("999999", ErrorCode.REGION_UNKNOWN)])
def test_an_unknown_place_says_how_to_name_one(text: str, code: ErrorCode) -> None:
    with pytest.raises(TiduError) as exc:
        region_find(text)
    assert exc.value.code == code


def test_the_pick_list_offers_every_level_provinces_first_with_full_names() -> None:
    names = [r.full_name for r in regions_named("深圳")]
    assert names[0] == "广东省深圳市" and "广东省深圳市南山区" in names
    body = Client().get("/options/areas/", {"region": "南山"}).content.decode()
    assert '<option value="广东省深圳市南山区">' in body and '<option value="黑龙江省鹤岗市南山区">' in body
    assert Client().get("/options/areas/", {"region": "4403"}).content.decode().count("<option") >= 10
