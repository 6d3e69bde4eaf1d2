"""The pages and the API of the service list, as each role opens them."""

from __future__ import annotations

import json

from django.test import Client
from service_support import SWorld, ask

from tidu.core.testing import PASSWORD
from tidu.service_catalog.models import RequestStatus


def client_for(world: SWorld, user: str) -> Client:
    c = Client()
    assert c.login(username=user, password=PASSWORD)
    return c


def test_the_list_is_public_and_filters_by_region_and_category(world: SWorld) -> None:
    anonymous = Client()
    page = anonymous.get("/services/", {"region": "440305"})
    assert page.status_code == 200 and "专精特新申报辅导" in page.content.decode()
    assert "专精特新申报辅导" not in anonymous.get("/services/", {"region": "330106"}).content.decode()
    assert "专精特新申报辅导" not in anonymous.get("/services/", {"category": "legal"}).content.decode()
    assert "专精特新申报辅导" in anonymous.get("/services/", {"q": "申报"}).content.decode()
    assert anonymous.get(f"/services/{world.offer.pk}/").status_code == 200  # type: ignore[union-attr]


def test_a_firm_sees_its_regions_list_and_requests_from_the_offer_page(world: SWorld) -> None:
    firm = client_for(world, "firm_a")
    assert "专精特新申报辅导" in firm.get("/services/").content.decode()
    assert "专精特新申报辅导" not in client_for(world, "firm_hz").get("/services/").content.decode()
    resp = firm.post(
        f"/services/{world.offer.pk}/request/",  # type: ignore[union-attr]
        {"need": "想申报专精特新", "contact_name": "王经理", "contact_phone": "13800000000"},
    )
    assert resp.status_code == 302
    detail = firm.get(resp["Location"]).content.decode()
    assert "待响应" in detail and "应响应日期" in detail


def test_a_bad_phone_is_named_on_the_request_form(world: SWorld) -> None:
    firm = client_for(world, "firm_a")
    resp = firm.post(
        f"/services/{world.offer.pk}/request/",  # type: ignore[union-attr]
        {"need": "想申报", "contact_name": "王经理", "contact_phone": "12345"},
    )
    assert resp.status_code == 400 and "联系电话" in resp.content.decode()


def test_the_provider_answers_from_its_workbench_and_the_firm_rates(world: SWorld) -> None:
    req = ask(world)
    provider = client_for(world, "provider_p")
    home = provider.get("/provider/").content.decode()
    assert world.firms["firm_a"].name in home
    provider.post(f"/services/requests/{req.pk}/accept/", {"text": "已受理", "version": req.version})
    provider.post(f"/services/requests/{req.pk}/done/", {"text": "已完成"})
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE
    firm = client_for(world, "firm_a")
    firm.post(f"/services/requests/{req.pk}/rate/", {"score": "5", "comment": "很好"})
    assert "★ 5.0" in firm.get(f"/services/{world.offer.pk}/").content.decode()  # type: ignore[union-attr]


def test_other_roles_cannot_open_a_request_they_have_no_part_in(world: SWorld) -> None:
    req = ask(world)
    for user in ("firm_b", "provider_q", "county_hz", "large"):
        assert client_for(world, user).get(f"/services/requests/{req.pk}/").status_code == 404, user


def test_oversight_is_for_officials_and_exports_csv(world: SWorld) -> None:
    ask(world)
    city = client_for(world, "city")
    page = city.get("/oversight/services/").content.decode()
    assert "各服务机构满意度" in page and world.provider.name in page  # type: ignore[union-attr]
    csv_text = city.get("/oversight/services/export.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("服务机构,申请数")
    assert world.firms["firm_a"].name in csv_text
    assert client_for(world, "firm_a").get("/oversight/services/").status_code == 403
    assert client_for(world, "provider_p").get("/oversight/services/").status_code == 403


def test_the_api_follows_the_same_rules(world: SWorld) -> None:
    firm = client_for(world, "firm_a")
    offers = firm.get("/api/v1/services/offers").json()
    assert [o["title"] for o in offers] == ["专精特新申报辅导"]
    made = firm.post(
        f"/api/v1/services/offers/{offers[0]['id']}/requests",
        json.dumps({"need": "想申报", "contact_name": "王经理", "contact_phone": "13800000000"}),
        content_type="application/json",
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    other = client_for(world, "provider_q").post(
        f"/api/v1/services/requests/{pk}/actions",
        json.dumps({"action": "accept"}),
        content_type="application/json",
    )
    assert other.status_code == 404
    ok = client_for(world, "provider_p").post(
        f"/api/v1/services/requests/{pk}/actions",
        json.dumps({"action": "accept", "text": "已受理"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    refused = firm.post(
        f"/api/v1/services/requests/{pk}/rating", json.dumps({"score": 5}), content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "service_rating_not_done"
