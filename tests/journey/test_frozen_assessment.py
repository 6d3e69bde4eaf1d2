"""What the officials review is what the firm submitted: figures and assessment are frozen with the
pack edition at submission; later edits of the register do not rewrite them."""

from __future__ import annotations

import copy

import pytest

from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.services import enterprise_year_save
from tidu.journey import assessment
from tidu.journey.testing import SECRET_REVENUE, World

pytestmark = pytest.mark.django_db


def test_frozen_figures_and_assessment_stay_when_the_firm_edits_its_figures(world: World) -> None:
    app = world.submitted("A")
    figures, result = copy.deepcopy(app.frozen_figures), copy.deepcopy(app.frozen_assessment)
    assert figures["revenue_y1"] == SECRET_REVENUE and figures["year"] == app.evaluation_year
    assert result["tier"] == "specialized_sme" and "pack_edition" in result
    enterprise_year_save(actor=world.users["firm_a"], enterprise=world.firms["A"], fiscal_year=app.fiscal_year,
                         values={"revenue": 1, "main_rev": 1})
    assert EnterpriseYear.objects.get(enterprise=world.firms["A"], fiscal_year=app.fiscal_year).revenue == 1
    app.refresh_from_db()
    assert app.frozen_figures == figures and app.frozen_assessment == result
    api = world.bearer("county").get(f"/api/v1/journey/applications/{app.pk}").json()
    assert api["frozen_figures"]["revenue_y1"] == SECRET_REVENUE


def test_the_engine_result_is_frozen_with_its_pack_edition_and_digest(world: World) -> None:
    from tidu.rules import load_packs

    app = world.submitted("A")
    result = app.frozen_assessment
    assert result["engine"] == "tidu.rules" and app.pack_edition.startswith("specialized_sme/")
    assert result["schema_version"] == 1 and result["standard"] == "specialized_sme"
    assert result["pack_edition"] == app.pack_edition and result["pack_digest"] == load_packs().digest
    assert result["verdict"] in {"true", "false", "unknown"} and result["conditions"]
    assert all(c["clause"] or c["label"] for c in result["conditions"])


def test_a_result_frozen_before_the_schema_is_still_read_through_the_api(world: World) -> None:
    """Applications submitted before the versioned result JSON keep their stored form (no data
    migration): the API serves them in the current schema, with the digest left empty (unknown)."""
    app = world.submitted("A")
    old = {"engine": "tidu.rules", "tier": "specialized_sme", "as_of": "2025-03-01", "is_review": False,
           "pack_edition": "specialized_sme/2022", "pack_hash": "ab" * 32, "verdict": "false", "score": "55",
           "level": None, "path": None, "conditions": [{"id": "C1", "label": "成立满2年", "clause": "条款",
                                                         "value": "true", "detail": "满足", "fields": []}],
           "indicators": [], "unknown_fields": [], "notes": []}
    type(app).objects.filter(pk=app.pk).update(frozen_assessment=old)
    body = world.bearer("county").get(f"/api/v1/journey/applications/{app.pk}").json()["frozen_assessment"]
    assert body["schema_version"] == 1 and body["standard"] == "specialized_sme" and body["edition"] == "2022"
    assert body["verdict"] == "false" and body["score"] == "55" and body["pack_digest"] == ""
    assert body["conditions"][0]["detail"] == "满足" and body["conditions"][0]["route"] is None
    app.refresh_from_db()
    assert app.frozen_assessment == old  # nothing rewritten in the database


def test_a_new_pack_edition_does_not_rewrite_a_submitted_application(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = world.submitted("A")
    before = copy.deepcopy(app.frozen_assessment)
    monkeypatch.setattr(assessment, "assess",
                        lambda *a, **k: {"pack_edition": "specialized_sme/2027", "verdict": "false"})
    world.approve(app, "county")
    later = world.submitted("B")  # applications submitted after the change get the new edition
    app.refresh_from_db()
    assert app.frozen_assessment == before and app.pack_edition == before["pack_edition"]
    assert later.pack_edition == "specialized_sme/2027"


def test_resubmitting_a_returned_application_freezes_the_revised_figures(world: World) -> None:
    from tidu.journey import services

    app = world.submitted("A")
    services.application_review(actor=world.users["county"], application=app, action="return", comment="营收有误")
    enterprise_year_save(actor=world.users["firm_a"], enterprise=world.firms["A"], fiscal_year=app.fiscal_year,
                         values={"revenue": 123_456_789, "main_rev": 100_000_000})
    services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    world.stamp(app)
    services.application_submit(actor=world.users["firm_a"], application=app)
    assert app.frozen_figures["revenue_y1"] == 123_456_789
