"""The demo data gives the county's account pages something to show: a firm to invite, a pending claim
and a registration held because its credit code was issued in another province."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from tidu.accounts.demo import DEMO_CLAIMANT, DEMO_MOVED_FIRM, DEMO_PASSWORD
from tidu.accounts.models import AccountRequest

pytestmark = pytest.mark.django_db


def test_the_demo_county_sees_an_invitable_firm_a_claim_and_a_held_registration() -> None:
    call_command("seed_demo", firms=150, verbosity=0)
    call_command("seed_demo", firms=150, verbosity=0)  # idempotent
    assert sorted(AccountRequest.objects.values_list("user__username", "kind", "status")) == [
        (DEMO_CLAIMANT, "claim", "pending"), (DEMO_MOVED_FIRM, "new_firm", "pending")]
    county = Client()
    assert county.login(username="demo-county", password=DEMO_PASSWORD)
    queue = county.get("/accounts/requests/").content.decode()
    assert DEMO_CLAIMANT in queue and "与所选注册地（440305 广东省深圳市南山区）不一致" in queue
    listing = county.get("/accounts/without-account/").content.decode()
    assert "chen@invitee.tidu.example" in listing and "发送邀请" in listing
    claimant = Client()
    assert claimant.login(username=DEMO_CLAIMANT, password=DEMO_PASSWORD)
    assert "认领待审核" in claimant.get("/accounts/request/").content.decode()
