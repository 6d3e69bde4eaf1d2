"""The shared filing workflow (tidu.filing): the review ladder each kind climbs, and the one review decision
applications, re-reviews and policy applications all go through."""

from __future__ import annotations

import pytest

from tidu.filing import workflow
from tidu.journey import services
from tidu.journey.models import AppStatus, ReReviewStatus, Tier


def test_the_ladder_climbs_from_the_county_to_the_top_level() -> None:
    assert workflow.review_path("county") == ("county",)
    assert workflow.review_path("city") == ("county", "city")
    assert workflow.review_path("province") == ("county", "city", "province")
    assert services.review_path(Tier.SPECIALIZED_SME) == ("county", "city", "province")
    assert services.review_path(Tier.LITTLE_GIANT) == ("county", "city", "province", "national")


@pytest.mark.parametrize(
    ("level", "action", "flow", "to"),
    [
        ("county", "approve", services.APPLICATION_FLOW, AppStatus.CITY),
        ("province", "approve", services.APPLICATION_FLOW, AppStatus.APPROVED),
        ("city", "return", services.APPLICATION_FLOW, AppStatus.RETURNED),
        ("county", "reject", services.APPLICATION_FLOW, AppStatus.REJECTED),
        ("province", "approve", services.REREVIEW_FLOW, ReReviewStatus.PASSED),
        ("city", "reject", services.REREVIEW_FLOW, ReReviewStatus.FAILED),
    ],
)
def test_each_kind_names_where_a_decision_leads(
    level: str, action: str, flow: workflow.Flow, to: str
) -> None:
    assert workflow.next_status(level, action, path=("county", "city", "province"), flow=flow) == to


def test_a_little_giant_goes_on_to_the_national_level() -> None:
    path = services.review_path(Tier.LITTLE_GIANT)
    assert (
        workflow.next_status("province", "approve", path=path, flow=services.APPLICATION_FLOW) == "national"
    )
    assert workflow.next_status("national", "approve", path=path, flow=services.REREVIEW_FLOW) == "passed"
