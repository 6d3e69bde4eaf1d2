"""Awards and payouts: the one write path P1 and the push list share (permission, budget, cap, double claim)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.notifications.models import Notification
from tidu.policies import services
from tidu.policies.errors import PolicyCode, PolicyError
from tidu.policies.models import AwardStatus, Policy, PolicyStatus
from tidu.regions.models import Region


def make_policy(
    actor: Any,
    *,
    code: str = "sz-test",
    level: str = "city",
    region: str | None = "440300",
    purpose: str = "rd-subsidy",
    route: str = "application",
    cap: int | None = 1_000_000,
    conditions: list[dict[str, Any]] | None = None,
    budget: int | None = None,
) -> Any:
    policy = services.policy_save(
        actor=actor,
        code=code,
        title=f"测试政策 {code}",
        issuer="深圳市工业和信息化局",
        document_number="",
        level=level,
        region=Region.objects.get(code=region) if region else None,
        in_force_from=dt.date(2025, 1, 1),
        in_force_to=None,
        category="rd",
        purpose=purpose,
        route=route,
        interpretation="测试",
        original_text="测试",
        materials="",
        source_url="",
        reading_notes="",
        is_sample=True,
    )
    services.edition_add(
        actor=actor,
        policy=policy,
        effective_on=dt.date(2025, 1, 1),
        conditions=conditions
        or [{"label": "营业收入不低于1000万元", "expr": "revenue_y1 >= 10000000", "clause": "第二条"}],
        amount_expr="rd_y1 * 0.1",
        amount_cap_yuan=cap,
        amount_clause="第三条",
        basis="首次录入",
    )
    batch = services.batch_add(
        actor=actor,
        policy=policy,
        name="2026年第一批",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
        budget_yuan=budget,
    )
    services.policy_publish(actor=actor, policy=policy)
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    return batch


def test_an_award_is_granted_and_paid_in_two_parts(
    officials: dict[str, Any], firm: Any, firm_user: Any
) -> None:
    batch = make_policy(officials["city"])
    award = services.award_grant(
        actor=officials["city"],
        policy_batch=batch,
        enterprise=firm,
        amount_yuan=250_000,
        route="application",
        basis="审核通过",
        filing_ref="PF-1",
    )
    assert award.status == AwardStatus.GRANTED and award.amount_yuan == 250_000
    services.payout_record(
        actor=officials["city"],
        award=award,
        amount_yuan=100_000,
        paid_on=dt.date(2026, 1, 5),
        reference="GK-001",
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.PARTLY_PAID
    with pytest.raises(PolicyError) as e:
        services.payout_record(
            actor=officials["city"],
            award=award,
            amount_yuan=150_001,
            paid_on=dt.date(2026, 1, 6),
            reference="GK-002",
        )
    assert e.value.policy_code == PolicyCode.OVERPAID
    services.payout_record(
        actor=officials["city"],
        award=award,
        amount_yuan=150_000,
        paid_on=dt.date(2026, 1, 6),
        reference="GK-002",
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.PAID
    assert AuditEvent.objects.filter(action="policy.payout_record").count() == 2
    assert Notification.objects.filter(recipient=firm_user, title__contains="已拨付").count() == 2


def test_only_officials_covering_the_policy_region_decide_and_pay(
    officials: dict[str, Any], firm: Any
) -> None:
    batch = make_policy(officials["city"])
    for who in ("other_province", "county"):
        with pytest.raises(TiduError):
            services.award_grant(
                actor=officials[who],
                policy_batch=batch,
                enterprise=firm,
                amount_yuan=1,
                route="application",
                basis="",
            )
    award = services.award_grant(
        actor=officials["province"],
        policy_batch=batch,
        enterprise=firm,
        amount_yuan=1,
        route="application",
        basis="",
    )
    with pytest.raises(TiduError):
        services.payout_record(
            actor=officials["other_county"],
            award=award,
            amount_yuan=1,
            paid_on=dt.date(2026, 1, 5),
            reference="X",
        )


def test_amount_over_the_cap_or_budget_is_refused(officials: dict[str, Any], firm: Any) -> None:
    batch = make_policy(officials["city"], cap=500_000, budget=600_000)
    with pytest.raises(PolicyError) as e:
        services.award_grant(
            actor=officials["city"],
            policy_batch=batch,
            enterprise=firm,
            amount_yuan=500_001,
            route="application",
            basis="",
        )
    assert e.value.policy_code == PolicyCode.OVER_CAP
    services.award_grant(
        actor=officials["city"],
        policy_batch=batch,
        enterprise=firm,
        amount_yuan=500_000,
        route="application",
        basis="",
    )
    with pytest.raises(PolicyError) as e:
        services.award_grant(
            actor=officials["city"],
            policy_batch=batch,
            enterprise=firm,
            amount_yuan=1,
            route="application",
            basis="",
        )
    assert e.value.policy_code == PolicyCode.ALREADY_AWARDED


def test_the_same_firm_paid_for_the_same_purpose_twice_is_flagged(
    officials: dict[str, Any], firm: Any
) -> None:
    first = make_policy(officials["city"], code="sz-rd", purpose="rd-subsidy")
    second = make_policy(
        officials["province"], code="gd-rd", level="province", region="440000", purpose="rd-subsidy"
    )
    third = make_policy(
        officials["province"], code="gd-digital", level="province", region="440000", purpose="digital"
    )
    a1 = services.award_grant(
        actor=officials["city"],
        policy_batch=first,
        enterprise=firm,
        amount_yuan=100,
        route="application",
        basis="",
    )
    a2 = services.award_grant(
        actor=officials["province"],
        policy_batch=second,
        enterprise=firm,
        amount_yuan=100,
        route="application",
        basis="",
    )
    a3 = services.award_grant(
        actor=officials["province"],
        policy_batch=third,
        enterprise=firm,
        amount_yuan=100,
        route="application",
        basis="",
    )
    assert not a1.double_claim
    assert a2.double_claim and Policy.objects.get(code="sz-rd").title in a2.double_claim_note
    assert not a3.double_claim


def test_a_subscribed_firm_is_told_when_a_policy_that_may_fit_is_published(
    officials: dict[str, Any], firm: Any, firm_user: Any
) -> None:
    services.subscription_set(actor=firm_user, on=True)
    make_policy(officials["city"], code="sz-fits")  # revenue 5000万元 ≥ 1000万元
    make_policy(
        officials["city"],
        code="sz-misses",
        conditions=[{"label": "营业收入不低于1亿元", "expr": "revenue_y1 >= 100000000", "clause": "第二条"}],
    )
    titles = list(Notification.objects.filter(recipient=firm_user).values_list("title", flat=True))
    assert any("测试政策 sz-fits" in t for t in titles)
    assert not any("sz-misses" in t for t in titles)


def test_an_automatic_award_needs_the_engine_to_find_the_firm_eligible(
    officials: dict[str, Any], firm: Any
) -> None:
    batch = make_policy(
        officials["city"],
        code="sz-auto",
        route="automatic",
        conditions=[{"label": "营业收入不低于1亿元", "expr": "revenue_y1 >= 100000000", "clause": "第二条"}],
    )
    with pytest.raises(PolicyError) as e:
        services.award_grant(
            actor=officials["city"],
            policy_batch=batch,
            enterprise=firm,
            amount_yuan=1,
            route="automatic",
            basis="",
        )
    assert e.value.policy_code == PolicyCode.NOT_QUALIFIED and "营业收入不低于1亿元" in e.value.message


def test_a_free_text_condition_is_refused_on_an_automatic_policy(officials: dict[str, Any]) -> None:
    with pytest.raises(PolicyError) as e:
        make_policy(
            officials["city"],
            code="sz-auto-text",
            route="automatic",
            conditions=[{"label": "承诺不迁出", "evidence": "承诺书", "clause": "第四条"}],
        )
    assert e.value.policy_code == PolicyCode.AUTOMATIC_NEEDS_DATA and "承诺不迁出" in e.value.message


def test_a_policy_at_one_level_names_a_region_of_that_level(officials: dict[str, Any]) -> None:
    with pytest.raises(TiduError, match="不一致"):
        make_policy(officials["province"], code="bad-level", level="province", region="440300")
    with pytest.raises(TiduError):
        make_policy(officials["city"], code="national-by-city", level="national", region=None)
