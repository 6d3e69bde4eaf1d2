"""Error codes: one enum, one Chinese message each, one HTTP status each.

Views, the API and the importer raise `TiduError(ErrorCode.X, **params)`; users see the Chinese
message, programs see the code. Never show a traceback.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    LOGIN_REQUIRED = "login_required"
    VALIDATION = "validation"
    CREDIT_CODE_INVALID = "credit_code_invalid"
    REGION_UNKNOWN = "region_unknown"
    REGION_RETIRED = "region_retired"
    REGION_NOT_COUNTY = "region_not_county"
    REGION_NAME_UNKNOWN = "region_name_unknown"
    REGION_AMBIGUOUS = "region_ambiguous"
    INDUSTRY_CODE_INVALID = "industry_code_invalid"
    INDUSTRY_CODE_UNKNOWN = "industry_code_unknown"
    MONEY_INVALID = "money_invalid"
    MONEY_TOO_PRECISE = "money_too_precise"
    MONEY_NEGATIVE = "money_negative"
    MONEY_TOO_LARGE = "money_too_large"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    SUBTOTAL_EXCEEDS_TOTAL = "subtotal_exceeds_total"
    IMPLICATION_BROKEN = "implication_broken"
    FISCAL_YEAR_INVALID = "fiscal_year_invalid"
    DATE_IN_FUTURE = "date_in_future"
    ENTERPRISE_ALREADY_REGISTERED = "enterprise_already_registered"
    PHONE_INVALID = "phone_invalid"
    EMAIL_INVALID = "email_invalid"
    INVITATION_NO_EMAIL = "invitation_no_email"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_USED = "invitation_used"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_REVOKED = "invitation_revoked"
    ACCOUNT_REQUEST_DECIDED = "account_request_decided"
    REASON_REQUIRED = "reason_required"
    LOGIN_THROTTLED = "login_throttled"
    RATE_LIMITED = "rate_limited"
    TOKEN_INVALID = "token_invalid"
    AUDIT_APPEND_ONLY = "audit_append_only"
    IDENTITY_LOCKED = "identity_locked"
    EVENT_FIRM_BUSY = "event_firm_busy"
    EVENT_TABLE_TAKEN = "event_table_taken"
    EVENT_NOT_OPEN = "event_not_open"
    SERVICE_UNAVAILABLE = "service_unavailable"
    BAD_REQUEST = "bad_request"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    REQUEST_TOO_LARGE = "request_too_large"
    CSRF_FAILED = "csrf_failed"
    SERVER_ERROR = "server_error"


MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.NOT_FOUND: "未找到该记录，或您无权查看。",
    ErrorCode.PERMISSION_DENIED: "您没有执行此操作的权限。",
    ErrorCode.LOGIN_REQUIRED: "请先登录。",
    ErrorCode.VALIDATION: "填写的内容有误：{detail}",
    ErrorCode.CREDIT_CODE_INVALID: "统一社会信用代码“{value}”无效：{reason}",
    ErrorCode.REGION_UNKNOWN: "行政区划代码“{value}”不存在，请填写6位现行县级区划代码（如 440305 南山区）。",
    ErrorCode.REGION_RETIRED: "行政区划代码“{value}”（{name}）已撤销或调整，请填写现行区划代码。",
    ErrorCode.REGION_NAME_UNKNOWN: "找不到地区“{value}”：请输入省、市或区县的名称（如 广东省、深圳市、南山区），或6位行政区划代码。",
    ErrorCode.REGION_AMBIGUOUS: "“{value}”对应多个地区：{choices}。请从提示中选择，或写上所属省市（如 深圳市南山区）。",
    ErrorCode.REGION_NOT_COUNTY: "行政区划代码“{value}”（{name}）不是县级区划，请填写企业注册地所在的区、县或县级市代码。",
    ErrorCode.INDUSTRY_CODE_INVALID: "国民经济行业代码“{value}”格式不对：应为门类字母加2～4位数字，如 C3911。",
    ErrorCode.INDUSTRY_CODE_UNKNOWN: "国民经济行业代码“{value}”不在《国民经济行业分类》（GB/T 4754-2017）中：{reason}",
    ErrorCode.MONEY_INVALID: "“{value}”不是有效的金额，请填写数字（单位：万元）。",
    ErrorCode.MONEY_TOO_PRECISE: "金额“{value}”万元的小数位超过4位（最小单位为1元）。",
    ErrorCode.MONEY_NEGATIVE: "金额不能为负数（只有净利润可以为负）。",
    ErrorCode.MONEY_TOO_LARGE: "金额“{value}”过大，请检查单位是否为万元。",
    ErrorCode.VALUE_OUT_OF_RANGE: "{label}的值“{value}”超出允许范围（{low}～{high}）。",
    ErrorCode.SUBTOTAL_EXCEEDS_TOTAL: "{part_label}（{part}）不能大于{total_label}（{total}）。",
    ErrorCode.IMPLICATION_BROKEN: "已勾选“{premise_label}”，则“{conclusion_label}”也应为“是”。",
    ErrorCode.FISCAL_YEAR_INVALID: "会计年度“{value}”无效：应在 {low}～{high} 之间。",
    ErrorCode.DATE_IN_FUTURE: "{label}不能晚于今天。",
    ErrorCode.ENTERPRISE_ALREADY_REGISTERED: "该统一社会信用代码对应的企业已有账号，请联系本企业管理员或平台管理员。",
    ErrorCode.PHONE_INVALID: "{label}“{value}”格式不正确：请填写11位手机号（如 13800000000）或带区号的固定电话（如 0755-12345678）。",
    ErrorCode.EMAIL_INVALID: "{label}“{value}”不是有效的电子邮箱地址（应如 name@example.com）。",
    ErrorCode.INVITATION_NO_EMAIL: "{name}在企业名录中没有有效的联系邮箱{value}，无法发送开通邀请。请先填写该企业的联系邮箱。",
    ErrorCode.INVITATION_INVALID: "邀请链接无效。请检查链接是否完整，或联系所在地主管部门重新发送邀请。",
    ErrorCode.INVITATION_USED: "该邀请链接已于{when}使用过，不能再次使用。如已设置账号，请直接登录。",
    ErrorCode.INVITATION_EXPIRED: "该邀请链接已于{when}过期。请联系所在地主管部门重新发送邀请。",
    ErrorCode.INVITATION_REVOKED: "该邀请链接已作废（主管部门已重新发送邀请），请使用最新一封邀请邮件中的链接。",
    ErrorCode.ACCOUNT_REQUEST_DECIDED: "该申请已处理（{status}），不能重复处理。",
    ErrorCode.REASON_REQUIRED: "请填写{what}。",
    ErrorCode.RATE_LIMITED: "{what}：{who}{window}内{verb} {limit} {unit}。请 {wait}后再试{hint}。",
    ErrorCode.LOGIN_THROTTLED: "登录失败次数过多，请{minutes}分钟后再试，或通过“忘记密码”重设密码。",
    ErrorCode.TOKEN_INVALID: "API 令牌无效或已撤销。",
    ErrorCode.AUDIT_APPEND_ONLY: "审计记录只能新增，不能修改或删除。",
    ErrorCode.IDENTITY_LOCKED: "{label}不能直接修改：企业名称、注册地、所有制和主营业务的变化须提交重大变化报告，"
                               "经主管部门核准后才会变更。",
    ErrorCode.EVENT_FIRM_BUSY: "{name}在第{slot}时段已有洽谈安排，同一时段不能安排两场。",
    ErrorCode.EVENT_TABLE_TAKEN: "第{slot}时段的{table}号桌已有洽谈安排，请换一张桌或换一个时段。",
    ErrorCode.EVENT_NOT_OPEN: "该活动{status}，不能{what}。",
    ErrorCode.SERVICE_UNAVAILABLE: "数据库暂时无法连接，请在 {seconds} 秒后重试。刚才的操作如果是提交或保存，"
                                   "可能没有完成，请刷新后确认。",
    ErrorCode.BAD_REQUEST: "请求无法处理：请求头或请求格式不正确（例如 Host 不被接受，或表单字段过多）。",
    ErrorCode.METHOD_NOT_ALLOWED: "接口 {path} 不接受 {method} 请求，可用的方法：{allowed}。",
    ErrorCode.REQUEST_TOO_LARGE: "请求体过大{size}：文件以外的内容（JSON、表单字段）上限为 {limit}。"
                                 "导入大批数据请上传文件（multipart/form-data），或分批提交。",
    ErrorCode.CSRF_FAILED: "用浏览器会话调用写操作时须带 CSRF 令牌：请求头 X-CSRFToken 填 Cookie csrftoken 的值；"
                           "程序访问请改用 Authorization: Bearer <令牌>。",
    ErrorCode.SERVER_ERROR: "服务器内部错误，已记录（请求编号 {request_id}）。请稍后重试；如果一再出现，"
                            "请把请求编号告诉平台管理员。",
}

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.LOGIN_REQUIRED: 401,
    ErrorCode.TOKEN_INVALID: 401,
    ErrorCode.LOGIN_THROTTLED: 429,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.ENTERPRISE_ALREADY_REGISTERED: 409,
    ErrorCode.INVITATION_INVALID: 404,
    ErrorCode.INVITATION_USED: 410,
    ErrorCode.INVITATION_EXPIRED: 410,
    ErrorCode.INVITATION_REVOKED: 410,
    ErrorCode.ACCOUNT_REQUEST_DECIDED: 409,
    ErrorCode.AUDIT_APPEND_ONLY: 500,
    ErrorCode.IDENTITY_LOCKED: 403,
    ErrorCode.EVENT_FIRM_BUSY: 409,
    ErrorCode.EVENT_TABLE_TAKEN: 409,
    ErrorCode.EVENT_NOT_OPEN: 409,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.SERVER_ERROR: 500,
}


def error_message(code: ErrorCode, **params: Any) -> str:
    """The Chinese message for `code`, with `params` filled in (missing ones left blank)."""
    template = MESSAGES[code]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template.format_map(_Blank(params))


def http_status(code: ErrorCode) -> int:
    """The one HTTP status for a code; anything not listed is a 400 (the user can fix it)."""
    return HTTP_STATUS.get(code, 400)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


class TiduError(Exception):
    """A failure the user can understand: a code, a Chinese message, and the field if any."""

    def __init__(self, code: ErrorCode, *, field: str | None = None, message: str | None = None, **params: Any):
        self.code = code
        self.field = field
        self.params = params
        self.message = message or error_message(code, **params)
        self.headers: dict[str, str] = {}  # sent with the answer (Retry-After of a rate limit)
        super().__init__(self.message)

    @property
    def status(self) -> int:
        return http_status(self.code)

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "field": self.field}


class TiduValidationError(TiduError):
    """Several field problems at once (a form, an import row): each has field, code and message."""

    def __init__(self, problems: list[tuple[str | None, ErrorCode, str]]):
        self.problems = problems
        detail = "；".join(msg for _, _, msg in problems)
        super().__init__(ErrorCode.VALIDATION, detail=detail)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["problems"] = [{"field": f, "code": str(c), "message": m} for f, c, m in self.problems]
        return data
