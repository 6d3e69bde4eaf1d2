"""Error codes of the service list, each with its Chinese message and HTTP status (rendered like any TiduError)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tidu.core.errors import ErrorCode, TiduError


class ServiceCode(StrEnum):
    CONFLICT = "service_conflict"
    NOT_A_PROVIDER = "service_not_a_provider"
    PROVIDER_NOT_APPROVED = "service_provider_not_approved"
    PROVIDER_DECIDED = "service_provider_decided"
    OFFER_NOT_EDITABLE = "service_offer_not_editable"
    OFFER_NOT_SUBMITTED = "service_offer_not_submitted"
    OFFER_NOT_LISTED = "service_offer_not_listed"
    OFFER_OUTSIDE_JURISDICTION = "service_offer_outside_jurisdiction"
    OFFER_NOT_SERVING_REGION = "service_offer_not_serving_region"
    REQUEST_OPEN = "service_request_open"
    REQUEST_WRONG_STATE = "service_request_wrong_state"
    RATING_NOT_DONE = "service_rating_not_done"
    RATING_EXISTS = "service_rating_exists"
    SCORE_INVALID = "service_score_invalid"


MESSAGES: dict[ServiceCode, str] = {
    ServiceCode.CONFLICT: "该服务申请刚刚已被他人处理（当前状态：{status}），您的操作未生效。请刷新后查看最新状态。",
    ServiceCode.NOT_A_PROVIDER: "只有服务机构的账号可以管理服务事项。",
    ServiceCode.PROVIDER_NOT_APPROVED: "本机构尚未通过主管部门审核（当前：{status}），审核通过后才能提交服务事项上架。",
    ServiceCode.PROVIDER_DECIDED: "该服务机构已审核（{status}），不能重复审核。",
    ServiceCode.OFFER_NOT_EDITABLE: "服务事项当前状态为“{status}”，不能修改；已上架的请先下架，待审核的请等待审核结果。",
    ServiceCode.OFFER_NOT_SUBMITTED: "服务事项当前状态为“{status}”，不在待审核状态。",
    ServiceCode.OFFER_NOT_LISTED: "服务事项“{title}”当前未上架（{status}），不能申请。",
    ServiceCode.OFFER_OUTSIDE_JURISDICTION: "服务事项的服务地区（{regions}）超出您的辖区，须由覆盖全部服务地区的主管部门审核。",
    ServiceCode.OFFER_NOT_SERVING_REGION: "服务事项“{title}”不面向贵企业所在地（{region}）提供服务。",
    ServiceCode.REQUEST_OPEN: "贵企业已申请过该服务且尚未办结（{status}），请在原申请中沟通。",
    ServiceCode.REQUEST_WRONG_STATE: "服务申请当前状态为“{status}”，不能{what}。",
    ServiceCode.RATING_NOT_DONE: "服务机构标记“已完成”后才能评价（当前状态：{status}）。",
    ServiceCode.RATING_EXISTS: "该服务申请已于{when}评价过，每次服务只能评价一次。",
    ServiceCode.SCORE_INVALID: "评分应为 1～5 的整数（收到“{value}”）。",
}

HTTP_STATUS: dict[ServiceCode, int] = {
    ServiceCode.CONFLICT: 409,
    ServiceCode.NOT_A_PROVIDER: 403,
    ServiceCode.OFFER_OUTSIDE_JURISDICTION: 403,
    ServiceCode.PROVIDER_DECIDED: 409,
    ServiceCode.REQUEST_OPEN: 409,
    ServiceCode.RATING_EXISTS: 409,
}


class ServiceError(TiduError):
    def __init__(self, code: ServiceCode, *, field: str | None = None, **params: Any):
        super().__init__(ErrorCode.VALIDATION, field=field, message=MESSAGES[code].format(**params), **params)
        self.service_code = code

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.service_code, 400)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"code": str(self.service_code)}
