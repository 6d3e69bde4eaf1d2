"""A re-review (复核) freezes each figure with the provenance mark (自报 / 已核实 / 来源) it had when the
firm submitted, like an application; the reviewers' page and the API show those frozen marks even
after the register changes."""

from __future__ import annotations

import re

import pytest

from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.provenance import FROZEN_MARKS_KEY
from tidu.enterprises.services import enterprise_year_save, enterprise_year_verify
from tidu.journey import services
from tidu.journey.models import ReReview
from tidu.journey.testing import SECRET_REVENUE, World

pytestmark = pytest.mark.django_db

EDITED_REVENUE = 123_456_789_00


def _verified_then_submitted(world: World) -> ReReview:
    rr = services.rereview_open(actor=world.users["province"], recognition=world.imported_title("A"))
    row = EnterpriseYear.objects.get(enterprise=world.firms["A"], fiscal_year=rr.fiscal_year)
    enterprise_year_verify(actor=world.users["county"], row=row, fields=["revenue", "rd"])
    return services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True)


def _mark(html: str, field: str) -> tuple[str, ...] | None:
    found = re.search(rf'data-field="{field}"><span class="mark mark-(\w+)"[^>]*>([^<]+)<', html)
    return found.groups() if found else None


def test_a_re_review_freezes_each_figures_mark_and_keeps_it_after_later_edits(world: World) -> None:
    rr = _verified_then_submitted(world)
    marks = rr.frozen_figures[FROZEN_MARKS_KEY]
    assert marks["revenue_y1"]["kind"] == "verified" and marks["revenue_y1"]["by"] == "county"
    assert marks["rd_y1"]["kind"] == "verified"
    assert marks["main_rev_y1"] == {"kind": "self"} and marks["revenue_y2"] == {"kind": "self"}

    enterprise_year_save(actor=world.users["firm_a"], enterprise=world.firms["A"], fiscal_year=rr.fiscal_year,
                         values={"revenue": EDITED_REVENUE, "main_rev": EDITED_REVENUE - 1})
    rr.refresh_from_db()
    assert rr.frozen_figures["revenue_y1"] == SECRET_REVENUE
    assert rr.frozen_figures[FROZEN_MARKS_KEY]["revenue_y1"]["kind"] == "verified"
    api = world.bearer("county").get(f"/api/v1/journey/rereviews/{rr.pk}").json()
    assert api["frozen_figures"][FROZEN_MARKS_KEY]["revenue_y1"]["kind"] == "verified"


def test_the_re_review_page_shows_the_frozen_mark_of_each_figure(world: World) -> None:
    rr = _verified_then_submitted(world)
    enterprise_year_save(actor=world.users["firm_a"], enterprise=world.firms["A"], fiscal_year=rr.fiscal_year,
                         values={"revenue": EDITED_REVENUE, "main_rev": EDITED_REVENUE - 1})
    for who in ("county", "firm_a"):
        html = world.client(who).get(f"/journey/rereviews/{rr.pk}/").content.decode()
        assert _mark(html, "revenue_y1") == ("verified", "已核实")
        assert _mark(html, "rd_y1") == ("verified", "已核实")
        assert _mark(html, "main_rev_y1") == ("self", "自报")
        assert "777,777.77" in html and "1,234,567.89" not in html  # the frozen value, not the edited one
        assert 'data-field="credit_code"><small class="muted"' in html  # registration facts carry no mark
