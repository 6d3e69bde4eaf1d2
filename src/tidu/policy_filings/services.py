"""Every state change of a policy application: start, attach, submit, review, decide, pay.

Each service checks permission, owns its transaction and writes an audit event; views, the API and the
demo call these and nothing else. The freeze, the versioned moves and the review decision are the shared
filing workflow's (tidu.filing.workflow); the award and its payouts are tidu.policies' services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import require
from tidu.core.validators import phone_ok
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import evaluation_record_with_marks, own_enterprise
from tidu.filing import workflow
from tidu.filing.models import ReviewAction
from tidu.journey import storage
from tidu.journey.notify import notify_enterprise, notify_officials
from tidu.notifications.models import NotificationKind
from tidu.policies import services as policy_services
from tidu.policies.conditions import policy_fields
from tidu.policies.models import Payout, Policy, PolicyBatch, PolicyRoute, PolicyStatus
from tidu.policies.selectors import NOT_ELIGIBLE, PolicyMatch, current_batch, match_one
from tidu.policy_filings import materials
from tidu.policy_filings.access import (
    can_review_filing,
    can_view_filing,
    is_own_firm,
    path_of,
)
from tidu.policy_filings.errors import FilingCode, FilingError
from tidu.policy_filings.models import (
    EDITABLE,
    PolicyAttachment,
    PolicyFiling,
    PolicyFilingStatus,
    PolicyFilingStep,
)

COMMITMENT_TEXT = (
    "本企业郑重承诺：申请所填数据和提交的材料真实、准确、完整；同一事项未以其他政策重复申请同类资金；"
    "如有不实或重复享受，愿退回已获资金，并承担相应责任。"
)


def _conflict(status: str) -> FilingError:
    return FilingError(FilingCode.CONFLICT, status=status)


def _not_at_step(status: str) -> FilingError:
    return FilingError(FilingCode.NOT_AT_YOUR_STEP, status=status)


def _reason_required() -> FilingError:
    return FilingError(FilingCode.REASON_REQUIRED, field="comment", what="退回或不予支持的理由")


FLOW = workflow.Flow(
    audit_prefix="policy_filings.review",
    step_model=PolicyFilingStep,
    step_field="filing",
    approved=PolicyFilingStatus.APPROVED,
    returned=PolicyFilingStatus.RETURNED,
    rejected=PolicyFilingStatus.REJECTED,
    conflict=_conflict,
    not_at_step=_not_at_step,
    reason_required=_reason_required,
)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _link(filing: PolicyFiling) -> str:
    return reverse("policy_filings:detail", kwargs={"pk": filing.pk})


def open_batch(policy: Policy, day: dt.date) -> PolicyBatch:
    """The batch accepting applications on `day`, or the refusal naming the next one (or none)."""
    batch = current_batch(policy, day)
    if batch is None or not batch.open_on(day):
        upcoming = f"（下一批次 {batch.opens_on} 开始受理）" if batch is not None else ""
        raise FilingError(FilingCode.NO_OPEN_BATCH, title=policy.title, next=upcoming)
    return batch


def judged(enterprise: Enterprise, policy: Policy, day: dt.date) -> PolicyMatch:
    """The policy's verdict for the firm on `day`; a firm clearly not eligible is refused, naming why."""
    match = match_one(enterprise, policy, day)
    if match is None or not policy.in_force_on(day):
        raise FilingError(FilingCode.NOT_IN_FORCE, title=policy.title, day=day)
    if match.verdict == NOT_ELIGIBLE:
        failed = "；".join(
            f"{o.spec.label}（{o.spec.clause}）" if o.spec.clause else o.spec.label for o in match.failed
        )
        raise FilingError(FilingCode.NOT_ELIGIBLE, title=policy.title, failed=failed)
    return match


def _check_applicable(enterprise: Enterprise, policy: Policy) -> None:
    if policy.status != PolicyStatus.PUBLISHED:
        raise TiduError(ErrorCode.NOT_FOUND)
    if policy.route != PolicyRoute.APPLICATION:
        raise FilingError(FilingCode.NOT_APPLICATION_ROUTE, title=policy.title)
    if not enterprise.region_id.startswith(policy.region_prefix):
        raise FilingError(
            FilingCode.OUTSIDE_REGION,
            title=policy.title,
            region=policy.region.name if policy.region is not None else "全国",
        )


def _contact(name: str, phone: str, *, required: bool) -> tuple[str, str]:
    """The contact officials call about the application: both needed to submit, the phone a valid number."""
    name, phone = " ".join(name.split()), phone.strip()
    if required and not name:
        raise FilingError(FilingCode.REASON_REQUIRED, field="contact_name", what="联系人")
    if required and not phone:
        raise FilingError(FilingCode.REASON_REQUIRED, field="contact_phone", what="联系电话")
    if phone and not phone_ok(phone):
        raise FilingError(
            FilingCode.CONTACT_INVALID,
            field="contact_phone",
            detail=f"联系电话“{phone[:30]}”格式不正确：请填写11位手机号（如 13800000000）"
            "或带区号的固定电话（如 0755-12345678）。",
        )
    return name[:50], phone[:30]


# ---- the firm -------------------------------------------------------------------------------------


def applicable(
    *, enterprise: Enterprise, policy: Policy, today: dt.date | None = None
) -> tuple[PolicyBatch, PolicyMatch]:
    """The open batch and the firm's verdict, or the refusal (FilingError) the apply page shows."""
    _check_applicable(enterprise, policy)
    day = _today(today)
    batch = open_batch(policy, day)
    return batch, judged(enterprise, policy, day)


def policy_filing_start(
    *,
    actor: Any,
    policy: Policy,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    statement: str = "",
    today: dt.date | None = None,
    enterprise: Enterprise | None = None,
) -> PolicyFiling:
    """Start a draft under the policy's open batch, prefilled from the firm's profile and its verdict.

    Refused in Chinese when the policy pays without an application, no batch is open, the firm is outside
    the policy's region, or its stored figures clearly fail a condition. `actor=None` is the system
    (seed_demo) acting for `enterprise`.
    """
    ent = own_enterprise(actor) if actor is not None else enterprise
    require(ent is not None)
    assert ent is not None
    day = _today(today)
    batch, match = applicable(enterprise=ent, policy=policy, today=day)
    held = PolicyFiling.objects.filter(enterprise=ent, batch=batch).first()
    if held is not None:
        raise FilingError(FilingCode.ALREADY_APPLIED, batch=batch.name, reference=held.reference)
    name, phone = _contact(
        ent.contact_name if contact_name is None else contact_name,
        ent.contact_phone if contact_phone is None else contact_phone,
        required=False,
    )
    try:
        with transaction.atomic():
            filing = PolicyFiling.objects.create(
                enterprise=ent,
                batch=batch,
                edition=match.edition,
                fiscal_year=match.fiscal_year,
                estimated_yuan=match.amount_yuan,
                contact_name=name,
                contact_phone=phone,
                statement=statement.strip(),
                created_by=actor,
                status_changed_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                action="policy_filings.filing.start",
                target=filing,
                data={
                    "policy": policy.code,
                    "batch": batch.pk,
                    "verdict": match.verdict,
                    "estimated_yuan": match.amount_yuan,
                },
            )
    except IntegrityError as exc:  # the same firm's second tab at the same moment
        raise FilingError(FilingCode.ALREADY_APPLIED, batch=batch.name, reference="") from exc
    return filing


def _require_editable(actor: Any, filing: PolicyFiling) -> None:
    if actor is not None:  # None: the system acting for the firm (seed_demo)
        require(can_view_filing(actor, filing), not_found=True)
        require(is_own_firm(actor, filing))
    if filing.status not in EDITABLE:
        raise FilingError(FilingCode.NOT_EDITABLE, status=filing.get_status_display())


def policy_filing_update(
    *,
    actor: Any,
    filing: PolicyFiling,
    contact_name: str,
    contact_phone: str,
    statement: str,
    expected_version: int | None = None,
) -> PolicyFiling:
    """Change the contact and the statement of a draft or returned application."""
    workflow.check_version(filing, expected_version, FLOW)
    _require_editable(actor, filing)
    name, phone = _contact(contact_name, contact_phone, required=False)
    with transaction.atomic():
        workflow.save_versioned(
            filing,
            expected_version=expected_version,
            conflict=_conflict,
            contact_name=name,
            contact_phone=phone,
            statement=statement.strip(),
        )
        audit_record(
            actor=actor,
            action="policy_filings.filing.update",
            target=filing,
            data={"contact_name": name, "contact_phone": phone},
        )
    return filing


def attachment_add(
    *, actor: Any, filing: PolicyFiling, material: str, name: str, data: bytes
) -> PolicyAttachment:
    """Attach a PDF or image for one item of the policy's materials list (stored once by its SHA-256)."""
    _require_editable(actor, filing)
    allowed = [m for m, _required in materials.items(filing)]
    if material not in allowed:
        raise FilingError(
            FilingCode.MATERIAL_UNKNOWN,
            field="material",
            material=material[:60],
            allowed="、".join(allowed) or "（该政策未列明材料）",
        )
    checked = storage.check_upload(name, data)
    existing = filing.attachments.filter(sha256=checked.sha256).first()
    if existing is not None:
        raise FilingError(
            FilingCode.ATTACHMENT_DUPLICATE, field="file", name=checked.name, existing=existing.original_name
        )
    stored = storage.store(checked)
    try:
        with transaction.atomic():
            att = PolicyAttachment.objects.create(
                filing=filing,
                material=material,
                original_name=checked.name,
                stored_name=stored,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            audit_record(
                actor=actor,
                action="policy_filings.attachment.add",
                target=filing,
                data={
                    "attachment": att.pk,
                    "name": att.original_name,
                    "material": material,
                    "sha256": att.sha256,
                },
            )
            transaction.on_commit(lambda: storage.ensure_stored(checked))
    except IntegrityError as exc:
        raise FilingError(
            FilingCode.ATTACHMENT_DUPLICATE, field="file", name=checked.name, existing=checked.name
        ) from exc
    return att


def _release_later(stored: str) -> Callable[[], None]:
    return lambda: storage.release(
        stored, lambda: PolicyAttachment.objects.filter(stored_name=stored).exists()
    )


def attachment_delete(*, actor: Any, attachment: PolicyAttachment) -> None:
    """Remove a file of a draft or returned application; the bytes go when no attachment names them."""
    filing = attachment.filing
    _require_editable(actor, filing)
    with transaction.atomic():
        data = {
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "material": attachment.material,
            "sha256": attachment.sha256,
        }
        attachment.delete()
        transaction.on_commit(_release_later(attachment.stored_name))
        audit_record(actor=actor, action="policy_filings.attachment.delete", target=filing, data=data)


def _assessment(match: PolicyMatch) -> dict[str, Any]:
    """The verdict as frozen: every condition with its state, clause and the values it read."""
    edition = match.edition
    return workflow.jsonable(
        {
            "verdict": match.verdict,
            "verdict_label": match.verdict_label,
            "as_of": match.as_of,
            "fiscal_year": match.fiscal_year,
            "estimated_yuan": match.amount_yuan,
            "amount_cap_yuan": edition.amount_cap_yuan,
            "amount_clause": edition.amount_clause,
            "edition": {"id": edition.pk, "effective_on": edition.effective_on},
            "conditions": [
                {
                    "id": o.spec.id,
                    "label": o.spec.label,
                    "kind": o.spec.kind,
                    "clause": o.spec.clause,
                    "evidence": o.spec.evidence,
                    "state": o.state,
                    "values": [{"field": f, "label": lab, "value": _plain(v), "type": _field_type(f)}
                        for f, lab, v in o.values],
                    "missing": [lab for _f, lab in o.missing],
                }
                for o in match.outcomes
            ],
        }
    )


def _field_type(name: str) -> str:
    """The registry type of a figure a condition read ("money" is shown in 万元)."""
    info = policy_fields().get(name)
    return info.type if info is not None else ""


def _plain(value: Any) -> Any:
    """Exact numbers (Fractions from the policy engine) as text, so the frozen JSON reads back exactly."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | float):
        return str(value)
    numerator, denominator = getattr(value, "numerator", None), getattr(value, "denominator", None)
    if numerator is not None and denominator is not None:
        return str(numerator) if denominator == 1 else f"{numerator}/{denominator}"
    return str(value)


def _freeze(filing: PolicyFiling, match: PolicyMatch, day: dt.date) -> dict[str, Any]:
    """The firm's figures of the year the verdict read (with provenance marks), and the verdict."""
    year = match.fiscal_year
    figures: dict[str, Any] = {}
    if (
        year is not None
        and EnterpriseYear.objects.filter(enterprise=filing.enterprise, fiscal_year=year).exists()
    ):
        record, marks = evaluation_record_with_marks(filing.enterprise, year + 1, as_of=day)
        figures = workflow.frozen_figures(record, marks)
    return {
        "frozen_figures": figures,
        "frozen_assessment": _assessment(match),
        "edition": match.edition,
        "fiscal_year": year,
        "estimated_yuan": match.amount_yuan,
        "pack_edition": f"{filing.batch.policy.code}@{match.edition.effective_on:%Y-%m-%d}",
    }


def policy_filing_submit(
    *,
    actor: Any,
    filing: PolicyFiling,
    commitment: bool,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> PolicyFiling:
    """Sign, freeze figures and verdict, and send to the county (also after a return).

    A draft is refused after the batch's deadline; a returned application may be resubmitted after it
    (the officials asked for the revision). The firm's verdict is judged again on the day: a firm whose
    figures now fail a condition is refused, naming it."""
    if actor is not None:
        require(can_view_filing(actor, filing), not_found=True)
    workflow.check_version(filing, expected_version, FLOW)
    _require_editable(actor, filing)
    _contact(filing.contact_name, filing.contact_phone, required=True)
    if not commitment:
        raise FilingError(FilingCode.COMMITMENT_REQUIRED, field="commitment")
    day = _today(today)
    batch, policy = filing.batch, filing.batch.policy
    if filing.status == PolicyFilingStatus.DRAFT and not batch.open_on(day):
        raise FilingError(FilingCode.BATCH_CLOSED, batch=batch.name, closes_on=batch.closes_on)
    match = judged(filing.enterprise, policy, day)
    missing = materials.missing_required(filing)
    if missing:
        raise FilingError(FilingCode.MATERIALS_MISSING, field="attachments", missing="、".join(missing))
    fields = _freeze(filing, match, day)
    now = timezone.now()
    before = filing.status
    first = path_of(filing)[0]
    with transaction.atomic():
        workflow.move(
            filing,
            to=first,
            expected_version=expected_version,
            conflict=_conflict,
            **workflow.commitment_fields(actor, COMMITMENT_TEXT, now),
            submitted_at=now,
            **fields,
        )
        audit_record(
            actor=actor,
            action="policy_filings.filing.submit",
            target=filing,
            data={
                "status": [before, filing.status],
                "policy": policy.code,
                "verdict": match.verdict,
                "estimated_yuan": match.amount_yuan,
                "fiscal_year": filing.fiscal_year,
            },
        )
        _notify_level(filing)
    return filing


# ---- officials ------------------------------------------------------------------------------------


def _notify_level(filing: PolicyFiling) -> None:
    """`filing` has just reached a review level: tell that level's officials of the firm's region."""
    policy = filing.batch.policy
    notify_officials(
        region_code=filing.enterprise.region_id,
        level=filing.status,
        title=f"待审核政策申报：{filing.enterprise.name}（{policy.title}）"[:200],
        body=f"{filing.enterprise.name}申请“{policy.title}”（{filing.batch.name}，截止 {filing.batch.closes_on}），"
        f"已进入{filing.get_status_display()}环节，请在政策申报审核中处理。申报编号 {filing.reference}。",
        link=_link(filing),
    )


def _notify_firm(filing: PolicyFiling, *, subject: str, body: str) -> None:
    notify_enterprise(
        filing.enterprise,
        subject=subject,
        body=body,
        link=_link(filing),
        kind=NotificationKind.APPLICATION,
        details=f"政策：{filing.batch.policy.title}\n申报编号：{filing.reference}\n当前状态：{filing.get_status_display()}",
    )


def decide_amount(filing: PolicyFiling, amount_yuan: int | None) -> int:
    """The amount the top level approves: the official's, else the frozen estimate; never above the cap."""
    amount = amount_yuan if amount_yuan is not None else filing.estimated_yuan
    if amount is None or amount <= 0:
        raise FilingError(FilingCode.AMOUNT_REQUIRED, field="amount")
    cap = filing.edition.amount_cap_yuan if filing.edition is not None else None
    if cap is not None and amount > cap:
        raise FilingError(FilingCode.AMOUNT_OVER_CAP, field="amount", amount=_wan(amount), cap=_wan(cap))
    return amount


def _wan(yuan: int) -> str:
    return f"{Decimal(yuan) / 10000:,.4f}".rstrip("0").rstrip(".")


def policy_filing_review(
    *,
    actor: Any,
    filing: PolicyFiling,
    action: str,
    comment: str = "",
    amount_yuan: int | None = None,
    expected_version: int | None = None,
) -> PolicyFiling:
    """At the actor's own level: approve (forward; at the policy's level, decide the amount — the
    estimate unless the official enters another, never above the cap — and grant the award), return to
    the firm, or reject (both with the reason)."""
    require(can_view_filing(actor, filing), not_found=True)
    workflow.check_version(filing, expected_version, FLOW)
    path = path_of(filing)
    top = filing.status == path[-1]
    amount = None
    if action == ReviewAction.APPROVE and top and can_review_filing(actor, filing):
        amount = decide_amount(filing, amount_yuan)
    policy = filing.batch.policy

    def decided(to: str) -> dict[str, Any]:
        if to in (PolicyFilingStatus.APPROVED, PolicyFilingStatus.REJECTED):
            return {
                "approved_yuan": amount,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "decision_reason": comment.strip(),
            }
        return {}

    def follow_up(decision: workflow.Decision) -> None:
        who = decision.org_label or "主管部门"
        if decision.to == PolicyFilingStatus.APPROVED:
            assert amount is not None
            award = policy_services.award_grant(
                actor=actor,
                policy_batch=filing.batch,
                enterprise=filing.enterprise,
                amount_yuan=amount,
                route=PolicyRoute.APPLICATION,
                basis=decision.comment or f"政策申报 {filing.reference} 审核通过",
                filing_ref=filing.reference,
                evidence=filing.frozen_assessment,
            )
            PolicyFiling.objects.filter(pk=filing.pk).update(award=award)
            filing.award = award
            _notify_firm(
                filing,
                subject=f"政策申报已核定：{policy.title}"[:200],
                body=f"{who}核定奖补金额 {_wan(amount)} 万元，将按规定拨付，拨付进度可在申报页面查看。"
                + (f"\n审核意见：{decision.comment}" if decision.comment else ""),
            )
        elif decision.to == PolicyFilingStatus.RETURNED:
            _notify_firm(
                filing,
                subject=f"政策申报已退回修改：{policy.title}"[:200],
                body=f"{who}的意见：{decision.comment}\n请按意见修改或补充材料后重新提交。",
            )
        elif decision.to == PolicyFilingStatus.REJECTED:
            _notify_firm(
                filing,
                subject=f"政策申报不予支持：{policy.title}"[:200],
                body=f"{who}的意见：{decision.comment}",
            )
        else:
            _notify_level(filing)

    workflow.review_decide(
        actor=actor,
        filing=filing,
        action=action,
        comment=comment,
        expected_version=expected_version,
        may_review=can_review_filing(actor, filing),
        path=path,
        flow=FLOW,
        extra=decided,
        after=follow_up,
    )
    return filing


def policy_filing_payout(
    *,
    actor: Any,
    filing: PolicyFiling,
    amount_yuan: int,
    paid_on: dt.date,
    reference: str,
) -> Payout:
    """Record one payment of the filing's award (tidu.policies checks the payer, audits and tells the firm)."""
    require(can_view_filing(actor, filing), not_found=True)
    if filing.award is None:
        raise FilingError(FilingCode.NOT_APPROVED, status=filing.get_status_display())
    return policy_services.payout_record(
        actor=actor, award=filing.award, amount_yuan=amount_yuan, paid_on=paid_on, reference=reference
    )
