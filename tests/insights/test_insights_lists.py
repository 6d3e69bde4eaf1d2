"""梯度看板 firm lists: a region reads exactly its own firms (codes as a range, not LIKE), at every level."""

from __future__ import annotations

import pytest

from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.insights import selectors
from tidu.insights.models import Standing
from tidu.insights.services import refresh_standings

pytestmark = pytest.mark.django_db
# neighbours on both sides of 44 / 4403 / 440305 in code order
COUNTIES = ("430102", "440105", "440304", "440305", "440306", "440402", "450102")


def test_each_level_lists_exactly_the_firms_registered_under_it() -> None:
    for county in COUNTIES:
        for i in range(2):
            make_year(make_enterprise(county, name=f"{county}企业{i}"), 2025)
    refresh_standings()
    Standing.objects.update(at_risk=True)  # every firm on the list, whatever its figures say
    expected = {"44": {"440105", "440304", "440305", "440306", "440402"},
                "4403": {"440304", "440305", "440306"}, "440305": {"440305"}, "": set(COUNTIES)}
    admin = make_user("ins_lists_admin", "platform")
    for prefix, counties in expected.items():
        scope = selectors.scope_for(admin, region=prefix)
        assert set(selectors.standings(scope).values_list("region_code", flat=True)) == counties, prefix
        listed = selectors.firm_list(scope, "at_risk", limit=50)
        assert {s.region_code for s in listed} == counties, prefix
        assert [s.region_code for s in listed] == sorted(s.region_code for s in listed)  # the list's order
        assert len(listed) == 2 * len(counties), prefix
