"""seed_demo gives the journey open rounds with applications at every stage, a publicity with an
objection and recognised firms whose titles near expiry with re-reviews (复核) under way, and running it
twice adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tidu.accounts.demo import DEMO_PASSWORD
from tidu.enterprises.provenance import FROZEN_MARKS_KEY
from tidu.journey.models import (
    Application,
    AppStatus,
    Objection,
    Publicity,
    Recognition,
    ReReview,
    ReReviewStatus,
    RoundStatus,
)
from tidu.journey.selectors import DEFAULT_REREVIEW_WINDOW_DAYS
from tidu.notifications.models import Notification, NotificationKind

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


def _as(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_the_demo_has_titles_nearing_expiry_with_a_re_review_awaiting_the_firm_and_one_at_the_county() -> None:
    call_command("seed_demo", firms=300, stdout=None)
    today = timezone.localdate()
    expiring = Recognition.objects.filter(valid_until__gte=today,
                                          valid_until__lte=today + dt.timedelta(days=DEFAULT_REREVIEW_WINDOW_DAYS))
    assert expiring.count() == 3

    [awaiting] = ReReview.objects.filter(status=ReReviewStatus.REQUESTED)
    assert awaiting.recognition.enterprise.organisation.memberships.filter(user__username="demo-firm").exists()
    [at_county] = ReReview.objects.filter(status=ReReviewStatus.COUNTY)
    assert at_county.frozen_figures[FROZEN_MARKS_KEY] and at_county.commitment_signed_at is not None
    assert ReReview.objects.count() == 2  # the third title is left for the province to open
    assert Notification.objects.filter(recipient__username="demo-firm", kind=NotificationKind.REREVIEW).exists()

    firm_page = _as("demo-firm").get("/journey/").content.decode()
    assert f"/journey/rereviews/{awaiting.pk}/" in firm_page and awaiting.recognition.number in firm_page
    county_page = _as("demo-county").get("/journey/rereviews/").content.decode()
    assert f"/journey/rereviews/{at_county.pk}/" in county_page
    province_page = _as("demo-province").get("/journey/rereviews/").content.decode()
    [unopened] = expiring.filter(rereviews__isnull=True)
    assert unopened.number in province_page and f'value="{unopened.pk}"' in province_page

    call_command("seed_demo", firms=300, stdout=None)
    assert ReReview.objects.count() == 2
