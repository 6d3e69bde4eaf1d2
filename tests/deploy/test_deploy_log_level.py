"""TIDU_LOG_LEVEL is read by Django's LOGGING and by deploy/gunicorn.conf.py: either case works in both, and an
unknown level stops the start with the accepted names instead of a half-configured server."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tidu.core.request_log import log_level

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIDU_"))}
    return env | {"DJANGO_SETTINGS_MODULE": "tidu.config.settings.production", "TIDU_ALLOWED_HOSTS": "tidu.example",
                  "TIDU_SECRET_KEY": secrets.token_urlsafe(64)} | extra


@pytest.mark.parametrize(("given", "level"), [
    ("info", "INFO"), ("INFO", "INFO"), ("Warning", "WARNING"), (" debug ", "DEBUG"), ("critical", "CRITICAL"),
    ("", "INFO"), (None, "INFO"),
])
def test_a_log_level_is_taken_in_either_case(given: str | None, level: str) -> None:
    assert log_level(given) == level


@pytest.mark.parametrize("given", ["verbose", "warn ing", "10", "trace"])
def test_an_unknown_log_level_is_refused_with_the_accepted_names(given: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"TIDU_LOG_LEVEL=.*DEBUG, INFO, WARNING, ERROR, CRITICAL"):
        log_level(given)


def test_django_logs_at_a_lower_case_level_and_refuses_an_unknown_one() -> None:
    probe = "import json; from django.conf import settings as s; print(json.dumps(s.LOGGING['root']['level']))"
    shown = subprocess.run([sys.executable, "manage.py", "shell", "-c", probe], cwd=REPO, text=True,
                           capture_output=True, env=_env(TIDU_LOG_LEVEL="warning"), timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == "WARNING"
    refused = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, text=True, capture_output=True,
                             env=_env(TIDU_LOG_LEVEL="verbose"), timeout=300)
    assert refused.returncode != 0
    assert "TIDU_LOG_LEVEL='verbose' is not a log level" in refused.stderr


def test_gunicorn_takes_an_upper_case_level_and_refuses_an_unknown_one() -> None:
    probe = ("import json, runpy; c = runpy.run_path('deploy/gunicorn.conf.py'); "
             "print(json.dumps([c['loglevel'], c['logconfig_dict']['loggers']['gunicorn.error']['level']]))")
    shown = subprocess.run([sys.executable, "-c", probe], cwd=REPO, text=True, capture_output=True,
                           env=_env(TIDU_LOG_LEVEL="ERROR"), timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == ["error", "ERROR"]
    refused = subprocess.run([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--check-config",
                              "tidu.config.wsgi"], cwd=REPO, text=True, capture_output=True,
                             env=_env(TIDU_LOG_LEVEL="verbose"), timeout=120)
    assert refused.returncode != 0
    assert "TIDU_LOG_LEVEL='verbose' is not a log level" in refused.stdout + refused.stderr
