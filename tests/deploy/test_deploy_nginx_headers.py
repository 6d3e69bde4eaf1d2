"""Files nginx sends itself (/static/, permitted uploads through X-Accel-Redirect) carry the security headers
Django puts on its pages: `manage.py nginx_headers` writes them from the same settings, so they are written down
once. `make deploy-check` fetches both kinds of file through nginx and compares them with a page's headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tidu.core.security_headers import nginx_add_headers, proxy_headers

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                    "Permissions-Policy", "Strict-Transport-Security", "Cross-Origin-Opener-Policy")


def _directives(policy: str) -> dict[str, str]:
    return {name: rest for name, _, rest in (part.strip().partition(" ") for part in policy.split(";")) if name}


def assert_same_as_a_page_over_https(headers: dict[str, str]) -> None:
    """`headers` are exactly the security headers Django sends on a page over HTTPS (the CSP by directive)."""
    page = Client().get("/login/", secure=True)
    assert page.status_code == 200
    assert set(headers) == set(SECURITY_HEADERS)
    for name in SECURITY_HEADERS:
        if name == "Content-Security-Policy":
            assert _directives(headers[name]) == _directives(page.headers[name])
        else:
            assert headers[name] == page.headers[name], name


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_the_headers_for_nginx_are_the_ones_django_sends_on_a_page_over_https() -> None:
    assert_same_as_a_page_over_https(proxy_headers(tls=True))


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


ADD_HEADER = re.compile(r'^add_header (?P<name>[A-Za-z-]+) "(?P<value>[^"]*)" always;$')


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_the_written_include_holds_header_by_header_what_django_sends_on_a_page(tmp_path: Path) -> None:
    """The file nginx includes, not only the function behind it: every line one `add_header … always`, and
    together exactly the security headers of a page Django serves over HTTPS, with the same values."""
    target = tmp_path / "nginx-security-headers.conf"
    call_command("nginx_headers", "-o", str(target))
    lines = [line for line in target.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    written = {}
    for line in lines:
        match = ADD_HEADER.match(line)
        assert match, line
        assert match["name"] not in written, f"{match['name']} twice"
        written[match["name"]] = match["value"]
    assert_same_as_a_page_over_https(written)
    assert target.stat().st_mode & 0o044 == 0o044  # nginx reads it whoever wrote it
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # replaced in one rename, nothing left over


UNIT = Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "tidu-web.service"


def _unit_lines(key: str) -> list[str]:
    return [line.split("=", 1)[1] for line in UNIT.read_text(encoding="utf-8").splitlines()
            if line.startswith(f"{key}=")]


def test_the_web_unit_rewrites_the_include_before_every_start_and_reload_then_reloads_nginx() -> None:
    """An operator must not have to remember `nginx_headers`: the production unit runs it on start and on
    reload (a deploy), into its own state directory, before gunicorn takes the new settings, then checks and
    reloads nginx. The documented @SECURITY_HEADERS@ path is that file."""
    state = _unit_lines("StateDirectory")
    assert state == ["tidu"]
    target = "/var/lib/tidu/nginx-security-headers.conf"
    command = f"/srv/tidu/.venv/bin/python manage.py nginx_headers -o {target}"
    assert command in _unit_lines("ExecStartPre")
    reload = _unit_lines("ExecReload")
    hup = next(i for i, line in enumerate(reload) if "kill -s HUP" in line)
    assert reload.index(command) < hup
    for steps in (_unit_lines("ExecStartPost"), reload):
        check = steps.index("+/usr/sbin/nginx -t -q")
        assert "try-reload-or-restart nginx.service" in steps[check + 1]
    deploy_doc = (UNIT.parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f"`@SECURITY_HEADERS@` = `{target}`" in deploy_doc
