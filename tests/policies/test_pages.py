"""Pages and permissions: a firm sees its own matches only; officials only their jurisdiction's push lists and
payouts; the public award list and its export disclose the decision and nothing else."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.policies import services
from tidu.policies.demo import load_policies
from tidu.policies.models import Award, AwardStatus, Payout, PolicyBatch, PushNotice
from tidu.policies.sandbox import push_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officials: dict[str, Any]) -> dict[str, Any]:
    admin = make_user("pol_admin", superuser=True)
    load_policies(lambda item: admin)
    grower = make_enterprise("440305", name="南山高成长科技有限公司", industry_code="C3484")
    make_year(grower, 2025, revenue=30_000_000, rd=2_000_000, net_profit=987_654_321, total_assets=12_345_678)
    make_year(grower, 2024, revenue=20_000_000)
    flat = make_enterprise("440305", name="南山平稳制造有限公司", industry_code="C3484")
    make_year(flat, 2025, revenue=30_000_000)
    make_year(flat, 2024, revenue=29_000_000)
    futian = make_enterprise("440304", name="福田高成长有限公司", industry_code="C3484")
    make_year(futian, 2025, revenue=30_000_000)
    make_year(futian, 2024, revenue=10_000_000)
    return {
        "admin": admin,
        "grower": grower,
        "flat": flat,
        "futian": futian,
        "grower_user": make_user("pol_grower", "enterprise", enterprise=grower),
        "flat_user": make_user("pol_flat", "enterprise", enterprise=flat),
        **officials,
    }


def client_for(user: Any) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def growth_batch() -> PolicyBatch:
    return PolicyBatch.objects.get(policy__code="ns-high-growth")


def test_my_policies_sorts_the_firms_own_matches(world: dict[str, Any]) -> None:
    page = client_for(world["grower_user"]).get("/policies/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    eligible = html[html.index('id="eligible"') : html.index('id="possible"')]
    assert "南山区高成长企业奖励" in eligible  # 30M ≥ 20M and +50%
    not_eligible = html[html.index('id="not_eligible"') :]
    assert "南山区创新型中小企业认定奖励" in not_eligible  # holds no innovative title
    assert "浙江省专精特新中小企业奖励" not in html  # another province's policy
    assert "南山平稳制造有限公司" not in html
    flat = client_for(world["flat_user"]).get("/policies/mine/").content.decode()
    assert "南山区高成长企业奖励" in flat[flat.index('id="not_eligible"') :]


def test_only_firm_users_open_my_policies(world: dict[str, Any]) -> None:
    assert client_for(world["county"]).get("/policies/mine/").status_code == 403
    assert Client().get("/policies/mine/").status_code == 302


def test_the_push_list_is_the_firms_the_engine_qualifies_in_the_officials_jurisdiction(
    world: dict[str, Any],
) -> None:
    from tidu.policies.selectors import ELIGIBLE, match_one

    batch = growth_batch()
    listed = {r.enterprise.pk for r in push_list(user=world["county"], batch=batch)}
    from tidu.enterprises.models import Enterprise

    engine = {
        e.pk
        for e in Enterprise.objects.filter(region_id="440305")
        if (m := match_one(e, batch.policy)) is not None and m.verdict == ELIGIBLE
    }
    assert listed == engine == {world["grower"].pk}
    assert (
        client_for(world["other_county"]).get(f"/policies/manage/batch/{batch.pk}/push/").status_code == 404
    )
    assert (
        client_for(world["other_province"]).get(f"/policies/manage/batch/{batch.pk}/push/").status_code == 404
    )
    page = client_for(world["county"]).get(f"/policies/manage/batch/{batch.pk}/push/").content.decode()
    assert world["grower"].credit_code in page and world["flat"].credit_code not in page
    assert "2024 年度企业数据" in page  # which record each figure came from


def test_an_official_notifies_grants_and_pays_from_the_push_list(world: dict[str, Any]) -> None:
    batch, county = growth_batch(), client_for(world["county"])
    url = f"/policies/manage/batch/{batch.pk}/push/"
    county.post(url, {"action": "notify"})
    assert PushNotice.objects.filter(batch=batch, enterprise=world["grower"]).exists()
    county.post(url, {"action": "grant", "enterprise": world["grower"].pk, "amount_wan": "20"})
    award = Award.objects.get(batch=batch, enterprise=world["grower"])
    assert award.amount_yuan == 200_000 and award.route == "automatic"
    assert award.evidence["conditions"]
    page = client_for(world["other_county"]).get(f"/policies/manage/award/{award.pk}/")
    assert page.status_code == 404
    county.post(
        f"/policies/manage/award/{award.pk}/",
        {"amount_wan": "20", "paid_on": "2026-01-05", "reference": "NS-2026-1"},
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.PAID and Payout.objects.filter(award=award).count() == 1
    assert (
        "南山高成长科技有限公司"
        not in client_for(world["other_county"]).get("/policies/manage/payouts/").content.decode()
    )
    assert (
        "南山高成长科技有限公司"
        in client_for(world["city"]).get("/policies/manage/payouts/").content.decode()
    )


def test_award_disclosure_and_export_show_the_decision_and_no_other_figure(world: dict[str, Any]) -> None:
    services.award_grant(
        actor=world["county"],
        policy_batch=growth_batch(),
        enterprise=world["grower"],
        amount_yuan=200_000,
        route="automatic",
        basis="",
    )
    anon = Client()
    page = anon.get("/policies/awards/").content.decode()
    assert "南山高成长科技有限公司" in page and "20" in page
    body = anon.get("/policies/awards/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "南山高成长科技有限公司" and rows[1][6] == "20"
    data = json.loads(anon.get("/policies/awards/export.json").content)
    for text in (body, json.dumps(data, ensure_ascii=False), page):
        for secret in ("98765.4321", "987654321", "1234.5678", "12345678"):  # profit and assets of the firm
            assert secret not in text


def test_an_award_name_that_looks_like_a_formula_is_neutralised_in_the_export(world: dict[str, Any]) -> None:
    Award.objects.all().delete()
    ent = world["grower"]
    type(ent).objects.filter(pk=ent.pk).update(name="=HYPERLINK(1)")
    services.award_grant(
        actor=world["county"],
        policy_batch=growth_batch(),
        enterprise=ent,
        amount_yuan=1,
        route="application",
        basis="",
    )
    body = Client().get("/policies/awards/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


def test_public_pages_hide_drafts_and_show_conditions_beside_free_text(world: dict[str, Any]) -> None:
    anon = Client()
    assert "广东省质量奖" not in anon.get("/policies/").content.decode()
    assert anon.get("/policies/gd-quality-award-draft/").status_code == 404
    page = anon.get("/policies/sz-little-giant-reward/").content.decode()
    assert (
        'id="machine-conditions"' in page
        and "承诺五年内不迁出深圳" in page[page.index('id="text-conditions"') :]
    )
    assert (
        "营业收入门槛降为2000万元"
        in client_for(world["city"]).get("/policies/sz-rd-subsidy/").content.decode()
    )


def test_the_sandbox_counts_the_firms_and_the_amount_before_publishing(world: dict[str, Any]) -> None:
    county = client_for(world["county"])
    page = county.post(
        "/policies/manage/ns-high-growth/edition/",
        {
            "action": "sandbox",
            "effective_on": "2026-01-01",
            "amount_expr": "200000",
            "amount_cap_wan": "20",
            "conditions": "- label: 营业收入不低于2000万元\n  expr: revenue_y1 >= 20000000\n  clause: 第二条\n",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and 'id="sandbox-result"' in html
    assert "<strong>2</strong>" in html and "<strong>40</strong>" in html  # two Nanshan firms, 2 × 20万元
    bad = county.post(
        "/policies/manage/ns-high-growth/edition/",
        {
            "action": "sandbox",
            "effective_on": "2026-01-01",
            "amount_expr": "",
            "conditions": "- label: 收入\n  expr: revenue >= 1\n  clause: 第二条\n",
        },
    )
    assert bad.status_code == 400 and "第1项条件“收入”的表达式有误" in bad.content.decode()
    assert client_for(world["other_county"]).post(
        "/policies/manage/ns-high-growth/edition/", {"action": "sandbox"}
    ).status_code in {403, 404}


def test_the_admin_lists_policies_and_awards_and_saves_through_the_service(world: dict[str, Any]) -> None:
    from tidu.core.models import AuditEvent

    admin = client_for(world["admin"])
    assert admin.get("/admin/policies/policy/").status_code == 200
    assert admin.get("/admin/policies/award/").status_code == 200
    policy_pk = PolicyBatch.objects.get(policy__code="ns-high-growth").policy_id
    assert admin.get(f"/admin/policies/policy/{policy_pk}/change/").status_code == 200
    before = AuditEvent.objects.filter(action="policy.update").count()
    from tidu.policies.models import Policy

    p = Policy.objects.get(pk=policy_pk)
    data = {
        k: getattr(p, k) or ""
        for k in (
            "code",
            "title",
            "issuer",
            "document_number",
            "level",
            "category",
            "purpose",
            "route",
            "interpretation",
            "original_text",
            "materials",
            "source_url",
            "reading_notes",
        )
    }
    data |= {
        "region": p.region_id,
        "in_force_from": "2025-01-01",
        "in_force_to": "",
        "title": "南山区高成长企业奖励（修订）",
        "editions-TOTAL_FORMS": 0,
        "editions-INITIAL_FORMS": 0,
        "batches-TOTAL_FORMS": 0,
        "batches-INITIAL_FORMS": 0,
    }
    admin.post(f"/admin/policies/policy/{policy_pk}/change/", data)
    assert Policy.objects.get(pk=policy_pk).title == "南山区高成长企业奖励（修订）"
    assert AuditEvent.objects.filter(action="policy.update").count() == before + 1


def test_the_api_gives_a_firm_its_matches_and_officials_their_push_list_and_payouts(
    world: dict[str, Any],
) -> None:
    firm = client_for(world["grower_user"])
    mine = firm.get("/api/v1/policies/mine").json()
    verdicts = {m["policy"]["code"]: m["verdict"] for m in mine["matches"]}
    assert verdicts["ns-high-growth"] == "eligible" and "zj-zjtx-reward" not in verdicts
    assert client_for(world["county"]).get("/api/v1/policies/mine").status_code == 403
    batch = growth_batch()
    assert firm.get(f"/api/v1/policies/batches/{batch.pk}/push-list").status_code == 403
    assert (
        client_for(world["other_county"]).get(f"/api/v1/policies/batches/{batch.pk}/push-list").status_code
        == 404
    )
    county = client_for(world["county"])
    listed = county.get(f"/api/v1/policies/batches/{batch.pk}/push-list").json()
    assert [r["credit_code"] for r in listed] == [world["grower"].credit_code]
    made = county.post(
        f"/api/v1/policies/batches/{batch.pk}/awards",
        {"credit_code": world["grower"].credit_code, "amount_yuan": 200_000},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    award_id = made.json()["id"]
    over = county.post(
        f"/api/v1/policies/awards/{award_id}/payouts",
        {"amount_yuan": 200_001, "paid_on": "2026-01-05", "reference": "X"},
        content_type="application/json",
    )
    assert over.status_code == 400 and "超过决定金额" in over.json()["message"]
    paid = county.post(
        f"/api/v1/policies/awards/{award_id}/payouts",
        {"amount_yuan": 200_000, "paid_on": "2026-01-05", "reference": "X"},
        content_type="application/json",
    )
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    assert (
        client_for(world["other_county"])
        .post(
            f"/api/v1/policies/awards/{award_id}/payouts",
            {"amount_yuan": 1, "paid_on": "2026-01-05", "reference": "Y"},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_my_policies_speak_english_when_english_is_chosen(world: dict[str, Any]) -> None:
    firm = client_for(world["grower_user"])
    firm.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = firm.get("/policies/mine/").content.decode()
    for text in (
        "My policies",
        "Eligible",
        "Possibly eligible",
        "Not eligible",
        "Tell me about new policies",
    ):
        assert text in body, text
    assert "可能符合（" not in body


def test_an_official_writes_a_policy_as_data_then_publishes_it(world: dict[str, Any]) -> None:
    from tidu.core.models import AuditEvent
    from tidu.policies.models import Policy, PolicyEdition

    county = client_for(world["county"])
    made = county.post(
        "/policies/manage/new/",
        {
            "code": "ns-new-test",
            "title": "南山区测试新政策",
            "issuer": "南山区工业和信息化局",
            "document_number": "",
            "level": "county",
            "region": "440305",
            "in_force_from": "2026-01-01",
            "in_force_to": "",
            "category": "reward",
            "purpose": "growth-reward",
            "route": "application",
            "interpretation": "通俗说明",
            "original_text": "条款摘要",
            "materials": "申请表",
            "source_url": "",
            "reading_notes": "",
            "is_sample": "on",
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    policy = Policy.objects.get(code="ns-new-test")
    refused = county.post(
        "/policies/manage/ns-new-test/edition/",
        {
            "action": "save",
            "effective_on": "2026-01-01",
            "amount_expr": "200000",
            "amount_cap_wan": "20",
            "conditions": "- label: 营业收入不低于2000万元\n  expr: revenue_y1 >= 20000000\n  clause: 第二条\n",
            "basis": "",
        },
    )
    assert refused.status_code == 400 and "修订依据" in refused.content.decode()
    county.post(
        "/policies/manage/ns-new-test/edition/",
        {
            "action": "save",
            "effective_on": "2026-01-01",
            "amount_expr": "200000",
            "amount_cap_wan": "20",
            "amount_clause": "第三条",
            "basis": "首次录入",
            "conditions": "- label: 营业收入不低于2000万元\n  expr: revenue_y1 >= 20000000\n  clause: 第二条\n",
        },
    )
    edition = PolicyEdition.objects.get(policy=policy)
    assert edition.amount_cap_yuan == 200_000 and edition.conditions[0]["expr"] == "revenue_y1 >= 20000000"
    county.post(
        "/policies/manage/ns-new-test/batch/",
        {"name": "2026年度", "opens_on": "2026-01-01", "closes_on": "2026-12-31", "budget_wan": "100"},
    )
    assert policy.batches.get().budget_yuan == 1_000_000
    county.post("/policies/manage/ns-new-test/publish/")
    policy.refresh_from_db()
    assert policy.status == "published"
    assert {"policy.create", "policy.edition_add", "policy.batch_add", "policy.publish"} <= set(
        AuditEvent.objects.filter(target_id=str(policy.pk)).values_list("action", flat=True)
    )
    other = client_for(world["other_county"])
    assert other.get("/policies/manage/ns-new-test/").status_code in {403, 404}


def test_a_firm_without_figures_sees_its_policies_as_open_questions(world: dict[str, Any]) -> None:
    bare = make_enterprise("440305", name="南山新注册科技有限公司", industry_code="C3484")
    user = make_user("pol_bare", "enterprise", enterprise=bare)
    body = client_for(user).get("/policies/mine/").content.decode()
    assert "尚未填报年度数据" in body
    assert "南山区高成长企业奖励" in body[body.index('id="possible"') : body.index('id="not_eligible"')]


def test_a_round_closing_soon_shows_the_days_left(world: dict[str, Any]) -> None:
    import datetime as dt

    from tidu.ladder.assessment import today_shanghai

    batch = growth_batch()
    batch.closes_on = today_shanghai() + dt.timedelta(days=3)
    batch.save()
    body = client_for(world["grower_user"]).get("/policies/mine/").content.decode()
    assert "还剩 3 天" in body


def test_a_large_jurisdictions_sandbox_runs_as_a_job_with_its_figures(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tidu.jobs.models import Job, JobStatus
    from tidu.policies import sandbox

    monkeypatch.setattr(sandbox, "SANDBOX_JOB_THRESHOLD", 1)
    county = client_for(world["county"])
    response = county.post(
        "/policies/manage/ns-high-growth/edition/",
        {
            "action": "sandbox",
            "effective_on": "2026-01-01",
            "amount_expr": "200000",
            "amount_cap_wan": "20",
            "conditions": "- label: 营业收入不低于2000万元\n  expr: revenue_y1 >= 20000000\n  clause: 第二条\n",
        },
    )
    job = Job.objects.get(kind="policy_sandbox")
    assert response.status_code == 302 and str(job.pk) in response["Location"]
    assert job.status == JobStatus.SUCCEEDED and job.owner == world["county"]
    assert job.result["counts"]["qualify"] == 2
    assert ["预计金额合计（万元）", "40"] in job.result["summary"]
    page = county.get(response["Location"]).content.decode()
    assert "符合条件（家）" in page
