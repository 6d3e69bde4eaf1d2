"""The firm's identity on the web and the API: the profile page shows name, region and industry read-only
and saves only contact details; change reports are filed with evidence, reviewed from the officials' queue
and downloaded only by those who may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from change_support import LICENCE, PDF
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tidu.changes.models import ChangeReport, ChangeStatus
from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.models import Enterprise
from tidu.enterprises.services import enterprise_create, enterprise_update
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def licence() -> SimpleUploadedFile:
    return SimpleUploadedFile(LICENCE[0], LICENCE[1], content_type="application/pdf")


def test_the_profile_shows_the_identity_read_only_with_a_link_to_report_a_change(world: World) -> None:
    page = world.client("firm_a").get("/firm/profile/").content.decode()
    assert 'id="identity-name">企业A有限公司<' in page and "申报重大变化" in page and 'href="/firm/changes/new/"' in page
    assert 'name="name"' not in page and 'name="region_code"' not in page and 'name="industry_code"' not in page
    assert 'name="contact_phone"' in page


def test_posting_a_new_name_region_or_industry_to_the_profile_changes_nothing_but_contact_details(
    world: World,
) -> None:
    response = world.client("firm_a").post("/firm/profile/", {
        "name": "=HYPERLINK(\"http://x\")", "region_code": "440304", "industry_code": "C3911",
        "contact_name": "李四", "contact_phone": "0755-12345678", "contact_email": "li@firm.test"})
    assert response.status_code == 302
    ent = Enterprise.objects.get(pk=world.firms["A"].pk)
    assert (ent.name, ent.region_id, ent.industry_code) == ("企业A有限公司", "440305", "C3484")
    assert (ent.contact_name, ent.contact_phone) == ("李四", "0755-12345678")


@pytest.mark.parametrize(("field", "value"), [("name", "新名称有限公司"), ("region_code", "440304"),
                                              ("industry_code", "C3911")])
@pytest.mark.parametrize("who", ["firm_a", "county", "admin"])
def test_the_profile_service_refuses_an_identity_change_from_anyone(
    world: World, who: str, field: str, value: str
) -> None:
    with pytest.raises(TiduError) as refused:
        enterprise_update(actor=world.users[who], enterprise=world.firms["A"], data={field: value})
    assert refused.value.code == ErrorCode.IDENTITY_LOCKED and refused.value.field == field
    assert "重大变化报告" in refused.value.message and refused.value.status == 403
    unchanged = enterprise_update(actor=world.users[who], enterprise=world.firms["A"],
                                  data={"name": "企业A有限公司", "contact_name": "王五"})
    assert unchanged.contact_name == "王五"


def test_the_api_offers_no_way_to_edit_a_firms_identity(world: World) -> None:
    code = world.firms["A"].credit_code
    api = world.bearer("firm_a")
    for method in ("put", "patch", "post"):
        response = getattr(api, method)(f"/api/v1/enterprises/{code}", {"name": "新名称有限公司"},
                                        content_type="application/json")
        assert response.status_code == 405, method
    assert Enterprise.objects.get(pk=world.firms["A"].pk).name == "企业A有限公司"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil\")", "@cmd", "  +1"])
def test_a_formula_name_never_enters_the_register(world: World, name: str) -> None:
    with pytest.raises(TiduError) as refused:
        enterprise_create(actor=world.users["province"], credit_code="91440300MA5FXXXX0X", name=name,
                          region_code="440305", industry_code="C3484")
    assert refused.value.field in {"name", "credit_code"}
    ent = Enterprise(credit_code="x", name=name, region_id="440305", industry_code="C3484")
    with pytest.raises(Exception, match="公式"):
        ent.full_clean(exclude=["credit_code", "region"])


def test_the_firm_files_a_report_on_the_web_and_the_county_approves_from_its_queue(world: World) -> None:
    firm = world.client("firm_a")
    response = firm.post("/firm/changes/new/", {
        "kinds": ["name"], "new_name": "深圳市网页更名有限公司", "effective_on": YESTERDAY,
        "explanation": "更名", "files": [licence()]})
    report = ChangeReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/changes/{report.pk}/"
    assert "待主管部门审核" in firm.get(f"/changes/{report.pk}/").content.decode()
    assert firm.get("/firm/changes/new/")["Location"] == f"/changes/{report.pk}/"  # one at a time

    county = world.client("county")
    assert "变化报告" in county.get("/").content.decode()  # the menu entry
    queue = county.get("/changes/").content.decode()
    assert "企业A有限公司" in queue and f"/changes/{report.pk}/" in queue
    assert "企业A有限公司" not in world.client("county_c").get("/changes/").content.decode()
    detail = county.get(f"/changes/{report.pk}/").content.decode()
    assert 'id="review"' in detail and "新营业执照.pdf" in detail
    county.post(f"/changes/{report.pk}/review/", {"action": "approve", "version": report.version})
    assert Enterprise.objects.get(pk=world.firms["A"].pk).name == "深圳市网页更名有限公司"
    assert "深圳市网页更名有限公司" in firm.get("/firm/changes/").content.decode()


def test_the_web_form_names_each_wrong_field_in_chinese(world: World) -> None:
    page = world.client("firm_a").post("/firm/changes/new/", {
        "kinds": ["name", "region"], "new_name": "=1+1", "new_region_code": "440300",
        "effective_on": "2999-01-01", "explanation": "x"}).content.decode()
    assert "公式" in page and "不是县级区划" in page and "不能晚于今天" in page
    assert not ChangeReport.objects.exists()
    page = world.client("firm_a").post("/firm/changes/new/", {
        "kinds": ["name"], "new_name": "新名称有限公司", "effective_on": YESTERDAY, "explanation": "x"}).content.decode()
    assert "请上传至少一份证明材料" in page


def test_a_stale_review_page_tells_the_official_and_changes_nothing(world: World) -> None:
    firm = world.client("firm_a")
    firm.post("/firm/changes/new/", {"kinds": ["name"], "new_name": "甲有限公司", "effective_on": YESTERDAY,
                                     "explanation": "更名", "files": [licence()]})
    report = ChangeReport.objects.get()
    world.client("county").post(f"/changes/{report.pk}/review/", {"action": "return", "comment": "补正",
                                                                 "version": report.version})
    response = world.client("county2").post(f"/changes/{report.pk}/review/", {"action": "approve",
                                                                             "version": report.version},
                                            follow=True)
    assert "刚刚已被他人处理" in response.content.decode()
    assert ChangeReport.objects.get().status == ChangeStatus.RETURNED
    page = firm.get(f"/changes/{report.pk}/revise/").content.decode()
    assert "补正" in page and 'value="甲有限公司"' in page


@pytest.mark.parametrize(("who", "status"), [("firm_a", 200), ("county", 200), ("city", 200), ("county_c", 404),
                                             ("firm_b", 404), ("large", 404), ("admin", 200)])
def test_evidence_is_downloaded_only_by_those_who_see_the_report(world: World, who: str, status: int) -> None:
    world.client("firm_a").post("/firm/changes/new/", {"kinds": ["name"], "new_name": "乙有限公司",
                                                       "effective_on": YESTERDAY, "explanation": "更名",
                                                       "files": [licence()]})
    att = ChangeReport.objects.get().attachments.get()
    response = world.client(who).get(f"/changes/attachments/{att.pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_files_reviews_and_shows_a_report(world: World) -> None:
    firm = world.bearer("firm_a")
    created = firm.post("/api/v1/changes/", {
        "kinds": ["region"], "new_region_code": "440304", "effective_on": YESTERDAY, "explanation": "迁址",
        "files": [licence()]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sides_needed"] == ["origin", "destination"] and body["status"] == "pending"
    pk = body["id"]
    assert [r["id"] for r in world.bearer("county_c").get("/api/v1/changes/queue").json()] == [pk]
    assert world.bearer("firm_b").get(f"/api/v1/changes/{pk}").status_code == 404
    refused = world.bearer("city").post(f"/api/v1/changes/{pk}/review", {"action": "approve"},
                                        content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "change_not_yours_to_review"
    for who in ("county", "county_c"):
        ok = world.bearer(who).post(f"/api/v1/changes/{pk}/review", {"action": "approve"},
                                    content_type="application/json")
        assert ok.status_code == 200
    assert ok.json()["status"] == "approved"
    assert Enterprise.objects.get(pk=world.firms["A"].pk).region_id == "440304"
    bad = firm.post("/api/v1/changes/", {"kinds": ["name"], "new_name": "=HYPERLINK(1)", "effective_on": YESTERDAY,
                                         "explanation": "x", "files": [licence()]})
    assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "new_name"


def test_the_change_report_and_verification_pages_speak_english(world: World) -> None:
    client = world.client("firm_a")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = client.get("/firm/changes/new/").content.decode()
    assert "Report a major change" in form and "Date the change took effect" in form and "申报重大变化" not in form
    verify = client.get("/verify/").content.decode()
    assert "Verify a certificate" in verify and "证书核验" not in verify


def test_notices_stay_in_chinese_when_the_official_uses_english(world: World) -> None:
    world.client("firm_a").post("/firm/changes/new/", {"kinds": ["region"], "new_region_code": "440304",
                                                       "effective_on": YESTERDAY, "explanation": "迁址",
                                                       "files": [licence()]})
    report = ChangeReport.objects.get()
    county = world.client("county")
    county.post("/i18n/setlang/", {"language": "en", "next": "/"})
    county.post(f"/changes/{report.pk}/review/", {"action": "approve", "version": report.version})
    from tidu.notifications.models import Notification

    notice = Notification.objects.filter(recipient=world.users["firm_a"]).get()
    assert notice.title == "重大变化报告已获一方核准" and "迁入地主管部门" in notice.body and "注册地（行政区划）" in notice.body
