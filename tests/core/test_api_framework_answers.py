"""Under /api/ every answer the framework gives by itself is in the API's one error body {code, message, field,
problems} with a Chinese message, never an HTML page or a bare text (issue 15, decision 0116): an unknown path
404, a wrong method 405, a session write without its CSRF token 403, a body over Django's limit 413, a server
error 500. Pages keep their pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test import Client

from tidu.accounts.services import api_token_create
from tidu.core.testing import PASSWORD, make_enterprise, make_user

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "field", "problems"}
MIB = 1024 * 1024


def error_body(response: Any) -> dict[str, Any]:
    """The answer's body, after checking it is the API's error body in JSON with a correct length."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content.decode("utf-8"))
    assert {"code", "message"} <= set(body) <= ERROR_KEYS
    if response.has_header("Content-Length"):
        assert int(response["Content-Length"]) == len(response.content)
    return body


def firm_user(name: str = "框架企业") -> Any:
    return make_user(f"fw-{name}", "enterprise", enterprise=make_enterprise("440305", name=name))


def bearer(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='script')[1]}"}


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/ladder/no-such-thing", "/api/nope",
                                  "/api/v1/ladder/me/"])
def test_an_unknown_api_path_is_404_in_the_error_body_naming_the_path(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    body = error_body(response)
    assert body["code"] == "not_found"
    assert f"接口地址不存在：GET {path}" in body["message"] and "/api/v1/docs" in body["message"]
    assert response["X-Request-ID"]  # the middleware order keeps the request id on the rewritten answer


def test_an_unknown_page_is_still_the_html_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_405_in_the_error_body_with_allow_kept() -> None:
    response = Client().delete("/api/v1/ladder/me", **bearer(firm_user()))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    body = error_body(response)
    assert body["code"] == "method_not_allowed"
    assert body["message"] == "接口 /api/v1/ladder/me 不接受 DELETE 请求，可用的方法：GET。"


def test_a_session_write_without_the_csrf_token_is_403_saying_so_and_with_it_goes_through() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=firm_user().username, password=PASSWORD)
    refused = client.post("/api/v1/ladder/what-if", data="{}", content_type="application/json")
    assert refused.status_code == 403
    body = error_body(refused)
    assert body["code"] == "csrf_failed" and "X-CSRFToken" in body["message"]
    assert client.get("/ladder/").status_code == 200  # a page sets the csrftoken cookie, as in a browser
    token = client.cookies["csrftoken"].value
    accepted = client.post("/api/v1/ladder/what-if", data="{}", content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200, accepted.content


def three_mib_json() -> str:
    """A JSON body of exactly 3 MiB, over Django's default 2.5 MiB (2,621,440 bytes) for non-file content."""
    text = '{"note": "' + "a" * (3 * MIB - 12) + '"}'
    assert len(text.encode()) == 3 * MIB
    return text


def test_a_json_body_over_djangos_limit_is_413_in_the_error_body() -> None:
    response = Client().post("/api/v1/ladder/what-if", data=three_mib_json(), content_type="application/json",
                             **bearer(firm_user()))
    assert response.status_code == 413
    body = error_body(response)
    assert body["code"] == "request_too_large"
    assert body["message"].startswith("请求体过大（本次 3 MB）：文件以外的内容（JSON、表单字段）上限为 2.5 MB。")


def test_a_form_field_over_the_limit_in_an_upload_is_413_too() -> None:
    user = make_user("fw-county", "government", level="county", region="440305")
    response = Client().post("/api/v1/io/imports", data={"source": "a" * (3 * MIB)}, **bearer(user))
    assert response.status_code == 413
    assert error_body(response)["code"] == "request_too_large"


def test_a_page_form_over_the_limit_is_a_413_page_saying_the_size_and_the_limit() -> None:
    response = Client().post("/login/", data={"username": "a" * (3 * MIB), "password": "x"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "提交的内容过大" in page and "上限为 2.5 MB" in page and "这次提交的内容有 3 MB" in page
    english = Client().post("/login/", data={"username": "a" * (3 * MIB), "password": "x"},
                            HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This submission was 3 MB" in english and "limited to 2.5 MB" in english


def test_a_malformed_page_request_keeps_djangos_400_page() -> None:
    """Only a body over the limit is a 413; any other bad request (here a multipart body without its
    boundary) stays the plain 400 page."""
    response = Client().post("/login/", data=b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def failing_queries(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    raise DatabaseError("a bug, not a lost connection")


def test_a_server_error_is_500_in_the_error_body_with_the_request_id() -> None:
    client = Client(raise_request_exception=False)
    headers = bearer(firm_user())
    with connection.execute_wrapper(failing_queries):
        response = client.get("/api/v1/ladder/me", HTTP_X_REQUEST_ID="h1-framework-500-test", **headers)
    assert response.status_code == 500
    body = error_body(response)
    assert body["code"] == "server_error"
    assert "请求编号 h1-framework-500-test" in body["message"]
    assert response["X-Request-ID"] == "h1-framework-500-test"


def test_the_schema_documents_413_on_every_operation_with_a_body_and_500_everywhere() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    with_body = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"500"} | ({"413"} if "requestBody" in operation else set())
            with_body += "requestBody" in operation
            for status in expected:
                answer = operation["responses"].get(status)
                assert answer is not None, (method, path, status)
                assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert with_body > 10
