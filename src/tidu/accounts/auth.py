"""API authentication: `Authorization: Bearer <token>` (per-user tokens) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from tidu.accounts.services import api_token_authenticate
from tidu.core.http import client_ip
from tidu.core.ratelimit import rate_limit


class ApiTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_authenticate(token)
        if user is not None:
            # per account and per address (tidu.core.ratelimit): RateLimited becomes a 429 in the error schema
            rate_limit("api_token", account=user.get_username(), address=client_ip(request), actor=user)
            request.user = user
        return user


API_AUTH = [ApiTokenAuth(), SessionAuth()]
