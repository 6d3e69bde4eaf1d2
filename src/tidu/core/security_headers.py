"""Permissions-Policy on every response (decision 0104): the platform asks for no camera, microphone,
location, payment or other powerful browser feature, so the header switches them all off, for our pages and
for anything an injected frame or script might try. Content-Security-Policy comes from django-csp
(settings.CONTENT_SECURITY_POLICY); Django's SecurityMiddleware adds nosniff, Referrer-Policy and, in
production, HSTS; XFrameOptionsMiddleware adds X-Frame-Options: DENY.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Permissions-Policy"


def permissions_policy(features: dict[str, tuple[str, ...]]) -> str:
    """The header value: `camera=(), fullscreen=(self)`; an empty tuple allows a feature to no one."""
    return ", ".join(f"{name}=({' '.join(allow)})" for name, allow in features.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.value = permissions_policy(settings.TIDU_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.value and HEADER not in response:
            response[HEADER] = self.value
        return response
