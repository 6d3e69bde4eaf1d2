"""Development and demo (`make run`): SQLite, debug on, demo users shown."""

from .base import *  # noqa: F403
from .base import env_flag

DEBUG = env_flag("TIDU_DEBUG", True)
DEMO_MODE = env_flag("TIDU_DEMO", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-tidu-local"  # noqa: F405
