"""Per-user API tokens: created and revoked on the profile page, stored hashed, sent as Bearer."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tidu.accounts.models import ApiToken
from tidu.core.models import AuditEvent
from tidu.core.testing import PASSWORD, make_enterprise, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_client() -> Client:
    make_enterprise("440305", name="南山企业有限公司")
    make_enterprise("440106", name="天河企业有限公司")
    make_user("county", "government", level="county", region="440305")
    client = Client()
    assert client.login(username="county", password=PASSWORD)
    return client


def create_token(client: Client) -> str:
    response = client.post("/accounts/tokens/", {"name": "报表脚本"}, follow=True)
    match = re.search(r'id="new-key">([^<]+)<', response.content.decode())
    assert match, "the new key is shown once"
    return match.group(1)


def test_a_token_is_shown_once_and_stored_only_as_a_digest(official_client: Client) -> None:
    key = create_token(official_client)
    token = ApiToken.objects.get()
    assert token.digest != key and key not in token.digest and len(token.digest) == 64
    assert key.startswith(token.prefix)
    again = official_client.get("/accounts/profile/").content.decode()
    assert key not in again and token.prefix in again
    assert AuditEvent.objects.filter(action="api_token.create").exists()


def test_the_bearer_token_authenticates_with_the_users_permissions(official_client: Client) -> None:
    key = create_token(official_client)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/enterprises/")
    assert response.status_code == 200
    assert [i["name"] for i in response.json()["items"]] == ["南山企业有限公司"]
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer tidu_not-a-real-token", "Bearer ", "Basic abc", "Token x"])
def test_wrong_tokens_get_401(header: str) -> None:
    assert Client(HTTP_AUTHORIZATION=header).get("/api/v1/enterprises/").status_code == 401


def test_a_revoked_token_stops_working(official_client: Client) -> None:
    key = create_token(official_client)
    token = ApiToken.objects.get()
    official_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get().revoked_at is not None
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/enterprises/").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(official_client: Client) -> None:
    create_token(official_client)
    token = ApiToken.objects.get()
    make_user("mallory", "enterprise", enterprise=make_enterprise("440304"))
    other = Client()
    other.login(username="mallory", password=PASSWORD)
    response = other.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_deactivated_user_token_is_refused(official_client: Client) -> None:
    key = create_token(official_client)
    ApiToken.objects.get().user.__class__.objects.filter(username="county").update(is_active=False)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/enterprises/").status_code == 401
