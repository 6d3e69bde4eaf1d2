"""Production settings: `check --deploy` clean, JSON logs, the worker visible to /healthz, no weak key."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # As an operator starts it: none of the test run's DJANGO_* switches, production settings.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIDU_"))}
    full_env |= {"DJANGO_SETTINGS_MODULE": "tidu.config.settings.production", "TIDU_ALLOWED_HOSTS": "tidu.example"}
    full_env |= env
    return subprocess.run([sys.executable, str(REPO / "manage.py"), *args], capture_output=True, text=True,
                          env=full_env, cwd=REPO, timeout=300)


def test_production_settings_pass_the_deploy_check_with_no_warning() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", TIDU_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_a_short_secret_key() -> None:
    result = _manage("check", TIDU_SECRET_KEY="short")
    assert result.returncode != 0
    assert "TIDU_SECRET_KEY" in result.stderr


def test_production_logs_json_shares_the_workers_status_and_lets_probes_skip_https(tmp_path: Path) -> None:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'formatter': s.LOGGING['handlers']['console']['formatter'], 'request_log': s.TIDU_REQUEST_LOG,"
        "'q_cache': s.CACHES[s.Q_CLUSTER['cache']]['BACKEND'], 'health_queue': s.TIDU_HEALTH_QUEUE,"
        "'exempt': s.SECURE_REDIRECT_EXEMPT, 'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'debug': s.DEBUG, 'demo': s.DEMO_MODE, 'health_checks': s.DATABASES['default']['CONN_HEALTH_CHECKS']}))"
    )
    result = _manage("shell", "-c", code, TIDU_SECRET_KEY=secrets.token_urlsafe(64), TIDU_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "formatter": "json", "request_log": True,
        "q_cache": "django.core.cache.backends.filebased.FileBasedCache", "health_queue": True,
        "exempt": ["^healthz$", "^metrics$"], "ssl": True, "hsts": 31536000,
        "debug": False, "demo": False, "health_checks": True,
    }
