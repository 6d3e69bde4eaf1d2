"""/healthz: can this instance serve? The database answers, every migration is applied, the job queue runs.

For load balancers and monitors: 200 with {"status": "ok"} when every check passes, 503 otherwise, with
one entry per check. Anonymous and cheap (one `SELECT 1`; the migration graph is read once per process
and then only while something is unapplied), and exempt from the HTTPS redirect (settings/production.py)
so a probe on the loopback can call the app server directly. Error details are the exception's class
only: this page is public and must not tell a stranger hosts or paths.

The job queue is "alive" when a django-q2 cluster has reported itself idle or working within the last
seconds (its sentinel saves its status every half second with a 3-second expiry). That status lives in
the cache named by Q_CLUSTER["cache"], which must be shared between the web and worker processes:
production configures a file cache for it. Where it is not shared (development, tests), the check is
off (TIDU_HEALTH_QUEUE) and reported as not checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

Check = dict[str, Any]

_migrations_applied: set[str] = set()  # aliases found fully migrated by this process


def check_database(alias: str = DEFAULT_DB_ALIAS) -> Check:
    started = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure to reach the database is "unhealthy", never a 500
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> Check:
    if alias in _migrations_applied:
        return {"ok": True}
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[alias])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    if pending:
        return {"ok": False, "pending": len(pending)}
    _migrations_applied.add(alias)
    return {"ok": True}


def running_clusters() -> list[Any]:
    """django-q2's status of every cluster that reported within its expiry (empty if none)."""
    from django_q.status import Stat

    return list(Stat.get_all())


def check_queue(clusters: Callable[[], list[Any]] = running_clusters) -> Check:
    if not getattr(settings, "TIDU_HEALTH_QUEUE", False):
        return {"ok": True, "checked": False}
    from django_q.conf import Conf

    try:
        # django-q2's states are lazily translated strings: compare them in one fixed language.
        with translation.override("en"):
            running = {str(Conf.IDLE), str(Conf.WORKING)}
            alive = [c for c in clusters() if str(getattr(c, "status", "")) in running]
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    if not alive:
        return {"ok": False, "clusters": 0}
    return {"ok": True, "clusters": len(alive)}


def health_report() -> tuple[bool, dict[str, Check]]:
    database = check_database()
    checks = {
        "database": database,
        # Without a database the migration state cannot be read: report it as failed, not as an error.
        "migrations": check_migrations() if database["ok"] else {"ok": False, "error": "database"},
        "queue": check_queue(),
    }
    return all(c["ok"] for c in checks.values()), checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    ok, checks = health_report()
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)
