"""Users never see Django's debug or English error pages: 404, 403, 400 and 500 are the platform's own
Chinese pages, `make run`'s settings have debug off, and the browser finds our favicon."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views.defaults import bad_request, permission_denied, server_error

REPO = Path(__file__).resolve().parents[2]
DJANGO_MARKS = ("Page not found", "Server Error", "Using the URLconf", "DEBUG = True", "Forbidden")


def chinese_error_page(body: str, heading: str, code: int) -> None:
    assert f"<h1>{heading}</h1>" in body
    assert f"<code>{code}</code>" in body
    assert 'href="/"' in body
    for mark in DJANGO_MARKS:
        assert mark not in body


@pytest.mark.django_db
def test_an_unknown_address_gets_the_chinese_404_page_inside_the_platform_layout() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    chinese_error_page(body, "页面不存在", 404)
    assert 'class="topbar"' in body and "请检查网址" in body


@pytest.mark.django_db
def test_a_forbidden_page_and_a_bad_request_get_chinese_pages() -> None:
    request = RequestFactory().get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    forbidden = permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403
    chinese_error_page(forbidden.content.decode(), "无权访问", 403)
    assert 'href="/login/?next=/x/"' in forbidden.content.decode()
    bad = bad_request(request, Exception())
    assert bad.status_code == 400
    chinese_error_page(bad.content.decode(), "请求有误", 400)


def test_a_server_error_page_is_chinese_and_needs_neither_database_nor_request() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    chinese_error_page(body, "服务器出错", 500)
    assert 'lang="zh-hans"' in body and "/static/tidu/favicon.svg" in body


@pytest.mark.django_db
def test_the_favicon_is_linked_from_every_page_and_answers_at_favicon_ico() -> None:
    client = Client()
    assert '<link rel="icon" href="/static/tidu/favicon.svg" type="image/svg+xml">' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/tidu/favicon.svg"
    svg = client.get("/static/tidu/favicon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)  # type: ignore[attr-defined]


def test_make_runs_settings_show_our_404_page_not_the_debug_page(tmp_path: Path) -> None:
    """The settings `make run` uses (tidu.config.settings.local) have DEBUG off unless TIDU_DEBUG=1,
    and serve static files without collectstatic."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIDU_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "tidu.config.settings.local", "TIDU_VAR_DIR": str(tmp_path)}
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "c = Client(HTTP_ACCEPT_LANGUAGE='zh-hans')\n"
        "r = c.get('/no-such-page/'); print(settings.DEBUG, r.status_code, '页面不存在' in r.content.decode())\n"
        "s = c.get('/static/tidu/tidu.css'); print(s.status_code)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "404", "True", "200"]
