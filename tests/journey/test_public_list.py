"""The public list of recognised firms (page and API) shows name, region, tier and validity only:
never a figure, never a revoked or expired title."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tidu.journey import services
from tidu.journey.models import Recognition, Tier
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db


def _recognise(world: World, *firms: str) -> list[Recognition]:
    for firm in firms:
        world.approved(firm)
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                     today=timezone.localdate() - dt.timedelta(days=30))
    return services.publicity_decide(actor=world.users["province"], publicity=pub)


def test_the_public_page_and_api_show_only_name_region_tier_and_validity(world: World) -> None:
    [rec] = _recognise(world, "A")
    page = world.client("anon").get("/recognitions/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "企业A有限公司" in text and "广东省深圳市南山区" in text and "专精特新中小企业" in text
    for leak in ("777", "7,777", "98765", world.firms["A"].credit_code):
        assert leak not in text, leak
    data = world.client("anon").get("/api/v1/journey/recognitions").json()
    assert data["count"] == 1
    [item] = data["items"]
    assert set(item) == {"name", "former_name", "region_code", "region", "tier", "tier_label", "valid_from",
                         "valid_until"}
    assert item["former_name"] is None  # not renamed since (tests/changes/test_titles_after_a_rename.py)
    assert item["name"] == "企业A有限公司" and item["valid_until"] == rec.valid_until.isoformat()
    assert "777" not in str(data) and "credit_code" not in str(data)


def test_revoked_and_expired_titles_leave_the_public_list(world: World) -> None:
    rec_a, rec_b = _recognise(world, "A", "B")
    services.recognition_revoke(actor=world.users["province"], recognition=rec_a, reason="发生重大安全事故")
    Recognition.objects.filter(pk=rec_b.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert world.client("anon").get("/api/v1/journey/recognitions").json()["count"] == 0
    assert "企业A有限公司" not in world.client("anon").get("/recognitions/").content.decode()
    assert "发生重大安全事故" in world.client("firm_a").get("/journey/").content.decode()


def test_the_public_list_filters_by_tier_region_and_name(world: World) -> None:
    _recognise(world, "A", "C")
    api = world.client("anon")
    assert api.get("/api/v1/journey/recognitions?region=440304").json()["count"] == 1
    assert api.get("/api/v1/journey/recognitions?tier=little_giant").json()["count"] == 0
    assert api.get("/api/v1/journey/recognitions?q=企业C").json()["items"][0]["name"] == "企业C有限公司"


def test_the_journey_endpoints_are_documented_in_openapi(world: World) -> None:
    schema = world.client("anon").get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for path in ["/api/v1/journey/recognitions", "/api/v1/journey/applications/{pk}/review",
                 "/api/v1/journey/applications/{pk}/attachments", "/api/v1/journey/publicity/{pk}/objections"]:
        assert path in paths, path
    recognition = schema["components"]["schemas"]["RecognitionOut"]["properties"]
    assert set(recognition) == {"name", "former_name", "region_code", "region", "tier", "tier_label", "valid_from",
                                "valid_until"}
