"""Settings shared by every environment; everything that differs comes from the environment.

TIDU_DATABASE_URL   database URL (default: SQLite file under var/)
TIDU_SECRET_KEY     required in production
TIDU_DEBUG          "1" to turn debug on (off unless asked)
TIDU_ALLOWED_HOSTS  comma-separated
TIDU_DEMO           "1" shows demo users on the login page
TIDU_VAR_DIR        where the SQLite file, uploads and job files live (default: <repo>/var)
TIDU_REMINDER_LEAD_DAYS  days before each calendar date that reminders go out (default: 30,7)
TIDU_WARM_ON_START  "0" stops the server from building its caches at start-up (tidu.core.warmup)
TIDU_PROXY_COUNT    reverse proxies in front of the site (default 0): per-address limits then read the
                    client's address from X-Forwarded-For (tidu.core.http.client_ip)
TIDU_RATE_LIMITS    JSON overriding rate limits, e.g. {"api_token": {"account": [600, 60]}} (tidu.core.ratelimit)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tidu.core.request_log import log_level, logging_config

SRC_DIR = Path(__file__).resolve().parents[3]  # .../src
REPO_DIR = SRC_DIR.parent
VAR_DIR = Path(os.environ.get("TIDU_VAR_DIR", REPO_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("TIDU_DEBUG", False)
SECRET_KEY = os.environ.get("TIDU_SECRET_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("TIDU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
DEMO_MODE = env_flag("TIDU_DEMO", False)

INSTALLED_APPS = [
    # Before the admin: our registration/*.html (password reset, in Chinese, on base.html) must win over
    # the admin's templates of the same names, which would show "Django 管理" pages and English mail.
    "tidu.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # /sitemap.xml (tidu.news)
    "django_htmx",
    "django_q",
    "ninja",  # serves the API reference's Swagger UI from its own static files, not a CDN
    "tidu.core",
    "tidu.regions",
    "tidu.enterprises",
    "tidu.jobs",
    "tidu.journey",
    "tidu.digital",
    "tidu.scenarios",
    "tidu.ladder",
    "tidu.notifications",
    "tidu.changes",
    "tidu.service_catalog",
    "tidu.policies",
    "tidu.policy_filings",
    "tidu.news",
    "tidu.needs",
    "tidu.events",
    "tidu.techtransfer",
    "tidu.insights",
    "tidu.sandbox",
    "django_prometheus",  # /metrics (tidu.core.metrics): request counts and latencies per view
]

MIDDLEWARE = [
    "tidu.core.request_log.RequestIdMiddleware",  # first: every response, even a redirect, carries the id
    "tidu.core.api_answers.ApiErrorBodyMiddleware",  # under /api/, every error answer in the API's error body
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # before WhiteNoise: static files carry the policy too (decision 0104)
    "tidu.core.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last, to time the whole stack
]

ROOT_URLCONF = "tidu.config.urls"
WSGI_APPLICATION = "tidu.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "tidu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TIDU_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tidu.sqlite3'}",
        conn_max_age=int(os.environ.get("TIDU_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "tidu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [SRC_DIR / "tidu" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (attachments, import files) live outside the web root and are served only by views
# that check permissions.
MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = "/_never_served_directly/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

EMAIL_BACKEND = os.environ.get("TIDU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("TIDU_FROM_EMAIL", "noreply@tidu.example")
# Reminders before each date of a firm's calendar: days ahead, e.g. "30,7" (manage.py send_reminders).
REMINDER_LEAD_DAYS = [int(d) for d in os.environ.get("TIDU_REMINDER_LEAD_DAYS", "30,7").split(",") if d.strip()]
# The yearly data update is due on a date each jurisdiction sets (domain/tiers.md §9: nationally
# 31 May; Guangdong 30 April for its own rungs). Region-code prefix -> "MM-DD"; the longest prefix
# matching a firm's region code wins, "" is the national default.
ANNUAL_UPDATE_DUE = {"": "05-31", "44": "04-30"}
# The platform's public address, printed in certificates' QR codes (/verify/<number>/); empty = the address
# the request came to. Set it when the site sits behind a proxy or is reached under several names.
TIDU_PUBLIC_URL = os.environ.get("TIDU_PUBLIC_URL", "")
# Days an account invitation link (an official invites a firm of the register) stays valid.
INVITATION_VALID_DAYS = int(os.environ.get("TIDU_INVITATION_DAYS", "14"))

# An export of the register with more rows than this runs as a background job with a progress page and
# a download link (1,159 firm-years took 6–7 s inside the request); smaller ones download at once.
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("TIDU_EXPORT_INLINE_MAX_ROWS", "2000"))

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy on every response (django-csp; decision 0104): scripts and styles only from our
# own static files, no inline script, style attribute, eval or nonce; images also as data: URIs (Swagger
# UI's icons); no plugins, no <base>, forms post only here, no page of ours inside anyone's frame. The
# browser test tests/browser/test_browser_csp.py records every violation; tests/core/test_no_inline_code.py
# keeps the templates free of inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (tidu.core.security_headers): no page needs any of these browser features.
TIDU_PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = {
    feature: ()
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking", "browsing-topics",
    )
}

# django-q2: the database is the broker, so `make run` needs nothing but the database.
Q_CLUSTER = {
    "name": "tidu",
    "orm": "default",
    "workers": int(os.environ.get("TIDU_WORKERS", "1")),
    "timeout": 1800,
    "retry": 3600,
    "max_attempts": 1,
    "catch_up": False,
    "label": "后台任务",
}

TIDU_PROXY_COUNT = int(os.environ.get("TIDU_PROXY_COUNT", "0"))
# {scope: {"account"|"address": [uses, seconds]}} over tidu.core.ratelimit.DEFAULT_LIMITS ([0, 0]: no limit).
TIDU_RATE_LIMITS = json.loads(os.environ.get("TIDU_RATE_LIMITS") or "{}")

# Built in a background thread when the server starts (tidu.core.warmup, via tidu.config.wsgi), so the
# first visit to /scenarios/ or /ladder/ does not pay for them; `manage.py warm_caches` times them.
TIDU_WARMERS = [
    "tidu.core.warmup.url_routes",  # every view module and the API schemas
    "tidu.scenarios.selectors.scenario_search_index",  # jieba + pypinyin tables + the BM25 index
    "tidu.ladder.assessment.packs",  # the criteria packs (YAML, schema-checked) behind 我的梯度
    "tidu.journey.assessment._packs",  # the same packs for applications and re-reviews
]

# Every log record carries the request id (tidu.core.request_log); TIDU_LOG_FORMAT=json writes one JSON
# object per line (production's default), TIDU_REQUEST_LOG=1 adds one line per request.
# TIDU_LOG_LEVEL in either case; an unknown level stops the start with the accepted names.
LOGGING = logging_config(fmt=os.environ.get("TIDU_LOG_FORMAT", "text"),
                         level=log_level(os.environ.get("TIDU_LOG_LEVEL")))
TIDU_REQUEST_LOG = env_flag("TIDU_REQUEST_LOG", False)
# /metrics: readable from these networks or with `Authorization: Bearer <token>` (tidu.core.metrics).
TIDU_METRICS_ALLOW = os.environ.get("TIDU_METRICS_ALLOW", "127.0.0.0/8,::1/128")
TIDU_METRICS_TOKEN = os.environ.get("TIDU_METRICS_TOKEN", "")
# /healthz checks the job queue only where the worker's status is shared with the web (production).
TIDU_HEALTH_QUEUE = env_flag("TIDU_HEALTH_QUEUE", False)
