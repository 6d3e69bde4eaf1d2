"""Who may see and change what: a platform edits only its own achievements; firms see listed achievements and
their own requests and records only; officials see and confirm only their jurisdiction's firms."""

from __future__ import annotations

import json

import pytest
from techtransfer_support import TWorld, achievement_input, ask, incubate, transfer

from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.techtransfer import selectors, services
from tidu.techtransfer.errors import TransferError


def test_a_platform_cannot_edit_or_list_another_platforms_achievement(world: TWorld) -> None:
    other = world.users["platform_q"]
    with pytest.raises(TiduError) as edit:
        services.achievement_save(actor=other, data=achievement_input(title="改名"), achievement=world.draft)
    assert edit.value.status == 404
    with pytest.raises(TiduError) as move:
        services.achievement_move(actor=other, achievement=world.draft, action="list")
    assert move.value.status == 404
    world.draft.refresh_from_db()
    assert world.draft.title == "柔性电子皮肤压力传感器" and world.draft.status == "draft"


def test_a_platform_edits_its_own_draft_but_not_a_listed_achievement(world: TWorld) -> None:
    owner = world.users["platform_p"]
    services.achievement_save(actor=owner, data=achievement_input(title="柔性压力传感器（第二版）"),
                              achievement=world.draft)
    world.draft.refresh_from_db()
    assert world.draft.title == "柔性压力传感器（第二版）"
    with pytest.raises(TransferError) as exc:
        services.achievement_save(actor=owner, data=achievement_input(title="改名"), achievement=world.listed)
    assert "先撤下" in exc.value.message


def test_firms_and_other_roles_cannot_create_achievements(world: TWorld) -> None:
    for name in ("firm_a", "county", "large", "provider"):
        with pytest.raises(TransferError) as exc:
            services.achievement_save(actor=world.users[name], data=achievement_input())
        assert exc.value.status == 403


def test_a_firm_sees_listed_achievements_only_in_the_list_the_page_the_search_and_the_api(world: TWorld) -> None:
    firm = world.client("firm_a")
    assert list(selectors.achievements_visible_to(world.users["firm_a"])) == [world.listed]
    page = firm.get("/techtransfer/").content.decode()
    assert world.listed.title in page and world.draft.title not in page
    assert firm.get(f"/techtransfer/{world.draft.pk}/").status_code == 404
    assert firm.get(f"/api/v1/techtransfer/achievements/{world.draft.pk}").status_code == 404
    found = firm.get("/techtransfer/", {"q": "柔性传感器"}).content.decode()
    assert world.draft.title not in found
    titles = [a["title"] for a in firm.get("/api/v1/techtransfer/achievements", {"q": "传感器"}).json()]
    assert world.draft.title not in titles
    # the owner sees its draft
    owner = world.client("platform_p")
    assert owner.get(f"/techtransfer/{world.draft.pk}/").status_code == 200
    # another platform does not
    assert world.client("platform_q").get(f"/techtransfer/{world.draft.pk}/").status_code == 404


def test_a_withdrawn_achievement_disappears_and_cannot_be_requested(world: TWorld) -> None:
    services.achievement_move(actor=world.users["platform_p"], achievement=world.listed, action="withdraw")
    assert world.client("firm_a").get(f"/techtransfer/{world.listed.pk}/").status_code == 404
    with pytest.raises(TransferError) as exc:
        ask(world)
    assert "未发布" in exc.value.message


def test_a_firm_sees_only_its_own_requests(world: TWorld) -> None:
    mine = ask(world, "firm_a")
    theirs = ask(world, "firm_b")
    assert list(selectors.requests_visible_to(world.users["firm_a"])) == [mine]
    firm = world.client("firm_a")
    assert firm.get(f"/techtransfer/requests/{theirs.pk}/").status_code == 404
    assert firm.get(f"/api/v1/techtransfer/requests/{theirs.pk}").status_code == 404
    assert [r["id"] for r in firm.get("/api/v1/techtransfer/requests").json()] == [mine.pk]
    # the platform addressed sees both, the other platform neither; the county only its own firm's
    assert set(selectors.requests_visible_to(world.users["platform_p"])) == {mine, theirs}
    assert not selectors.requests_visible_to(world.users["platform_q"]).exists()
    assert list(selectors.requests_visible_to(world.users["county"])) == [mine]
    assert not selectors.requests_visible_to(world.users["large"]).exists()


def test_only_the_owning_platform_answers_a_request(world: TWorld) -> None:
    req = ask(world)
    with pytest.raises(TiduError):
        services.request_answer(actor=world.users["platform_q"], request=req, action="accept")
    with pytest.raises(TiduError):
        services.request_answer(actor=world.users["firm_a"], request=req, action="accept")
    answered = world.client("platform_q").post(
        f"/api/v1/techtransfer/requests/{req.pk}/answer", json.dumps({"action": "accept"}),
        content_type="application/json")
    assert answered.status_code == 404
    services.request_answer(actor=world.users["platform_p"], request=req, action="accept", reply="下周面谈")
    req.refresh_from_db()
    assert req.status == "accepted"


def test_a_firm_may_not_hold_two_open_requests_for_one_achievement_nor_use_a_mode_not_offered(world: TWorld) -> None:
    ask(world)
    with pytest.raises(TransferError) as twice:
        ask(world)
    assert twice.value.status == 409
    with pytest.raises(TransferError) as mode:
        ask(world, "firm_b", mode="assignment")
    assert "不接受" in mode.value.message


def test_a_platform_records_transfers_of_its_own_achievements_only(world: TWorld) -> None:
    with pytest.raises(TransferError) as exc:
        transfer(world, platform="platform_q")
    assert exc.value.status == 403


def test_officials_see_and_confirm_only_their_jurisdictions_records(world: TWorld) -> None:
    t_nanshan = transfer(world, "firm_a")
    t_futian = transfer(world, "firm_b", contract_no="2026440304000002")
    i_hz = incubate(world, "firm_hz")
    assert list(selectors.transfers_visible_to(world.users["county"])) == [t_nanshan]
    assert set(selectors.transfers_visible_to(world.users["city"])) == {t_nanshan, t_futian}
    assert not selectors.incubations_visible_to(world.users["county"]).exists()
    assert list(selectors.incubations_visible_to(world.users["county_hz"])) == [i_hz]
    with pytest.raises(TransferError) as outside:
        services.record_review(actor=world.users["county"], record=t_futian, confirm=True)
    assert outside.value.status == 403
    page = world.client("county").get("/techtransfer/oversight/").content.decode()
    assert world.firms["firm_a"].name in page and world.firms["firm_b"].name not in page
    assert world.client("county").post(f"/techtransfer/oversight/transfer/{t_futian.pk}/",
                                       {"decision": "confirm"}).status_code == 404
    assert world.client("county").post(f"/api/v1/techtransfer/transfers/{t_futian.pk}/review",
                                       json.dumps({"confirm": True}),
                                       content_type="application/json").status_code == 404
    ok = world.client("county_ft").post(f"/api/v1/techtransfer/transfers/{t_futian.pk}/review",
                                        json.dumps({"confirm": True}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["review"] == "confirmed"
    # firms and platforms never confirm
    assert world.client("platform_p").get("/techtransfer/oversight/").status_code == 403
    with pytest.raises(TiduError):
        services.record_review(actor=world.users["platform_p"], record=t_nanshan, confirm=True)


def test_a_firm_sees_its_own_records_only(world: TWorld) -> None:
    mine = transfer(world, "firm_a")
    transfer(world, "firm_b", contract_no="X-2")
    got = world.client("firm_a").get("/api/v1/techtransfer/transfers").json()
    assert [t["id"] for t in got] == [mine.pk]


def test_rejecting_a_record_needs_a_reason_and_a_record_is_reviewed_once(world: TWorld) -> None:
    t = transfer(world)
    with pytest.raises(TiduError) as no_reason:
        services.record_review(actor=world.users["county"], record=t, confirm=False)
    assert "理由" in no_reason.value.message
    services.record_review(actor=world.users["county"], record=t, confirm=False, note="合同未盖章")
    with pytest.raises(TransferError) as again:
        services.record_review(actor=world.users["city"], record=t, confirm=True)
    assert again.value.status == 409


def test_every_state_change_is_audited(world: TWorld) -> None:
    req = ask(world)
    services.request_answer(actor=world.users["platform_p"], request=req, action="accept")
    t = transfer(world, request_id=req.pk, credit_code="")
    services.record_review(actor=world.users["county"], record=t, confirm=True)
    inc = incubate(world)
    services.incubation_end(actor=world.users["platform_p"], incubation=inc, status="graduated",
                            ended_on=inc.since.replace(year=inc.since.year + 1))
    services.record_review(actor=world.users["county"], record=inc, confirm=False, note="未见入孵协议")
    services.achievement_move(actor=world.users["platform_p"], achievement=world.draft, action="list")
    services.achievement_move(actor=world.users["platform_p"], achievement=world.draft, action="withdraw")
    actions = set(AuditEvent.objects.filter(action__startswith="techtransfer.").values_list("action", flat=True))
    assert actions >= {
        "techtransfer.achievement_save", "techtransfer.achievement_list", "techtransfer.achievement_withdraw",
        "techtransfer.request_submit", "techtransfer.request_accept", "techtransfer.request_conclude",
        "techtransfer.transfer_record", "techtransfer.transfer_review", "techtransfer.incubation_record",
        "techtransfer.incubation_end", "techtransfer.incubation_review",
    }
    review = AuditEvent.objects.get(action="techtransfer.transfer_review")
    assert review.actor == world.users["county"] and review.data["review"] == ["pending", "confirmed"]
