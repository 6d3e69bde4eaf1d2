"""Error codes of 发榜/揭榜, each with its Chinese message and HTTP status (rendered like any TiduError)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class NeedCode(StrEnum):
    NOT_OWNER = "need_not_owner"
    NOT_CURATOR = "need_not_curator"
    NOT_A_FIRM = "need_not_a_firm"
    WRONG_STATE = "need_wrong_state"
    NOT_OPEN = "need_not_open"
    RESPONSE_EXISTS = "need_response_exists"
    RESPONSE_WRONG_STATE = "need_response_wrong_state"
    SELECTION_FULL = "need_selection_full"
    NO_CONTRACT = "need_no_contract"
    BUDGET_ORDER = "need_budget_order"
    DEADLINE_PAST = "need_deadline_past"
    FIELD_UNKNOWN = "need_field_unknown"
    FIGURE_UNKNOWN = "need_figure_unknown"
    ALREADY_INVITED = "need_already_invited"
    ENTERPRISE_UNKNOWN = "need_enterprise_unknown"
    REQUIRED = "need_required"
    TOO_LONG = "need_too_long"


MESSAGES: dict[NeedCode, str] = {
    NeedCode.NOT_OWNER: "只有发榜企业可以进行此操作。",
    NeedCode.NOT_CURATOR: "只有需求所在地区的主管部门可以进行此操作。",
    NeedCode.NOT_A_FIRM: "只有登记在册的中小企业账号可以揭榜。",
    NeedCode.WRONG_STATE: "需求“{title}”当前状态为“{status}”，不能{what}。",
    NeedCode.NOT_OPEN: "需求“{title}”已不在征集期内（状态：{status}，截止日期：{deadline}），不能提交揭榜方案。",
    NeedCode.RESPONSE_EXISTS: "贵企业已就该需求提交过揭榜方案（{status}），请在原方案中查看进展。",
    NeedCode.RESPONSE_WRONG_STATE: "揭榜方案当前状态为“{status}”，不能{what}。",
    NeedCode.SELECTION_FULL: "每项需求最多选定 {limit} 家揭榜企业，已选定 {count} 家。",
    NeedCode.NO_CONTRACT: "请先登记合同，再记录里程碑和验收。",
    NeedCode.BUDGET_ORDER: "预算下限（{low} 万元）不能高于预算上限（{high} 万元）。",
    NeedCode.DEADLINE_PAST: "揭榜截止日期（{deadline}）不能早于今天。",
    NeedCode.FIELD_UNKNOWN: "“{value}”不是可选的{what}。",
    NeedCode.FIGURE_UNKNOWN: "“{value}”不是可共享的企业数据项。",
    NeedCode.ALREADY_INVITED: "已邀请过“{name}”揭榜该需求。",
    NeedCode.ENTERPRISE_UNKNOWN: "未找到统一社会信用代码为“{credit_code}”的企业。",
    NeedCode.REQUIRED: "请填写{what}。",
    NeedCode.TOO_LONG: "{what}不能超过 {limit} 个字。",
}

HTTP_STATUS: dict[NeedCode, int] = {
    NeedCode.NOT_OWNER: 403,
    NeedCode.NOT_CURATOR: 403,
    NeedCode.NOT_A_FIRM: 403,
    NeedCode.RESPONSE_EXISTS: 409,
    NeedCode.SELECTION_FULL: 409,
    NeedCode.ALREADY_INVITED: 409,
    NeedCode.WRONG_STATE: 409,
    NeedCode.RESPONSE_WRONG_STATE: 409,
    NeedCode.ENTERPRISE_UNKNOWN: 404,
}


class NeedError(TiduError):
    def __init__(self, code: NeedCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.need_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.need_code, 400)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"code": str(self.need_code)}
