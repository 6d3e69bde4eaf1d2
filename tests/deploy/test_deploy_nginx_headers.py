"""Files nginx sends itself (/static/, permitted uploads through X-Accel-Redirect) carry the security headers
Django puts on its pages: `manage.py nginx_headers` writes them from the same settings, so they are written down
once. `make deploy-check` fetches both kinds of file through nginx and compares them with a page's headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tidu.core.security_headers import nginx_add_headers, proxy_headers

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                    "Permissions-Policy", "Strict-Transport-Security", "Cross-Origin-Opener-Policy")


def _directives(policy: str) -> dict[str, str]:
    return {name: rest for name, _, rest in (part.strip().partition(" ") for part in policy.split(";")) if name}


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_the_headers_for_nginx_are_the_ones_django_sends_on_a_page_over_https() -> None:
    page = Client().get("/login/", secure=True)
    assert page.status_code == 200
    ours = proxy_headers(tls=True)
    assert set(ours) == set(SECURITY_HEADERS)
    for name in SECURITY_HEADERS:
        if name == "Content-Security-Policy":
            assert _directives(ours[name]) == _directives(page.headers[name])
        else:
            assert ours[name] == page.headers[name], name


@override_settings(SECURE_HSTS_SECONDS=31536000)
def test_hsts_only_for_the_tls_server() -> None:
    assert "Strict-Transport-Security" in proxy_headers(tls=True)
    assert "Strict-Transport-Security" not in proxy_headers(tls=False)


@override_settings(SECURE_HSTS_SECONDS=0)
def test_no_hsts_when_production_turns_it_off_for_a_first_trial() -> None:
    assert "Strict-Transport-Security" not in proxy_headers(tls=True)


@override_settings(SECURE_HSTS_SECONDS=600, SECURE_HSTS_INCLUDE_SUBDOMAINS=False, SECURE_HSTS_PRELOAD=False,
                   X_FRAME_OPTIONS="SAMEORIGIN", SECURE_REFERRER_POLICY=["same-origin", "strict-origin"])
def test_a_changed_setting_changes_the_nginx_include(tmp_path: Path) -> None:
    target = tmp_path / "security_headers.conf"
    call_command("nginx_headers", "-o", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert 'add_header Strict-Transport-Security "max-age=600" always;' in lines
    assert 'add_header X-Frame-Options "SAMEORIGIN" always;' in lines
    assert 'add_header Referrer-Policy "same-origin,strict-origin" always;' in lines
    csp = next(line for line in lines if line.startswith("add_header Content-Security-Policy "))
    assert "script-src 'self'" in csp and csp.endswith('" always;')


@pytest.mark.parametrize("value", ['a"; add_header X-Evil "1', "a\nserver { }", "$host", "a\\b"])
def test_a_value_that_would_change_the_nginx_directive_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="X-Test"):
        nginx_add_headers({"X-Test": value})
