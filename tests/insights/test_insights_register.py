"""The register list shows each firm's tiers held and reachable, filterable and sortable."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.insights.models import Standing
from tidu.insights.services import refresh_standings

pytestmark = pytest.mark.django_db


def _names(html: str, names: list[str]) -> list[str]:
    return sorted((n for n in names if n in html), key=html.index)


def test_the_register_shows_filters_and_sorts_by_tiers() -> None:
    plain = make_enterprise("440305", name="甲无称号企业")
    make_year(plain, 2025)
    specialised = make_enterprise("440305", name="乙专精特新企业")
    make_year(specialised, 2025, cert_specialized_valid=True, cert_innovative_valid=True)
    innovative = make_enterprise("440305", name="丙创新型企业")
    make_year(innovative, 2025, cert_innovative_valid=True)
    refresh_standings()
    held = dict(Standing.objects.values_list("enterprise__name", "rung_held"))
    assert held == {"甲无称号企业": 0, "乙专精特新企业": 2, "丙创新型企业": 1}  # the declared titles
    client = Client()
    client.force_login(make_user("reg_county", "government", level="county", region="440305"))
    names = ["甲无称号企业", "乙专精特新企业", "丙创新型企业"]
    page = client.get("/enterprises/").content.decode()
    assert "所持梯度" in page and "可达梯度" in page and "专精特新中小企业" in page
    assert _names(client.get("/enterprises/?sort=-held").content.decode(), names) == [
        "乙专精特新企业", "丙创新型企业", "甲无称号企业"]
    assert _names(client.get("/enterprises/?held=2").content.decode(), names) == ["乙专精特新企业"]
    reach_up = Standing.objects.filter(rung_reachable__gt=0, rung_held=0).count()
    up = client.get("/enterprises/?reachable=-1").content.decode()
    assert len(_names(up, names)) == sum(
        1 for s in Standing.objects.all() if s.rung_reachable > s.rung_held) >= reach_up
