"""The test suite: fast hashing, in-memory mail, tasks run synchronously."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
DEBUG = False
DEMO_MODE = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
# Tests never run collectstatic: WhiteNoise serves straight from the finders.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The hostile-input harness fires thousands of API calls a minute with one token per role, far faster than
# any client; the tests of the limits set their own (tests/core/test_rate_limits.py).
TIDU_RATE_LIMITS = {"api_token": {"account": (1_000_000, 60), "address": (1_000_000, 60)}}
