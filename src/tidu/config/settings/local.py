"""Development and demo (`make run`): SQLite, demo users shown, debug OFF unless TIDU_DEBUG=1.

`make run` is what people try the platform with, so it shows the platform's own Chinese 404/403/500
pages, never Django's debug pages (which also leak settings and code). Developers who want the debug
pages run `TIDU_DEBUG=1 make run`. Static files are served by WhiteNoise straight from the app
directories (no collectstatic needed, nothing hashed), with or without debug.
"""

from .base import *  # noqa: F403
from .base import env_flag

DEBUG = env_flag("TIDU_DEBUG", False)
DEMO_MODE = env_flag("TIDU_DEMO", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-tidu-local"  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
