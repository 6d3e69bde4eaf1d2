"""Error codes of change reports, each with its Chinese message and HTTP status (rendered like any TiduError)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class ChangeCode(StrEnum):
    CONFLICT = "change_conflict"
    OPEN_REPORT = "change_open_report"
    NOT_EDITABLE = "change_not_editable"
    NOT_YOURS_TO_REVIEW = "change_not_yours_to_review"
    ALREADY_APPROVED_BY_SIDE = "change_side_already_approved"
    REGISTER_MOVED_ON = "change_register_moved_on"


MESSAGES: dict[ChangeCode, str] = {
    ChangeCode.CONFLICT: "该重大变化报告刚刚已被他人处理（当前状态：{status}），您的操作未生效。请刷新后查看最新状态。",
    ChangeCode.OPEN_REPORT: "本企业已有一份进行中的重大变化报告（{status}），请在该报告中修改，或等待审核完成。",
    ChangeCode.NOT_EDITABLE: "该重大变化报告当前状态为“{status}”，不能修改。",
    ChangeCode.NOT_YOURS_TO_REVIEW: "该重大变化报告不由您所在单位审核：须由企业所在地（迁址时另加迁入地）的县级主管部门审核。",
    ChangeCode.ALREADY_APPROVED_BY_SIDE: "您所在单位已核准该报告，正在等待{waiting}核准。",
    ChangeCode.REGISTER_MOVED_ON: "企业登记信息在报告提交后已发生变化（{what}），请退回企业按最新信息重新报告。",
}

HTTP_STATUS: dict[ChangeCode, int] = {
    ChangeCode.CONFLICT: 409,
    ChangeCode.OPEN_REPORT: 409,
    ChangeCode.REGISTER_MOVED_ON: 409,
    ChangeCode.NOT_YOURS_TO_REVIEW: 403,
}


class ChangeError(TiduError):
    def __init__(self, code: ChangeCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.change_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.change_code, 400)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"code": str(self.change_code)}
