"""Reviewers see the frozen engine verdict and flags for figures that look wrong, and can filter on them."""

from __future__ import annotations

import pytest

from tidu.enterprises.models import EnterpriseYear
from tidu.journey.prescreen import prescreen
from tidu.journey.testing import World


def test_parts_above_wholes_and_jumps_are_flagged_and_plausible_figures_are_not() -> None:
    flags = prescreen({"rd_staff_y1": 60, "staff_total_y1": 50, "main_rev_y1": "100", "revenue_y1": 90,
                       "rd_y1": 5, "rd_y2": 1})
    assert {(f["code"], f["fields"][0]) for f in flags} == {
        ("part_above_whole", "rd_staff_y1"), ("part_above_whole", "main_rev_y1"), ("jump", "rd_y1")}
    assert prescreen({"revenue_y1": 110, "revenue_y2": 100, "rd_staff_y1": 5, "staff_total_y1": 50}) == []
    assert prescreen({"revenue_y1": None, "revenue_y2": 0}) == []


@pytest.mark.django_db
def test_the_queue_shows_and_filters_the_pre_screen(world: World) -> None:
    EnterpriseYear.objects.filter(enterprise=world.firms["B"]).update(rd_staff=500)  # above 100 staff
    a, b = world.submitted("A"), world.submitted("B")
    assert any(f["fields"] == ["rd_staff_y1", "staff_total_y1"] for f in b.frozen_assessment["prescreen_flags"])
    county = world.client("county")
    flagged = county.get("/journey/queue/?prescreen=flagged").content.decode()
    assert "企业B有限公司" in flagged and "研发人员数超过职工总数" in flagged
    api = world.bearer("county").get("/api/v1/journey/applications?prescreen=flagged").json()
    ids = {item["id"] for item in api["items"]}
    assert b.pk in ids
    assert ("企业A有限公司" in flagged) == bool(a.frozen_assessment["prescreen_flags"])
    verdict = a.frozen_assessment["verdict"]
    assert a.pk in {i["id"] for i in world.bearer("county").get(
        f"/api/v1/journey/applications?prescreen={verdict}").json()["items"]}
    assert "预审提示" in county.get(f"/journey/applications/{b.pk}/").content.decode()
