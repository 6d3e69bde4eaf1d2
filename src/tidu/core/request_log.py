"""Request ids and JSON log lines, so one request can be followed from the proxy to the worker's log.

The proxy (deploy/nginx) passes the client's X-Request-ID or makes one; `RequestIdMiddleware` accepts a
well-formed id or generates one, keeps it in a context variable for the whole request, echoes it in the
response, and (setting TIDU_REQUEST_LOG) writes one JSON line per request. `RequestIdFilter` stamps the
id on every log record of that request, whichever logger wrote it. `logging_config()` is the LOGGING
dict of settings/base.py: text for a developer's terminal, JSON in production (TIDU_LOG_FORMAT).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# Ids from outside are copied into logs and responses: only short, plain tokens are accepted
# (no spaces, quotes or newlines that could forge a log line or split a header).
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
NO_REQUEST = "-"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("tidu_request_id", default=NO_REQUEST)
request_logger = logging.getLogger("tidu.request")


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request (jobs, commands)."""
    return _current.get()


def accept_or_make(incoming: str | None) -> str:
    """The client's (or proxy's) id if it is a plain token, else a new random one.

    >>> accept_or_make("f3b0c4a2e1d94b7c")
    'f3b0c4a2e1d94b7c'
    >>> len(accept_or_make("bad id\\nforged: line"))
    32
    """
    if incoming and _VALID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so redirects and errors from later middleware carry the id too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_or_make(request.META.get(META_KEY))
        request.META[META_KEY] = request_id
        # Not reset on the way out: Django logs 4xx/5xx ("django.request") after the middleware has
        # returned; the id is forgotten when the response is closed (request_finished, below).
        _current.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = request_id
        if getattr(settings, "TIDU_REQUEST_LOG", False):
            self._log(request, response.status_code, started)
        return response

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float) -> None:
        user = getattr(request, "user", None)
        request_logger.info(
            "%s %s %s", request.method, request.path, status,
            extra={
                "method": request.method,
                "path": request.path,  # never the query string: it may hold a token or personal data
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )


def _forget_request_id(**kwargs: object) -> None:
    _current.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="tidu.core.request_log.forget")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the handler's filter, so third-party loggers get it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s %(process)d"


def json_formatter() -> logging.Formatter:
    """The JSON formatter used by production logging (python-json-logger), one object per line. The time
    is ISO 8601 in UTC ("time"), whatever TIME_ZONE the process runs in, so lines of every process sort."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(JSON_FIELDS, timestamp="time", rename_fields={"levelname": "level", "name": "logger"})


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_level(value: str | None, *, variable: str = "TIDU_LOG_LEVEL") -> str:
    """TIDU_LOG_LEVEL in either case ("info", "INFO", " Warning ") as the upper-case name Python's logging
    wants (gunicorn's loglevel is its lower case); unset or empty is INFO. Anything else stops the start with
    the accepted names, rather than Django's "Unable to configure handler" or gunicorn's silent fallback.

    >>> log_level("warning"), log_level(None)
    ('WARNING', 'INFO')
    """
    name = (value or "").strip().upper() or "INFO"
    if name not in LOG_LEVELS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{variable}={value!r} is not a log level: use one of {', '.join(LOG_LEVELS)} "
                                   "(either case)")
    return name


def logging_config(*, fmt: str = "text", level: str = "INFO") -> dict[str, Any]:
    """LOGGING for settings: every record to stderr, with the request id, as text or as JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "tidu.core.request_log.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "tidu.core.request_log.json_formatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if fmt == "json" else "text",
            },
        },
        "root": {"handlers": ["console"], "level": level},
    }
