"""The public home page, the language switch, migrations from zero and the production deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tidu.core.testing import make_enterprise, make_year

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_home_explains_the_ladder_with_live_counts() -> None:
    make_year(make_enterprise("440305"), 2025)
    make_enterprise("330106")
    body = Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for rung in ("科技型中小企业", "创新型中小企业", "专精特新中小企业", "小巨人"):
        assert rung in body
    assert "<b>2</b><span>在册企业" in body and "<b>2</b><span>覆盖省份" in body


@pytest.mark.django_db
def test_the_language_switch_offers_english() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Log in" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_migration_is_applied_and_none_is_missing() -> None:
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A fresh process as an operator would start it: none of the test run's own Django switches
    # (the browser fixtures set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright's thread).
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env
    return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], capture_output=True, text=True,
                          env=full_env, cwd=REPO, timeout=300)


def test_migrations_apply_from_zero_on_a_fresh_database(tmp_path: Path) -> None:
    url = os.environ.get("TIDU_DATABASE_URL", "")
    if url.startswith("postgres"):
        # On PostgreSQL the test database itself was just built from zero by the same migrations
        # (see test_every_migration_is_applied_and_none_is_missing); a second database is not ours to create.
        url = ""
    result = _manage("migrate", "--noinput", TIDU_VAR_DIR=str(tmp_path), TIDU_DATABASE_URL=url,
                     DJANGO_SETTINGS_MODULE="tidu.config.settings.test")
    assert result.returncode == 0, result.stderr[-2000:]
    result = _manage("shell", "-c", "from tidu.regions.models import Region; print(Region.objects.count())",
                     TIDU_VAR_DIR=str(tmp_path), TIDU_DATABASE_URL="", DJANGO_SETTINGS_MODULE="tidu.config.settings.test")
    assert int(result.stdout.strip().splitlines()[-1]) > 3000


def test_the_production_settings_pass_the_deploy_check() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", "--settings=tidu.config.settings.production",
                     TIDU_SECRET_KEY=secrets.token_urlsafe(64), TIDU_ALLOWED_HOSTS="tidu.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_chinese_first_middleware_ignores_the_browser_language_but_keeps_the_users_choice() -> None:
    from django.conf import settings
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils import translation

    from tidu.core.middleware import ChineseFirstLocaleMiddleware

    middleware = ChineseFirstLocaleMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    middleware.process_request(request)
    assert request.LANGUAGE_CODE == "zh-hans"
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "en"
    middleware.process_request(request)
    assert request.LANGUAGE_CODE == "en"
    translation.deactivate()
