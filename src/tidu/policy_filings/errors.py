"""Error codes of policy applications, each with its Chinese message and HTTP status (like tidu.journey.errors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class FilingCode(StrEnum):
    CONFLICT = "policy_filing_conflict"
    NOT_APPLICATION_ROUTE = "policy_not_application_route"
    NO_OPEN_BATCH = "policy_no_open_batch"
    BATCH_CLOSED = "policy_batch_closed"
    OUTSIDE_REGION = "policy_outside_region"
    NOT_ELIGIBLE = "policy_not_eligible"
    NOT_IN_FORCE = "policy_not_in_force"
    ALREADY_APPLIED = "policy_already_applied"
    NOT_EDITABLE = "policy_filing_not_editable"
    NOT_AT_YOUR_STEP = "policy_filing_not_at_your_step"
    COMMITMENT_REQUIRED = "policy_filing_commitment_required"
    REASON_REQUIRED = "policy_filing_reason_required"
    MATERIALS_MISSING = "policy_filing_materials_missing"
    MATERIAL_UNKNOWN = "policy_filing_material_unknown"
    ATTACHMENT_DUPLICATE = "policy_filing_attachment_duplicate"
    AMOUNT_REQUIRED = "policy_filing_amount_required"
    AMOUNT_OVER_CAP = "policy_filing_amount_over_cap"
    NOT_APPROVED = "policy_filing_not_approved"
    CONTACT_INVALID = "policy_filing_contact_invalid"


MESSAGES: dict[FilingCode, str] = {
    FilingCode.CONFLICT: "该政策申报刚刚已被他人处理（当前状态：{status}），您的操作未生效。请刷新后查看最新状态。",
    FilingCode.NOT_APPLICATION_ROUTE: "“{title}”为免申即享政策，无需申报：符合条件的企业由主管部门直接兑现。",
    FilingCode.NO_OPEN_BATCH: "“{title}”目前没有受理中的申报批次{next}。",
    FilingCode.BATCH_CLOSED: "“{batch}”已于 {closes_on} 截止受理，不能再提交申报。",
    FilingCode.OUTSIDE_REGION: "“{title}”只适用于{region}的企业。",
    FilingCode.NOT_IN_FORCE: "“{title}”在 {day} 不在有效期内。",
    FilingCode.NOT_ELIGIBLE: "按本企业已填报的数据，不符合“{title}”的以下条件：{failed}。如数据有误，请先在“我的企业”中更正。",
    FilingCode.ALREADY_APPLIED: "本企业已在“{batch}”中申报（{reference}），请打开已有的申报继续办理。",
    FilingCode.NOT_EDITABLE: "政策申报当前状态为“{status}”，不能修改或提交。",
    FilingCode.NOT_AT_YOUR_STEP: "该政策申报当前处于“{status}”环节，不由您所在单位审核。",
    FilingCode.COMMITMENT_REQUIRED: "请阅读并勾选真实性承诺后再提交。",
    FilingCode.REASON_REQUIRED: "请填写{what}。",
    FilingCode.MATERIALS_MISSING: "还缺少以下申报材料：{missing}。请上传后再提交。",
    FilingCode.MATERIAL_UNKNOWN: "“{material}”不在该政策的申报材料清单中，请从清单中选择：{allowed}。",
    FilingCode.ATTACHMENT_DUPLICATE: "文件“{name}”与已上传的“{existing}”内容相同，无需重复上传。",
    FilingCode.AMOUNT_REQUIRED: "请填写核定金额（万元）：该政策的金额无法按企业数据自动测算。",
    FilingCode.AMOUNT_OVER_CAP: "核定金额 {amount} 万元超过该政策的上限 {cap} 万元。",
    FilingCode.NOT_APPROVED: "该政策申报尚未核定金额（当前状态：{status}），不能登记拨付。",
    FilingCode.CONTACT_INVALID: "{detail}",
}

HTTP_STATUS: dict[FilingCode, int] = {
    FilingCode.CONFLICT: 409,
    FilingCode.ALREADY_APPLIED: 409,
    FilingCode.ATTACHMENT_DUPLICATE: 409,
    FilingCode.NOT_AT_YOUR_STEP: 403,
}


class FilingError(TiduError):
    """A policy-application failure: its own code and status, the Chinese message."""

    def __init__(self, code: FilingCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.filing_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.filing_code, 400)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"code": str(self.filing_code)}
