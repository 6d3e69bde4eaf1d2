"""Where a load-tested page spends its time: CPU ms, wall ms and SQL queries per request, plus cProfile.

    TIDU_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tidu_load_profile \\
        .venv/bin/python benchmarks/load/profile_pages.py [--runs 50] [--profile ladder] [--top 30]

Runs in this process under the production settings (a throw-away secret key; nothing is served), through
Django's test client, against a database that already holds the demo (`seed_demo`, and `scale_demo
--throwaway` for 100,000 firms). The pages are those of benchmarks/load/locustfile.py, and `floor`: a
view that only reads the visitor, behind the same middleware and session, i.e. the least any signed-in
page costs here. Nothing is written except sessions and the what-if's nothing (it saves no figure).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))
os.environ["DJANGO_SETTINGS_MODULE"] = "tidu.config.settings.production"
os.environ.setdefault("TIDU_SECRET_KEY", secrets.token_urlsafe(64))
os.environ.setdefault("TIDU_ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("TIDU_REQUEST_LOG", "0")
os.environ.setdefault("TIDU_HEALTH_QUEUE", "0")

WHAT_IF = {"rd_y1": "120", "revenue_y1": "3000", "ip_c1_count": "3"}


def pages() -> dict[str, tuple[str, Callable[[Any], Any]]]:
    """name → (user, request) of every page the load test sends."""
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "ladder": ("demo-firm", lambda c: c.get("/ladder/", secure=True)),
        "api_ladder": ("demo-firm", lambda c: c.get("/api/v1/ladder/me", secure=True)),
        "what_if": ("demo-firm", lambda c: c.post("/ladder/what-if/", WHAT_IF, secure=True, **htmx)),
        "queue": ("demo-county", lambda c: c.get("/journey/queue/", secure=True)),
        "public_list": ("", lambda c: c.get("/recognitions/", secure=True)),
        # not a page of the site: the floor under every page, below
        "floor": ("demo-firm", lambda c: c.get("/floor/", secure=True)),
    }


def _floor_urls() -> str:
    """A URL conf of one view that reads the visitor and answers two bytes: what every page of the
    site costs before its own work (the whole middleware stack, the session and the user read from the
    database, the test client's own share). Used only here, for the `floor` case."""
    import types

    from django.http import HttpResponse
    from django.urls import path

    def floor(request: Any) -> HttpResponse:
        return HttpResponse("ok" if request.user.is_authenticated else "no", content_type="text/plain")

    module = types.ModuleType("tidu_benchmark_floor_urls")
    module.urlpatterns = [path("floor/", floor)]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module.__name__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", nargs="*", default=None, help="page names (default: all)")
    parser.add_argument("--profile", nargs="*", default=[], help="cProfile these pages too")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from tidu.enterprises.models import Enterprise

    print(f"database {connection.vendor} {connection.settings_dict['NAME']}: {Enterprise.objects.count():,} firms; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| page | status | queries | CPU ms median | CPU ms p95 | wall ms median |")
    print("|---|---:|---:|---:|---:|---:|")
    users = get_user_model().objects
    from django.test.utils import override_settings

    for name, (username, send) in pages().items():
        if args.only and name not in args.only:
            continue
        if name == "floor":
            override_settings(ROOT_URLCONF=_floor_urls()).enable()  # the last case: nothing after it
        client = Client()
        if username:
            client.force_login(users.get(username=username))
        response = send(client)  # warm: packs, templates, per-process caches
        queries: list[str] = []  # Django empties connection.queries at each request: count them here

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any, seen: list[str] = queries) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            send(client)
        cpu, wall = [], []
        for _ in range(args.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            send(client)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        cpu.sort()
        print(f"| {name} | {response.status_code} | {len(queries)} | {statistics.median(cpu):.1f} | "
              f"{cpu[int(len(cpu) * 0.95) - 1]:.1f} | {statistics.median(wall):.1f} |")
        if name in args.profile:
            # CPU time, not wall time: on a busy machine the wall clock charges other processes' turns and
            # PostgreSQL's answers to whichever function was waiting.
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.runs):
                send(client)
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("cumulative").print_stats("tidu|template|ninja", args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
            for sql in queries:
                print(f"  {sql[:200]}")


if __name__ == "__main__":
    main()
