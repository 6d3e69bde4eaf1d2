"""/api/v1/techtransfer under the web's rules: the whole loop through the API, and refusals with stable codes."""

from __future__ import annotations

import json
from typing import Any

from techtransfer_support import TWorld, ask

from tidu.core.models import AuditEvent


def _post(world: TWorld, user: str, url: str, body: dict[str, Any]) -> Any:
    return world.client(user).post(f"/api/v1/techtransfer{url}", json.dumps(body), content_type="application/json")


ACHIEVEMENT = {
    "title": "工业设备预测性维护算法包", "kind": "software", "field": "ai", "maturity": "industrial",
    "description": "振动与电流信号融合的轴承故障预警算法。", "modes": ["licence"], "keywords": "预测性维护 故障诊断",
    "industry_codes": "C34 C35", "price_min_wan": "10", "price_max_wan": "30",
}


def test_the_loop_through_the_api(world: TWorld) -> None:
    made = _post(world, "platform_p", "/achievements", ACHIEVEMENT)
    assert made.status_code == 201 and made.json()["status"] == "draft"
    assert made.json()["price_max_yuan"] == 300_000
    pk = made.json()["id"]
    assert _post(world, "platform_p", f"/achievements/{pk}/actions/list", {}).json()["status"] == "listed"
    hits = world.client("firm_a").get("/api/v1/techtransfer/achievements", {"q": "故障诊断"}).json()
    assert hits[0]["id"] == pk and hits[0]["reasons"]
    req = _post(world, "firm_a", f"/achievements/{pk}/requests", {
        "mode": "licence", "message": "两条产线的电机预警", "contact_name": "李工", "contact_phone": "13900000000"})
    assert req.status_code == 201
    assert _post(world, "platform_p", f"/requests/{req.json()['id']}/answer",
                 {"action": "accept", "reply": "可以"}).json()["status"] == "accepted"
    t = _post(world, "platform_p", "/transfers", {
        "achievement_id": pk, "request_id": req.json()["id"], "mode": "licence", "contract_no": "HT-9",
        "contract_on": "2026-11-01", "evidence": "技术合同登记", "amount_wan": "15"})
    assert t.status_code == 201 and t.json()["credit_code"] == world.firms["firm_a"].credit_code
    assert world.client("firm_a").get(f"/api/v1/techtransfer/requests/{req.json()['id']}").json()["status"] == "concluded"
    i = _post(world, "platform_p", "/incubations", {"credit_code": world.firms["firm_a"].credit_code,
                                                      "since": "2025-06-01"})
    assert i.status_code == 201
    assert _post(world, "county", f"/incubations/{i.json()['id']}/review", {"confirm": True}).json()["review"] \
        == "confirmed"
    assert _post(world, "platform_p", f"/incubations/{i.json()['id']}/end",
                 {"status": "graduated", "ended_on": "2026-06-01"}).json()["status"] == "graduated"
    stats = world.client("firm_b").get(f"/api/v1/techtransfer/platforms/{world.org('platform_p').pk}").json()
    assert (stats["transfers"], stats["incubations"], stats["incubating_now"]) == (1, 1, 0)
    assert AuditEvent.objects.filter(action__startswith="techtransfer.").count() >= 8


def test_refusals_carry_stable_codes(world: TWorld) -> None:
    firm_makes = _post(world, "firm_a", "/achievements", ACHIEVEMENT)
    assert firm_makes.status_code == 403 and firm_makes.json()["code"] == "techtransfer_not_a_platform"
    other_lists = _post(world, "platform_q", f"/achievements/{world.draft.pk}/actions/list", {})
    assert other_lists.status_code == 404
    req = ask(world)
    again = _post(world, "firm_a", f"/achievements/{world.listed.pk}/requests", {
        "mode": "licence", "message": "再次申请", "contact_name": "李工", "contact_phone": "13900000000"})
    assert again.status_code == 409 and again.json()["code"] == "techtransfer_request_open"
    _post(world, "platform_p", f"/requests/{req.pk}/answer", {"action": "decline", "reply": "名额已满"})
    from_declined = _post(world, "platform_p", "/transfers", {
        "achievement_id": world.listed.pk, "request_id": req.pk, "mode": "licence", "contract_no": "HT-1",
        "contract_on": "2026-11-01", "evidence": "合同"})
    assert from_declined.status_code == 400 and from_declined.json()["code"] == "techtransfer_request_wrong_state"
    assert world.client("large").get("/api/v1/techtransfer/requests").json() == []
    assert world.client("large").get(f"/api/v1/techtransfer/achievements/{world.listed.pk}").status_code == 200
