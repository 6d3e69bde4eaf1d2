"""A database connection lost mid-request answers 503 with Retry-After, never a plain 500: the API's one error
body (code + Chinese message) under /api/, a Chinese page elsewhere (decision 0113). Every API operation
documents it. Other database errors are still server errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.test import Client

from tidu.config.api import api
from tidu.core.testing import PASSWORD, make_enterprise, make_user
from tidu.core.unavailable import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


@contextmanager
def database_failing(error: type[Exception]) -> Iterator[None]:
    """Every query from here on raises `error`, as psycopg does once PostgreSQL has killed the backend."""

    def fail(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        raise error("server closed the connection unexpectedly")

    with connection.execute_wrapper(fail):
        yield


def signed_in_firm() -> Client:
    user = make_user("db-gone-firm", "enterprise", enterprise=make_enterprise("440305", name="断连企业"))
    client = Client(raise_request_exception=False)
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_503_in_its_error_schema_when_the_database_is_gone(error: type[Exception]) -> None:
    client = signed_in_firm()
    assert client.get("/api/v1/ladder/me").status_code == 200
    with database_failing(error):
        response = client.get("/api/v1/ladder/me")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "数据库暂时无法连接" in body["message"] and f"{RETRY_AFTER_SECONDS} 秒" in body["message"]
    assert set(body) <= {"code", "message", "field", "problems"}


def test_a_write_to_the_api_answers_503_too() -> None:
    client = signed_in_firm()
    with database_failing(OperationalError):
        response = client.post("/api/v1/ladder/what-if", data={}, content_type="application/json")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


def test_a_page_answers_a_chinese_503_page_with_retry_after_and_its_security_headers() -> None:
    client = signed_in_firm()
    with database_failing(OperationalError):
        response = client.get("/ladder/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "暂时无法服务" in page and "数据库暂时无法连接" in page and "<code>503</code>" in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_anonymous_public_page_answers_503_as_well() -> None:
    with database_failing(OperationalError):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert "暂时无法服务" in response.content.decode()


def test_other_database_errors_are_still_server_errors() -> None:
    client = signed_in_firm()
    with database_failing(DatabaseError):
        page = client.get("/ladder/")
        call = client.get("/api/v1/ladder/me")
    assert page.status_code == 500 and "服务器出错" in page.content.decode()
    assert call.status_code == 500
    assert "Retry-After" not in page and "Retry-After" not in call


def test_every_api_operation_documents_503_with_the_one_error_schema() -> None:
    schema = api.get_openapi_schema()
    operations = [op for ops in schema["paths"].values() for op in ops.values() if isinstance(op, dict)]
    assert len(operations) > 20
    for operation in operations:
        answer = operation["responses"].get(503) or operation["responses"].get("503")
        assert answer is not None, operation.get("operationId")
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
