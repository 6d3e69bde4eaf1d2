"""The API runs the same loop under the same permissions as the pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone
from needs_support import NWorld


def _post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json.dumps(body, default=str), content_type="application/json")


def test_publish_respond_select_contract_accept_and_funnel_through_the_api(world: NWorld) -> None:
    large, firm, county = world.client("large"), world.client("firm_b"), world.client("county_ft")
    made = _post(large, "/api/v1/needs/", {
        "title": "高温合金叶片涂层", "field": "materials", "description": "燃机叶片热障涂层国产化。",
        "indicators": "耐温 1100℃，热循环 1000 次无剥落。", "deadline": timezone.localdate() + dt.timedelta(days=20),
        "region_code": "440304", "budget_min_wan": "150", "budget_max_wan": "300.5"})
    assert made.status_code == 201, made.content
    need = made.json()
    assert need["status"] == "draft" and need["budget_max_yuan"] == 3_005_000
    assert _post(firm, f"/api/v1/needs/{need['id']}/actions", {"action": "publish"}).status_code == 404  # a draft
    assert _post(large, f"/api/v1/needs/{need['id']}/actions", {"action": "publish"}).json()["status"] == "published"
    resp = _post(firm, f"/api/v1/needs/{need['id']}/responses",
                 {"solution": "等离子喷涂加激光重熔。", "team": "博士 2 名。", "share": ["employees"]})
    assert resp.status_code == 201
    rid = resp.json()["id"]
    assert _post(world.client("large2"), f"/api/v1/needs/responses/{rid}/actions",
                 {"action": "select"}).status_code == 404
    assert _post(large, f"/api/v1/needs/responses/{rid}/actions", {"action": "select"}).json()["status"] == "selected"
    signed = _post(large, f"/api/v1/needs/responses/{rid}/contract",
                   {"signed_on": timezone.localdate(), "amount_wan": "200"})
    assert signed.json()["contract_amount_yuan"] == 2_000_000
    done = _post(large, f"/api/v1/needs/responses/{rid}/acceptance", {"passed": True, "on": timezone.localdate()})
    assert done.json()["acceptance"] == "passed"
    funnel = county.get("/api/v1/needs/funnel").json()["total"]
    assert funnel == {"label": "合计", "needs": 1, "responses": 1, "selections": 1, "contracts": 1, "accepted": 1}
    assert firm.get("/api/v1/needs/funnel").status_code == 403


def test_errors_are_chinese_with_stable_codes(world: NWorld) -> None:
    assert world.public is not None
    firm = world.client("firm_a")
    assert _post(firm, f"/api/v1/needs/{world.public.pk}/responses", {"solution": "方案", "team": "团队"}).status_code == 201
    again = _post(firm, f"/api/v1/needs/{world.public.pk}/responses", {"solution": "方案", "team": "团队"})
    assert again.status_code == 409 and again.json()["code"] == "need_response_exists"
    assert "揭榜方案" in again.json()["message"]
    bad = _post(world.client("large"), "/api/v1/needs/", {
        "title": "x", "field": "unknown", "description": "d", "indicators": "i",
        "deadline": timezone.localdate(), "region_code": "440305"})
    assert bad.status_code == 400 and bad.json()["code"] == "need_field_unknown"


def test_ranked_firms_are_for_the_owner_and_officials(world: NWorld) -> None:
    assert world.public is not None
    url = f"/api/v1/needs/{world.public.pk}/firms"
    ranked = world.client("large").get(url).json()
    assert ranked[0]["enterprise"] == "firm_a精工科技有限公司" and ranked[0]["reasons"]
    assert world.client("firm_b").get(url).status_code == 403
    assert world.client("county").get(url).status_code == 200


def test_absurd_numbers_and_lengths_are_refused_not_crashed(world: NWorld) -> None:
    large = world.client("large")
    assert large.get(f"/api/v1/needs/{2**70}").status_code == 422
    assert large.get("/api/v1/needs/", {"limit": 0}).status_code == 422
    long = _post(large, "/api/v1/needs/", {
        "title": "长" * 121, "field": "ict", "description": "d", "indicators": "i",
        "deadline": timezone.localdate(), "region_code": "440305"})
    assert long.status_code == 400 and long.json()["code"] == "need_too_long"


def test_nul_characters_and_odd_filters_do_not_break_anything(world: NWorld) -> None:
    large = world.client("large")
    made = _post(large, "/api/v1/needs/", {
        "title": "带\x00空字符的需求", "field": "ict", "description": "d\x00", "indicators": "i",
        "deadline": timezone.localdate(), "region_code": "440305\x00"})
    assert made.status_code == 201 and made.json()["title"] == "带空字符的需求"
    assert large.get("/api/v1/needs/", {"q": "\x00", "field": "\x00", "status": "x"}).json() == []
    county = world.client("county")
    assert county.get("/api/v1/needs/funnel", {"start": "0001-01-01", "end": "9999-12-31"}).status_code == 200
    assert county.get("/oversight/needs/", {"start": "0001-01-01", "end": "9999-12-31"}).status_code == 200
