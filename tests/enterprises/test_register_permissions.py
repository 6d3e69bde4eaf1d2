"""Every page and endpoint of the register answers 404 or 403, never data, outside the user's reach.

A firm sees only itself; a county official its county; a city official its city's counties; a
province official the province; the national office and platform admins everything; large
enterprises and service providers no firm's confidential figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tidu.accounts.services import api_token_create
from tidu.core.permissions import enterprises_visible_to
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.enterprises.models import Enterprise, EnterpriseYear

pytestmark = pytest.mark.django_db

FIRMS = {"A": "440305", "B": "440305", "C": "440304", "D": "440106", "E": "330106"}
VISIBLE = {
    "firm_a": {"A"}, "firm_b": {"B"}, "county": {"A", "B"}, "city": {"A", "B", "C"},
    "province": {"A", "B", "C", "D"}, "national": set(FIRMS), "admin": set(FIRMS), "platform": set(FIRMS),
    "large": set(), "provider": set(), "noorg": set(),
}
REGISTER_ROLES = {"county", "city", "province", "national", "admin", "platform"}


@dataclass
class World:
    firms: dict[str, Enterprise]
    users: dict[str, Any]

    def client(self, who: str) -> Client:
        c = Client()
        if who != "anon":
            assert c.login(username=who, password=PASSWORD)
        return c

    def bearer(self, who: str) -> Client:
        _token, key = api_token_create(user=self.users[who], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def world() -> World:
    firms = {k: make_enterprise(region, name=f"企业{k}有限公司") for k, region in FIRMS.items()}
    for ent in firms.values():
        make_year(ent, 2025, revenue=77_777_777_00, main_rev=1)  # a figure that must never leak
    users = {
        "firm_a": make_user("firm_a", "enterprise", enterprise=firms["A"]),
        "firm_b": make_user("firm_b", "enterprise", enterprise=firms["B"]),
        "county": make_user("county", "government", level="county", region="440305"),
        "city": make_user("city", "government", level="city", region="440300"),
        "province": make_user("province", "government", level="province", region="440000"),
        "national": make_user("national", "government", level="national"),
        "admin": make_user("admin", superuser=True),
        "platform": make_user("platform", "platform"),
        "large": make_user("large", "large"),
        "provider": make_user("provider", "provider"),
        "noorg": make_user("noorg"),
    }
    return World(firms, users)


def names(world: World, keys: set[str]) -> set[str]:
    return {world.firms[k].name for k in keys}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_the_permission_helper_narrows_to_the_jurisdiction(world: World, who: str) -> None:
    seen = set(enterprises_visible_to(world.users[who]).values_list("name", flat=True))
    assert seen == names(world, VISIBLE[who])


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_firm_detail_page_is_404_outside_reach(world: World, who: str) -> None:
    client = world.client(who)
    for key, ent in world.firms.items():
        response = client.get(f"/enterprises/{ent.pk}/")
        if key in VISIBLE[who]:
            assert response.status_code == 200, (who, key)
            assert ent.credit_code in response.content.decode()
        else:
            assert response.status_code == 404, (who, key)
            assert ent.credit_code not in response.content.decode()
            assert "777,777" not in response.content.decode()


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_register_list_shows_exactly_the_jurisdiction_or_403(world: World, who: str) -> None:
    response = world.client(who).get("/enterprises/")
    body = response.content.decode()
    if who in REGISTER_ROLES:
        assert response.status_code == 200
        shown = {e.name for e in world.firms.values() if e.name in body}
        assert shown == names(world, VISIBLE[who])
    else:
        assert response.status_code == 403
        assert not any(e.name in body for e in world.firms.values() if e.name not in names(world, VISIBLE[who]))


def test_anonymous_users_are_sent_to_login(world: World) -> None:
    client = world.client("anon")
    for url in ["/enterprises/", f"/enterprises/{world.firms['A'].pk}/", "/firm/", "/firm/profile/", "/firm/years/2025/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/enterprises/").status_code == 401


@pytest.mark.parametrize("who", sorted(VISIBLE))
@pytest.mark.parametrize("auth", ["session", "token"])
def test_api_list_shows_exactly_what_the_web_shows(world: World, who: str, auth: str) -> None:
    client = world.client(who) if auth == "session" else world.bearer(who)
    response = client.get("/api/v1/enterprises/")
    if VISIBLE[who] or who in REGISTER_ROLES:
        assert response.status_code == 200
        data = response.json()
        assert {item["name"] for item in data["items"]} == names(world, VISIBLE[who])
        assert data["count"] == len(VISIBLE[who])
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_api_detail_years_and_record_are_404_or_403_outside_reach(world: World, who: str) -> None:
    client = world.bearer(who)
    for key, ent in world.firms.items():
        for url in [f"/api/v1/enterprises/{ent.credit_code}", f"/api/v1/enterprises/{ent.credit_code}/years",
                    f"/api/v1/enterprises/{ent.credit_code}/evaluation-record?year=2026"]:
            response = client.get(url)
            if key in VISIBLE[who]:
                assert response.status_code == 200, (who, key, url)
            else:
                assert response.status_code in {403, 404}, (who, key, url)
                assert "7777777700" not in response.content.decode()
                assert ent.name not in response.content.decode()


def test_a_firm_cannot_change_another_firms_year_through_the_api(world: World) -> None:
    client = world.bearer("firm_a")
    b = world.firms["B"]
    response = client.put(f"/api/v1/enterprises/{b.credit_code}/years/2024", data=json.dumps({"revenue": 1}),
                          content_type="application/json")
    assert response.status_code == 404
    assert not EnterpriseYear.objects.filter(enterprise=b, fiscal_year=2024).exists()
    a = world.firms["A"]
    response = client.put(f"/api/v1/enterprises/{a.credit_code}/years/2024", data=json.dumps({"revenue": 100, "main_rev": 90}),
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert EnterpriseYear.objects.get(enterprise=a, fiscal_year=2024).revenue == 100


def test_a_county_official_cannot_change_a_firm_of_another_county_but_the_city_can(world: World) -> None:
    c = world.firms["C"]
    url = f"/api/v1/enterprises/{c.credit_code}/years/2024"
    body = json.dumps({"employees": 12})
    assert world.bearer("county").put(url, data=body, content_type="application/json").status_code == 404
    assert not EnterpriseYear.objects.filter(enterprise=c, fiscal_year=2024).exists()
    assert world.bearer("city").put(url, data=body, content_type="application/json").status_code == 200
    assert world.bearer("large").put(url, data=body, content_type="application/json").status_code == 403


def test_api_put_rejects_bad_values_with_coded_errors_and_writes_nothing(world: World) -> None:
    a = world.firms["A"]
    client = world.bearer("firm_a")
    url = f"/api/v1/enterprises/{a.credit_code}/years/2023"
    for payload, field in [({"revenue": 100, "main_rev": 200}, "main_rev"), ({"revenue": "很多"}, "revenue"),
                           ({"no_such_field": 1}, "no_such_field"), ({"revenue": 1.5}, "revenue")]:
        response = client.put(url, data=json.dumps(payload), content_type="application/json")
        assert response.status_code == 400, payload
        data = response.json()
        assert data["code"] == "validation" and any("\u4e00" <= ch <= "\u9fff" for ch in data["message"])
        assert data["field"] == field or any(p["field"] == field for p in data.get("problems") or [])
    assert not EnterpriseYear.objects.filter(enterprise=a, fiscal_year=2023).exists()


@pytest.mark.parametrize("who", ["large", "provider", "noorg", "county", "national", "admin"])
def test_only_firm_staff_reach_the_firm_pages(world: World, who: str) -> None:
    client = world.client(who)
    for url in ["/firm/profile/", "/firm/years/2025/", "/firm/years/new/"]:
        assert client.get(url).status_code == 403, (who, url)
        assert client.post(url, {"name": "改名"}).status_code == 403, (who, url)
    assert not Enterprise.objects.filter(name="改名").exists()


def test_firm_pages_only_ever_act_on_the_users_own_firm(world: World) -> None:
    client = world.client("firm_a")
    dashboard = client.get("/firm/").content.decode()
    assert world.firms["A"].name in dashboard and world.firms["B"].name not in dashboard
    response = client.post("/firm/years/2024/", {"revenue": "1.5", "main_rev": "1"})
    assert response.status_code == 302
    assert EnterpriseYear.objects.get(enterprise=world.firms["A"], fiscal_year=2024).revenue == 15_000
    assert not EnterpriseYear.objects.filter(enterprise=world.firms["B"], fiscal_year=2024).exists()
