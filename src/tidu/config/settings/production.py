"""Production: everything from the environment, HTTPS-only cookies, HSTS. `check --deploy` is clean.

Run behind the reverse proxy of deploy/ (nginx: TLS, static files, X-Forwarded-*), with gunicorn
(deploy/gunicorn.conf.py) and the job worker (`manage.py qcluster`); docs/deploy.md lists every variable.

TIDU_SECRET_KEY        required, at least 50 random characters
TIDU_DATABASE_URL      postgresql://user@host:port/name (SQLite is for development only)
TIDU_ALLOWED_HOSTS     the site's names, comma-separated
TIDU_PROXY_COUNT       reverse proxies in front (1 with deploy/nginx): client addresses from X-Forwarded-For
TIDU_LOG_FORMAT        json (default here) or text; TIDU_REQUEST_LOG=0 turns the per-request line off
TIDU_METRICS_TOKEN     bearer token for a scraper outside TIDU_METRICS_ALLOW (default: loopback only)
TIDU_CACHE_DIR         where the worker's status is shared with the web processes (default var/cache)
TIDU_HSTS_SECONDS      HSTS max-age (default one year; set 0 for a first trial of HTTPS)
TIDU_DB_CONN_MAX_AGE   seconds a worker keeps its database connection (default 60 here)
TIDU_ACCEL_REDIRECT_PREFIX  "/_protected/" behind deploy/nginx: nginx sends permitted downloads itself
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from tidu.core.request_log import log_level, logging_config

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE, Q_CLUSTER, STORAGES, VAR_DIR, env_flag

DEBUG = False
DEMO_MODE = env_flag("TIDU_DEMO", False)
SECRET_KEY = os.environ.get("TIDU_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("TIDU_SECRET_KEY must be set to a random string of at least 50 characters")

SECURE_SSL_REDIRECT = True
# Probes and the local Prometheus call the app server on the loopback without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("TIDU_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
EMAIL_BACKEND = os.environ.get("TIDU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# One database connection per worker, kept between requests; checked before reuse so a restarted
# PostgreSQL costs one failed check, not one failed request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("TIDU_DB_CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# django-q2 keeps each cluster's status in a cache; a file cache shared by the web and worker processes
# on this host lets /healthz see the worker (tidu.core.health). A deployment over several hosts points
# TIDU_CACHE_DIR at shared storage or replaces this with a Redis cache.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "queue_status": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(os.environ.get("TIDU_CACHE_DIR", VAR_DIR / "cache")) / "queue"),
    },
}
Q_CLUSTER = {**Q_CLUSTER, "cache": "queue_status"}
TIDU_HEALTH_QUEUE = env_flag("TIDU_HEALTH_QUEUE", True)

# TIDU_LOG_LEVEL in either case; an unknown level stops the start with the accepted names.
LOGGING = logging_config(fmt=os.environ.get("TIDU_LOG_FORMAT", "json"),
                         level=log_level(os.environ.get("TIDU_LOG_LEVEL")))
TIDU_REQUEST_LOG = env_flag("TIDU_REQUEST_LOG", True)

# Behind nginx, permitted downloads of uploaded files are sent by nginx (tidu.core.accel); innermost, so
# cookies set by the session and CSRF middleware on the way out are kept.
TIDU_ACCEL_REDIRECT_PREFIX = os.environ.get("TIDU_ACCEL_REDIRECT_PREFIX", "")
MIDDLEWARE = [*MIDDLEWARE[:-1], "tidu.core.accel.AccelRedirectMiddleware", MIDDLEWARE[-1]]

# nginx serves /static/ from STATIC_ROOT (hashed names, cached a year) and gzips on the fly, so
# collectstatic only hashes: WhiteNoise's gzip + brotli copies of 37 MB took 2 of its 2.5 minutes here.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
