"""Every write of policies: write a policy as data (editions, batches), publish, push, subscribe, and the
money: `award_grant` and `payout_record` (also called by tidu.policy_filings when an application is
decided and paid). Each owns its transaction, its permission check and its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import require
from tidu.enterprises.models import Enterprise
from tidu.enterprises.money import yuan_to_wan_text
from tidu.enterprises.selectors import own_enterprise
from tidu.ladder.assessment import today_shanghai
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import Delivery, deliver, firm_recipients
from tidu.policies import conditions as C
from tidu.policies import selectors as S
from tidu.policies.errors import PolicyCode, PolicyError
from tidu.policies.models import (
    Award,
    AwardStatus,
    Payout,
    Policy,
    PolicyBatch,
    PolicyEdition,
    PolicyRoute,
    PolicyStatus,
    PolicySubscription,
    PushNotice,
)
from tidu.rules import ExprError

POLICY_FIELDS = (
    "code",
    "title",
    "issuer",
    "document_number",
    "level",
    "region",
    "in_force_from",
    "in_force_to",
    "category",
    "purpose",
    "route",
    "interpretation",
    "original_text",
    "materials",
    "source_url",
    "reading_notes",
    "is_sample",
)


def _notify_firm(enterprise: Enterprise, *, title: str, body: str, link: str, key: str = "") -> None:
    users, emails = firm_recipients([enterprise.pk])[enterprise.pk]
    deliver(
        [
            Delivery(
                users=users,
                kind=NotificationKind.SYSTEM,
                title=title,
                body=body,
                link=link,
                dedupe_key=key,
                extra_emails=emails,
            )
        ]
    )


# ---- writing a policy --------------------------------------------------------------------------------


def _check_levels(policy: Policy) -> None:
    """A national policy has no region; any other names the region of its level."""
    if policy.level == "national":
        if policy.region_id is not None:
            raise TiduError(ErrorCode.VALIDATION, field="region", detail="国家级政策不填写适用地区")
        return
    if policy.region is None:
        raise TiduError(ErrorCode.VALIDATION, field="region", detail="省、市、县级政策须填写适用地区")
    if policy.region.level != policy.level:
        raise TiduError(
            ErrorCode.VALIDATION,
            field="region",
            detail=f"适用地区“{policy.region.full_name}”与政策层级“{policy.get_level_display()}”不一致",
        )


def policy_save(*, actor: Any, policy: Policy | None = None, **values: Any) -> Policy:
    """Create (policy=None) or change a policy's document data; the official must cover its region."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields {unknown}")
    with transaction.atomic():
        creating = policy is None
        target = policy or Policy(created_by=actor if getattr(actor, "is_authenticated", False) else None)
        before = {k: getattr(target, k, None) for k in values} if not creating else {}
        for k, v in values.items():
            setattr(target, k, v)
        _check_levels(target)
        require(S.can_manage_policy(actor, target))
        if not creating:
            require(S.can_manage_policy(actor, Policy.objects.select_related("region").get(pk=target.pk)))
        if target.route == PolicyRoute.AUTOMATIC and target.pk:
            ed = target.editions.order_by("-effective_on").first()
            if ed is not None:
                _check_automatic(target, C.check_conditions(ed.conditions))
        target.full_clean()
        target.save()
        changes = {k: [before.get(k), v] for k, v in values.items() if creating or before.get(k) != v}
        audit_record(
            actor=actor,
            action="policy.create" if creating else "policy.update",
            target=target,
            data={"changes": changes},
        )
    return target


def _check_automatic(policy: Policy, specs: Sequence[C.ConditionSpec]) -> None:
    if policy.route != PolicyRoute.AUTOMATIC:
        return
    judged = [s.label for s in specs if s.kind == "text" or s.verified]
    if judged:
        raise PolicyError(PolicyCode.AUTOMATIC_NEEDS_DATA, labels="、".join(judged))


def edition_add(
    *,
    actor: Any,
    policy: Policy,
    effective_on: dt.date,
    conditions: list[dict[str, Any]],
    amount_expr: str,
    amount_cap_yuan: int | None,
    amount_clause: str,
    basis: str,
) -> PolicyEdition:
    """A new dated edition (conditions, amount, basis of the change): checked against the field registry."""
    require(S.can_manage_policy(actor, policy))
    try:
        specs = C.check_conditions(conditions)
    except ExprError as e:
        raise PolicyError(PolicyCode.CONDITIONS_INVALID, field="conditions", reason=str(e)) from None
    try:
        C.check_amount(amount_expr or "")
    except ExprError as e:
        raise PolicyError(PolicyCode.AMOUNT_INVALID, field="amount_expr", reason=str(e)) from None
    if amount_cap_yuan is not None and amount_cap_yuan <= 0:
        raise TiduError(ErrorCode.VALIDATION, field="amount_cap_yuan", detail="金额上限应大于 0")
    if not basis.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="basis", what="修订依据（为什么有这一版）")
    _check_automatic(policy, specs)
    with transaction.atomic():
        if PolicyEdition.objects.filter(policy=policy, effective_on=effective_on).exists():
            raise PolicyError(PolicyCode.EDITION_EXISTS, title=policy.title, day=effective_on.isoformat())
        stored = [{k: v for k, v in vars(s).items() if v not in ("", False)} for s in specs]
        ed = PolicyEdition.objects.create(
            policy=policy,
            effective_on=effective_on,
            conditions=stored,
            amount_expr=(amount_expr or "").strip(),
            amount_cap_yuan=amount_cap_yuan,
            amount_clause=amount_clause.strip(),
            basis=basis.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="policy.edition_add",
            target=policy,
            data={"effective_on": effective_on, "basis": basis.strip(), "conditions": len(stored)},
        )
    return ed


def batch_add(
    *,
    actor: Any,
    policy: Policy,
    name: str,
    opens_on: dt.date,
    closes_on: dt.date,
    budget_yuan: int | None = None,
) -> PolicyBatch:
    require(S.can_manage_policy(actor, policy))
    if closes_on < opens_on:
        raise PolicyError(PolicyCode.BATCH_DATES, field="closes_on", opens=opens_on, closes=closes_on)
    if not name.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="name", what="批次名称")
    with transaction.atomic():
        batch = PolicyBatch.objects.create(
            policy=policy, name=name.strip(), opens_on=opens_on, closes_on=closes_on, budget_yuan=budget_yuan
        )
        audit_record(
            actor=actor,
            action="policy.batch_add",
            target=policy,
            data={
                "batch": batch.name,
                "opens_on": opens_on,
                "closes_on": closes_on,
                "budget_yuan": budget_yuan,
            },
        )
    return batch


def policy_publish(*, actor: Any, policy: Policy, today: dt.date | None = None) -> int:
    """Publish a draft; subscribed firms it may fit are told (returns how many were told)."""
    require(S.can_manage_policy(actor, policy))
    day = today or today_shanghai()
    if S.edition_in_force(policy, max(day, policy.in_force_from)) is None:
        raise PolicyError(
            PolicyCode.NO_EDITION, title=policy.title, day=max(day, policy.in_force_from).isoformat()
        )
    with transaction.atomic():
        policy.status = PolicyStatus.PUBLISHED
        policy.published_at = timezone.now()
        policy.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(actor=actor, action="policy.publish", target=policy, data={})
        told = _tell_subscribers(policy, day)
    return told


def policy_withdraw(*, actor: Any, policy: Policy, reason: str) -> Policy:
    require(S.can_manage_policy(actor, policy))
    if not reason.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="reason", what="废止原因")
    with transaction.atomic():
        policy.status = PolicyStatus.WITHDRAWN
        policy.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="policy.withdraw", target=policy, data={"reason": reason.strip()})
    return policy


def _tell_subscribers(policy: Policy, day: dt.date) -> int:
    subs = PolicySubscription.objects.select_related("enterprise__region")
    prefix = policy.region_prefix
    if prefix:
        subs = subs.filter(enterprise__region__code__startswith=prefix)
    told = 0
    link = reverse("policies:detail", args=[policy.code])
    for sub in subs:
        m = S.match_one(sub.enterprise, policy, day)
        if m is None or m.verdict == S.NOT_ELIGIBLE:
            continue
        _notify_firm(
            sub.enterprise,
            title=f"新政策可能适合贵企业：{policy.title}",
            body=f"按贵企业已填报的数据，该政策判断为“{m.verdict_label}”。",
            link=link,
            key=f"policy.new:{policy.code}",
        )
        told += 1
    return told


# ---- subscriptions -----------------------------------------------------------------------------------


def subscription_set(*, actor: Any, on: bool) -> bool:
    """A firm user subscribes (or not) their own firm to new-policy notices."""
    ent = own_enterprise(actor)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message="只有企业用户可以订阅政策提醒。")
    with transaction.atomic():
        if on:
            _sub, created = PolicySubscription.objects.get_or_create(
                enterprise=ent, defaults={"subscribed_by": actor}
            )
            if created:
                audit_record(actor=actor, action="policy.subscribe", target=ent, data={})
        else:
            deleted, _ = PolicySubscription.objects.filter(enterprise=ent).delete()
            if deleted:
                audit_record(actor=actor, action="policy.unsubscribe", target=ent, data={})
    return on


# ---- push lists (免申即享) -----------------------------------------------------------------------------


def push_send(*, actor: Any, batch: PolicyBatch, enterprises: Iterable[Enterprise] | None = None) -> int:
    """Tell the firms of the push list (or the named ones) that they qualify; records the evidence per firm.
    A firm already told for this batch is not told twice. Returns how many were told now."""
    policy = batch.policy
    require(S.can_manage_policy(actor, policy))
    from tidu.policies.sandbox import push_list

    rows = {r.enterprise.pk: r for r in push_list(user=actor, batch=batch)}
    if enterprises is not None:
        wanted = {e.pk for e in enterprises}
        rows = {k: v for k, v in rows.items() if k in wanted}
    told = 0
    link = reverse("policies:mine")
    with transaction.atomic():
        already = set(PushNotice.objects.filter(batch=batch).values_list("enterprise_id", flat=True))
        for pk, row in rows.items():
            if pk in already:
                continue
            PushNotice.objects.create(
                batch=batch,
                enterprise=row.enterprise,
                evidence=row.evidence,
                pushed_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            amount = f"，预计 {yuan_to_wan_text(row.amount_yuan)} 万元" if row.amount_yuan else ""
            _notify_firm(
                row.enterprise,
                title=f"免申即享：贵企业符合“{policy.title}”",
                body=f"按贵企业已填报并经核实的数据，符合“{batch.name}”的条件{amount}，无需申请，"
                "主管部门将直接兑现。",
                link=link,
                key=f"policy.push:{batch.pk}",
            )
            told += 1
        audit_record(
            actor=actor, action="policy.push", target=policy, data={"batch": batch.name, "count": told}
        )
    return told


# ---- awards and payouts --------------------------------------------------------------------------------


def _double_claims(enterprise: Enterprise, policy: Policy) -> str:
    others = list(S.other_awards_same_purpose(enterprise, policy))
    if not others:
        return ""
    return "；".join(
        f"已在“{a.policy.title}”获{a.get_status_display()} {yuan_to_wan_text(a.amount_yuan)} 万元"
        f"（{timezone.localtime(a.decided_at):%Y-%m-%d}）"
        for a in others
    )


def award_grant(
    *,
    actor: Any,
    policy_batch: PolicyBatch,
    enterprise: Enterprise,
    amount_yuan: int,
    route: str,
    basis: str,
    filing_ref: str | None = None,
    clause: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> Award:
    """Decide to pay `enterprise` under `policy_batch` (by application or 免申即享).

    The official must cover the policy's region; the firm must be in it; one decision per firm and batch;
    the amount may not pass the edition's cap or the batch's remaining budget. An automatic award needs the
    engine to find the firm eligible now (its evidence is stored). The same firm paid for the same purpose
    under another policy is flagged (double claim), shown to the official and on the award.
    """
    policy = Policy.objects.select_related("region").get(pk=policy_batch.policy_id)
    require(S.can_manage_policy(actor, policy))
    if route not in PolicyRoute.values:
        raise TiduError(ErrorCode.VALIDATION, field="route", detail=f"兑现方式“{route}”无效")
    if policy.status != PolicyStatus.PUBLISHED:
        raise PolicyError(PolicyCode.NOT_PUBLISHED, title=policy.title)
    if not str(enterprise.region_id).startswith(policy.region_prefix):
        raise PolicyError(PolicyCode.OUTSIDE_REGION, firm=enterprise.name, title=policy.title)
    if not isinstance(amount_yuan, int) or isinstance(amount_yuan, bool) or amount_yuan <= 0:
        raise TiduError(ErrorCode.VALIDATION, field="amount_yuan", detail="金额应为大于 0 的整数（元）")
    day = today_shanghai()
    edition = S.edition_in_force(policy, day)
    if edition is None:
        raise PolicyError(PolicyCode.NO_EDITION, title=policy.title, day=day.isoformat())
    if edition.amount_cap_yuan is not None and amount_yuan > edition.amount_cap_yuan:
        raise PolicyError(
            PolicyCode.OVER_CAP,
            field="amount_yuan",
            amount=yuan_to_wan_text(amount_yuan),
            cap=yuan_to_wan_text(edition.amount_cap_yuan),
        )
    ev = dict(evidence or {})
    if route == PolicyRoute.AUTOMATIC:
        m = S.match_one(enterprise, policy, day)
        if m is None or m.verdict != S.ELIGIBLE:
            reason = (
                "；".join(o.spec.label for o in (m.failed + m.unknown + m.to_judge)) if m else "无生效版本"
            )
            raise PolicyError(
                PolicyCode.NOT_QUALIFIED, firm=enterprise.name, title=policy.title, reason=reason
            )
        ev = ev or m.evidence
    with transaction.atomic():
        batch = PolicyBatch.objects.select_for_update().get(pk=policy_batch.pk)
        existing = (
            Award.objects.filter(enterprise=enterprise, batch=batch)
            .exclude(status=AwardStatus.REVOKED)
            .first()
        )
        if existing is not None:
            raise PolicyError(
                PolicyCode.ALREADY_AWARDED,
                firm=enterprise.name,
                batch=batch.name,
                status=existing.get_status_display(),
            )
        if batch.budget_yuan is not None:
            used = int(
                Award.objects.filter(batch=batch)
                .exclude(status=AwardStatus.REVOKED)
                .aggregate(s=Sum("amount_yuan"))["s"]
                or 0
            )
            if used + amount_yuan > batch.budget_yuan:
                raise PolicyError(
                    PolicyCode.OVER_BUDGET,
                    field="amount_yuan",
                    amount=yuan_to_wan_text(amount_yuan),
                    batch=batch.name,
                    left=yuan_to_wan_text(batch.budget_yuan - used),
                )
        note = _double_claims(enterprise, policy)
        award = Award.objects.create(
            enterprise=enterprise,
            policy=policy,
            edition=edition,
            batch=batch,
            amount_yuan=amount_yuan,
            clause=clause or edition.amount_clause or "",
            route=route,
            basis=basis.strip(),
            evidence=ev,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
            decided_at=timezone.now(),
            filing_ref=filing_ref or "",
            double_claim=bool(note),
            double_claim_note=note,
        )
        audit_record(
            actor=actor,
            action="policy.award_grant",
            target=award,
            data={
                "amount_yuan": amount_yuan,
                "route": route,
                "batch": batch.name,
                "double_claim": note,
                "filing_ref": filing_ref or "",
            },
        )
        _notify_firm(
            enterprise,
            title=f"奖补决定：{policy.title}",
            body=f"主管部门已决定给予贵企业 {yuan_to_wan_text(amount_yuan)} 万元（{batch.name}），"
            "拨付后将另行通知。",
            link=reverse("policies:my_awards"),
        )
    return award


def payout_record(*, actor: Any, award: Award, amount_yuan: int, paid_on: dt.date, reference: str) -> Payout:
    """Record one payment of an award; the award becomes partly paid or paid. Never more than decided."""
    policy = Policy.objects.select_related("region").get(pk=award.policy_id)
    require(S.can_manage_policy(actor, policy))
    if not isinstance(amount_yuan, int) or isinstance(amount_yuan, bool) or amount_yuan <= 0:
        raise TiduError(ErrorCode.VALIDATION, field="amount_yuan", detail="拨付金额应为大于 0 的整数（元）")
    if not reference.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="reference", what="拨付凭证号")
    if paid_on > today_shanghai():
        raise TiduError(ErrorCode.DATE_IN_FUTURE, field="paid_on", label="拨付日期")
    with transaction.atomic():
        locked = Award.objects.select_for_update().select_related("enterprise", "policy").get(pk=award.pk)
        if locked.status == AwardStatus.REVOKED:
            raise PolicyError(PolicyCode.AWARD_REVOKED)
        paid = S.paid_yuan(locked)
        if paid + amount_yuan > locked.amount_yuan:
            raise PolicyError(
                PolicyCode.OVERPAID,
                field="amount_yuan",
                amount=yuan_to_wan_text(amount_yuan),
                total=yuan_to_wan_text(locked.amount_yuan),
                paid=yuan_to_wan_text(paid),
            )
        payout = Payout.objects.create(
            award=locked,
            amount_yuan=amount_yuan,
            paid_on=paid_on,
            reference=reference.strip(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        before = locked.status
        locked.status = (
            AwardStatus.PAID if paid + amount_yuan == locked.amount_yuan else AwardStatus.PARTLY_PAID
        )
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="policy.payout_record",
            target=locked,
            data={
                "amount_yuan": amount_yuan,
                "paid_on": paid_on,
                "reference": reference.strip(),
                "status": [before, locked.status],
            },
        )
        _notify_firm(
            locked.enterprise,
            title=f"奖补已拨付：{locked.policy.title}",
            body=f"已拨付 {yuan_to_wan_text(amount_yuan)} 万元（{paid_on:%Y-%m-%d}，凭证号 {reference.strip()}）；"
            f"累计 {yuan_to_wan_text(paid + amount_yuan)} / {yuan_to_wan_text(locked.amount_yuan)} 万元。",
            link=reverse("policies:my_awards"),
        )
    award.status = locked.status
    return payout


def award_revoke(*, actor: Any, award: Award, reason: str) -> Award:
    """Revoke an award not yet paid at all (a paid one needs recovery outside this platform)."""
    require(S.can_manage_policy(actor, award.policy))
    if not reason.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="reason", what="撤销原因")
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.payouts.exists():
            raise TiduError(ErrorCode.VALIDATION, detail="已有拨付记录的奖补决定不能撤销")
        before = locked.status
        locked.status = AwardStatus.REVOKED
        locked.revoked_reason = reason.strip()
        locked.save(update_fields=["status", "revoked_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="policy.award_revoke",
            target=locked,
            data={"reason": reason.strip(), "status": [before, locked.status]},
        )
    return locked
