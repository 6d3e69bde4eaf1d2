"""The loop closes in the platform: publish → respond → shortlist/select (1–3) → contract → milestones →
acceptance; curation by the region's officials; every state change audited; the funnel counts each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from needs_support import NWorld, answer, need_input

from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user
from tidu.needs import selectors, services
from tidu.needs.errors import NeedError
from tidu.needs.models import AcceptanceResult, NeedStatus, ResponseStatus


def _actions(obj: object) -> list[str]:
    return list(AuditEvent.objects.filter(target_id=str(obj.pk), target_type=obj._meta.label_lower)  # type: ignore[attr-defined]
                .order_by("id").values_list("action", flat=True))


def test_publishing_is_for_the_owner_only_and_needs_a_deadline_ahead(world: NWorld) -> None:
    draft = services.need_save(actor=world.users["large"], data=need_input(
        deadline=timezone.localdate() - dt.timedelta(days=2)))
    for name in ("large2", "firm_a", "county"):
        with pytest.raises(NeedError):
            services.need_publish(actor=world.users[name], need=draft)
    with pytest.raises(NeedError, match="截止日期"):
        services.need_publish(actor=world.users["large"], need=draft)
    assert draft.status == NeedStatus.DRAFT


def test_only_a_large_enterprise_creates_needs_and_budget_low_must_not_exceed_high(world: NWorld) -> None:
    for name in ("firm_a", "county", "provider"):
        with pytest.raises(NeedError):
            services.need_save(actor=world.users[name], data=need_input())
    with pytest.raises(NeedError, match="预算下限"):
        services.need_save(actor=world.users["large"], data=need_input(budget_min=600_0000, budget_max=500_0000))


def test_the_whole_loop_with_audit_and_completion(world: NWorld) -> None:
    need, owner = world.public, world.users["large"]
    assert need is not None
    a = services.response_submit(actor=world.users["firm_a"], need=need, data=answer())
    b = services.response_submit(actor=world.users["firm_b"], need=need, data=answer())
    with pytest.raises(NeedError):  # one live response per firm
        services.response_submit(actor=world.users["firm_a"], need=need, data=answer())
    with pytest.raises(NeedError):  # an SME cannot select itself
        services.response_select(actor=world.users["firm_a"], response=a)
    services.response_shortlist(actor=owner, response=a)
    a = services.response_select(actor=owner, response=a, note="方案成熟")
    services.response_reject(actor=owner, response=b, note="指标未达要求")
    with pytest.raises(NeedError):  # milestones and acceptance need a contract first
        services.acceptance_record(actor=owner, response=a, passed=True, on=timezone.localdate())
    with pytest.raises(NeedError):  # no contract with a firm that was not selected
        services.contract_record(actor=owner, response=b, signed_on=timezone.localdate(), amount=1)
    a = services.contract_record(actor=owner, response=a, signed_on=timezone.localdate(), amount=3_000_000)
    ms = services.milestone_add(actor=owner, response=a, title="样机交付", due_on=timezone.localdate())
    services.milestone_done(actor=owner, milestone=ms, done_on=timezone.localdate())
    services.need_close(actor=owner, need=need)
    a = services.acceptance_record(actor=owner, response=a, passed=True, on=timezone.localdate(), note="达标")
    need.refresh_from_db()
    assert a.acceptance == AcceptanceResult.PASSED and need.status == NeedStatus.COMPLETED
    assert _actions(need) == ["needs.need_create", "needs.need_publish", "needs.need_close", "needs.need_complete"]
    assert _actions(a) == ["needs.response_submit", "needs.response_shortlist", "needs.response_select",
                           "needs.contract_record", "needs.milestone_add", "needs.milestone_done",
                           "needs.acceptance_record"]
    assert _actions(b) == ["needs.response_submit", "needs.response_reject"]


def test_at_most_three_solvers_are_selected(world: NWorld) -> None:
    need = world.public
    assert need is not None
    responses = []
    for i in range(4):
        firm = make_enterprise("440305")
        user = make_user(f"solver{i}", "enterprise", enterprise=firm)
        responses.append(services.response_submit(actor=user, need=need, data=answer()))
    for r in responses[:3]:
        services.response_select(actor=world.users["large"], response=r)
    with pytest.raises(NeedError, match="最多选定 3 家"):
        services.response_select(actor=world.users["large"], response=responses[3])


def test_a_withdrawn_response_may_be_submitted_again_and_is_not_counted(world: NWorld) -> None:
    need = world.public
    assert need is not None
    r = services.response_submit(actor=world.users["firm_a"], need=need, data=answer())
    with pytest.raises(NeedError):  # only the responding SME withdraws
        services.response_withdraw(actor=world.users["firm_b"], response=r)
    services.response_withdraw(actor=world.users["firm_a"], response=r)
    assert selectors.funnel(selectors.funnel_cohort(world.users["county"])).responses == 0
    again = services.response_submit(actor=world.users["firm_a"], need=need, data=answer())
    assert again.pk == r.pk and again.status == ResponseStatus.SUBMITTED


def test_officials_curate_only_their_region(world: NWorld) -> None:
    need = world.public
    assert need is not None
    for name in ("county_hz", "county_ft", "firm_a", "large2"):
        with pytest.raises(NeedError):
            services.need_hide(actor=world.users[name], need=need, reason="不符合要求")
    with pytest.raises(NeedError, match="下架理由"):
        services.need_hide(actor=world.users["county"], need=need, reason=" ")
    services.need_approve(actor=world.users["city"], need=need)
    need = services.need_hide(actor=world.users["county"], need=need, reason="非技术需求")
    assert need.status == NeedStatus.HIDDEN
    assert not selectors.needs_visible_to(world.users["firm_a"]).filter(pk=need.pk).exists()
    assert need.pk not in selectors.open_public_needs().values_list("pk", flat=True)
    need = services.need_restore(actor=world.users["county"], need=need)
    assert need.status == NeedStatus.PUBLISHED
    assert _actions(need)[-3:] == ["needs.need_approve", "needs.need_hide", "needs.need_restore"]


def test_officials_invite_firms_of_any_region_to_needs_of_their_region(world: NWorld) -> None:
    assert world.private is not None
    services.invite(actor=world.users["county"], need=world.private, enterprise=world.firms["firm_hz"])
    assert selectors.needs_visible_to(world.users["firm_hz"]).filter(pk=world.private.pk).exists()
    with pytest.raises(NeedError):
        services.invite(actor=world.users["county_hz"], need=world.private, enterprise=world.firms["firm_c"])
    with pytest.raises(NeedError, match="已邀请过"):
        services.invite(actor=world.users["large"], need=world.private, enterprise=world.firms["firm_hz"])


def test_the_funnel_counts_each_step_by_region_field_and_period(world: NWorld) -> None:
    need, owner = world.public, world.users["large"]
    assert need is not None
    a = services.response_submit(actor=world.users["firm_a"], need=need, data=answer())
    services.response_submit(actor=world.users["firm_b"], need=need, data=answer())
    services.response_select(actor=owner, response=a)
    services.contract_record(actor=owner, response=a, signed_on=timezone.localdate(), amount=None)
    services.acceptance_record(actor=owner, response=a, passed=True, on=timezone.localdate())
    other = services.need_publish(actor=world.users["large2"], need=services.need_save(
        actor=world.users["large2"], data=need_input(title="福田的需求", region_code="440304", field="materials")))
    assert other.pk
    county = selectors.funnel(selectors.funnel_cohort(world.users["county"]))
    # 南山: the public and the invite-only need; two responses, one selected, contracted, accepted
    assert (county.needs, county.responses, county.selections, county.contracts, county.accepted) == (2, 2, 1, 1, 1)
    city = selectors.funnel_cohort(world.users["city"])
    assert selectors.funnel(city).needs == 3
    assert [(r.label, r.needs) for r in selectors.funnel_by_region(city)] == [
        ("福田区（440304）", 1), ("南山区（440305）", 2)]
    assert [(r.label, r.needs, r.accepted) for r in selectors.funnel_by_field(city)] == [
        ("高档数控机床和机器人", 2, 1), ("新材料", 1, 0)]
    assert selectors.funnel(selectors.funnel_cohort(world.users["city"], field="materials")).needs == 1
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    assert selectors.funnel(selectors.funnel_cohort(world.users["city"], start=tomorrow)).needs == 0
    assert selectors.funnel(selectors.funnel_cohort(world.users["county_hz"])).needs == 0
    page = world.client("city").get("/oversight/needs/").content.decode()
    assert "揭榜漏斗" in page and "福田区（440304）" in page


def test_curation_page_is_for_officials(world: NWorld) -> None:
    assert world.client("county").get("/oversight/needs/").status_code == 200
    for name in ("firm_a", "large", "provider"):
        assert world.client(name).get("/oversight/needs/").status_code == 403
