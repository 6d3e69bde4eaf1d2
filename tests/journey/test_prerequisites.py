"""Applying for a rung needs the title below it, valid on the application date (domain/tiers.md §2): a
little giant a 专精特新 title (2022 and 2026), a 2026 专精特新 applicant a 科技型 or 创新型 title; a
2022 专精特新 applicant nothing nationally. The platform's recognition records decide where they exist; a
title granted elsewhere may be self-declared and goes to the reviewer flagged. The application freezes
which it was."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from pdf_check import read_pdf
from tidu.enterprises.models import EnterpriseYear
from tidu.journey import services
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import Application, Tier
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db


def _declare(world: World, firm: str, **titles: bool) -> None:
    last = timezone.localdate().year - 1
    EnterpriseYear.objects.filter(enterprise=world.firms[firm], fiscal_year=last).update(**titles)


def _apply(world: World, firm: str, tier: str) -> Application:
    return services.application_create(actor=world.users[f"firm_{firm.lower()}"], rnd=world.rounds[tier])


def _lock(world: World, app: Application) -> Application:
    world.with_materials(app)
    return services.application_lock(actor=world.staff_of(app), application=app, commitment=True)


def test_a_little_giant_application_without_a_specialised_title_is_refused_saying_what_is_missing(
        world: World) -> None:
    with pytest.raises(JourneyError) as exc:
        _apply(world, "A", Tier.LITTLE_GIANT)
    assert exc.value.journey_code == JourneyCode.PREREQUISITE_MISSING
    assert "申报专精特新“小巨人”企业须持有有效期内的专精特新中小企业称号" in exc.value.message
    assert "专精特新中小企业：未填报" in exc.value.message
    assert not Application.objects.filter(enterprise=world.firms["A"]).exists()

    rnd = world.rounds[Tier.LITTLE_GIANT]
    page = world.client("firm_a").post(f"/journey/rounds/{rnd.pk}/apply/", follow=True).content.decode()
    assert "须持有有效期内的专精特新中小企业称号" in page
    api = world.bearer("firm_a").post(f"/api/v1/journey/rounds/{rnd.pk}/apply", json.dumps({}),
                                      content_type="application/json")
    assert api.status_code == 400 and api.json()["code"] == "prerequisite_missing"
    assert "专精特新中小企业称号" in api.json()["message"]
    assert not Application.objects.filter(enterprise=world.firms["A"]).exists()


def test_with_a_valid_platform_specialised_title_the_little_giant_application_freezes_its_number(
        world: World) -> None:
    rec = world.imported_title("A", Tier.SPECIALIZED_SME, days_left=400)
    app = _lock(world, _apply(world, "A", Tier.LITTLE_GIANT))
    prereq = app.frozen_assessment["prerequisite"]
    assert prereq["field"] == "cert_specialized_valid" and prereq["number"] == rec.number
    assert prereq["source"]["kind"] == "platform" and prereq["needs_check"] is False
    mark = app.frozen_figures["_marks"]["cert_specialized_valid"]
    assert app.frozen_figures["cert_specialized_valid"] is True
    assert mark["kind"] == "platform" and mark["number"] == rec.number
    assert mark["valid_until"] == rec.valid_until.isoformat()
    assert "cert_specialized_valid" not in {f["fields"][0] for f in app.frozen_assessment["prescreen_flags"]}

    page = world.client("firm_a").get(f"/journey/applications/{app.pk}/").content.decode()
    assert f"平台认定记录：编号 {rec.number}" in page
    text = re.sub(r"\s", "", read_pdf(world.client("firm_a").get(
        f"/journey/applications/{app.pk}/form.pdf").content).text)
    assert f"平台认定记录：编号{rec.number}" in text and "申报前提" in text


def test_an_expired_platform_title_is_refused_even_when_the_firm_declares_it_valid(world: World) -> None:
    rec = world.imported_title("A", Tier.SPECIALIZED_SME, days_left=-1)  # expired yesterday
    _declare(world, "A", cert_specialized_valid=True)
    with pytest.raises(JourneyError) as exc:
        _apply(world, "A", Tier.LITTLE_GIANT)
    assert exc.value.journey_code == JourneyCode.PREREQUISITE_MISSING
    assert f"本平台认定记录 {rec.number} 已于 {rec.valid_until.isoformat()} 到期" in exc.value.message


def test_a_revoked_platform_title_is_refused(world: World) -> None:
    rec = world.imported_title("A", Tier.SPECIALIZED_SME, days_left=400)
    services.recognition_revoke(actor=world.users["province"], recognition=rec, reason="数据造假")
    with pytest.raises(JourneyError) as exc:
        _apply(world, "A", Tier.LITTLE_GIANT)
    assert f"本平台认定记录 {rec.number} 已于 {timezone.localdate().isoformat()} 撤销" in exc.value.message


def test_a_self_declared_title_from_elsewhere_may_apply_and_reaches_the_reviewer_flagged(world: World) -> None:
    _declare(world, "B", cert_specialized_valid=True)  # granted by another province: no record here
    app = _lock(world, _apply(world, "B", Tier.LITTLE_GIANT))
    prereq = app.frozen_assessment["prerequisite"]
    assert prereq["field"] == "cert_specialized_valid" and prereq["number"] is None
    assert prereq["source"]["kind"] == "self" and prereq["needs_check"] is True
    assert app.frozen_figures["_marks"]["cert_specialized_valid"]["kind"] == "self"
    flags = {f["fields"][0]: f for f in app.frozen_assessment["prescreen_flags"] if f["code"] == "title_self_declared"}
    assert "专精特新中小企业" in flags["cert_specialized_valid"]["message"]

    world.stamp(app)
    services.application_submit(actor=world.users["firm_b"], application=app)
    page = world.client("county").get(f"/journey/applications/{app.pk}/").content.decode()
    assert "企业自报，需核验" in page
    assert "企业自报持有专精特新中小企业称号（非本平台认定记录），请核验认定文件及有效期" in page
    api = world.bearer("county").get(f"/api/v1/journey/applications/{app.pk}").json()
    assert api["frozen_assessment"]["prerequisite"]["needs_check"] is True


def test_a_2026_specialised_application_needs_a_tech_or_innovative_title(world: World) -> None:
    _declare(world, "C", cert_tech_sme_valid=False)
    with pytest.raises(JourneyError) as exc:
        _apply(world, "C", Tier.SPECIALIZED_SME)
    assert "须持有有效期内的科技和创新型中小企业称号" in exc.value.message
    assert "科技型中小企业：企业填报为“否”" in exc.value.message and "创新型中小企业：未填报" in exc.value.message

    rec = world.imported_title("C", Tier.INNOVATIVE_SME, days_left=200)
    app = _lock(world, _apply(world, "C", Tier.SPECIALIZED_SME))
    prereq = app.frozen_assessment["prerequisite"]
    assert prereq["field"] == "cert_innovative_valid" and prereq["number"] == rec.number


def test_a_platform_record_is_preferred_over_a_self_declared_title_as_the_one_applied_on(world: World) -> None:
    rec = world.imported_title("A", Tier.INNOVATIVE_SME, days_left=200)  # and 科技型 declared (the world's)
    prereq = _lock(world, _apply(world, "A", Tier.SPECIALIZED_SME)).frozen_assessment["prerequisite"]
    assert prereq["field"] == "cert_innovative_valid" and prereq["number"] == rec.number


def test_a_specialised_round_under_the_2022_standard_has_no_national_prerequisite(world: World) -> None:
    _declare(world, "C", cert_tech_sme_valid=False)
    rnd = services.round_open(actor=world.users["province"], name="广东省2025年专精特新中小企业认定", tier=Tier.SPECIALIZED_SME,
                              region_code="440000", opens_on=dt.date(2025, 3, 1), deadline=dt.date(2025, 3, 31),
                              today=dt.date(2025, 3, 1))
    app = services.application_create(actor=world.users["firm_c"], rnd=rnd, fiscal_year=2024,
                                      today=dt.date(2025, 3, 10))  # before 2026-04-01: the 2022 measures
    assert app.status == "draft"


def test_an_innovative_application_needs_no_title(world: World) -> None:
    _declare(world, "C", cert_tech_sme_valid=False)
    assert _apply(world, "C", Tier.INNOVATIVE_SME).status == "draft"


def test_a_re_review_freezes_the_title_under_review_from_its_own_record(world: World) -> None:
    rec = world.imported_title("A", Tier.INNOVATIVE_SME, days_left=60)
    rr = services.rereview_open(actor=world.users["province"], recognition=rec)
    rr = services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True)
    assert rr.frozen_figures["cert_innovative_valid"] is True
    assert rr.frozen_figures["_marks"]["cert_innovative_valid"]["number"] == rec.number
    page = world.client("county").get(f"/journey/rereviews/{rr.pk}/").content.decode()
    assert f"平台认定记录：编号 {rec.number}" in page
