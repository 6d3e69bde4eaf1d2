"""The load of benchmarks/load/run.py: firms on 我的梯度, its what-if and the API; a county official on the
review queue; anonymous visitors on the public list of recognitions. `Floor`, run alone after them, measures
the cheapest signed-in request.

Closed loop (no think time): each user sends its next request as soon as the last one is answered, so
requests/s is the deployment's capacity at that concurrency. run.py logs demo-firm and demo-county in
once and passes their sessions (50 password hashes would load the CPU before the test begins); every
firm user shares demo-firm's session. FastHttpUser (geventhttpclient): the load generator runs on the
same two cores as the server and must cost as little CPU as it can.
"""

from __future__ import annotations

import os
from typing import Any

import gevent.ssl
from locust import FastHttpUser, constant, task

WHAT_IF = {"rd_y1": "300", "revenue_y1": "6000", "ip_c1_count": "4"}


def _cookies(session: str, csrf: str = "") -> str:
    return f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")


def _verified_context(*_args: Any, **_kwargs: Any) -> Any:
    """TLS to nginx checked against the run's throw-away certificate (never an unverified context)."""
    return gevent.ssl.create_default_context(cafile=os.environ["TIDU_LOAD_CA"])


class _Tidu(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    insecure = False
    ssl_context_factory = _verified_context


class Firm(_Tidu):
    weight = 8

    def on_start(self) -> None:
        self.headers = {"Cookie": _cookies(os.environ["TIDU_LOAD_FIRM_SESSION"], os.environ["TIDU_LOAD_FIRM_CSRF"])}

    @task(6)
    def my_ladder(self) -> None:
        self.client.get("/ladder/", name="我的梯度 /ladder/", headers=self.headers)

    @task(2)
    def api_my_ladder(self) -> None:
        self.client.get("/api/v1/ladder/me", name="API /api/v1/ladder/me", headers=self.headers)

    @task(1)
    def what_if(self) -> None:
        self.client.post("/ladder/what-if/", data=WHAT_IF, name="假设分析 /ladder/what-if/ (htmx)", headers={
            **self.headers, "HX-Request": "true", "X-CSRFToken": os.environ["TIDU_LOAD_FIRM_CSRF"],
            "Referer": f"{self.host}/ladder/", "Content-Type": "application/x-www-form-urlencoded"})


class County(_Tidu):
    weight = 1

    @task
    def review_queue(self) -> None:
        self.client.get("/journey/queue/", name="审核队列 /journey/queue/",
                        headers={"Cookie": _cookies(os.environ["TIDU_LOAD_COUNTY_SESSION"])})


class Floor(_Tidu):
    """Not part of the mix: run.py's second run, alone. The cheapest request a signed-in user sends (a
    session, the user, one COUNT): what the stack serves at most, whatever the page does on top."""

    def on_start(self) -> None:
        self.headers = {"Cookie": _cookies(os.environ["TIDU_LOAD_FIRM_SESSION"])}

    @task
    def unread_count(self) -> None:
        self.client.get("/api/v1/notifications/unread-count", name="API /api/v1/notifications/unread-count",
                        headers=self.headers)


class Visitor(_Tidu):
    weight = 1

    @task
    def public_list(self) -> None:
        self.client.get("/recognitions/", name="公开名单 /recognitions/")
