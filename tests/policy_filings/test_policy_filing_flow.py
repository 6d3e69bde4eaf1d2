"""A firm applies under a policy, officials of the policy's jurisdiction review and decide, the payout is
followed to the end; refusals in Chinese for firms clearly not eligible, closed batches and the wrong route."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tidu.core.models import AuditEvent
from tidu.journey.testing import World
from tidu.notifications.models import Notification
from tidu.policies.models import Award, AwardStatus, PolicyBatch
from tidu.policy_filings import progress, services
from tidu.policy_filings.errors import FilingCode, FilingError
from tidu.policy_filings.models import PolicyFiling, PolicyFilingStatus
from tidu.policy_filings.testing import attach_required, make_policy, submitted


def _stage_states(filing: PolicyFiling) -> dict[str, str]:
    return {s.key: s.state for s in progress.stages(filing)}


def test_a_firm_applies_is_reviewed_by_county_and_city_and_is_paid_in_two_parts(
    world: World, batch: PolicyBatch
) -> None:
    firm = world.users["firm_a"]
    filing = services.policy_filing_start(actor=firm, policy=batch.policy)
    ent = world.firms["A"]
    assert (filing.contact_name, filing.contact_phone) == (ent.contact_name, ent.contact_phone)  # prefilled
    assert filing.status == PolicyFilingStatus.DRAFT and filing.estimated_yuan == 500_000
    assert _stage_states(filing) == {"apply": "current", "review": "todo", "decide": "todo", "pay": "todo"}

    attach_required(firm, filing)
    services.policy_filing_submit(actor=firm, filing=filing, commitment=True)
    assert filing.status == PolicyFilingStatus.COUNTY
    assert filing.frozen_assessment["verdict"] == "eligible"
    assert filing.frozen_figures["revenue_y1"] == 7_777_777_700  # the firm's figures, frozen
    assert filing.commitment_signed_by == firm and filing.submitted_at is not None
    assert Notification.objects.filter(
        recipient=world.users["county"], link__contains=f"/{filing.pk}/"
    ).exists()

    services.policy_filing_review(
        actor=world.users["county"], filing=filing, action="approve", comment="材料齐全"
    )
    assert filing.status == PolicyFilingStatus.CITY  # a city policy stops at the city
    services.policy_filing_review(actor=world.users["city"], filing=filing, action="approve", comment="同意")
    assert filing.status == PolicyFilingStatus.APPROVED and filing.approved_yuan == 500_000
    award = Award.objects.get(filing_ref=filing.reference)
    assert filing.award == award and award.amount_yuan == 500_000 and award.route == "application"
    assert _stage_states(filing) == {"apply": "done", "review": "done", "decide": "done", "pay": "current"}

    today = timezone.localdate()
    services.policy_filing_payout(
        actor=world.users["city"],
        filing=filing,
        amount_yuan=200_000,
        paid_on=today,
        reference="SZCZ-2026-001",
    )
    filing.refresh_from_db()
    assert filing.award is not None and filing.award.status == AwardStatus.PARTLY_PAID
    assert progress.paid_yuan(filing) == 200_000
    services.policy_filing_payout(
        actor=world.users["city"],
        filing=filing,
        amount_yuan=300_000,
        paid_on=today,
        reference="SZCZ-2026-002",
    )
    filing.refresh_from_db()
    assert filing.award is not None and filing.award.status == AwardStatus.PAID
    assert _stage_states(filing)["pay"] == "done"
    assert [s.level for s in filing.steps.all()] == ["county", "city"]
    actions = set(AuditEvent.objects.filter(target_id=str(filing.pk)).values_list("action", flat=True))
    assert {
        "policy_filings.filing.start",
        "policy_filings.filing.submit",
        "policy_filings.review.approve",
    } <= actions


def test_the_top_level_may_decide_another_amount_but_never_above_the_cap(
    world: World, batch: PolicyBatch
) -> None:
    filing = submitted(world.users["firm_a"], batch.policy)
    services.policy_filing_review(actor=world.users["county"], filing=filing, action="approve")
    with pytest.raises(FilingError) as error:
        services.policy_filing_review(
            actor=world.users["city"], filing=filing, action="approve", amount_yuan=800_001
        )
    assert error.value.filing_code == FilingCode.AMOUNT_OVER_CAP and "80" in error.value.message
    services.policy_filing_review(
        actor=world.users["city"], filing=filing, action="approve", amount_yuan=650_000
    )
    assert (
        filing.approved_yuan == 650_000 and filing.award is not None and filing.award.amount_yuan == 650_000
    )


def test_a_returned_application_is_revised_and_resubmitted_after_the_deadline(world: World) -> None:
    today = timezone.localdate()
    batch = make_policy(world.users["city"], code="sz-short", closes_on=today + dt.timedelta(days=1))
    firm = world.users["firm_a"]
    filing = submitted(firm, batch.policy)
    with pytest.raises(FilingError) as error:
        services.policy_filing_review(actor=world.users["county"], filing=filing, action="return")
    assert error.value.filing_code == FilingCode.REASON_REQUIRED
    services.policy_filing_review(
        actor=world.users["county"], filing=filing, action="return", comment="请补充研发项目清单"
    )
    assert filing.status == PolicyFilingStatus.RETURNED
    assert _stage_states(filing)["apply"] == "current"
    later = today + dt.timedelta(days=5)  # the batch has closed; the officials asked for this revision
    services.policy_filing_submit(actor=firm, filing=filing, commitment=True, today=later)
    assert filing.status == PolicyFilingStatus.COUNTY


def test_a_draft_is_not_submitted_after_the_batch_deadline(world: World) -> None:
    today = timezone.localdate()
    batch = make_policy(world.users["city"], code="sz-closing", closes_on=today + dt.timedelta(days=1))
    firm = world.users["firm_a"]
    filing = services.policy_filing_start(actor=firm, policy=batch.policy)
    attach_required(firm, filing)
    with pytest.raises(FilingError) as error:
        services.policy_filing_submit(
            actor=firm, filing=filing, commitment=True, today=today + dt.timedelta(days=2)
        )
    assert error.value.filing_code == FilingCode.BATCH_CLOSED and "截止" in error.value.message


def test_no_application_after_the_batch_has_closed(world: World) -> None:
    today = timezone.localdate()
    batch = make_policy(
        world.users["city"],
        code="sz-closed",
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(FilingError) as error:
        services.policy_filing_start(actor=world.users["firm_a"], policy=batch.policy)
    assert (
        error.value.filing_code == FilingCode.NO_OPEN_BATCH and "没有受理中的申报批次" in error.value.message
    )


def test_a_firm_clearly_not_eligible_is_refused_naming_the_condition(world: World) -> None:
    batch = make_policy(
        world.users["city"],
        code="sz-big",
        conditions=[
            {
                "label": "上年度营业收入不低于1000亿元",
                "expr": "revenue_y1 >= 100000000000",
                "clause": "第二条第二项",
            }
        ],
    )
    with pytest.raises(FilingError) as error:
        services.policy_filing_start(actor=world.users["firm_a"], policy=batch.policy)
    assert error.value.filing_code == FilingCode.NOT_ELIGIBLE
    assert "上年度营业收入不低于1000亿元（第二条第二项）" in error.value.message
    assert not PolicyFiling.objects.exists()


def test_policies_paid_without_application_and_other_regions_are_refused(world: World) -> None:
    auto = make_policy(world.users["city"], code="sz-auto", route="automatic")
    with pytest.raises(FilingError) as error:
        services.policy_filing_start(actor=world.users["firm_a"], policy=auto.policy)
    assert error.value.filing_code == FilingCode.NOT_APPLICATION_ROUTE and "免申即享" in error.value.message
    sz = make_policy(world.users["city"], code="sz-only")
    with pytest.raises(FilingError) as error:
        services.policy_filing_start(actor=world.users["firm_e"], policy=sz.policy)  # a Zhejiang firm
    assert error.value.filing_code == FilingCode.OUTSIDE_REGION


def test_submission_needs_the_commitment_and_every_required_material(
    world: World, batch: PolicyBatch
) -> None:
    firm = world.users["firm_a"]
    filing = services.policy_filing_start(actor=firm, policy=batch.policy)
    with pytest.raises(FilingError) as error:
        services.policy_filing_submit(actor=firm, filing=filing, commitment=False)
    assert error.value.filing_code == FilingCode.COMMITMENT_REQUIRED
    with pytest.raises(FilingError) as error:
        services.policy_filing_submit(actor=firm, filing=filing, commitment=True)
    assert error.value.filing_code == FilingCode.MATERIALS_MISSING
    assert "营业执照" in error.value.message and "研发费用专项审计报告" in error.value.message
    assert "知识产权证书" not in error.value.message  # marked 如有: optional
    with pytest.raises(FilingError) as error:
        services.attachment_add(
            actor=firm, filing=filing, material="不在清单里的材料", name="x.pdf", data=b"%PDF-1"
        )
    assert error.value.filing_code == FilingCode.MATERIAL_UNKNOWN


def test_one_application_per_firm_and_batch(world: World, batch: PolicyBatch) -> None:
    filing = services.policy_filing_start(actor=world.users["firm_a"], policy=batch.policy)
    with pytest.raises(FilingError) as error:
        services.policy_filing_start(actor=world.users["firm_a"], policy=batch.policy)
    assert error.value.filing_code == FilingCode.ALREADY_APPLIED and filing.reference in error.value.message


def test_a_stale_page_gets_a_conflict(world: World, batch: PolicyBatch) -> None:
    filing = submitted(world.users["firm_a"], batch.policy)
    seen = filing.version
    services.policy_filing_review(
        actor=world.users["county"], filing=filing, action="approve", expected_version=seen
    )
    again = PolicyFiling.objects.get(pk=filing.pk)
    with pytest.raises(FilingError) as error:
        services.policy_filing_review(
            actor=world.users["county2"], filing=again, action="approve", expected_version=seen
        )
    assert error.value.filing_code == FilingCode.CONFLICT and error.value.status == 409


def test_a_rejection_stops_the_application_with_its_reason(world: World, batch: PolicyBatch) -> None:
    filing = submitted(world.users["firm_a"], batch.policy)
    services.policy_filing_review(
        actor=world.users["county"], filing=filing, action="reject", comment="同一项目已获市级研发资助"
    )
    assert (
        filing.status == PolicyFilingStatus.REJECTED and filing.decision_reason == "同一项目已获市级研发资助"
    )
    assert _stage_states(filing)["review"] == "stopped"
    assert not Award.objects.exists()
