"""seed_demo gives 22 policies (drafts, published, withdrawn; both routes), pushes, and money in every state."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tidu.policies.demo import policy_data
from tidu.policies.models import Award, AwardStatus, Payout, Policy, PolicyStatus, PushNotice

pytestmark = pytest.mark.django_db


def test_the_demo_has_policies_and_awards_in_every_state() -> None:
    call_command("seed_demo", firms=300, stdout=None)
    assert Policy.objects.count() == len(policy_data()) >= 20
    assert Policy.objects.filter(is_sample=False).exclude(document_number="").count() >= 8
    assert set(Policy.objects.values_list("status", flat=True)) == set(PolicyStatus.values)
    assert set(Award.objects.values_list("status", flat=True)) == set(AwardStatus.values)
    assert Award.objects.filter(double_claim=True).exists()
    assert PushNotice.objects.exists() and Payout.objects.exists()
    assert Award.objects.filter(enterprise__organisation__memberships__user__username="demo-firm").exists()
    call_command("seed_demo", firms=300, stdout=None)
    assert Policy.objects.count() == len(policy_data())
