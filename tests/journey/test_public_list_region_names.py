"""The public recognition list is filtered by a place's name (深圳, 南山区, 广东省深圳市南山区) or its code,
on the page and through the API; a name of several places lists them instead of guessing."""

from __future__ import annotations

import pytest

from tidu.journey.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def titles(world: World) -> World:
    for firm in "ACDE":  # 南山区, 福田区 (深圳), 天河区 (广州), 西湖区 (杭州)
        world.imported_title(firm, days_left=400)
    return world


def names(world: World, region: str) -> list[str]:
    data = world.client("anon").get("/api/v1/journey/recognitions", {"region": region}).json()
    return sorted(item["name"] for item in data["items"])


@pytest.mark.parametrize(("region", "expected"), [
    ("深圳", ["企业A有限公司", "企业C有限公司"]),
    ("深圳市", ["企业A有限公司", "企业C有限公司"]),
    ("广东", ["企业A有限公司", "企业C有限公司", "企业D有限公司"]),
    ("广东省深圳市南山区", ["企业A有限公司"]),
    ("深圳南山", ["企业A有限公司"]),
    ("440300", ["企业A有限公司", "企业C有限公司"]),
    ("440305", ["企业A有限公司"]),
    ("浙江省", ["企业E有限公司"]),
    ("", ["企业A有限公司", "企业C有限公司", "企业D有限公司", "企业E有限公司"]),
])
def test_the_list_is_filtered_by_a_place_name_or_code(titles: World, region: str, expected: list[str]) -> None:
    assert names(titles, region) == expected
    page = titles.client("anon").get("/recognitions/", {"region": region}).content.decode()
    for firm in "ACDE":
        assert (f"企业{firm}有限公司" in page) == (f"企业{firm}有限公司" in expected), (region, firm)


def test_a_name_of_several_places_is_answered_with_the_candidates(titles: World) -> None:
    response = titles.client("anon").get("/recognitions/", {"region": "南山区"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“南山区”对应多个地区：黑龙江省鹤岗市南山区（230404）、广东省深圳市南山区（440305）" in page
    assert "企业A有限公司" not in page  # nothing guessed
    api = titles.client("anon").get("/api/v1/journey/recognitions", {"region": "南山区"})
    assert api.status_code == 400 and api.json()["code"] == "region_ambiguous"
    assert api.json()["field"] == "region"


def test_an_unknown_place_says_what_to_type(titles: World) -> None:
    page = titles.client("anon").get("/recognitions/", {"region": "火星"}).content.decode()
    assert "找不到地区“火星”：请输入省、市或区县的名称" in page
    assert 'value="火星"' in page


def test_the_filter_asks_for_a_place_by_name_with_suggestions(titles: World) -> None:
    page = titles.client("anon").get("/recognitions/").content.decode()
    assert '<label for="region">地区</label>' in page and "地区代码" not in page
    assert 'hx-get="/options/areas/"' in page and 'list="region_options"' in page
