"""Before signing the commitment, the firm sees on its draft the figures that locking will freeze."""

from __future__ import annotations

from tidu.enterprises.models import EnterpriseYear
from tidu.journey.testing import World


def test_the_draft_shows_the_firms_current_figures_to_check_before_signing(world: World) -> None:
    app = world.draft("A")
    EnterpriseYear.objects.filter(enterprise=world.firms["A"], fiscal_year=app.fiscal_year).update(rd=1_234_500)
    html = world.client("firm_a").get(f"/journey/applications/{app.pk}/").content.decode()
    section = html[html.index('id="to-freeze"'):html.index('id="commitment"')]
    assert f"研发费用总额（{app.fiscal_year}年）" in section and "123.45 万元" in section  # today's figure
    assert 'data-field="rd_y1"' in section and "自报" in section  # with its provenance mark


def test_once_locked_only_the_frozen_figures_are_shown(world: World) -> None:
    locked = world.locked("B")
    html = world.client("firm_b").get(f"/journey/applications/{locked.pk}/").content.decode()
    assert 'id="to-freeze"' not in html and "锁定时冻结的数据" in html
    app = world.submitted("A")
    for who in ("firm_a", "county"):
        html = world.client(who).get(f"/journey/applications/{app.pk}/").content.decode()
        assert 'id="to-freeze"' not in html
        assert "锁定时冻结的数据" in html
