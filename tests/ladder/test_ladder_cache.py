"""我的梯度 under load (decision 0108): the engine's answer and the rendered standings are kept per process,
keyed on everything they depend on, so a saved change shows at once and no visitor sees another's answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tidu.core.testing import make_user
from tidu.enterprises.models import EnterpriseYear
from tidu.journey.models import Recognition
from tidu.ladder import views
from tidu.ladder.assessment import EXPLAINED, assess
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db


def verdicts(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-standard="(\w+)">([^<]+)<', html))


def standings(html: str) -> str:
    """The part of the page that is rendered once per distinct assessment."""
    return html[html.index('<section class="card" id="summary">'):html.rindex("</section>")]


@pytest.fixture(autouse=True)
def empty_caches() -> Any:
    EXPLAINED.clear()
    views.RENDERED.clear()
    yield
    EXPLAINED.clear()
    views.RENDERED.clear()


@pytest.fixture
def firm() -> Any:
    return make_climbing_firm()


@pytest.fixture
def staff(firm: Any) -> Client:
    client = Client()
    client.force_login(make_user("firm-a", "enterprise", enterprise=firm))
    return client


def test_a_saved_figure_changes_the_verdict_on_the_next_visit(staff: Client, firm: Any) -> None:
    assert verdicts(staff.get("/ladder/").content.decode())["specialized_sme"] == "不符合"
    assert verdicts(staff.get("/ladder/").content.decode())["specialized_sme"] == "不符合"
    assert EXPLAINED.hits >= 1  # the second visit did not run the engine again
    EnterpriseYear.objects.filter(enterprise=firm, fiscal_year=2025).update(rd=3_000_000)
    assert verdicts(staff.get("/ladder/").content.decode())["specialized_sme"] == "符合"
    api = {s["standard"]: s["verdict"] for s in staff.get("/api/v1/ladder/me").json()["standards"]}
    assert api["specialized_sme"] == "true"


def test_a_revoked_title_shows_at_once(staff: Client, firm: Any) -> None:
    rec = Recognition.objects.create(enterprise=firm, tier="innovative_sme", number="CX-2025-0001",
                                     valid_from=timezone.localdate().replace(year=2024),
                                     valid_until=timezone.localdate().replace(year=2027))
    page = staff.get("/ladder/").content.decode()
    assert "CX-2025-0001" in page
    Recognition.objects.filter(pk=rec.pk).update(revoked_at=timezone.now())
    after = staff.get("/ladder/").content.decode()
    assert standings(after) != standings(page)  # the titles (source: the platform's record) were re-rendered
    assert "CX-2025-0001" not in after[after.index('id="recognitions"'):after.index('id="calendar"')]


def test_cached_standings_are_the_same_as_freshly_computed_ones(staff: Client, firm: Any) -> None:
    first = staff.get("/ladder/").content.decode()
    second = staff.get("/ladder/").content.decode()
    EXPLAINED.clear()
    views.RENDERED.clear()
    fresh = staff.get("/ladder/").content.decode()
    assert standings(first) == standings(second) == standings(fresh)


def test_a_what_if_does_not_leak_into_the_saved_assessment(staff: Client) -> None:
    staff.get("/ladder/")
    what_if = staff.post("/ladder/what-if/", {"rd_y1": "300"}, HTTP_HX_REQUEST="true").content.decode()
    assert verdicts(what_if)["specialized_sme"] == "符合"
    assert verdicts(staff.get("/ladder/").content.decode())["specialized_sme"] == "不符合"


def test_two_firms_never_share_an_answer(staff: Client, firm: Any) -> None:
    other = make_climbing_firm(name="另一家企业有限公司")
    EnterpriseYear.objects.filter(enterprise=other, fiscal_year=2025).update(rd=3_000_000)
    other_staff = Client()
    other_staff.force_login(make_user("firm-b", "enterprise", enterprise=other))
    mine, theirs = staff.get("/ladder/").content.decode(), other_staff.get("/ladder/").content.decode()
    assert verdicts(mine)["specialized_sme"] == "不符合" and verdicts(theirs)["specialized_sme"] == "符合"
    assert other.name not in mine and firm.name not in theirs


def test_the_api_shape_is_not_changed_by_the_page(staff: Client, firm: Any) -> None:
    staff.get("/ladder/")  # the page adds its radar charts to its own copy of each standard
    standards = staff.get("/api/v1/ladder/me").json()["standards"]
    assert all("radar" not in s for s in standards)
    assert all("radar" not in s for s in assess(firm).standards)
