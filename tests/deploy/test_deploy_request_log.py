"""Request ids: echoed to the client and written in the JSON log line of that request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from tidu.core.request_log import RequestIdFilter, json_formatter


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines, filtered as settings.LOGGING's console handler is."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_the_clients_request_id_is_echoed_and_logged_as_json(json_log: io.StringIO, settings: object) -> None:
    settings.TIDU_REQUEST_LOG = True  # type: ignore[attr-defined]
    response = Client().get("/login/", HTTP_X_REQUEST_ID="req-7f3a9c0d2b")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-7f3a9c0d2b"
    request_lines = [line for line in _lines(json_log) if line["logger"] == "tidu.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == "req-7f3a9c0d2b"
    assert line["method"] == "GET" and line["path"] == "/login/" and line["status"] == 200
    assert line["level"] == "INFO" and "time" in line and isinstance(line["duration_ms"], float)


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_fresh_one_each_time() -> None:
    client = Client()
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second


@pytest.mark.django_db
def test_a_forged_id_is_replaced_so_it_cannot_split_a_header_or_a_log_line(json_log: io.StringIO,
                                                                             settings: object) -> None:
    settings.TIDU_REQUEST_LOG = True  # type: ignore[attr-defined]
    forged = 'x" , "level": "CRITICAL'
    response = Client().get("/healthz", HTTP_X_REQUEST_ID=forged)
    assert response["X-Request-ID"] != forged and len(response["X-Request-ID"]) == 32
    assert all(line["request_id"] == response["X-Request-ID"] for line in _lines(json_log)
               if line["logger"] == "tidu.request")


@pytest.mark.django_db
def test_a_record_logged_inside_a_view_carries_the_request_id(json_log: io.StringIO) -> None:
    # A 404 is logged by Django's own logger ("django.request"), not ours: the id still reaches it.
    response = Client().get("/no-such-page-at-all/", HTTP_X_REQUEST_ID="trace-0000-1111")
    assert response.status_code == 404
    django_lines = [line for line in _lines(json_log) if line["logger"] == "django.request"]
    assert django_lines and all(line["request_id"] == "trace-0000-1111" for line in django_lines)


def test_records_outside_a_request_say_so(json_log: io.StringIO) -> None:
    logging.getLogger("tidu.jobs").info("job finished")
    assert _lines(json_log)[-1]["request_id"] == "-"


def test_every_setting_logs_through_the_request_id_filter() -> None:
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["request_id"]
    assert settings.LOGGING["filters"]["request_id"]["()"] == "tidu.core.request_log.RequestIdFilter"
    assert settings.MIDDLEWARE[0] == "tidu.core.request_log.RequestIdMiddleware"
