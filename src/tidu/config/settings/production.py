"""Production: secrets from the environment, HTTPS-only cookies, HSTS. `check --deploy` is clean."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("TIDU_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("TIDU_SECRET_KEY must be set to a random string of at least 50 characters")

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("TIDU_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
EMAIL_BACKEND = os.environ.get("TIDU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
