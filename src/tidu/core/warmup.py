"""Build the per-process caches before the first visitor asks for them.

Some pages pay a one-off cost in each new process: the scenario library's search index (jieba's
dictionary, pypinyin's tables, the BM25 index) and the criteria packs behind 我的梯度 and the journey.
Unwarmed, the first visit to /scenarios/ or /ladder/ after a start waits for all of it.

The warmers are named in settings (`TIDU_WARMERS`, dotted paths of functions taking no argument), so
this module imports no app: core stays the floor the apps stand on. `start_warming()` runs them in a
background thread of the server process (called by `tidu.config.wsgi`, which both runserver and a
WSGI server load at start-up, never by the test suite); `manage.py warm_caches` runs them in the
foreground and prints the time each took. AppConfig.ready never does this: it may not touch the
database, and the scenario index is read from it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils.module_loading import import_string

logger = logging.getLogger("tidu.warmup")


@dataclass(frozen=True)
class Warmed:
    name: str
    seconds: float
    error: str = ""


def url_routes() -> None:
    """Import the URLconf, and with it every view module and the API's schemas."""
    from django.urls import get_resolver

    get_resolver().resolve("/")


def warmers() -> list[tuple[str, Callable[[], object]]]:
    return [(path, import_string(path)) for path in getattr(settings, "TIDU_WARMERS", [])]


def warm_all() -> list[Warmed]:
    """Run every warmer once; one that fails (say, tables not migrated yet) is logged and skipped:
    its cache is then built on first use, as without warming."""
    done = []
    for name, warm in warmers():
        started = time.perf_counter()
        try:
            warm()
        except Exception as exc:  # a cold cache is never a reason not to serve
            logger.warning("warm-up %s failed: %s", name, exc)
            done.append(Warmed(name, time.perf_counter() - started, f"{type(exc).__name__}: {exc}"))
        else:
            done.append(Warmed(name, time.perf_counter() - started))
    return done


def _warm_in_background() -> None:
    try:
        started = time.perf_counter()
        results = warm_all()
        logger.info("caches warmed in %.1f s (%s)", time.perf_counter() - started,
                    ", ".join(f"{w.name.rsplit('.', 1)[-1]} {w.seconds:.1f} s" for w in results))
    finally:
        connections.close_all()  # this thread's own connections


def start_warming() -> threading.Thread:
    """Warm in a daemon thread: the server listens at once; a request that needs a cache still being
    built waits for it (the builders hold their own locks) instead of building it a second time."""
    thread = threading.Thread(target=_warm_in_background, name="tidu-warmup", daemon=True)
    thread.start()
    return thread
