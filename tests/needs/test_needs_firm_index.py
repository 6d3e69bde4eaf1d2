"""The firms' ranking index is kept per process, yet a change to a firm shows on the owner's next request."""

from __future__ import annotations

import datetime as dt

import pytest
from needs_support import NWorld

from tidu.core.testing import make_year
from tidu.journey.models import Recognition, Tier
from tidu.needs import firm_index, recommend

LITTLE_GIANT = "持有专精特新“小巨人”企业称号"


def _fit(world: NWorld, key: str) -> recommend.FirmFit:
    assert world.public is not None
    fits = {f.enterprise.pk: f for f in recommend.firms_for_need(world.users["large"], world.public, limit=10)}
    return fits[world.firms[key].pk]


def test_a_new_year_changes_the_ranking_without_rebuilding_the_index(world: NWorld) -> None:
    before = _fit(world, "firm_c")  # a chemicals firm: nothing in common with the reducer need
    rebuilds = firm_index.state().rebuilds
    make_year(world.firms["firm_c"], 2025, main_product_name="谐波减速器", invention_patent_count=9)
    after = _fit(world, "firm_c")
    assert after.score > before.score
    assert any("减速器" in r for r in after.reasons) and not any("减速器" in r for r in before.reasons)
    assert firm_index.state().rebuilds == rebuilds  # only the changed firm was re-profiled
    # the changed firm was re-profiled (with those saved within the late-commit margin of the last stamp)
    assert world.firms["firm_c"].pk in firm_index.state().refreshed


def test_a_recognition_granted_then_revoked_shows_on_the_next_request(world: NWorld) -> None:
    today = dt.date.today()
    assert LITTLE_GIANT not in _fit(world, "firm_b").reasons
    rec = Recognition.objects.create(enterprise=world.firms["firm_b"], tier=Tier.LITTLE_GIANT, number="XJR-0110",
                                     valid_from=today - dt.timedelta(days=1), valid_until=today + dt.timedelta(days=365))
    assert LITTLE_GIANT in _fit(world, "firm_b").reasons
    rec.revoked_at, rec.revoked_reason = dt.datetime.now(dt.UTC), "测试撤销"
    rec.save()
    assert LITTLE_GIANT not in _fit(world, "firm_b").reasons


def test_a_recognition_starting_tomorrow_counts_from_tomorrow(world: NWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    Recognition.objects.create(enterprise=world.firms["firm_b"], tier=Tier.LITTLE_GIANT, number="XJR-0111",
                               valid_from=today + dt.timedelta(days=1), valid_until=today + dt.timedelta(days=365))
    assert LITTLE_GIANT not in _fit(world, "firm_b").reasons
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=1))
    assert LITTLE_GIANT in _fit(world, "firm_b").reasons


def test_a_firm_removed_from_the_register_leaves_the_ranking(world: NWorld) -> None:
    from tidu.core.testing import make_enterprise

    extra = make_enterprise("440305", industry_code="C3491", name="谐波减速器机器人有限公司")
    assert world.public is not None
    ranked = [f.enterprise.pk for f in recommend.firms_for_need(world.users["large"], world.public, limit=10)]
    assert extra.pk in ranked
    extra.delete()
    ranked = [f.enterprise.pk for f in recommend.firms_for_need(world.users["large"], world.public, limit=10)]
    assert extra.pk not in ranked
