"""seed_demo gives policy applications in every state, the demo firm follows a partly paid one, and the
demo officials find them at their level; running it twice adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from tidu.accounts.demo import DEMO_PASSWORD
from tidu.policies.models import AwardStatus
from tidu.policy_filings.models import PolicyFiling, PolicyFilingStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_policy_applications_in_every_state() -> None:
    call_command("seed_demo", firms=300, stdout=None)
    filings = list(PolicyFiling.objects.select_related("award", "enterprise"))
    statuses = {f.status for f in filings}
    assert {
        PolicyFilingStatus.DRAFT,
        PolicyFilingStatus.COUNTY,
        PolicyFilingStatus.CITY,
        PolicyFilingStatus.RETURNED,
        PolicyFilingStatus.REJECTED,
        PolicyFilingStatus.APPROVED,
    } <= statuses
    paid = {f.award.status for f in filings if f.award is not None}
    assert {AwardStatus.GRANTED, AwardStatus.PARTLY_PAID, AwardStatus.PAID} <= paid
    assert all(f.award.filing_ref == f.reference for f in filings if f.award is not None)

    firm = Client()
    assert firm.login(username="demo-firm", password=DEMO_PASSWORD)
    page = firm.get("/policy-filings/").content.decode()
    assert "部分拨付" in page
    county = Client()
    assert county.login(username="demo-county", password=DEMO_PASSWORD)
    assert "县级审核中" in county.get("/policy-filings/").content.decode()

    count = len(filings)
    call_command("seed_demo", firms=300, stdout=None)
    assert PolicyFiling.objects.count() == count
