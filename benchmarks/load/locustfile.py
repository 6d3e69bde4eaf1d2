"""The load of benchmarks/load/run.py: a logged-in firm on 我的梯度 and the API, plus probes.

Closed loop (no think time): each of the N users sends its next request as soon as the last one is
answered, so requests/s is the deployment's capacity at that concurrency. All users share one session of
demo-firm (run.py logs in once: 50 password hashes would load the CPU before the test begins).
"""

from __future__ import annotations

import os

from locust import HttpUser, constant, task


class Firm(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.verify = os.environ["TIDU_LOAD_CA"]
        self.client.cookies.set("sessionid", os.environ["TIDU_LOAD_SESSION"])

    @task(6)
    def my_ladder(self) -> None:
        self.client.get("/ladder/", name="我的梯度 /ladder/")

    @task(3)
    def api_my_ladder(self) -> None:
        self.client.get("/api/v1/ladder/me", name="API /api/v1/ladder/me")

    @task(1)
    def health(self) -> None:
        self.client.get("/healthz", name="/healthz")
