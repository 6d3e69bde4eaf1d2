"""gunicorn for Tidu (docs/deploy.md, decision 0101): sync workers behind nginx, JSON logs, shared metrics.

    gunicorn -c deploy/gunicorn.conf.py tidu.config.wsgi

Sync workers: Django views here are CPU- and database-bound, and nginx buffers slow clients, so a
worker is never held by a slow network. Every setting can be overridden from the environment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tidu.core.request_log import log_level

bind = os.environ.get("TIDU_BIND", "127.0.0.1:8001")  # loopback only: nginx is the way in
# (2 × cores) + 1, gunicorn's rule of thumb, capped: each worker holds its own warmed caches.
workers = int(os.environ.get("TIDU_WEB_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("TIDU_WEB_TIMEOUT", "60"))  # long work belongs in jobs, not requests
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then so slow growth in memory cannot accumulate; the jitter keeps them from
# all restarting together.
max_requests = int(os.environ.get("TIDU_WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = "127.0.0.1,::1"
proxy_allow_ips = "127.0.0.1,::1"
# Django writes one JSON line per request (tidu.core.request_log) with the request id; gunicorn's own
# access log would repeat it without the id.
accesslog = None
errorlog = "-"
# The same variable as Django's LOGGING, in either case; an unknown level stops the start (tidu.core.request_log).
loglevel = log_level(os.environ.get("TIDU_LOG_LEVEL")).lower()
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "tidu.core.request_log.json_formatter"}},
    "filters": {"request_id": {"()": "tidu.core.request_log.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                             "stream": "ext://sys.stderr"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
raw_env = ["DJANGO_SETTINGS_MODULE=" + os.environ.get("DJANGO_SETTINGS_MODULE", "tidu.config.settings.production")]

# Each worker counts its own requests; prometheus_client adds them up from files in this directory
# (django-prometheus's /metrics reads them when the variable is set). Emptied at every start.
METRICS_DIR = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR")
                   or Path(tempfile.gettempdir()) / f"tidu-metrics-{os.getuid()}-{bind.rsplit(':', 1)[-1]}")


def on_starting(server: Any) -> None:
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    METRICS_DIR.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)  # inherited by every worker


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
