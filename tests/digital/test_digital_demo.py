"""`seed_demo` also loads the sample scenarios and paths and gives demo firms submitted results, so the
peer comparison and the officials' distribution show data; the named demo firm starts without one."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tidu.digital.models import Assessment
from tidu.digital.selectors import peer_comparisons
from tidu.enterprises.models import EnterpriseYear
from tidu.scenarios.models import IndustryPath, Scenario

pytestmark = pytest.mark.django_db


def test_the_demo_has_scenarios_paths_and_peer_results() -> None:
    call_command("seed_demo", firms=60, verbosity=0)
    assert Scenario.objects.filter(is_sample=True).count() >= 40
    assert IndustryPath.objects.filter(is_sample=True).count() >= 8
    results = list(Assessment.objects.filter(status="submitted").select_related("enterprise"))
    assert len(results) == 59
    assert not Assessment.objects.filter(enterprise__organisation__memberships__user__username="demo-firm").exists()
    assert len({r.level for r in results}) >= 3  # a spread of levels, not one
    shown = [c for r in results for c in peer_comparisons(r) if not c.withheld]
    assert shown and all(c.firms >= 5 for c in shown)
    for r in results[:10]:
        row = EnterpriseYear.objects.get(enterprise=r.enterprise, fiscal_year=r.assessed_on.year - 1)
        assert (row.digital_level, row.digital_score) == (r.level, r.score)
    call_command("seed_demo", firms=60, verbosity=0)
    assert Assessment.objects.filter(status="submitted").count() == 59
