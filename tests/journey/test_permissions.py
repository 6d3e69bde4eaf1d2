"""Every page and endpoint of the journey answers 404 or 403, never data, outside the user's reach:
firm A never sees firm B's application or attachments; officials see their jurisdiction and act only
at their own level; drafts stay with the firm."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tidu.journey import services
from tidu.journey.models import AppStatus, Tier
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SEES_SUBMITTED_A = {"firm_a": 200, "firm_b": 404, "county": 200, "county_c": 404, "city": 200, "city_gz": 404,
                    "province": 200, "province_zj": 404, "national": 200, "admin": 200, "large": 404,
                    "provider": 404}


def _with_attachment(world: World) -> tuple[int, int]:
    app = world.submitted("A")
    return app.pk, app.attachments.get(kind="business_licence").pk


@pytest.mark.parametrize(("who", "status"), SEES_SUBMITTED_A.items())
def test_who_may_open_a_submitted_application_and_its_attachment(world: World, who: str, status: int) -> None:
    app_pk, att_pk = _with_attachment(world)
    client = world.client(who)
    assert client.get(f"/journey/applications/{app_pk}/").status_code == status
    assert client.get(f"/journey/attachments/{att_pk}/").status_code == status
    api = world.bearer(who)
    assert api.get(f"/api/v1/journey/applications/{app_pk}").status_code == status
    assert api.get(f"/api/v1/journey/attachments/{att_pk}").status_code == status
    listed = {item["id"] for item in api.get("/api/v1/journey/applications").json().get("items", [])}
    assert (app_pk in listed) == (status == 200)


def test_a_draft_is_seen_by_its_firm_only(world: World) -> None:
    app = world.draft("A")
    assert world.client("firm_a").get(f"/journey/applications/{app.pk}/").status_code == 200
    for who in ("county", "province", "national", "firm_b"):
        assert world.client(who).get(f"/journey/applications/{app.pk}/").status_code == 404, who
        assert world.bearer(who).get(f"/api/v1/journey/applications/{app.pk}").status_code == 404, who


def test_anonymous_users_are_sent_to_log_in_and_the_api_wants_a_token(world: World) -> None:
    app_pk, att_pk = _with_attachment(world)
    for url in ["/journey/", "/journey/queue/", f"/journey/applications/{app_pk}/", f"/journey/attachments/{att_pk}/",
                "/journey/rounds/", "/journey/recognitions/"]:
        response = world.client("anon").get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for url in ["/api/v1/journey/applications", f"/api/v1/journey/applications/{app_pk}",
                f"/api/v1/journey/attachments/{att_pk}", "/api/v1/journey/rounds"]:
        assert world.client("anon").get(url).status_code == 401, url


def test_another_firm_cannot_act_on_the_application(world: World) -> None:
    app = world.draft("A")
    b = world.client("firm_b")
    assert b.post(f"/journey/applications/{app.pk}/lock/", {"commitment": "on"}).status_code == 404
    assert b.post(f"/journey/applications/{app.pk}/submit/", {}).status_code == 404
    assert b.post(f"/journey/applications/{app.pk}/attachments/", {"file": _upload()}).status_code == 404
    api = world.bearer("firm_b")
    assert api.post(f"/api/v1/journey/applications/{app.pk}/lock", json.dumps({"commitment": True, "version": 1}),
                    content_type="application/json").status_code == 404
    assert api.post(f"/api/v1/journey/applications/{app.pk}/submit", json.dumps({"version": 1}),
                    content_type="application/json").status_code == 404
    app.refresh_from_db()
    assert app.status == AppStatus.DRAFT and app.locked_at is None and not app.attachments.exists()
    locked = world.locked("A", Tier.INNOVATIVE_SME)
    assert b.post(f"/journey/applications/{locked.pk}/unlock/", {}).status_code == 404
    assert api.post(f"/api/v1/journey/applications/{locked.pk}/unlock", json.dumps({"version": locked.version}),
                    content_type="application/json").status_code == 404
    locked.refresh_from_db()
    assert locked.locked_at is not None


def _upload() -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")


def _review(world: World, who: str, pk: int, version: int, api: bool) -> int:
    if api:
        return world.bearer(who).post(f"/api/v1/journey/applications/{pk}/review",
                                      json.dumps({"action": "approve", "comment": "", "version": version}),
                                      content_type="application/json").status_code
    return world.client(who).post(f"/journey/applications/{pk}/review/",
                                  {"action": "approve", "version": version}).status_code


@pytest.mark.parametrize("api", [False, True])
def test_a_county_official_cannot_act_outside_the_county_or_at_the_city_step(world: World, api: bool) -> None:
    app = world.submitted("A")
    assert _review(world, "county_c", app.pk, app.version, api) == 404  # another county: not even visible
    assert _review(world, "city", app.pk, app.version, api) == 403  # the city's turn has not come
    assert _review(world, "firm_a", app.pk, app.version, api) == 403  # the firm does not review itself
    app.refresh_from_db()
    assert app.status == AppStatus.COUNTY
    world.approve(app, "county")
    assert _review(world, "county", app.pk, app.version, api) == 403  # now at the city's step
    assert _review(world, "province", app.pk, app.version, api) == 403
    assert _review(world, "city_gz", app.pk, app.version, api) == 404
    app.refresh_from_db()
    assert app.status == AppStatus.CITY
    assert _review(world, "city", app.pk, app.version, api) in (200, 302)
    app.refresh_from_db()
    assert app.status == AppStatus.PROVINCE


def test_a_batch_never_touches_applications_outside_the_step(world: World) -> None:
    a = world.submitted("A")
    response = world.client("city").post("/journey/queue/batch/", {"ids": [a.pk], "action": "approve"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AppStatus.COUNTY
    assert world.client("county_c").post("/journey/queue/batch/", {"ids": [a.pk], "action": "approve"}).status_code == 404


@pytest.mark.parametrize("who", ["firm_a", "large", "provider"])
def test_only_officials_open_the_queue_rounds_and_recognition_management(world: World, who: str) -> None:
    client = world.client(who)
    for url in ["/journey/queue/", "/journey/rounds/", "/journey/recognitions/"]:
        assert client.get(url).status_code == 403, url


def test_rounds_are_run_by_provinces_for_their_own_province(world: World) -> None:
    rnd = world.rounds[Tier.SPECIALIZED_SME]
    assert world.client("county").get("/journey/rounds/").status_code == 403
    assert world.client("province").get("/journey/rounds/").status_code == 200
    assert world.client("province_zj").post(f"/journey/rounds/{rnd.pk}/close/").status_code == 404
    assert world.client("city").post(f"/journey/rounds/{rnd.pk}/publicity/").status_code == 404
    api = world.bearer("province_zj")
    assert api.post(f"/api/v1/journey/rounds/{rnd.pk}/close").status_code == 404
    today = timezone.localdate()  # a round may not close before today
    body = {"tier": "specialized_sme", "region_code": "440000", "opens_on": str(today),
            "deadline": str(today + dt.timedelta(days=30))}
    assert api.post("/api/v1/journey/rounds", json.dumps(body), content_type="application/json").status_code == 403
    assert world.bearer("province").post("/api/v1/journey/rounds", json.dumps(body),
                                         content_type="application/json").status_code == 201
    rnd.refresh_from_db()
    assert rnd.status == "open"


def test_publicity_and_decisions_belong_to_the_province_and_little_giants_to_the_nation(world: World) -> None:
    world.approved("A")
    rnd = world.rounds[Tier.SPECIALIZED_SME]
    assert world.bearer("province_zj").post(f"/api/v1/journey/rounds/{rnd.pk}/publicity").status_code == 404
    pub = world.bearer("province").post(f"/api/v1/journey/rounds/{rnd.pk}/publicity")
    assert pub.status_code == 201
    pub_id = pub.json()["id"]
    assert world.bearer("city").post(f"/api/v1/journey/publicity/{pub_id}/decide").status_code == 404
    assert world.client("city").post(f"/journey/publicity/{pub_id}/decide/").status_code == 404
    lg = world.approve(world.submitted("B", Tier.LITTLE_GIANT), "county", "city", "province", "national")
    lg_round = world.rounds[Tier.LITTLE_GIANT]
    assert lg.status == AppStatus.APPROVED
    assert world.bearer("province").post(f"/api/v1/journey/rounds/{lg_round.pk}/publicity").status_code == 403
    assert world.bearer("national").post(f"/api/v1/journey/rounds/{lg_round.pk}/publicity").status_code == 201


def test_only_the_province_of_the_firm_revokes_a_recognition(world: World) -> None:
    from tidu.journey.models import Recognition

    rec = _recognised(world)
    body = json.dumps({"reason": "数据造假"})
    assert world.bearer("province_zj").post(f"/api/v1/journey/recognitions/{rec.pk}/revoke", body,
                                            content_type="application/json").status_code == 404
    assert world.bearer("county").post(f"/api/v1/journey/recognitions/{rec.pk}/revoke", body,
                                       content_type="application/json").status_code == 403
    assert world.client("firm_a").post(f"/journey/recognitions/{rec.pk}/revoke/", {"reason": "x"}).status_code == 403
    assert world.client("firm_b").post(f"/journey/recognitions/{rec.pk}/revoke/", {"reason": "x"}).status_code == 404
    assert Recognition.objects.get(pk=rec.pk).revoked_at is None
    assert world.bearer("province").post(f"/api/v1/journey/recognitions/{rec.pk}/revoke", body,
                                         content_type="application/json").status_code == 200
    assert Recognition.objects.get(pk=rec.pk).revoked_reason == "数据造假"


def _recognised(world: World) -> object:
    import datetime as dt

    world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME])
    [rec] = services.publicity_decide(actor=world.users["province"], publicity=pub,
                                      today=pub.ends_on + dt.timedelta(days=1))
    return rec


def test_officials_read_the_audit_trail_of_their_jurisdiction_only(world: World) -> None:
    a = world.approve(world.submitted("A"), "county")
    world.submitted("C")
    city = world.client("city").get("/journey/audit/").content.decode()
    assert "journey.review.approve" in city and "企业A有限公司" in city and "企业C有限公司" in city
    county = world.client("county").get("/journey/audit/").content.decode()
    assert "企业A有限公司" in county and "企业C有限公司" not in county
    assert "企业A有限公司" not in world.client("county_c").get("/journey/audit/").content.decode()
    assert world.client("firm_a").get("/journey/audit/").status_code == 403
    assert "journey.review.approve" in world.client("city").get(f"/journey/applications/{a.pk}/").content.decode()
    assert "journey.review.approve" not in world.client("firm_a").get(f"/journey/applications/{a.pk}/").content.decode()


def test_the_admin_lists_the_journey_read_only_and_edits_only_settings(world: World) -> None:
    app = world.approved("A")
    admin = world.client("admin")
    for url in ["/admin/journey/applicationround/", "/admin/journey/application/",
                f"/admin/journey/application/{app.pk}/change/", "/admin/journey/publicity/",
                "/admin/journey/objection/", "/admin/journey/recognition/", "/admin/journey/publicitysetting/add/",
                "/admin/journey/calendarday/add/"]:
        assert admin.get(url).status_code == 200, url
    assert admin.post(f"/admin/journey/application/{app.pk}/delete/").status_code == 403
