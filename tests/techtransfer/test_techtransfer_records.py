"""Requests become transfers; the platform's counts are counted from the transfer and incubation records
(a record an official rejected does not count), on the platform's page and in the API alike."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from techtransfer_support import TWorld, ask, incubate, transfer

from tidu.core.errors import TiduError
from tidu.techtransfer import selectors, services
from tidu.techtransfer.errors import TransferError
from tidu.techtransfer.models import Incubation, Transfer


def _shown_counts(world: TWorld, platform: str = "platform_p") -> str:
    page = world.client("firm_a").get(f"/techtransfer/platforms/{world.org(platform).pk}/").content.decode()
    start = page.index('id="platform-counts"')
    return page[start: page.index("</dl>", start)]


def test_counts_equal_the_records_and_a_rejected_record_drops_out(world: TWorld) -> None:
    org = world.org("platform_p")
    assert selectors.platform_counts(org).transfers == 0
    t1 = transfer(world, "firm_a")
    t2 = transfer(world, "firm_b", contract_no="2026440304000009")
    transfer(world, "firm_hz", contract_no="2026330106000003")
    i1 = incubate(world, "firm_a")
    incubate(world, "firm_b")
    services.record_review(actor=world.users["county"], record=t1, confirm=True)
    services.record_review(actor=world.users["county_ft"], record=t2, confirm=False, note="合同金额与发票不符")
    services.record_review(actor=world.users["county"], record=i1, confirm=True)

    counts = selectors.platform_counts(org)
    counted = Transfer.objects.filter(platform=org).exclude(review="rejected").count()
    assert (counts.transfers, counts.transfers_confirmed) == (counted, 1) == (2, 1)
    assert (counts.incubations, counts.incubations_confirmed, counts.incubating_now) == (
        Incubation.objects.filter(platform=org).count(), 1, 2)
    shown = _shown_counts(world)
    assert "2 项（其中已核实 1 项）" in shown and "2 家（其中已核实 1 家，在孵 2 家）" in shown
    api = world.client("large").get(f"/api/v1/techtransfer/platforms/{org.pk}").json()
    assert (api["transfers"], api["transfers_confirmed"], api["incubations"]) == (2, 1, 2)
    # the other platform's counts are its own
    assert selectors.platform_counts(world.org("platform_q")).transfers == 0


def test_a_graduated_firm_still_counts_as_incubated_but_not_as_incubating(world: TWorld) -> None:
    inc = incubate(world, "firm_a", since=dt.date(2024, 5, 1))
    services.incubation_end(actor=world.users["platform_p"], incubation=inc, status="graduated",
                            ended_on=dt.date(2025, 12, 31))
    counts = selectors.platform_counts(world.org("platform_p"))
    assert (counts.incubations, counts.incubating_now) == (1, 0)


def test_an_incubation_cannot_end_before_it_began_nor_be_recorded_twice(world: TWorld) -> None:
    inc = incubate(world, "firm_a", since=dt.date(2025, 3, 1))
    with pytest.raises(TransferError):
        services.incubation_end(actor=world.users["platform_p"], incubation=inc, status="left",
                                ended_on=dt.date(2025, 2, 1))
    with pytest.raises(TransferError) as twice:
        incubate(world, "firm_a", since=dt.date(2025, 4, 1))
    assert twice.value.status == 409


def test_an_assignment_from_a_request_concludes_it_and_marks_the_achievement_transferred(world: TWorld) -> None:
    from techtransfer_support import achievement_input

    owner = world.users["platform_p"]
    a = services.achievement_save(actor=owner, data=achievement_input(title="数控机床热误差补偿装置",
                                                                      modes=["assignment", "licence"]))
    services.achievement_move(actor=owner, achievement=a, action="list")
    req = ask(world, "firm_a", achievement=a, mode="assignment")
    services.request_answer(actor=owner, request=req, action="accept")
    t = transfer(world, achievement_id=a.pk, request_id=req.pk, credit_code="", mode="assignment",
                 amount_yuan=1_200_000)
    a.refresh_from_db()
    req.refresh_from_db()
    assert (a.status, req.status, t.enterprise_id) == ("transferred", "concluded", world.firms["firm_a"].pk)
    # transferred: still shown read-only, no more requests
    assert world.client("firm_b").get(f"/techtransfer/{a.pk}/").status_code == 200
    with pytest.raises(TransferError):
        ask(world, "firm_b", achievement=a, mode="licence")


def test_a_licence_leaves_the_achievement_listed_for_other_firms(world: TWorld) -> None:
    transfer(world, "firm_a", mode="licence")
    world.listed.refresh_from_db()
    assert world.listed.status == "listed"
    ask(world, "firm_b")


def test_a_transfer_needs_contract_evidence_a_past_date_and_a_known_firm(world: TWorld) -> None:
    with pytest.raises(TiduError) as missing:
        transfer(world, contract_no="", evidence="", contract_on=dt.date(2999, 1, 1))
    fields = {f for f, _c, _m in missing.value.problems}  # type: ignore[attr-defined]
    assert fields == {"contract_no", "evidence", "contract_on"}
    with pytest.raises(TransferError) as unknown:
        transfer(world, credit_code="91440300MA5XXXXXX1")
    assert "不在企业名录" in unknown.value.message


def test_money_is_typed_in_wan_and_stored_in_yuan_through_the_api(world: TWorld) -> None:
    made = world.client("platform_p").post("/api/v1/techtransfer/transfers", json.dumps({
        "achievement_id": world.listed.pk, "mode": "licence", "contract_no": "HT-1", "contract_on": "2026-10-01",
        "evidence": "合同登记", "credit_code": world.firms["firm_a"].credit_code, "amount_wan": "12.5"}),
        content_type="application/json")
    assert made.status_code == 201 and made.json()["amount_yuan"] == 125_000
    listed = world.client("platform_p").post("/api/v1/techtransfer/achievements", json.dumps({
        "title": "电池健康状态评估", "kind": "software", "field": "energy", "maturity": "pilot",
        "description": "退役电池快速分选。", "modes": ["licence"], "price_min_wan": "5", "price_max_wan": "3"}),
        content_type="application/json")
    assert listed.status_code == 400 and "不能低于下限" in listed.json()["message"]


def test_the_request_and_transfer_pages_walk_the_platform_through(world: TWorld) -> None:
    firm = world.client("firm_a")
    sent = firm.post(f"/techtransfer/{world.listed.pk}/request/", {
        "mode": "licence", "message": "产线试用", "contact_name": "王经理", "contact_phone": "13800000000"})
    assert sent.status_code == 302
    req = selectors.requests_visible_to(world.users["firm_a"]).get()
    platform = world.client("platform_p")
    assert platform.post(f"/techtransfer/requests/{req.pk}/accept/", {"reply": "已安排面谈"}).status_code == 302
    form = platform.get(f"/techtransfer/platform/transfers/new/?request={req.pk}").content.decode()
    assert world.firms["firm_a"].name in form
    done = platform.post("/techtransfer/platform/transfers/new/", {
        "request": req.pk, "achievement": world.listed.pk, "mode": "licence", "amount_wan": "20",
        "contract_no": "HT-2026-9", "contract_on": "2026-11-20", "evidence": "技术合同登记"})
    assert done.status_code == 302
    req.refresh_from_db()
    assert req.status == "concluded"
    assert "1 项（其中已核实 0 项）" in _shown_counts(world)
