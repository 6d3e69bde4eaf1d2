"""Fixtures of the policy tests: officials at each level, a firm with figures, a policy builder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tidu.core.testing import make_enterprise, make_user, make_year


@pytest.fixture
def officials(db: None) -> dict[str, Any]:
    return {
        "county": make_user("pol_county", "government", level="county", region="440305"),
        "other_county": make_user("pol_other_county", "government", level="county", region="440304"),
        "city": make_user("pol_city", "government", level="city", region="440300"),
        "province": make_user("pol_province", "government", level="province", region="440000"),
        "other_province": make_user("pol_zj", "government", level="province", region="330000"),
        "national": make_user("pol_national", "government", level="national"),
    }


@pytest.fixture
def firm(db: None) -> Any:
    ent = make_enterprise(
        "440305", name="深圳测试精密机械有限公司", industry_code="C3484", contact_email="firm@x.test"
    )
    make_year(ent, 2025, revenue=50_000_000, main_rev=45_000_000, rd=2_500_000, employees=100)
    return ent


@pytest.fixture
def firm_user(firm: Any) -> Any:
    return make_user("pol_firm", "enterprise", enterprise=firm)


TODAY = dt.date(2026, 6, 1)
