"""我的梯度 under load (decisions 0108, 0112): the engine's answer, the rendered standings and the rest of the
page's own part are kept per process, keyed on everything they depend on, so a saved change shows at once
and no visitor sees another's answer, another firm's figures or another session's CSRF token."""

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


def csrf_tokens(html: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)


def without_tokens(html: str) -> str:
    """The page with every CSRF token (64 letters and digits, masked afresh for each request) blanked."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", html)


def own_part(html: str) -> str:
    """The page below the site's frame (which names the visitor), tokens blanked."""
    return without_tokens(html[html.index('<div class="ladder">'):])


def colleague(firm: Any, username: str) -> Client:
    """A second person of the firm's organisation, logged in."""
    from django.contrib.auth import get_user_model

    from tidu.accounts.models import Membership, Organisation

    user = get_user_model().objects.create_user(username=username, password="x-Pass-12345")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(enterprise=firm))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def standings(html: str) -> str:
    """The part of the page that is rendered once per distinct assessment."""
    return html[html.index('<section class="card" id="summary">'):html.rindex("</section>")]


@pytest.fixture(autouse=True)
def empty_caches() -> Any:
    EXPLAINED.clear()
    views.RENDERED.clear()
    views.BODIES.clear()
    yield
    EXPLAINED.clear()
    views.RENDERED.clear()
    views.BODIES.clear()


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
    views.BODIES.clear()
    fresh = staff.get("/ladder/").content.decode()
    assert standings(first) == standings(second) == standings(fresh)
    assert without_tokens(first) == without_tokens(second) == without_tokens(fresh)


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


def test_two_firms_with_the_same_figures_each_see_only_their_own_page() -> None:
    """Same figures, same engine answer and standings; the page around them is still each firm's own."""
    mine, theirs = make_climbing_firm(name="甲精密制造有限公司"), make_climbing_firm(name="乙精密制造有限公司")
    pages = {}
    for firm, username in ((mine, "firm-a"), (theirs, "firm-b")):
        client = Client()
        client.force_login(make_user(username, "enterprise", enterprise=firm))
        pages[username] = client.get("/ladder/").content.decode()
    pages["firm-a2"] = colleague(mine, "firm-a2").get("/ladder/").content.decode()
    assert verdicts(pages["firm-a"]) == verdicts(pages["firm-b"])
    for firm, other, page in ((mine, theirs, pages["firm-a"]), (theirs, mine, pages["firm-b"])):
        assert firm.name in page and firm.credit_code in page and f"/enterprises/{firm.pk}/" in page
        assert other.name not in page and other.credit_code not in page and f"/enterprises/{other.pk}/" not in page
    # a second person of the first firm is served that firm's kept part, with their own token
    assert own_part(pages["firm-a2"]) == own_part(pages["firm-a"])


def test_a_kept_page_carries_the_visitors_own_csrf_token(firm: Any) -> None:
    first = Client(enforce_csrf_checks=True)
    first.force_login(make_user("firm-a", "enterprise", enterprise=firm))
    second = colleague(firm, "firm-a2")
    first.get("/ladder/")
    page = second.get("/ladder/").content.decode()  # the firm's part comes from the kept copy
    assert len(views.BODIES._items) == 1
    assert views._CSRF_STAND_IN not in page
    token = csrf_tokens(page)[-1]  # the what-if form's (the site's frame has its own forms before it)
    answer = second.post("/ladder/what-if/", {"rd_y1": "300", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and verdicts(answer.content.decode())["specialized_sme"] == "符合"
    refused = first.post("/ladder/what-if/", {"rd_y1": "300", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403  # another session's token is no good: nothing of one visitor is kept


def test_a_new_recognition_shows_on_the_kept_page_at_once(staff: Client, firm: Any) -> None:
    staff.get("/ladder/")
    Recognition.objects.create(enterprise=firm, tier="tech_sme", number="KJ-2026-0042",
                               valid_from=timezone.localdate(), valid_until=timezone.localdate().replace(year=2028))
    page = staff.get("/ladder/").content.decode()
    assert "KJ-2026-0042" in page[page.index('id="recognitions"'):page.index('id="calendar"')]
