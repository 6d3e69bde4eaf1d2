"""Two city officials deciding the same policy application at once: one award, the other a conflict.
With TIDU_DATABASE_URL on PostgreSQL it races two real connections."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from django.db import connection

from tidu.core.testing import make_user
from tidu.journey.testing import build_world
from tidu.policies.models import Award
from tidu.policy_filings import services
from tidu.policy_filings.errors import FilingError
from tidu.policy_filings.models import PolicyFiling, PolicyFilingStep
from tidu.policy_filings.testing import make_policy, submitted

ON_POSTGRES = (os.environ.get("TIDU_DATABASE_URL") or "").startswith(("postgres://", "postgresql://"))


@pytest.mark.postgres
@pytest.mark.skipif(
    not ON_POSTGRES, reason="needs TIDU_DATABASE_URL on PostgreSQL (real concurrent connections)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officials_deciding_at_the_same_moment_grant_one_award_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    world = build_world()
    firm = world.firms["A"]
    firm.contact_name, firm.contact_phone = "联系人", "13800138000"
    firm.save(update_fields=["contact_name", "contact_phone"])
    city2 = make_user("city2", "government", level="city", region="440300")
    batch = make_policy(world.users["city"], code="sz-race")
    filing = submitted(world.users["firm_a"], batch.policy)
    services.policy_filing_review(actor=world.users["county"], filing=filing, action="approve")
    seen = filing.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def act(name: str, who: Any, amount: int) -> None:
        from django.db import connections

        try:
            mine = PolicyFiling.objects.select_related("enterprise", "batch__policy", "edition").get(
                pk=filing.pk
            )
            barrier.wait()
            services.policy_filing_review(
                actor=who, filing=mine, action="approve", amount_yuan=amount, expected_version=seen
            )
            outcomes[name] = "ok"
        except FilingError as error:
            outcomes[name] = str(error.filing_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("city", world.users["city"], 500_000)),
        threading.Thread(target=act, args=("city2", city2, 400_000)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["ok", "policy_filing_conflict"], outcomes
    filing.refresh_from_db()
    assert filing.version == seen + 1 and filing.status == "approved"
    assert Award.objects.filter(batch=batch).count() == 1
    assert filing.award is not None and filing.award.amount_yuan == filing.approved_yuan
    assert PolicyFilingStep.objects.filter(filing=filing, level="city").count() == 1
