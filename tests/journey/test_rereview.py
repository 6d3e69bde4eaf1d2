"""Re-review (复核) of recognitions nearing expiry: officials open one or many, the firm confirms its
latest figures and submits (frozen like an application), the review climbs county → city → province
(→ national for little giants); passing extends the validity by three years from the old expiry under
the same number, failing leaves the title to lapse at its expiry with the reason. Every change is
audited and guarded by the version the actor saw."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from django.utils import timezone

from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.enterprises.provenance import FROZEN_MARKS_KEY
from tidu.journey import services
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import Recognition, ReReview, ReReviewSetting, ReReviewStatus, ReReviewStep, Tier
from tidu.journey.selectors import rereview_windows, window_for
from tidu.journey.testing import World
from tidu.regions.models import Region

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def titled(world: World, firm: str = "A", tier: str = Tier.SPECIALIZED_SME, days_left: int = 90) -> Recognition:
    """A title of `firm` that expires `days_left` days from today (recognised three years before)."""
    until = timezone.localdate() + dt.timedelta(days=days_left)
    return Recognition.objects.create(
        enterprise=world.firms[firm], tier=tier, number=f"44-T-{next(_numbers):05d}",
        issuing_region=Region.objects.get(code="440000"),
        valid_from=services.add_years(until, -3) + dt.timedelta(days=1), valid_until=until,
    )


def opened(world: World, rec: Recognition) -> ReReview:
    return services.rereview_open(actor=world.users["province"], recognition=rec)


def submitted(world: World, rec: Recognition, firm: str = "A") -> ReReview:
    rr = opened(world, rec)
    return services.rereview_submit(actor=world.users[f"firm_{firm.lower()}"], rereview=rr, commitment=True)


def review(world: World, rr: ReReview, who: str, action: str = "approve", comment: str = "") -> ReReview:
    return services.rereview_review(actor=world.users[who], rereview=rr, action=action, comment=comment)


def post_json(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


# ---- happy path and failure ---------------------------------------------------------------------------


def test_a_passed_re_review_extends_the_title_three_years_from_its_old_expiry_under_the_same_number(
    world: World,
) -> None:
    rec = titled(world, "A", days_left=60)
    old_until, number = rec.valid_until, rec.number
    rr = opened(world, rec)
    assert rr.status == ReReviewStatus.REQUESTED and rr.old_valid_until == old_until

    page = world.client("firm_a").get("/journey/").content.decode()
    assert number in page and "确认数据并提交" in page and f"/journey/rereviews/{rr.pk}/" in page

    response = world.client("firm_a").post(f"/journey/rereviews/{rr.pk}/submit/",
                                           {"commitment": "on", "version": rr.version}, follow=True)
    assert "复核材料已提交" in response.content.decode()
    rr.refresh_from_db()
    assert rr.status == ReReviewStatus.COUNTY and rr.submitted_at and rr.commitment_signed_at
    assert rr.frozen_figures["credit_code"] == world.firms["A"].credit_code
    assert rr.frozen_assessment["is_review"] is True and rr.frozen_assessment["tier"] == Tier.SPECIALIZED_SME
    assert rr.pack_edition.startswith("specialized_sme/")
    assert isinstance(rr.frozen_figures[FROZEN_MARKS_KEY], dict)  # each figure's provenance is frozen too
    assert "提交时冻结的数据" in world.client("county").get(f"/journey/rereviews/{rr.pk}/").content.decode()

    for who, then in (("county", "city"), ("city", "province"), ("province", "passed")):
        review(world, rr, who, comment=f"{who}同意")
        assert rr.status == then
    rec.refresh_from_db()
    assert rec.number == number and rec.revoked_at is None
    assert rec.valid_until == services.add_years(old_until, 3) == rr.new_valid_until
    assert rr.decided_by == world.users["province"] and rr.decided_at is not None
    assert [s.level for s in ReReviewStep.objects.filter(rereview=rr)] == ["county", "city", "province"]

    actions = list(AuditEvent.objects.filter(target_type="journey.rereview", target_id=str(rr.pk))
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["journey.rereview.open", "journey.rereview.submit", "journey.rereview.approve",
                       "journey.rereview.approve", "journey.rereview.approve"]
    [extend] = AuditEvent.objects.filter(target_type="journey.recognition", action="journey.recognition.extend")
    assert extend.data["valid_until"] == [old_until.isoformat(), rec.valid_until.isoformat()]

    assert "复核通过" in world.client("firm_a").get("/journey/").content.decode()


def test_a_little_giant_re_review_is_decided_at_the_national_level(world: World) -> None:
    rr = submitted(world, titled(world, "A", Tier.LITTLE_GIANT))
    for who in ("county", "city", "province"):
        review(world, rr, who)
    assert rr.status == ReReviewStatus.NATIONAL
    review(world, rr, "national")
    assert rr.status == ReReviewStatus.PASSED


def test_a_failed_re_review_keeps_the_old_expiry_and_records_the_reason(world: World) -> None:
    rec = titled(world, "A", days_left=30)
    rr = review(world, review(world, submitted(world, rec), "county"), "city")
    with pytest.raises(JourneyError) as exc:
        review(world, rr, "province", "reject", " ")
    assert exc.value.journey_code == JourneyCode.REASON_REQUIRED
    review(world, rr, "province", "reject", "研发费用占比低于3%，不再符合认定条件")
    assert rr.status == ReReviewStatus.FAILED and rr.new_valid_until is None
    assert rr.decision_reason == "研发费用占比低于3%，不再符合认定条件"
    rec.refresh_from_db()
    assert rec.valid_until == rr.old_valid_until and rec.revoked_at is None  # lapses at expiry, not revoked
    event = AuditEvent.objects.get(target_type="journey.recognition", action="journey.recognition.not_extended")
    assert event.data["reason"] == rr.decision_reason
    page = world.client("firm_a").get(f"/journey/rereviews/{rr.pk}/").content.decode()
    assert "复核未通过" in page and "研发费用占比低于3%" in page


def test_a_returned_re_review_is_revised_and_resubmitted_from_the_county(world: World) -> None:
    rr = review(world, submitted(world, titled(world)), "county", "return", "请更新上年度审计数据")
    assert rr.status == ReReviewStatus.RETURNED
    page = world.client("firm_a").get(f"/journey/rereviews/{rr.pk}/").content.decode()
    assert "请更新上年度审计数据" in page and "修改后重新提交复核" in page
    services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True)
    assert rr.status == ReReviewStatus.COUNTY


def test_the_firm_must_sign_the_commitment_and_have_figures(world: World) -> None:
    rr = opened(world, titled(world))
    with pytest.raises(JourneyError) as exc:
        services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=False)
    assert exc.value.journey_code == JourneyCode.COMMITMENT_REQUIRED
    with pytest.raises(JourneyError) as exc:
        services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True, fiscal_year=2001)
    assert exc.value.journey_code == JourneyCode.NO_FIGURES
    assert ReReview.objects.get(pk=rr.pk).status == ReReviewStatus.REQUESTED


def test_the_firm_is_told_when_a_re_review_opens_for_a_title_it_won_through_an_application(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    app = world.approved("A")
    pub = services.publicity_publish(actor=world.users["province"], rnd=app.round)
    decided = pub.ends_on + dt.timedelta(days=1)
    [rec] = services.publicity_decide(actor=world.users["province"], publicity=pub, today=decided)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rr = services.rereview_open(actor=world.users["province"], recognition=rec,
                                    today=rec.valid_until - dt.timedelta(days=20))
    assert any("复核" in m.subject and rec.number in m.body and "firm_a@x.test" in m.to for m in mail.outbox)
    assert rr.status == ReReviewStatus.REQUESTED


# ---- nearing expiry, windows, batch -------------------------------------------------------------------


def test_officials_see_the_titles_of_their_jurisdiction_inside_the_re_review_window(world: World) -> None:
    soon, later, other = titled(world, "A", days_left=100), titled(world, "A", days_left=400), titled(world, "C")
    expired = titled(world, "A", days_left=-1)
    listed = {r["number"] for r in world.bearer("county").get("/api/v1/journey/recognitions/expiring").json()}
    assert listed == {soon.number}  # not 400 days out (default window 180), not county C's, not expired
    assert {r["number"] for r in world.bearer("city").get("/api/v1/journey/recognitions/expiring").json()} == {
        soon.number, other.number}
    page = world.client("province").get("/journey/rereviews/").content.decode()
    assert soon.number in page and other.number in page and later.number not in page and expired.number not in page
    assert world.bearer("firm_a").get("/api/v1/journey/recognitions/expiring").status_code == 403
    assert world.client("firm_a").get("/journey/rereviews/").status_code == 403


def test_a_province_sets_its_own_re_review_window(world: World, settings: Any) -> None:
    far = titled(world, "A", days_left=300)
    with pytest.raises(JourneyError) as exc:
        opened(world, far)
    assert exc.value.journey_code == JourneyCode.REREVIEW_TOO_EARLY and "180" in exc.value.message
    ReReviewSetting.objects.create(region=Region.objects.get(code="440000"), window_days=365)
    assert opened(world, far).status == ReReviewStatus.REQUESTED
    settings.TIDU_REREVIEW_WINDOW_DAYS = 400  # the national default does not override the province's row
    assert window_for("440305", rereview_windows()) == 365
    assert window_for("330106", rereview_windows()) == 400


def test_officials_open_re_reviews_in_a_batch_and_each_title_succeeds_or_fails_on_its_own(world: World) -> None:
    a, c, too_early, busy = (titled(world, "A"), titled(world, "C"), titled(world, "A", days_left=500),
                             titled(world, "B"))
    opened(world, busy)
    response = world.client("province").post("/journey/rereviews/open/",
                                             {"ids": [a.pk, c.pk, too_early.pk, busy.pk]}, follow=True)
    html = response.content.decode()
    assert "已发起 2 件复核" in html and "尚未进入复核期" in html and "已有进行中的复核" in html
    assert set(ReReview.objects.values_list("recognition_id", flat=True)) == {a.pk, c.pk, busy.pk}

    d, e = titled(world, "D"), titled(world, "A", days_left=10)
    results = post_json(world.bearer("province"), "/api/v1/journey/rereviews",
                        {"recognition_ids": [d.pk, e.pk, a.pk]}).json()
    assert [(r["recognition_id"], r["ok"]) for r in results] == [(d.pk, True), (e.pk, True), (a.pk, False)]
    assert results[2]["message"].startswith(f"认定 {a.number} 已有进行中的复核")


def test_a_revoked_title_is_not_re_reviewed(world: World) -> None:
    rec = titled(world)
    services.recognition_revoke(actor=world.users["province"], recognition=rec, reason="数据造假")
    with pytest.raises(JourneyError) as exc:
        opened(world, rec)
    assert exc.value.journey_code == JourneyCode.RECOGNITION_REVOKED


# ---- permissions ----------------------------------------------------------------------------------------


def test_another_firm_can_neither_see_nor_submit_the_re_review(world: World) -> None:
    rr = opened(world, titled(world, "A"))
    b = world.client("firm_b")
    assert b.get(f"/journey/rereviews/{rr.pk}/").status_code == 404
    assert b.post(f"/journey/rereviews/{rr.pk}/submit/", {"commitment": "on"}).status_code == 404
    api = world.bearer("firm_b")
    assert api.get(f"/api/v1/journey/rereviews/{rr.pk}").status_code == 404
    assert post_json(api, f"/api/v1/journey/rereviews/{rr.pk}/submit",
                     {"commitment": True, "version": rr.version}).status_code == 404
    assert api.get("/api/v1/journey/rereviews").json() == []
    assert ReReview.objects.get(pk=rr.pk).status == ReReviewStatus.REQUESTED


def test_only_the_firm_itself_submits_its_re_review(world: World) -> None:
    rr = opened(world, titled(world, "A"))
    with pytest.raises(TiduError) as exc:
        services.rereview_submit(actor=world.users["province"], rereview=rr, commitment=True)
    assert exc.value.status == 403
    assert world.bearer("firm_a").get("/api/v1/journey/rereviews").json()[0]["id"] == rr.pk


@pytest.mark.parametrize(("who", "status"), [("county", 403), ("city", 403), ("firm_a", 403), ("province_zj", 404),
                                              ("county_c", 404), ("large", 404)])
def test_only_provincial_or_national_offices_of_the_jurisdiction_open_re_reviews(
    world: World, who: str, status: int
) -> None:
    rec = titled(world, "A")
    response = post_json(world.bearer(who), "/api/v1/journey/rereviews", {"recognition_ids": [rec.pk]})
    if response.status_code == 200:  # the lot passed the visibility check; the title itself is refused
        assert response.json()[0]["ok"] is False and status == 403
    else:
        assert response.status_code == status
    assert not ReReview.objects.exists()
    page = world.client(who).post("/journey/rereviews/open/", {"ids": [rec.pk]})
    assert page.status_code == (302 if status == 403 else 404)  # sees the title: told no; else: no such title
    assert not ReReview.objects.exists()


def test_a_county_official_outside_the_county_is_refused_and_sees_nothing(world: World) -> None:
    rr = submitted(world, titled(world, "A"))  # firm A is in 440305; county_c covers 440304
    assert world.client("county_c").get(f"/journey/rereviews/{rr.pk}/").status_code == 404
    response = post_json(world.bearer("county_c"), f"/api/v1/journey/rereviews/{rr.pk}/review",
                         {"action": "approve", "comment": "", "version": rr.version})
    assert response.status_code == 404
    with pytest.raises(TiduError) as exc:
        review(world, rr, "county_c")
    assert exc.value.status == 404
    assert ReReview.objects.get(pk=rr.pk).status == ReReviewStatus.COUNTY


def test_an_official_at_the_wrong_level_is_refused(world: World) -> None:
    rr = submitted(world, titled(world, "A"))
    for who in ("city", "province", "national"):  # the re-review waits at the county
        response = post_json(world.bearer(who), f"/api/v1/journey/rereviews/{rr.pk}/review",
                             {"action": "approve", "comment": "", "version": rr.version})
        assert response.status_code == 403 and response.json()["code"] == "not_at_your_step", who
        assert world.client(who).post(f"/journey/rereviews/{rr.pk}/review/",
                                      {"action": "approve", "version": rr.version}).status_code == 403
    assert ReReview.objects.get(pk=rr.pk).status == ReReviewStatus.COUNTY
    assert "复核审核" in world.client("county").get(f"/journey/rereviews/{rr.pk}/").content.decode()
    assert "复核审核" not in world.client("city").get(f"/journey/rereviews/{rr.pk}/").content.decode()


def test_officials_cannot_review_a_re_review_the_firm_has_not_submitted(world: World) -> None:
    rr = opened(world, titled(world, "A"))
    with pytest.raises(JourneyError) as exc:
        review(world, rr, "county")
    assert exc.value.journey_code == JourneyCode.NOT_AT_YOUR_STEP


# ---- optimistic locking ---------------------------------------------------------------------------------


def test_a_stale_version_gets_a_conflict_and_changes_nothing(world: World) -> None:
    rr = submitted(world, titled(world, "A"))
    seen = rr.version
    services.rereview_review(actor=world.users["county"], rereview=rr, action="approve", expected_version=seen)
    stale = ReReview.objects.get(pk=rr.pk)
    stale.status, stale.version = ReReviewStatus.COUNTY, seen  # what the second official's page still shows
    with pytest.raises(JourneyError) as exc:
        services.rereview_review(actor=world.users["county2"], rereview=stale, action="reject", comment="不符合",
                                 expected_version=seen)
    assert exc.value.journey_code == JourneyCode.REREVIEW_CONFLICT and exc.value.status == 409
    assert "市级审核中" in exc.value.message
    assert ReReview.objects.get(pk=rr.pk).status == ReReviewStatus.CITY and ReReviewStep.objects.count() == 1


def test_the_page_and_the_api_tell_the_second_official_about_the_conflict(world: World) -> None:
    rr = submitted(world, titled(world, "A"))
    seen = rr.version
    assert world.client("county").post(f"/journey/rereviews/{rr.pk}/review/",
                                       {"action": "approve", "version": seen}).status_code == 302
    second = world.client("county2").post(f"/journey/rereviews/{rr.pk}/review/",
                                          {"action": "return", "comment": "补材料", "version": seen}, follow=True)
    html = second.content.decode()
    assert "已被他人处理" in html and "市级审核中" in html
    api = post_json(world.bearer("county2"), f"/api/v1/journey/rereviews/{rr.pk}/review",
                    {"action": "return", "comment": "补材料", "version": seen})
    assert api.status_code == 409 and api.json()["code"] == "rereview_conflict"
    assert ReReview.objects.get(pk=rr.pk).status == ReReviewStatus.CITY


def test_the_firm_submitting_from_a_stale_page_gets_a_conflict(world: World) -> None:
    rr = opened(world, titled(world, "A"))
    seen = rr.version
    services.rereview_submit(actor=world.users["firm_a"], rereview=rr, commitment=True, expected_version=seen)
    response = post_json(world.bearer("firm_a"), f"/api/v1/journey/rereviews/{rr.pk}/submit",
                         {"commitment": True, "version": seen})
    assert response.status_code == 409
    assert ReReview.objects.get(pk=rr.pk).version == seen + 1


def test_two_officials_cannot_open_the_same_re_review_twice(world: World) -> None:
    rec = titled(world, "A")
    opened(world, rec)
    with pytest.raises(JourneyError) as exc:
        services.rereview_open(actor=world.users["national"], recognition=rec)
    assert exc.value.journey_code == JourneyCode.REREVIEW_OPEN and exc.value.status == 409
    assert ReReview.objects.filter(recognition=rec).count() == 1


def test_officials_read_the_re_review_trail_of_their_jurisdiction_only(world: World) -> None:
    rr = review(world, submitted(world, titled(world, "A")), "county")
    number = rr.recognition.number
    for who in ("county", "city"):
        assert f"{number} 复核" in world.client(who).get("/journey/audit/").content.decode(), who
        detail = world.client(who).get(f"/journey/rereviews/{rr.pk}/").content.decode()
        assert "journey.rereview.submit" in detail and "journey.rereview.approve" in detail, who
    assert number not in world.client("county_c").get("/journey/audit/").content.decode()
    assert "journey.rereview.submit" not in world.client("firm_a").get(f"/journey/rereviews/{rr.pk}/").content.decode()
