"""Where a policy application is, in the words the firm follows: 申请 → 审核 → 核定金额 → 拨付."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from tidu.policies.models import AwardStatus
from tidu.policy_filings.models import IN_REVIEW, PolicyFiling, PolicyFilingStatus

DONE, CURRENT, TODO, STOPPED = "done", "current", "todo", "stopped"


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    state: str  # done | current | todo | stopped
    note: str = ""


def paid_yuan(filing: PolicyFiling) -> int:
    if filing.award is None:
        return 0
    return int(filing.award.payouts.aggregate(s=Sum("amount_yuan"))["s"] or 0)


def stages(filing: PolicyFiling) -> list[Stage]:
    """Four stages; a return sends the firm back to the first, a rejection stops at the review."""
    st = filing.status
    submitted = filing.submitted_at is not None
    apply_state = CURRENT if st in (PolicyFilingStatus.DRAFT, PolicyFilingStatus.RETURNED) else DONE
    if st in IN_REVIEW:
        review_state = CURRENT
    elif st == PolicyFilingStatus.REJECTED:
        review_state = STOPPED
    elif st == PolicyFilingStatus.APPROVED:
        review_state = DONE
    else:
        review_state = TODO
    decided = st == PolicyFilingStatus.APPROVED and filing.award is not None
    award = filing.award
    if not decided or award is None:
        pay_state, pay_note = TODO, ""
    elif award.status == AwardStatus.PAID:
        pay_state, pay_note = DONE, str(_("已全额拨付"))
    elif award.status == AwardStatus.REVOKED:
        pay_state, pay_note = STOPPED, str(_("奖补决定已撤销"))
    else:
        pay_state = CURRENT
        pay_note = str(_("部分拨付")) if award.status == AwardStatus.PARTLY_PAID else str(_("待拨付"))
    return [
        Stage(
            "apply",
            str(_("申请")),
            apply_state,
            str(_("已退回，请修改后重新提交"))
            if st == PolicyFilingStatus.RETURNED
            else (str(_("已提交")) if submitted and apply_state == DONE else ""),
        ),
        Stage("review", str(_("审核")), review_state, filing.get_status_display() if st in IN_REVIEW else ""),
        Stage("decide", str(_("核定金额")), DONE if decided else TODO),
        Stage("pay", str(_("拨付")), pay_state, pay_note),
    ]
