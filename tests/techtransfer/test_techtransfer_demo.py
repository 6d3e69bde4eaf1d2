"""The demo data of technology transfer: the demo platform has achievements in every state, requests, transfers
and incubations in every review state; its page counts them from the records; the demo firm gets matches."""

from __future__ import annotations

from tidu.core.testing import make_enterprise, make_user
from tidu.techtransfer import selectors
from tidu.techtransfer.demo import seed_techtransfer
from tidu.techtransfer.models import (
    Achievement,
    AchievementStatus,
    Incubation,
    IncubationStatus,
    RequestStatus,
    Review,
    Transfer,
    TransferRequest,
)


def test_seed_demo_shows_every_state_and_the_counts_come_from_the_records(db: None) -> None:
    # what seed_demo has made before it calls seed_techtransfer: the demo firm, its neighbours, the platform
    demo_firm = make_enterprise("440305", name="深圳市南山演示精密科技有限公司", industry_code="C3484")
    make_user("demo-firm", "enterprise", enterprise=demo_firm)
    for region in ("440305", "440305", "440305", "440305", "330106", "320102"):
        make_enterprise(region)
    make_user("demo-platform", "innovation")
    seed_techtransfer(demo_firm)
    platform = Achievement.objects.values_list("platform", flat=True).first()
    assert platform is not None
    assert set(Achievement.objects.values_list("status", flat=True)) == set(AchievementStatus.values)
    assert set(TransferRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert set(Transfer.objects.values_list("review", flat=True)) == set(Review.values)
    assert set(Incubation.objects.values_list("review", flat=True)) >= {Review.PENDING, Review.CONFIRMED}
    assert set(Incubation.objects.values_list("status", flat=True)) >= {IncubationStatus.INCUBATING,
                                                                       IncubationStatus.GRADUATED}
    counts = selectors.platform_counts(Achievement.objects.first().platform)  # type: ignore[union-attr]
    assert counts.transfers == Transfer.objects.exclude(review=Review.REJECTED).count() == 2
    assert counts.incubations == Incubation.objects.count() == 3
    mine = TransferRequest.objects.filter(enterprise__organisation__memberships__user__username="demo-firm")
    assert set(mine.values_list("status", flat=True)) == {RequestStatus.SUBMITTED, RequestStatus.ACCEPTED}
    assert selectors.matched_for_firm(demo_firm)
    seed_techtransfer(demo_firm)  # idempotent
    assert Transfer.objects.count() == 3
