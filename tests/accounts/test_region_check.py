"""Characters 3–8 of the credit code against the chosen registration region, at the level that makes
sense: the county, a city or provincial authority above it, a retired code's surviving city or province."""

from __future__ import annotations

import doctest

import pytest

from tidu.accounts import region_check
from tidu.accounts.region_check import FLAG, HOLD, OK, credit_code_region_check
from tidu.core import validators
from tidu.core.credit_code import make_credit_code
from tidu.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("code_region", "chosen", "verdict"), [
    ("440305", "440305", OK),      # the same county
    ("440300", "440305", OK),      # Shenzhen's city-level authority issues codes for all its districts
    ("440000", "440305", OK),      # a provincial authority
    ("110000", "110108", OK),      # Beijing's municipal authority
    ("440301", "440305", OK),      # a city's old 市辖区 code, no longer in the table
    ("440304", "440305", FLAG),    # another district of the same city: moved, or not
    ("440104", "440305", FLAG),    # another city of the same province
    ("440300", "440104", FLAG),    # Shenzhen's authority, a firm said to be in Guangzhou
    ("320102", "440305", HOLD),    # another province
    ("370000", "440305", HOLD),    # another province's authority
    ("371202", "370116", OK),      # 莱城区 (retired 2019, 莱芜市 merged into 济南): compared by province
    ("371202", "320102", HOLD),    # … but never across provinces
    ("999999", "440305", HOLD),    # not a region at all
    ("440399", "440305", FLAG),    # unknown code inside the province: shown, not silently accepted
])
def test_the_issuing_region_is_compared_at_the_level_it_allows(code_region: str, chosen: str, verdict: str) -> None:
    check = credit_code_region_check(make_credit_code(code_region, "12345678"), Region.objects.get(code=chosen))
    assert check.verdict == verdict, check
    assert (check.message == "") == (verdict == OK)


def test_the_message_names_both_regions_and_says_when_it_is_held() -> None:
    held = credit_code_region_check(make_credit_code("320102", "12345678"), Region.objects.get(code="440305"))
    assert held.message.startswith("信用代码登记机关所在地（320102 江苏省南京市玄武区）与所选注册地（440305 广东省深圳市南山区）不一致")
    assert "需所在地主管部门确认" in held.message
    retired = credit_code_region_check(make_credit_code("371202", "12345678"), Region.objects.get(code="320102"))
    assert "371202 山东省莱城区（已撤销）" in retired.message


@pytest.mark.parametrize("module", [region_check, validators])
def test_the_docstring_examples_hold(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
