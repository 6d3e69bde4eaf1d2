"""API authentication: `Authorization: Bearer <token>` (per-user tokens) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from tidu.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [ApiTokenAuth(), SessionAuth()]
