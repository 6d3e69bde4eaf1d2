"""The API's own refusals (not signed in, a bad token, a malformed request) speak Chinese, name the field,
and keep a stable code, in the same JSON shape as every other error."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from tidu.core.testing import make_enterprise, make_user

pytestmark = pytest.mark.django_db


def no_english_prose(message: str) -> None:
    assert not re.search(r"\b(Unauthorized|Forbidden|Field required|Not Found|Input should)\b", message), message


def test_a_request_without_credentials_is_told_in_chinese_how_to_sign_in() -> None:
    response = Client().get("/api/v1/ladder/me")
    assert response.status_code == 401
    data = response.json()
    assert data["code"] == "login_required" and "请先登录" in data["message"] and "Authorization: Bearer" in data["message"]
    no_english_prose(data["message"])


def test_a_wrong_token_is_called_invalid() -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/v1/ladder/me")
    assert response.status_code == 401
    assert response.json() == {"code": "token_invalid", "message": "API 令牌无效或已撤销。", "field": None}


def test_a_missing_field_is_named_by_its_chinese_label_and_its_json_name() -> None:
    client = Client()
    client.force_login(make_user("api-province", "government", level="province", region="440000"))
    response = client.post("/api/v1/journey/rounds", json.dumps({"region_code": "440000"}),
                           content_type="application/json")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "validation" and data["message"].startswith("填写的内容有误：")
    problems = {p["field"]: p for p in data["problems"]}
    assert problems["tier"]["code"] == "missing"
    assert problems["tier"]["message"] == "梯度（评价标准）（tier）为必填项，请求中没有提供"
    for p in data["problems"]:
        no_english_prose(p["message"])


def test_a_wrongly_typed_query_parameter_says_what_was_expected() -> None:
    firm = make_enterprise("440305")
    client = Client()
    client.force_login(make_user("api-staff", "enterprise", enterprise=firm))
    response = client.get(f"/api/v1/enterprises/{firm.credit_code}/evaluation-record?year=next")
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert problem["field"] == "year" and problem["message"] == "年度（year）应为整数"


def test_the_documented_schema_still_loads() -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "梯度 Tidu API"
