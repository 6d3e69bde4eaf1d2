"""Error codes of technology transfer, each with its Chinese message and HTTP status (rendered like any TiduError)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class TransferCode(StrEnum):
    NOT_A_PLATFORM = "techtransfer_not_a_platform"
    NOT_EDITABLE = "techtransfer_not_editable"
    WRONG_STATE = "techtransfer_wrong_state"
    NOT_LISTED = "techtransfer_not_listed"
    MODE_NOT_OFFERED = "techtransfer_mode_not_offered"
    NO_MODE = "techtransfer_no_mode"
    PRICE_RANGE = "techtransfer_price_range"
    REQUEST_OPEN = "techtransfer_request_open"
    REQUEST_WRONG_STATE = "techtransfer_request_wrong_state"
    NOT_OWN_ACHIEVEMENT = "techtransfer_not_own_achievement"
    ALREADY_REVIEWED = "techtransfer_already_reviewed"
    OUTSIDE_JURISDICTION = "techtransfer_outside_jurisdiction"
    FIRM_UNKNOWN = "techtransfer_firm_unknown"
    DATE_ORDER = "techtransfer_date_order"
    ALREADY_INCUBATING = "techtransfer_already_incubating"


MESSAGES: dict[TransferCode, str] = {
    TransferCode.NOT_A_PLATFORM: "只有创新平台的账号可以发布科技成果、登记转化和孵化记录。",
    TransferCode.NOT_EDITABLE: "科技成果当前状态为“{status}”，不能修改；已发布的请先撤下。",
    TransferCode.WRONG_STATE: "科技成果当前状态为“{status}”，不能{what}。",
    TransferCode.NOT_LISTED: "科技成果“{title}”当前未发布（{status}），不能申请。",
    TransferCode.MODE_NOT_OFFERED: "该成果不接受“{mode}”方式（可选：{modes}）。",
    TransferCode.NO_MODE: "请至少选择一种转化方式（转让、许可或合作开发）。",
    TransferCode.PRICE_RANGE: "参考价上限（{high} 万元）不能低于下限（{low} 万元）。",
    TransferCode.REQUEST_OPEN: "贵企业已就该成果提出申请且尚未办结（{status}），请等待平台回复。",
    TransferCode.REQUEST_WRONG_STATE: "转化申请当前状态为“{status}”，不能{what}。",
    TransferCode.NOT_OWN_ACHIEVEMENT: "只能为本平台的科技成果登记转化。",
    TransferCode.ALREADY_REVIEWED: "该记录已核实（{review}），不能重复核实。",
    TransferCode.OUTSIDE_JURISDICTION: "企业所在地（{region}）不在您的辖区内，须由企业所在地主管部门核实。",
    TransferCode.FIRM_UNKNOWN: "统一社会信用代码“{value}”的企业不在企业名录中，请核对。",
    TransferCode.DATE_ORDER: "毕业或退出日期（{ended}）不能早于入孵日期（{since}）。",
    TransferCode.ALREADY_INCUBATING: "该企业已于{since}登记入孵，不能重复登记。",
}

HTTP_STATUS: dict[TransferCode, int] = {
    TransferCode.NOT_A_PLATFORM: 403,
    TransferCode.NOT_OWN_ACHIEVEMENT: 403,
    TransferCode.OUTSIDE_JURISDICTION: 403,
    TransferCode.REQUEST_OPEN: 409,
    TransferCode.ALREADY_REVIEWED: 409,
    TransferCode.ALREADY_INCUBATING: 409,
}


class TransferError(TiduError):
    def __init__(self, code: TransferCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.transfer_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.transfer_code, 400)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"code": str(self.transfer_code)}
