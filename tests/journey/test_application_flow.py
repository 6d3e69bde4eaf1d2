"""A firm applies in an open round and its application climbs county → city → province (→ national for
little giants); officials return, reject and approve with comments the firm can read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tidu.core.models import AuditEvent
from tidu.journey import services
from tidu.journey.demo import sample_pdf
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import AppStatus, ReviewStep, Tier
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db


def test_an_approved_specialised_application_passes_county_city_and_province(world: World) -> None:
    app = world.submitted("A")
    assert app.status == AppStatus.COUNTY and app.submitted_at is not None and app.commitment_signed_at
    world.approve(app, "county")
    assert app.status == AppStatus.CITY
    world.approve(app, "city")
    assert app.status == AppStatus.PROVINCE
    world.approve(app, "province")
    assert app.status == AppStatus.APPROVED
    assert [s.level for s in ReviewStep.objects.filter(application=app)] == ["county", "city", "province"]


def test_a_little_giant_goes_on_to_the_national_level_after_the_province(world: World) -> None:
    app = world.approve(world.submitted("A", Tier.LITTLE_GIANT), "county", "city", "province")
    assert app.status == AppStatus.NATIONAL
    world.approve(app, "national")
    assert app.status == AppStatus.APPROVED


def test_a_returned_application_is_revised_and_resubmitted_from_the_county(world: World) -> None:
    app = world.approve(world.submitted("A"), "county")
    services.application_review(actor=world.users["city"], application=app, action="return",
                                comment="请补充研发费用专项审计报告")
    assert app.status == AppStatus.RETURNED
    assert app.locked_at is None  # a return unlocks: the firm revises, locks again and resubmits
    page = world.client("firm_a").get(f"/journey/applications/{app.pk}/").content.decode()
    assert "请补充研发费用专项审计报告" in page and "锁定并生成申报书" in page
    services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    world.stamp(app)
    assert "修改后重新提交" in world.client("firm_a").get(f"/journey/applications/{app.pk}/").content.decode()
    services.application_submit(actor=world.users["firm_a"], application=app)
    assert app.status == AppStatus.COUNTY


def test_returning_or_rejecting_needs_a_reason(world: World) -> None:
    app = world.submitted("A")
    with pytest.raises(JourneyError) as exc:
        services.application_review(actor=world.users["county"], application=app, action="reject", comment=" ")
    assert exc.value.journey_code == JourneyCode.REASON_REQUIRED
    services.application_review(actor=world.users["county"], application=app, action="reject", comment="不符合条件")
    assert app.status == AppStatus.REJECTED


def test_locking_needs_the_truthfulness_commitment(world: World) -> None:
    app = world.with_materials(world.draft("A"))
    response = world.client("firm_a").post(f"/journey/applications/{app.pk}/lock/", {"version": app.version})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == AppStatus.DRAFT and app.locked_at is None and not app.frozen_figures
    with pytest.raises(JourneyError) as exc:
        services.application_lock(actor=world.users["firm_a"], application=app, commitment=False)
    assert exc.value.journey_code == JourneyCode.COMMITMENT_REQUIRED


def test_submission_needs_the_figures_of_the_fiscal_year(world: World) -> None:
    app = services.application_create(actor=world.users["firm_a"], rnd=world.rounds[Tier.SPECIALIZED_SME],
                                      fiscal_year=2011)
    with pytest.raises(JourneyError) as exc:
        services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    assert exc.value.journey_code == JourneyCode.NO_FIGURES


def test_a_firm_cannot_apply_outside_the_round_region_window_or_twice(world: World) -> None:
    rnd = world.rounds[Tier.SPECIALIZED_SME]
    with pytest.raises(JourneyError) as exc:
        services.application_create(actor=world.users["firm_e"], rnd=rnd)  # a Zhejiang firm, Guangdong round
    assert exc.value.journey_code == JourneyCode.ROUND_OUTSIDE_REGION
    with pytest.raises(JourneyError) as exc:
        services.application_create(actor=world.users["firm_a"], rnd=rnd, today=rnd.deadline + dt.timedelta(days=1))
    assert exc.value.journey_code == JourneyCode.ROUND_NOT_OPEN
    world.draft("A")
    with pytest.raises(JourneyError) as exc:
        world.draft("A")
    assert exc.value.journey_code == JourneyCode.ALREADY_APPLIED
    services.round_close(actor=world.users["province"], rnd=rnd)
    with pytest.raises(JourneyError):
        world.draft("B")


def test_the_firm_applies_submits_and_reads_the_status_through_its_pages(world: World) -> None:
    client = world.client("firm_a")
    home = client.get("/journey/").content.decode()
    assert "申报与认定" in home and "广东省专精特新中小企业申报" in home
    response = client.post(f"/journey/rounds/{world.rounds[Tier.SPECIALIZED_SME].pk}/apply/", {"fiscal_year": ""})
    app = world.firms["A"].applications.get()
    assert response["Location"] == f"/journey/applications/{app.pk}/"
    for kind in ("business_licence", "financial_report"):
        client.post(f"/journey/applications/{app.pk}/attachments/",
                    {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", sample_pdf(kind))})
    client.post(f"/journey/applications/{app.pk}/lock/", {"version": app.version, "commitment": "on"})
    app.refresh_from_db()
    assert app.locked_at is not None
    client.post(f"/journey/applications/{app.pk}/attachments/",
                {"kind": "stamped_form", "file": SimpleUploadedFile("盖章.pdf", sample_pdf("stamped"))})
    client.post(f"/journey/applications/{app.pk}/submit/", {"version": app.version})
    app.refresh_from_db()
    assert app.status == AppStatus.COUNTY
    assert "县级审核中" in client.get("/journey/").content.decode()


def test_officials_review_from_their_pages_and_queue(world: World) -> None:
    a, b = world.submitted("A"), world.submitted("B")
    county = world.client("county")
    queue = county.get("/journey/queue/").content.decode()
    assert "企业A有限公司" in queue and "企业B有限公司" in queue
    county.post(f"/journey/applications/{a.pk}/review/", {"action": "approve", "comment": "", "version": a.version})
    a.refresh_from_db()
    assert a.status == AppStatus.CITY
    county.post("/journey/queue/batch/", {"ids": [b.pk], f"version_{b.pk}": b.version, "action": "approve"})
    b.refresh_from_db()
    assert b.status == AppStatus.CITY
    assert "企业A有限公司" in world.client("city").get("/journey/queue/").content.decode()
    assert "企业A有限公司" not in county.get("/journey/queue/").content.decode()  # no longer at the county


def test_the_queue_filters_by_tier_region_status_and_waiting_time(world: World) -> None:
    world.submitted("A")
    world.submitted("C", Tier.INNOVATIVE_SME)
    city = world.client("province")
    assert "企业A有限公司" in city.get("/journey/queue/?status=county&tier=specialized_sme").content.decode()
    page = city.get("/journey/queue/?status=county&tier=innovative_sme").content.decode()
    assert "企业A有限公司" not in page and "企业C有限公司" in page
    assert "企业A有限公司" not in city.get("/journey/queue/?status=county&region=440304").content.decode()
    assert "企业A有限公司" not in city.get("/journey/queue/?status=county&waiting=3").content.decode()


def test_every_state_change_writes_an_audit_event(world: World) -> None:
    app = world.approved("A")
    actions = list(AuditEvent.objects.filter(target_id=str(app.pk), target_type="journey.application")
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["journey.application.create", "journey.attachment.add", "journey.attachment.add",
                       "journey.application.lock", "journey.attachment.add", "journey.application.submit",
                       "journey.review.approve", "journey.review.approve", "journey.review.approve"]


def test_the_firm_is_mailed_when_its_application_is_returned(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    from django.core import mail

    app = world.submitted("A")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.application_review(actor=world.users["county"], application=app, action="return",
                                    comment="请补充知识产权证明")
    [message] = mail.outbox
    assert message.to == ["firm_a@x.test"] and "已退回修改" in message.subject
    assert "请补充知识产权证明" in message.body
