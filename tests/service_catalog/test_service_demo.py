"""The demo service list: enough to show every state, owned partly by the demo provider account."""

from __future__ import annotations

import io

from django.core.management import call_command

from tidu.service_catalog.models import (
    Category,
    OfferStatus,
    Provider,
    ProviderStatus,
    Rating,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
)
from tidu.service_catalog.selectors import annotate_timeliness


def test_seed_demo_gives_the_demo_provider_real_work_and_shows_every_state(db: None) -> None:
    call_command("seed_demo", firms=40, stdout=io.StringIO())
    listed = ServiceOffer.objects.filter(status=OfferStatus.LISTED)
    assert listed.count() >= 30
    assert listed.values("provider").distinct().count() >= 6
    assert set(listed.values_list("category", flat=True)) == set(Category.values)
    assert set(ServiceOffer.objects.values_list("status", flat=True)) == set(OfferStatus.values)
    assert set(Provider.objects.values_list("status", flat=True)) >= {
        ProviderStatus.APPROVED,
        ProviderStatus.PENDING,
    }
    demo = Provider.objects.get(organisation__memberships__user__username="demo-provider")
    assert demo.offers.filter(status=OfferStatus.LISTED).exists() and demo.requests.exists()
    mine = ServiceRequest.objects.filter(enterprise__organisation__memberships__user__username="demo-firm")
    assert set(mine.values_list("status", flat=True)) == set(RequestStatus.values)
    states = {r.timeliness for r in annotate_timeliness(list(mine))}
    assert {"waiting", "overdue", "on_time"} <= states
    assert Rating.objects.count() >= 5
    assert mine.filter(status=RequestStatus.DONE, rating__isnull=True).exists()
    call_command("seed_demo", firms=40, stdout=io.StringIO())  # idempotent
    assert ServiceOffer.objects.filter(status=OfferStatus.LISTED).count() == listed.count()
