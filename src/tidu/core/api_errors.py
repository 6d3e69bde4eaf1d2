"""The API's own failures (not signed in, a malformed request) in Chinese, with the same JSON shape and
stable codes as every TiduError: {"code", "message", "field", "problems"}.

django-ninja answers them by itself in English ("Unauthorized", "Field required"); `install` replaces
those answers. Each problem names the field by its Chinese label where the platform knows one, and by
its JSON name too, so a programmer can find it.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from tidu.core.errors import ErrorCode, TiduError, error_message

# Bounded integers for parameters: a value outside them is refused with 422 and the error schema before it
# reaches a date, a timedelta or the database (a year of 662072903757086326784 or `waiting_days=-554483635`
# used to end in a server error). 2**31 - 1 is the largest id/offset both SQLite and PostgreSQL accept.
INT32_MAX = 2**31 - 1
Year = Annotated[int, Field(ge=1900, le=2100, description="年度（1900～2100）")]
Days = Annotated[int, Field(ge=0, le=3650, description="天数（0～3650）")]
Limit = Annotated[int, Field(ge=1, le=INT32_MAX, description="每页条数（超过上限按上限）")]
Offset = Annotated[int, Field(ge=0, le=INT32_MAX, description="起始位置")]
Id = Annotated[int, Field(ge=1, le=2**63 - 1, description="记录编号")]


class ErrorOut(Schema):
    """The one error body of the API: every 4xx answer, the framework's own included, has this shape."""

    code: str
    message: str
    field: str | None = None
    problems: list[dict[str, Any]] | None = None


# Answers the framework gives by itself, documented on every operation they can happen to (the operation's
# own `response=` lists the answers its view gives).
FRAMEWORK_ANSWERS = {
    401: "未登录，或 API 令牌无效/已撤销",
    403: "无权访问；用浏览器会话调用时也可能是缺少 CSRF 令牌",
    404: "路径中的记录不存在，或您无权查看",
    413: "请求体超过上限（code 为 request_too_large）：文件以外的内容 2.5 MB，经 nginx 的整个请求 60 MB",
    422: "参数或请求体不符合本接口的说明（problems 中逐项列出）",
    429: "请求过于频繁（API 令牌的账号或网络地址超过频率限制），Retry-After 头给出需等待的秒数",
    500: "服务器内部错误（code 为 server_error），message 中有请求编号，与响应头 X-Request-ID 相同",
    503: "数据库暂时无法连接（code 为 service_unavailable），Retry-After 头给出建议等待的秒数；写操作可能未完成，请重新读取后确认",
}


def document_framework_answers(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the framework's own answers (401/403 when signed-in only, 404 with a path parameter, 422 with any
    parameter or body, 413 with a body, 500/503 everywhere) to each operation of an OpenAPI schema, all with
    the one error schema (tidu.core.api_answers makes Django's own 404/405/413/500 use it too)."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            params = operation.get("parameters", [])
            answers = {500, 503}  # a bug (the body names the request id); a lost database (tidu.core.unavailable)
            if operation.get("security"):
                answers |= {401, 403, 429}  # 429: the per-account and per-address limits of API tokens
            if any(p.get("in") == "path" for p in params):
                answers.add(404)
            if params or "requestBody" in operation:
                answers.add(422)
            if "requestBody" in operation:
                answers.add(413)  # over DATA_UPLOAD_MAX_MEMORY_SIZE (Django) or client_max_body_size (nginx)
            responses = operation["responses"]
            for status in sorted(answers):
                if status not in responses and str(status) not in responses:  # ninja keys them by int
                    responses[status] = {"description": FRAMEWORK_ANSWERS[status], "content": body}
    return schema


# Parameters of the endpoints that are not registry fields (those get the registry's label).
PARAM_LABELS = {
    "payload": "请求体", "body": "请求体", "year": "年度", "fiscal_year": "会计年度", "tier": "梯度（评价标准）",
    "region_code": "行政区划代码", "region": "行政区划代码", "opens_on": "开始受理日期", "deadline": "截止日期",
    "name": "名称", "comment": "审核意见", "action": "审核操作", "limit": "每页条数", "offset": "起始位置",
    "q": "查询词", "credit_code": "统一社会信用代码", "fields": "字段列表", "seen_updated_at": "查看时的更新时间",
    "expected_version": "版本号", "reason": "理由", "text": "异议内容", "contact": "联系方式", "pain": "痛点描述",
    "level": "数字化等级", "industry": "行业代码", "status": "状态", "answers": "答卷", "category": "行业类别",
}
LOCATIONS = {"body": "请求体", "query": "查询参数", "path": "路径", "header": "请求头", "form": "表单", "cookie": "Cookie"}


def field_label(name: str) -> str:
    """The Chinese name of a request field: the registry's label (yearly rows drop _y1), else ours."""
    if name in PARAM_LABELS:
        return PARAM_LABELS[name]
    from tidu.rules.fieldinfo import field_infos  # the registry, read once

    infos = field_infos()
    for candidate in (name, f"{name}_y1"):
        if candidate in infos:
            return infos[candidate].label
    return ""


def _why(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    given = error.get("input")
    shown = f"，收到“{given}”" if given is not None and not isinstance(given, dict | list) else ""
    if kind == "missing":
        return "为必填项，请求中没有提供"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"应为整数{shown}"
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type"}:
        return f"应为数字{shown}"
    if kind in {"bool_parsing", "bool_type"}:
        return f"应为 true 或 false{shown}"
    if kind.startswith("date") and "time" not in kind:
        return f"应为日期，格式如 2026-01-31{shown}"
    if kind.startswith("datetime"):
        return f"应为日期时间，格式如 2026-01-31T09:00:00+08:00{shown}"
    if kind in {"string_type", "string_too_short", "string_too_long"}:
        if kind == "string_too_long":
            return f"太长，最多 {ctx.get('max_length', '')} 个字符"
        if kind == "string_too_short":
            return f"太短，至少 {ctx.get('min_length', '')} 个字符"
        return f"应为文本{shown}"
    if kind in {"literal_error", "enum"}:
        return f"应为以下之一：{ctx.get('expected', '')}{shown}"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = {"greater_than": "大于", "greater_than_equal": "不小于", "less_than": "小于",
                 "less_than_equal": "不大于"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"应{bound} {limit}{shown}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "应为 JSON 对象"
    if kind == "list_type":
        return "应为列表（JSON 数组）"
    if kind == "json_invalid":
        return "不是有效的 JSON"
    if kind == "extra_forbidden":
        return "不是本接口接受的字段"
    return "的值不符合要求"


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    loc = [str(p) for p in error.get("loc", ())]
    names = [p for p in loc[1:] if p not in {"payload", "body"} and not p.isdigit()] or loc[-1:]
    name = names[-1] if names else ""
    label = field_label(name)
    where = LOCATIONS.get(loc[0], "") if loc else ""
    subject = f"{label}（{name}）" if label and label != name else f"{where}字段“{name}”" if name else where or "请求"
    if error.get("type") == "json_invalid":
        subject = "请求体"
    message = f"{subject}{_why(error)}"
    return {"field": name or None, "code": str(error.get("type", "invalid")), "message": message}


def _json(api: NinjaAPI, request: HttpRequest, error: TiduError, status: int | None = None,
          problems: list[dict[str, Any]] | None = None) -> HttpResponse:
    data = error.as_dict()
    if problems is not None:
        data["problems"] = problems
    return api.create_response(request, data, status=status or error.status)


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's English answers with Chinese ones in the platform's error shape."""

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        problems = [_problem(e) for e in exc.errors]
        detail = "；".join(p["message"] for p in problems) or "请求格式不正确"
        error = TiduError(ErrorCode.VALIDATION, field=problems[0]["field"] if problems else None, detail=detail)
        return _json(api, request, error, status=422, problems=problems)

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        code = ErrorCode.TOKEN_INVALID if header.lower().startswith("bearer ") else ErrorCode.LOGIN_REQUIRED
        message = error_message(code) + ("" if code == ErrorCode.TOKEN_INVALID else
                                         "程序访问请在请求头中带上 Authorization: Bearer <令牌>（在“我的账号”页面创建）。")
        return _json(api, request, TiduError(code, message=message), status=401)

    def on_authorization(request: HttpRequest, exc: Any) -> HttpResponse:
        return _json(api, request, TiduError(ErrorCode.PERMISSION_DENIED), status=403)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return _json(api, request, TiduError(ErrorCode.NOT_FOUND), status=404)

    def on_tidu_error(request: HttpRequest, exc: Any) -> HttpResponse:
        """A TiduError raised before the view (a rate limit on an API token), with its headers."""
        response = _json(api, request, exc)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    def on_throttled(request: HttpRequest, exc: Any) -> HttpResponse:
        return _json(api, request, TiduError(ErrorCode.VALIDATION, message="请求过于频繁，请稍后再试。"), status=429)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 403 and getattr(exc, "message", "") == "CSRF check Failed":  # ninja's SessionAuth
            return _json(api, request, TiduError(ErrorCode.CSRF_FAILED), status=403)
        code = {401: ErrorCode.LOGIN_REQUIRED, 403: ErrorCode.PERMISSION_DENIED, 404: ErrorCode.NOT_FOUND}.get(
            exc.status_code, ErrorCode.VALIDATION)
        message = error_message(code) if code != ErrorCode.VALIDATION else "请求无法处理，请检查请求的地址、方法和内容。"
        return _json(api, request, TiduError(code, message=message), status=exc.status_code)

    plain_schema = api.get_openapi_schema

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        return document_framework_answers(plain_schema(*args, **kwargs))

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(AuthorizationError, on_authorization)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(TiduError, on_tidu_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
