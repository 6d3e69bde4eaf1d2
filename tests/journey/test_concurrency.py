"""Two officials acting on the same application at once: one succeeds, the other gets a clear
conflict message and the new state. With TIDU_DATABASE_URL on PostgreSQL the second test races two
real connections."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.db import connection

from tidu.journey import services
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import Application, AppStatus, ReviewStep
from tidu.journey.testing import World, build_world


@pytest.mark.django_db
def test_a_stale_version_gets_a_conflict_and_changes_nothing(world: World) -> None:
    app = world.submitted("A")
    seen = app.version
    services.application_review(actor=world.users["county"], application=app, action="approve",
                                expected_version=seen)
    stale = Application.objects.get(pk=app.pk)
    stale.status, stale.version = AppStatus.COUNTY, seen  # what the second official's page still shows
    with pytest.raises(JourneyError) as exc:
        services.application_review(actor=world.users["county2"], application=stale, action="reject",
                                    comment="不符合", expected_version=seen)
    assert exc.value.journey_code == JourneyCode.CONFLICT and exc.value.status == 409
    assert "市级审核中" in exc.value.message
    app.refresh_from_db()
    assert app.status == AppStatus.CITY and ReviewStep.objects.count() == 1


@pytest.mark.django_db
def test_the_page_and_the_api_tell_the_second_official_about_the_conflict(world: World) -> None:
    app = world.submitted("A")
    seen = app.version
    first = world.client("county").post(f"/journey/applications/{app.pk}/review/",
                                        {"action": "approve", "version": seen}, follow=True)
    assert first.status_code == 200
    second = world.client("county2").post(f"/journey/applications/{app.pk}/review/",
                                          {"action": "return", "comment": "补材料", "version": seen}, follow=True)
    assert "已被他人处理" in second.content.decode() and "市级审核中" in second.content.decode()
    api = world.bearer("county2").post(f"/api/v1/journey/applications/{app.pk}/review",
                                       {"action": "return", "comment": "补材料", "version": seen},
                                       content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "conflict"


ON_POSTGRES = (os.environ.get("TIDU_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs TIDU_DATABASE_URL on PostgreSQL (real concurrent connections)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officials_approving_at_the_same_moment_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    world = build_world()
    app = world.submitted("A")
    seen = app.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def act(who: str, action: str) -> None:
        from django.db import connections

        try:
            mine = Application.objects.select_related("enterprise", "round").get(pk=app.pk)
            barrier.wait()
            services.application_review(actor=world.users[who], application=mine, action=action,
                                        comment="并发测试", expected_version=seen)
            outcomes[who] = "ok"
        except JourneyError as error:
            outcomes[who] = error.journey_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=("county", "approve")),
               threading.Thread(target=act, args=("county2", "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, outcomes.values())) == ["conflict", "ok"], outcomes
    app.refresh_from_db()
    assert app.version == seen + 1
    assert ReviewStep.objects.filter(application=app).count() == 1
    assert app.status == (AppStatus.CITY if outcomes["county"] == "ok" else AppStatus.REJECTED)
