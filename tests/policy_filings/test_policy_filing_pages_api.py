"""The pages and the API of policy applications: apply from the policy, the firm's steps, the official's
decision in 万元, payouts, and the API beside the journey's."""

from __future__ import annotations

import json

from django.utils import timezone

from tidu.journey.demo import sample_pdf
from tidu.journey.testing import World
from tidu.policies.models import AwardStatus, PolicyBatch
from tidu.policy_filings.models import PolicyFiling, PolicyFilingStatus
from tidu.policy_filings.testing import make_policy


def test_the_firm_applies_uploads_and_submits_through_the_pages(world: World, batch: PolicyBatch) -> None:
    c = world.client("firm_a")
    page = c.get(f"/policies/{batch.policy.code}/apply/").content.decode()
    assert "符合条件" in page and "50" in page and "联系人A" in page  # verdict, estimate in 万元, prefilled
    r = c.post(
        f"/policies/{batch.policy.code}/apply/",
        {"contact_name": "王经理", "contact_phone": "13900001111", "statement": "申请研发投入奖补"},
    )
    filing = PolicyFiling.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/policy-filings/{filing.pk}/"
    assert c.get(f"/policies/{batch.policy.code}/apply/")["Location"] == f"/policy-filings/{filing.pk}/"
    for i, material in enumerate(("营业执照", "研发费用专项审计报告")):
        c.post(
            f"/policy-filings/{filing.pk}/attachments/",
            {"material": material, "file": _upload(f"{material}.pdf", sample_pdf(f"page {i}"))},
        )
    assert filing.attachments.count() == 2
    r = c.post(f"/policy-filings/{filing.pk}/submit/", {"commitment": "on", "version": filing.version})
    filing.refresh_from_db()
    assert filing.status == PolicyFilingStatus.COUNTY and filing.contact_name == "王经理"
    page = c.get(f"/policy-filings/{filing.pk}/").content.decode()
    assert "县级审核中" in page and "营业执照.pdf" in page


def test_a_refused_firm_sees_why_in_chinese(world: World) -> None:
    closed = make_policy(
        world.users["city"],
        code="sz-old",
        opens_on=timezone.localdate().replace(year=2020),
        closes_on=timezone.localdate().replace(year=2021),
    )
    page = world.client("firm_a").get(f"/policies/{closed.policy.code}/apply/").content.decode()
    assert "没有受理中的申报批次" in page and 'id="start"' not in page


def test_the_city_decides_the_amount_in_wan_and_records_a_payout(world: World, batch: PolicyBatch) -> None:
    from tidu.policy_filings import services
    from tidu.policy_filings.testing import submitted

    filing = submitted(world.users["firm_a"], batch.policy)
    services.policy_filing_review(actor=world.users["county"], filing=filing, action="approve")
    city = world.client("city")
    assert "审定并核定金额" in city.get(f"/policy-filings/{filing.pk}/").content.decode()
    city.post(
        f"/policy-filings/{filing.pk}/review/",
        {"action": "approve", "amount_wan": "60.5", "version": filing.version},
    )
    filing.refresh_from_db()
    assert filing.approved_yuan == 605_000
    city.post(
        f"/policy-filings/{filing.pk}/payout/",
        {"amount_wan": "60.5", "reference": "SZ-PAY-1", "paid_on": timezone.localdate().isoformat()},
    )
    filing.refresh_from_db()
    assert filing.award is not None and filing.award.status == AwardStatus.PAID
    page = world.client("firm_a").get(f"/policy-filings/{filing.pk}/").content.decode()
    assert "SZ-PAY-1" in page and "已全额拨付" in page and "60.5" in page


def test_the_api_runs_the_same_steps_with_versions_and_chinese_errors(
    world: World, batch: PolicyBatch
) -> None:
    firm = world.bearer("firm_a")
    r = firm.post(
        f"/api/v1/policy-filings/policies/{batch.policy.code}/apply", "{}", content_type="application/json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    pk, version = body["id"], body["version"]
    assert body["review_path"] == ["county", "city"] and body["estimated_yuan"] == 500_000
    r = firm.post(
        f"/api/v1/policy-filings/{pk}/submit",
        json.dumps({"commitment": True, "version": version}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "营业执照" in r.json()["message"]
    for i, m in enumerate(body["materials"]):
        if m["required"]:
            r = firm.post(
                f"/api/v1/policy-filings/{pk}/attachments",
                {"material": m["material"], "file": _upload(f"m{i}.pdf", sample_pdf(f"api {i}"))},
            )
            assert r.status_code == 201, r.content
    r = firm.post(
        f"/api/v1/policy-filings/{pk}/submit",
        json.dumps({"commitment": True}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "county"
    county = world.bearer("county")
    queue = county.get("/api/v1/policy-filings?to_act=true").json()
    assert [f["id"] for f in queue["items"]] == [pk]
    stale = county.post(
        f"/api/v1/policy-filings/{pk}/review",
        json.dumps({"action": "approve", "version": 1}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "policy_filing_conflict"
    r = county.post(
        f"/api/v1/policy-filings/{pk}/review",
        json.dumps({"action": "approve", "version": 2}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "city"
    city = world.bearer("city")
    r = city.post(
        f"/api/v1/policy-filings/{pk}/review",
        json.dumps({"action": "approve", "amount_yuan": 300_000, "version": r.json()["version"]}),
        content_type="application/json",
    )
    assert (
        r.status_code == 200
        and r.json()["approved_yuan"] == 300_000
        and r.json()["award_status"] == "granted"
    )
    paid_on = timezone.localdate().isoformat()
    r = city.post(
        f"/api/v1/policy-filings/{pk}/payouts",
        json.dumps({"amount_yuan": 100_000, "paid_on": paid_on, "reference": "API-1"}),
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and r.json()["paid_yuan"] == 100_000
        and r.json()["award_status"] == "partly_paid"
    )
    assert [s["state"] for s in r.json()["stages"]] == ["done", "done", "done", "current"]
    r = world.bearer("county").post(
        f"/api/v1/policy-filings/{pk}/payouts",
        json.dumps({"amount_yuan": 1, "paid_on": paid_on, "reference": "X"}),
        content_type="application/json",
    )
    assert r.status_code == 403  # a county official does not pay a city policy
    assert world.bearer("firm_b").get(f"/api/v1/policy-filings/{pk}").status_code == 404
    assert world.bearer("county_c").get(f"/api/v1/policy-filings/{pk}").status_code == 404


def _upload(name: str, data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/pdf")
