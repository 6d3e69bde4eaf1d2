"""Permissions-Policy on every response (decision 0104): the platform asks for no camera, microphone,
location, payment or other powerful browser feature, so the header switches them all off, for our pages and
for anything an injected frame or script might try. Content-Security-Policy comes from django-csp
(settings.CONTENT_SECURITY_POLICY); Django's SecurityMiddleware adds nosniff, Referrer-Policy and, in
production, HSTS; XFrameOptionsMiddleware adds X-Frame-Options: DENY.

nginx sends files itself (/static/, and permitted uploads through X-Accel-Redirect), so Django's headers never
reach them. `proxy_headers()` computes the same headers from these settings and `manage.py nginx_headers`
writes them as an nginx include (deploy/nginx/tidu.conf.template), so the values live in settings only.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.utils import build_policy
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


def proxy_headers(*, tls: bool = True) -> dict[str, str]:
    """The security headers Django's middleware puts on a page, from the same settings, for a server that sends
    files without Django (nginx). HSTS only when `tls` and SECURE_HSTS_SECONDS is set, as Django does."""
    headers: dict[str, str] = {}
    policy = build_policy()
    if policy:
        headers["Content-Security-Policy"] = policy
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["X-Content-Type-Options"] = "nosniff"
    referrer = settings.SECURE_REFERRER_POLICY
    if referrer:
        values = referrer.split(",") if isinstance(referrer, str) else referrer
        headers["Referrer-Policy"] = ",".join(v.strip() for v in values)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    permissions = permissions_policy(settings.TIDU_PERMISSIONS_POLICY)
    if permissions:
        headers[HEADER] = permissions
    if tls and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            hsts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            hsts += "; preload"
        headers["Strict-Transport-Security"] = hsts
    return headers


def nginx_add_headers(headers: dict[str, str]) -> str:
    """`add_header Name "value" always;` lines for an nginx include. Inside double quotes nginx takes `;` and
    braces literally; a quote, backslash, `$` (a variable) or line break would change the directive, so a value
    holding one is refused rather than escaped (ours never do)."""
    lines = []
    for name, value in headers.items():
        if any(ch in value for ch in '"\\$\n\r'):
            raise ValueError(f"{name}: a value nginx cannot take verbatim: {value!r}")
        lines.append(f'add_header {name} "{value}" always;')
    return "\n".join(lines) + "\n"
