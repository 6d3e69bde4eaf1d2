"""Error codes of the journey, each with its Chinese message and HTTP status.

They ride on `TiduError` (so `tidu_view` and `api_errors` render them) with their own code string;
if the core enum absorbs them later, only this module changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class JourneyCode(StrEnum):
    CONFLICT = "conflict"
    ROUND_NOT_OPEN = "round_not_open"
    ROUND_OUTSIDE_REGION = "round_outside_region"
    ALREADY_APPLIED = "already_applied"
    NOT_EDITABLE = "not_editable"
    NOT_AT_YOUR_STEP = "not_at_your_step"
    COMMITMENT_REQUIRED = "commitment_required"
    NO_FIGURES = "no_figures"
    ATTACHMENT_TYPE = "attachment_type"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_NAME = "attachment_name"
    ATTACHMENT_EMPTY = "attachment_empty"
    NOTHING_TO_PUBLISH = "nothing_to_publish"
    PUBLICITY_NOT_OVER = "publicity_not_over"
    PUBLICITY_CLOSED = "publicity_closed"
    OBJECTIONS_PENDING = "objections_pending"
    OBJECTION_RESOLVED = "objection_resolved"
    OBJECTION_THROTTLED = "objection_throttled"
    OBJECTION_CONTACT_INVALID = "objection_contact_invalid"
    OBJECTION_NAME_INVALID = "objection_name_invalid"
    ALREADY_REVOKED = "already_revoked"
    REASON_REQUIRED = "reason_required"
    DATES_INVALID = "dates_invalid"
    ROUND_DEADLINE_PAST = "round_deadline_past"
    PUBLICITY_START_PAST = "publicity_start_past"
    PUBLICITY_START_NOT_WORKDAY = "publicity_start_not_workday"
    PUBLICITY_TITLE_TAKEN = "publicity_title_taken"
    PUBLICITY_TITLE_INVALID = "publicity_title_invalid"
    REREVIEW_OPEN = "rereview_open"
    REREVIEW_CONFLICT = "rereview_conflict"
    REREVIEW_TOO_EARLY = "rereview_too_early"
    RECOGNITION_REVOKED = "recognition_revoked"
    PREREQUISITE_MISSING = "prerequisite_missing"
    NOT_LOCKED = "not_locked"
    ALREADY_LOCKED = "already_locked"
    LOCKED = "locked"
    ATTACHMENTS_MISSING = "attachments_missing"
    ATTACHMENT_DUPLICATE = "attachment_duplicate"
    ATTACHMENT_KIND = "attachment_kind"
    STAMPED_NEEDS_LOCK = "stamped_needs_lock"


MESSAGES: dict[JourneyCode, str] = {
    JourneyCode.CONFLICT: "该申报刚刚已被他人处理（当前状态：{status}），您的操作未生效。请刷新后查看最新状态。",
    JourneyCode.ROUND_NOT_OPEN: "该申报批次当前不在受理期内（{opens_on} 至 {deadline}）。",
    JourneyCode.ROUND_OUTSIDE_REGION: "该申报批次只受理{region}的企业。",
    JourneyCode.ALREADY_APPLIED: "本企业已在该批次中申报，请打开已有的申报继续填写。",
    JourneyCode.NOT_EDITABLE: "申报当前状态为“{status}”，不能修改或提交。",
    JourneyCode.NOT_AT_YOUR_STEP: "该申报当前处于“{status}”环节，不由您所在单位审核。",
    JourneyCode.COMMITMENT_REQUIRED: "请阅读并勾选真实性承诺后再提交。",
    JourneyCode.NO_FIGURES: "尚未填报{year}年度数据，请先在“我的企业”中填报后再申报。",
    JourneyCode.ATTACHMENT_TYPE: "附件“{name}”不是 PDF 或图片（JPG、PNG）文件，请转换后上传。",
    JourneyCode.ATTACHMENT_TOO_LARGE: "附件“{name}”超过 {limit_mb} MB，请压缩后上传。",
    JourneyCode.ATTACHMENT_NAME: "文件名“{name}”不可用：请使用不含路径和特殊字符的文件名。",
    JourneyCode.ATTACHMENT_EMPTY: "附件“{name}”是空文件。",
    JourneyCode.NOTHING_TO_PUBLISH: "该批次没有审核通过、待公示的申报。",
    JourneyCode.PUBLICITY_NOT_OVER: "公示期至 {ends_on} 结束，公示期满后才能作出认定决定。",
    JourneyCode.PUBLICITY_CLOSED: "公示期已结束，不再受理异议。",
    JourneyCode.OBJECTIONS_PENDING: "还有 {count} 件异议未处理，请先处理异议。",
    JourneyCode.OBJECTION_RESOLVED: "该异议已处理。",
    JourneyCode.OBJECTION_THROTTLED: ("提交异议过于频繁：同一网络地址{scope}{window}内最多提交 {limit} 件异议。"
                                      "请 {minutes} 分钟后再试；情况较多的，请直接联系公示单位。"),
    JourneyCode.OBJECTION_CONTACT_INVALID: ("联系方式“{value}”无效：请填写11位手机号码（如 13800000000）或电子邮箱，"
                                            "以便主管部门向您核实异议。"),
    JourneyCode.OBJECTION_NAME_INVALID: "提出人姓名“{value}”无效：请填写真实姓名（2～30个字，不含数字）。",
    JourneyCode.ALREADY_REVOKED: "该认定已于 {at} 撤销。",
    JourneyCode.REASON_REQUIRED: "请填写{what}。",
    JourneyCode.DATES_INVALID: "日期有误：{detail}",
    JourneyCode.ROUND_DEADLINE_PAST: "截止日期（{deadline}）早于今天（{today}）：这样的批次无法受理任何申报，请修改截止日期。",
    JourneyCode.PUBLICITY_START_PAST: "公示开始日期（{starts_on}）早于今天（{today}），请选择今天或以后的工作日。",
    JourneyCode.PUBLICITY_START_NOT_WORKDAY: "公示开始日期（{starts_on}）不是工作日（周末或法定节假日），请选择工作日，如 {suggest}。",
    JourneyCode.PUBLICITY_TITLE_TAKEN: "公示标题“{title}”已被 {starts_on} 发布的另一则公示使用，公示标题不能重复，请修改（如加上地区、年度或批次）。",
    JourneyCode.PUBLICITY_TITLE_INVALID: "公示标题有误：{detail}",
    JourneyCode.REREVIEW_CONFLICT: "该复核刚刚已被他人处理（当前状态：{status}），您的操作未生效。请刷新后查看最新状态。",
    JourneyCode.REREVIEW_OPEN: "认定 {number} 已有进行中的复核（{status}）。",
    JourneyCode.REREVIEW_TOO_EARLY: "认定 {number} 有效期至 {valid_until}，距到期超过 {window} 天，尚未进入复核期。",
    JourneyCode.RECOGNITION_REVOKED: "认定 {number} 已撤销，不能复核。",
    JourneyCode.PREREQUISITE_MISSING: (
        "申报{tier}须持有{title}（{clause}），{as_of}未见有效称号：{why}。"
        "如持有本平台以外认定、仍在有效期内的称号，请在“我的企业”{year}年度数据的“已获称号”中填报，审核部门将核验证书。"),
    JourneyCode.NOT_LOCKED: "申报尚未锁定：请先核对数据、签署承诺并锁定，下载申报书打印盖章后上传，再提交。",
    JourneyCode.ALREADY_LOCKED: "申报已于 {at} 锁定；如需修改，请先解除锁定。",
    JourneyCode.LOCKED: "申报已锁定，除盖章申报书外不能增删附件；如需修改附件，请先解除锁定。",
    JourneyCode.ATTACHMENTS_MISSING: "还缺少以下必需材料：{missing}。请上传后再提交。",
    JourneyCode.ATTACHMENT_DUPLICATE: "文件“{name}”与本申报已上传的附件“{existing}”（{kind}）内容相同，无需重复上传。",
    JourneyCode.ATTACHMENT_KIND: "材料类型有误：{tier}申报的材料类型为 {allowed}。",
    JourneyCode.STAMPED_NEEDS_LOCK: "盖章申报书须在锁定后上传：请先锁定申报并下载申报书，打印盖章后再上传扫描件。",
}

HTTP_STATUS: dict[JourneyCode, int] = {
    JourneyCode.OBJECTION_THROTTLED: 429,
    JourneyCode.CONFLICT: 409,
    JourneyCode.ALREADY_APPLIED: 409,
    JourneyCode.REREVIEW_OPEN: 409,
    JourneyCode.REREVIEW_CONFLICT: 409,
    JourneyCode.PUBLICITY_TITLE_TAKEN: 409,
    JourneyCode.ATTACHMENT_DUPLICATE: 409,
    JourneyCode.NOT_AT_YOUR_STEP: 403,
    JourneyCode.ATTACHMENT_TOO_LARGE: 413,
    JourneyCode.ATTACHMENT_TYPE: 415,
}


class JourneyError(TiduError):
    """A journey failure: its own code and status, the Chinese message, rendered like any TiduError."""

    def __init__(self, code: JourneyCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.journey_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.journey_code, 400)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"code": str(self.journey_code)}
