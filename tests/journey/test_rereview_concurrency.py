"""Two officials acting on the same re-review (复核) at the same moment, on two real PostgreSQL
connections: exactly one decision lands (the title is extended at most once, one step is recorded)
and the other official gets the re-review conflict; two officials opening the same title's re-review
at once get one re-review between them. Runs with TIDU_DATABASE_URL on PostgreSQL (as
test_concurrency.py does for applications); the SQLite version of the stale-version rule is in
test_rereview.py."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tidu.core.testing import make_user
from tidu.journey import services
from tidu.journey.errors import JourneyError
from tidu.journey.models import Recognition, ReReview, ReReviewStatus, ReReviewStep
from tidu.journey.testing import build_world

ON_POSTGRES = (os.environ.get("TIDU_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs TIDU_DATABASE_URL on PostgreSQL (real concurrent connections)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(*acts: tuple[str, Callable[[], Any]]) -> dict[str, str]:
    """Run each act on its own thread (its own connection), all released at once; name → "ok" or error code."""
    barrier = threading.Barrier(len(acts))
    outcomes: dict[str, str] = {}

    def run(name: str, act: Callable[[], Any]) -> None:
        from django.db import connections

        try:
            barrier.wait()
            act()
            outcomes[name] = "ok"
        except JourneyError as error:
            outcomes[name] = str(error.journey_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in acts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_provincial_officials_deciding_a_re_review_at_the_same_moment() -> None:
    assert connection.vendor == "postgresql"
    world = build_world()
    second = make_user("province2", "government", level="province", region="440000")
    rec = world.imported_title("A", days_left=60)
    old_until = rec.valid_until
    rr = services.rereview_open(actor=world.users["province"], recognition=rec)
    services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True)
    for who in ("county", "city"):
        services.rereview_review(actor=world.users[who], rereview=rr, action="approve")
    seen = rr.version

    def decide(actor: Any, action: str) -> Callable[[], Any]:
        def act() -> None:
            mine = ReReview.objects.select_related("recognition__enterprise").get(pk=rr.pk)
            services.rereview_review(actor=actor, rereview=mine, action=action, comment="并发测试",
                                     expected_version=seen)
        return act

    outcomes = _race(("pass", decide(world.users["province"], "approve")), ("fail", decide(second, "reject")))
    assert sorted(outcomes.values()) == ["ok", "rereview_conflict"], outcomes
    rr.refresh_from_db()
    rec.refresh_from_db()
    assert rr.version == seen + 1
    assert ReReviewStep.objects.filter(rereview=rr, level="province").count() == 1
    if outcomes["pass"] == "ok":
        assert rr.status == ReReviewStatus.PASSED and rec.valid_until == services.add_years(old_until, 3)
    else:
        assert rr.status == ReReviewStatus.FAILED and rec.valid_until == old_until


def test_two_officials_opening_the_same_re_review_at_the_same_moment() -> None:
    assert connection.vendor == "postgresql"
    world = build_world()
    rec = world.imported_title("A", days_left=60)

    def open_as(who: str) -> Callable[[], Any]:
        def act() -> None:
            services.rereview_open(actor=world.users[who], recognition=Recognition.objects.get(pk=rec.pk))
        return act

    outcomes = _race(("province", open_as("province")), ("national", open_as("national")))
    assert sorted(outcomes.values()) == ["ok", "rereview_open"], outcomes
    assert ReReview.objects.filter(recognition=rec).count() == 1
