"""A region code typed in a list filter selects the firms under that region, and only those."""

from __future__ import annotations

import pytest

from tidu.core.testing import make_enterprise, make_user
from tidu.enterprises.selectors import enterprise_list
from tidu.regions.models import code_prefix


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [("330000", "33"), ("331000", "3310"), ("331100", "3311"), ("331002", "331002"), ("3310", "3310"), (" 110000 ", "11")],
)
def test_a_typed_code_becomes_the_prefix_of_its_level(typed: str, prefix: str) -> None:
    assert code_prefix(typed) == prefix


@pytest.mark.django_db
def test_a_city_whose_code_ends_in_000_does_not_take_in_its_neighbour() -> None:
    # 台州市 331000 and 丽水市 331100 share the digits "331": stripping zeros would mix them.
    taizhou = make_enterprise(region_code="331002", name="台州椒江测试有限公司")
    lishui = make_enterprise(region_code="331102", name="丽水莲都测试有限公司")
    official = make_user("zj-province", "government", level="province", region="330000")

    in_taizhou = set(enterprise_list(user=official, region="331000"))
    in_lishui = set(enterprise_list(user=official, region="331100"))

    assert taizhou in in_taizhou and lishui not in in_taizhou
    assert lishui in in_lishui and taizhou not in in_lishui
