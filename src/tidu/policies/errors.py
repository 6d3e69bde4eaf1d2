"""Error codes of policies, awards and payouts, each with its Chinese message (rendered like any TiduError)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class PolicyCode(StrEnum):
    CONDITIONS_INVALID = "policy_conditions_invalid"
    AMOUNT_INVALID = "policy_amount_invalid"
    AUTOMATIC_NEEDS_DATA = "policy_automatic_needs_data"
    NO_EDITION = "policy_no_edition"
    EDITION_EXISTS = "policy_edition_exists"
    NOT_PUBLISHED = "policy_not_published"
    OUTSIDE_REGION = "policy_outside_region"
    ALREADY_AWARDED = "policy_already_awarded"
    OVER_CAP = "policy_over_cap"
    OVER_BUDGET = "policy_over_budget"
    AWARD_REVOKED = "policy_award_revoked"
    OVERPAID = "policy_overpaid"
    NOT_QUALIFIED = "policy_not_qualified"
    BATCH_DATES = "policy_batch_dates"


MESSAGES: dict[PolicyCode, str] = {
    PolicyCode.CONDITIONS_INVALID: "政策条件有误：{reason}",
    PolicyCode.AMOUNT_INVALID: "{reason}",
    PolicyCode.AUTOMATIC_NEEDS_DATA: "免申即享政策的条件须全部可由数据判断：{labels} 需人工判断，请改为申报兑现，"
    "或把这些条件写成表达式。",
    PolicyCode.NO_EDITION: "政策“{title}”在 {day} 没有生效的版本，请先录入条件和金额。",
    PolicyCode.EDITION_EXISTS: "政策“{title}”已有 {day} 生效的版本；修订请录入新日期的版本并写明依据。",
    PolicyCode.NOT_PUBLISHED: "政策“{title}”尚未发布（或已废止），不能兑现。",
    PolicyCode.OUTSIDE_REGION: "{firm}不在政策“{title}”的适用地区内。",
    PolicyCode.ALREADY_AWARDED: "{firm}在“{batch}”已有奖补决定（{status}），不能重复决定。",
    PolicyCode.OVER_CAP: "金额 {amount} 万元超过本政策上限 {cap} 万元。",
    PolicyCode.OVER_BUDGET: "金额 {amount} 万元超出“{batch}”剩余预算 {left} 万元。",
    PolicyCode.AWARD_REVOKED: "该奖补决定已撤销，不能拨付。",
    PolicyCode.OVERPAID: "拨付 {amount} 万元后累计将超过决定金额 {total} 万元（已拨付 {paid} 万元）。",
    PolicyCode.NOT_QUALIFIED: "{firm}按现有数据不符合“{title}”的条件（{reason}），不能免申兑现。",
    PolicyCode.BATCH_DATES: "批次截止日期（{closes}）不能早于开始日期（{opens}）。",
}

HTTP_STATUS: dict[PolicyCode, int] = {
    PolicyCode.ALREADY_AWARDED: 409,
    PolicyCode.EDITION_EXISTS: 409,
}


class PolicyError(TiduError):
    def __init__(self, code: PolicyCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.policy_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.policy_code, 400)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["code"] = str(self.policy_code)
        return data
