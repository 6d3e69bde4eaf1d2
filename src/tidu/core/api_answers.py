"""Answers Django gives by itself under /api/ (an unknown path, a wrong method, a body over the limit, a server
error) in the API's one error body {"code", "message", "field", "problems"} instead of an HTML page or a bare
text (issue 15, decision 0116). django-ninja's own answers are handled in `tidu.core.api_errors`; these are
the ones that never reach an operation, or leave it as an exception Django turns into a page.

* `ApiErrorBodyMiddleware` (second in MIDDLEWARE): any answer under /api/ with status >= 400 whose body is not
  JSON gets the error body for its status, keeping its headers (Allow of a 405, Retry-After, the security
  headers). It is the net under everything, whatever layer made the answer.
* `bad_request` (handler400): Django turns `RequestDataTooBig` into a 400; it is a 413 that says how big the
  body was and what the limit is: the error body under /api/, the 413.html page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template import loader
from django.views import defaults

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.request_log import current_request_id

API_PREFIX = "/api/"
DOCS = "/api/v1/docs"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def megabytes(size: int) -> str:
    """A byte count as operators write limits.

    >>> megabytes(2621440), megabytes(62914560), megabytes(3000000)
    ('2.5 MB', '60 MB', '2.86 MB')
    """
    return f"{size / 1048576:.2f}".rstrip("0").rstrip(".") + " MB"


def sent_bytes(request: HttpRequest) -> int:
    """The body size the client declared (0 when absent or malformed)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def too_large_error(request: HttpRequest) -> TiduError:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = sent_bytes(request)
    sent = f"（本次 {megabytes(size)}）" if size > (limit or 0) else ""
    return TiduError(ErrorCode.REQUEST_TOO_LARGE, size=sent, limit=megabytes(limit) if limit else "")


def error_for_status(request: HttpRequest, response: HttpResponseBase) -> TiduError:
    """The error body for an answer Django or the framework made without one, by its status."""
    status = response.status_code
    if status == 404:
        return TiduError(ErrorCode.NOT_FOUND, message=f"接口地址不存在：{request.method} {request.path}。"
                                                      f"可用的接口见 {DOCS}。")
    if status == 405:
        allowed = "、".join(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
        return TiduError(ErrorCode.METHOD_NOT_ALLOWED, method=request.method, path=request.path,
                         allowed=allowed or "（无）")
    if status == 413:
        return too_large_error(request)
    if status == 403:
        return TiduError(ErrorCode.PERMISSION_DENIED)
    if status == 400:
        return TiduError(ErrorCode.BAD_REQUEST)
    if status >= 500:
        return TiduError(ErrorCode.SERVER_ERROR, request_id=current_request_id())
    return TiduError(ErrorCode.VALIDATION, message=f"请求未能完成（HTTP {status}）。请检查请求的地址、方法和内容。")


def error_json(error: TiduError, status: int | None = None) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=status or error.status, json_dumps_params={"ensure_ascii": False})


class ApiErrorBodyMiddleware:
    """Under /api/, an error answer without a JSON body gets the API's error body (same status, same headers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (response.status_code < 400 or not is_api(request)
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        body = json.dumps(error_for_status(request, response).as_dict(), ensure_ascii=False).encode()
        if response.streaming or not isinstance(response, HttpResponse):
            replaced = HttpResponse(status=response.status_code)
            for name, value in response.items():
                replaced[name] = value
            response = replaced
        response.content = body
        response["Content-Type"] = "application/json; charset=utf-8"
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(body))
        return response


def bad_request(request: HttpRequest, exception: Exception,
                template_name: str = defaults.ERROR_400_TEMPLATE_NAME) -> HttpResponse:
    """handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413 (Django would say 400): the error body under
    /api/, a page saying how much was sent and what the limit is elsewhere (a user who pasted a long text into a
    form otherwise sees only "请求有误")."""
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return error_json(too_large_error(request))
        return error_json(TiduError(ErrorCode.BAD_REQUEST))
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        context = {"size": megabytes(sent_bytes(request)), "limit": megabytes(limit)}
        # rendered without the request, as Django's own 400 page (no context processor may run)
        return HttpResponse(loader.get_template("413.html").render(context), status=413)
    return defaults.bad_request(request, exception, template_name)
