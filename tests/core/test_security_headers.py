"""Every response carries the Content-Security-Policy and Permissions-Policy (decision 0104), whatever its
status, type or role: every GET route of the URL conf that takes no argument, as anonymous, a firm and a
county official, plus a static file, an error page, the API and a refused POST. Production adds HSTS and
keeps the frame, referrer and content-type headers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tidu.core.testing import PASSWORD, make_enterprise, make_user

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
# Routes whose GET does something other than show a page (logging out) or streams server state.
SKIP = ("logout/", "metrics")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every route without a path argument, e.g. "/ladder/"."""
    for entry in patterns:
        route = str(entry.pattern)
        if "<" in route or "(" in route or "\\" in route:
            continue
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and not (prefix + route).startswith(SKIP):
            yield "/" + prefix + route


def assert_protected(response: HttpResponse, what: str, *, page: bool = True) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict(d.partition(" ")[::2] for d in (part.strip() for part in csp.split(";")) if d)
    assert directives.get("script-src") == "'self'", f"{what}: {csp!r}"
    assert directives.get("style-src") == "'self'", f"{what}: {csp!r}"
    assert directives.get("object-src") == "'none'" and directives.get("frame-ancestors") == "'none'", what
    assert "unsafe" not in csp and "nonce-" not in csp, f"{what}: {csp!r}"
    policy = response.headers.get("Permissions-Policy", "")
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy, what
    if page:  # WhiteNoise answers static files before the clickjacking middleware; frame-ancestors covers them
        assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "same-origin", what


def test_every_page_of_every_role_carries_the_policies() -> None:
    routes = sorted(set(_routes(get_resolver().url_patterns)))
    assert {"/", "/ladder/", "/login/"} <= set(routes)  # the walk found the URL conf's pages
    firm_user = make_user("hdr-firm", "enterprise", enterprise=make_enterprise("440305", name="标头企业"))
    official = make_user("hdr-county", "government", level="county", region="440305")
    statuses: set[int] = set()
    for user in (None, firm_user, official):
        client = Client()
        if user is not None:
            client.login(username=user.username, password=PASSWORD)
        for route in routes:
            response = client.get(route)
            statuses.add(response.status_code)
            assert_protected(response, f"GET {route} as {user or 'anonymous'} ({response.status_code})")
    assert {200, 302} <= statuses  # pages and redirects both walked


def test_static_files_errors_api_and_refused_posts_carry_the_policies() -> None:
    client = Client(enforce_csrf_checks=True)
    checks = {
        "a static file": client.get("/static/tidu/tidu.js"),
        "a missing page": client.get("/no-such-page/"),
        "the API": client.get("/api/v1/openapi.json"),
        "a POST without a CSRF token": client.post("/login/", {"username": "x", "password": "y"}),
    }
    assert checks["a missing page"].status_code == 404
    assert checks["a POST without a CSRF token"].status_code == 403
    for what, response in checks.items():
        assert_protected(response, what, page=what != "a static file")


def test_production_adds_hsts_to_the_policies() -> None:
    """Production settings (their `check --deploy` is tests/core/test_home_and_deploy.py's): a page over HTTPS
    carries HSTS beside the policies (the API's schema: pages need collectstatic's manifest there)."""
    env = {**os.environ, "TIDU_SECRET_KEY": "p" * 64, "TIDU_ALLOWED_HOSTS": "tidu.example",
           "TIDU_DATABASE_URL": "sqlite://:memory:", "TIDU_REQUEST_LOG": "0",
           "DJANGO_SETTINGS_MODULE": "tidu.config.settings.production"}
    probe = (
        "from django.test import Client; "
        "r = Client().get('/api/v1/openapi.json', secure=True, headers={'host': 'tidu.example'}); "
        "print('status: ' + str(r.status_code)); [print(h + ': ' + r.headers.get(h, '')) for h in "
        "('Strict-Transport-Security', 'Content-Security-Policy', 'Permissions-Policy', 'X-Frame-Options')]"
    )
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert shown.returncode == 0, shown.stderr
    lines = dict(line.split(": ", 1) for line in shown.stdout.splitlines() if ": " in line)
    assert lines["status"] == "200", shown.stdout + shown.stderr
    assert lines["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in lines["Content-Security-Policy"]
    assert "camera=()" in lines["Permissions-Policy"] and lines["X-Frame-Options"] == "DENY"
