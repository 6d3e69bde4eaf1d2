"""The database gone mid-request (PostgreSQL restarted, its backend killed, the network cut) is the platform
being briefly unavailable, not a bug: 503 with Retry-After instead of a plain 500 (decision 0113).

`server_error` is the URL conf's handler500. Django calls it from inside the `except` that caught the error,
whichever layer raised it (a view, the session middleware, ninja re-raising outside DEBUG), so the exception is
at hand: a `django.db.OperationalError` or `InterfaceError` answers 503 — the API's one error body
(code `service_unavailable` + Chinese message) under /api/, a Chinese page elsewhere — and anything else a 500:
code `server_error` with the request id under /api/ (decision 0116), the 500 page elsewhere. No answer touches
the database. The error is still logged by Django as a 5xx.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.request_log import current_request_id

# A restarted PostgreSQL or a replaced backend takes seconds; clients (and browsers' users) retry after this.
RETRY_AFTER_SECONDS = 15
API_PREFIX = "/api/"


def is_database_unavailable(error: BaseException | None) -> bool:
    """Lost or refused database connections. Django wraps the driver's errors in these two classes."""
    return isinstance(error, OperationalError | InterfaceError)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    error = TiduError(ErrorCode.SERVICE_UNAVAILABLE, seconds=RETRY_AFTER_SECONDS)
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    else:
        page = loader.get_template("503.html").render({"seconds": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=error.status)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    if request.path.startswith(API_PREFIX):  # the API's error body, with the request id to report
        error = TiduError(ErrorCode.SERVER_ERROR, request_id=current_request_id())
        return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    return defaults.server_error(request, template_name)
