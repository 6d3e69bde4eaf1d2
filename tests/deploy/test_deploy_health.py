"""/healthz tells a load balancer whether this instance can serve: database, migrations, job queue."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.db import OperationalError, connections
from django.test import Client

from tidu.core import health


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers_and_every_migration_is_applied() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_reports_failure_with_503_when_the_database_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection to server at 10.0.0.5, port 5432 failed: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert body["checks"]["migrations"]["ok"] is False
    # A public page: the database's address never reaches the stranger who asked.
    assert b"10.0.0.5" not in response.content and b"5432" not in response.content


def test_health_reports_pending_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    class OneUnapplied:
        def __init__(self, connection: object) -> None:
            self.loader = SimpleNamespace(graph=SimpleNamespace(leaf_nodes=lambda: []))

        def migration_plan(self, targets: object) -> list[object]:
            return [("needs.0002_x", False)]

    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor", OneUnapplied)
    monkeypatch.setattr(health, "_migrations_applied", set())
    assert health.check_migrations() == {"ok": False, "pending": 1}


def test_the_queue_is_dead_when_no_worker_reported_and_alive_when_one_is_idle(settings: object) -> None:
    settings.TIDU_HEALTH_QUEUE = True  # type: ignore[attr-defined]
    assert health.check_queue(lambda: []) == {"ok": False, "clusters": 0}
    stopping = SimpleNamespace(status="Stopping")
    assert health.check_queue(lambda: [stopping])["ok"] is False
    assert health.check_queue(lambda: [SimpleNamespace(status="Idle"), stopping]) == {"ok": True, "clusters": 1}


@pytest.mark.django_db
def test_a_dead_queue_makes_the_instance_unhealthy(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.TIDU_HEALTH_QUEUE = True  # type: ignore[attr-defined]
    monkeypatch.setattr(health, "running_clusters", lambda: [])
    monkeypatch.setattr(health.check_queue, "__defaults__", (health.running_clusters,))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["queue"] == {"ok": False, "clusters": 0}
