"""The demo needs: 华南重工（演示） has needs in every state, demo-firm responses in every state, seeding twice
changes nothing, and the demo roles each have something to see."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from tidu.needs import recommend, selectors
from tidu.needs.models import AcceptanceResult, Need, NeedResponse, NeedStatus, ResponseStatus, Visibility


def test_seed_demo_holds_needs_and_responses_in_every_state(db: None) -> None:
    call_command("seed_demo", firms=40, stdout=io.StringIO())
    needs = Need.objects.filter(owner__name="华南重工集团有限公司（演示）")
    assert set(needs.values_list("status", flat=True)) == set(NeedStatus.values)
    assert set(needs.values_list("visibility", flat=True)) == set(Visibility.values)
    assert set(NeedResponse.objects.values_list("status", flat=True)) == set(ResponseStatus.values)
    assert set(NeedResponse.objects.exclude(acceptance="").values_list("acceptance", flat=True)) == {
        AcceptanceResult.PASSED, AcceptanceResult.FAILED}
    mine = NeedResponse.objects.filter(enterprise__organisation__memberships__user__username="demo-firm")
    assert {ResponseStatus.SUBMITTED, ResponseStatus.SHORTLISTED, ResponseStatus.SELECTED} <= set(
        mine.values_list("status", flat=True))
    assert mine.filter(contract_signed_on__isnull=False, acceptance="").exists()  # under contract
    assert mine.filter(acceptance=AcceptanceResult.PASSED).exists()
    count = Need.objects.count()
    call_command("seed_demo", firms=40, stdout=io.StringIO())
    assert Need.objects.count() == count

    users = get_user_model().objects
    firm = users.get(username="demo-firm")
    assert recommend.needs_for_firm(firm)  # open needs ranked for demo-firm, the invite-only one among them
    county = users.get(username="demo-county")
    total = selectors.funnel(selectors.funnel_cohort(county))
    assert total.needs >= 6 and total.accepted >= 1 and total.contracts > total.accepted
