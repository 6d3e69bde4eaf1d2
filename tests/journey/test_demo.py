"""seed_demo gives the journey open rounds with applications at every stage, a publicity with an
objection and recognised firms, and running it twice adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tidu.journey.models import Application, AppStatus, Objection, Publicity, Recognition, RoundStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_round_with_applications_at_every_stage() -> None:
    call_command("seed_demo", firms=300, stdout=None)
    statuses = set(Application.objects.filter(round__status=RoundStatus.OPEN).values_list("status", flat=True))
    assert {AppStatus.DRAFT, AppStatus.COUNTY, AppStatus.CITY, AppStatus.PROVINCE, AppStatus.NATIONAL,
            AppStatus.APPROVED, AppStatus.PUBLICITY, AppStatus.RETURNED, AppStatus.REJECTED} <= statuses
    assert Recognition.objects.filter(enterprise__organisation__memberships__user__username="demo-firm").exists()
    assert Application.objects.filter(status=AppStatus.DRAFT,
                                      enterprise__organisation__memberships__user__username="demo-firm").exists()
    assert Objection.objects.filter(status="open").count() == 1
    assert Publicity.objects.filter(status="open").count() == 1
    before = Application.objects.count()
    call_command("seed_demo", firms=300, stdout=None)
    assert Application.objects.count() == before
