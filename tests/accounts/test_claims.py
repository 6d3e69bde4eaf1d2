"""Self-registration with a credit code already in the register becomes a claim the firm's county
confirms or rejects; codes issued in another province are held for the county; codes issued elsewhere
in the same province are accepted and flagged on the firm's page and in the queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tidu.accounts.models import AccountRequest, Membership
from tidu.core.credit_code import make_credit_code
from tidu.core.models import AuditEvent
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.enterprises.models import Enterprise
from tidu.notifications.models import Notification

pytestmark = pytest.mark.django_db


def form(**overrides: str) -> dict[str, str]:
    data = {
        "credit_code": make_credit_code("440305", "87654321"), "name": "深圳认领科技有限公司", "region_code": "440305",
        "industry_code": "C3911", "contact_name": "李四", "contact_phone": "13900000000", "email": "li@claim.test",
        "username": "claimant", "password1": "Stronger-Pass-2026", "password2": "Stronger-Pass-2026",
    }
    return data | overrides


def official(username: str, region: str, level: str = "county") -> Client:
    make_user(username, "government", level=level, region=region)
    client = Client()
    client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def imported() -> Any:
    firm = make_enterprise("440305", name="深圳认领科技有限公司", credit_code=make_credit_code("440305", "87654321"),
                           contact_name="王五", contact_phone="0755-26000000", contact_email="office@claim.test",
                           source="import")
    make_year(firm, 2025, revenue=123_456_700_00)
    return firm


def test_registering_a_firm_of_the_register_is_a_claim_the_county_confirms(imported: Any) -> None:
    county = official("nanshan", "440305")
    claimant = Client()
    response = claimant.post("/accounts/register/", form())
    assert response.status_code == 302 and response["Location"] == "/accounts/request/"
    req = AccountRequest.objects.get()
    assert (req.kind, req.status, req.enterprise, req.review_region_id) == ("claim", "pending", imported, "440305")
    assert not Membership.objects.filter(user__username="claimant").exists()
    assert Enterprise.objects.count() == 1

    # The claimant sees the status page and nothing of the firm's figures.
    status = claimant.get("/accounts/request/").content.decode()
    assert "认领待审核" in status and "看不到该企业" in status
    assert "1,234,567" not in status and "office@claim.test" not in status and "0755-26000000" not in status
    assert claimant.get("/firm/").status_code in (302, 403)
    assert claimant.get(f"/enterprises/{imported.pk}/").status_code == 404
    assert claimant.get(f"/enterprises/{imported.pk}/years/2025/").status_code == 404
    assert claimant.get(f"/api/v1/enterprises/{imported.pk}").status_code in (401, 403, 404)

    # The county is told, and its queue shows the claimant's details beside the register's.
    assert Notification.objects.filter(recipient__username="nanshan", kind="review").exists()
    queue = county.get("/accounts/requests/").content.decode()
    assert "企业认领待确认" in queue and "claimant" in queue and "li@claim.test" in queue
    assert "office@claim.test" in queue and "0755-26000000" in queue
    assert "联系邮箱与企业名录登记的联系邮箱（office@claim.test）不同" in queue

    response = county.post(f"/accounts/requests/{req.pk}/confirm/", follow=True)
    assert "已确认认领" in response.content.decode()
    membership = Membership.objects.select_related("organisation").get(user__username="claimant")
    assert membership.organisation.enterprise == imported
    req.refresh_from_db()
    assert req.status == "confirmed" and req.decided_by is not None and req.decided_by.username == "nanshan"
    assert claimant.get("/firm/").status_code == 200
    assert Notification.objects.filter(recipient__username="claimant", title__contains="账号已开通").exists()
    assert set(AuditEvent.objects.filter(action__startswith="account.").values_list("action", flat=True)) == {
        "account.claim_submit", "account.request_confirm"}
    # A second confirmation is refused.
    again = county.post(f"/accounts/requests/{req.pk}/confirm/")
    assert again.status_code == 409 and "已处理" in again.content.decode()


def test_a_claim_rejected_with_a_reason_leaves_the_claimant_outside(imported: Any) -> None:
    county = official("nanshan", "440305")
    claimant = Client()
    claimant.post("/accounts/register/", form())
    req = AccountRequest.objects.get()

    response = county.post(f"/accounts/requests/{req.pk}/reject/", {"reason": " "}, follow=True)
    assert "请填写驳回理由" in response.content.decode()
    req.refresh_from_db()
    assert req.status == "pending"

    county.post(f"/accounts/requests/{req.pk}/reject/", {"reason": "经电话核实，企业未委托此人"})
    req.refresh_from_db()
    assert req.status == "rejected" and req.reason == "经电话核实，企业未委托此人"
    assert not Membership.objects.filter(user__username="claimant").exists()
    status = claimant.get("/accounts/request/").content.decode()
    assert "申请未通过" in status and "经电话核实，企业未委托此人" in status
    assert AuditEvent.objects.filter(action="account.request_reject", actor_label="nanshan").exists()


def test_a_claim_is_decided_only_inside_the_jurisdiction(imported: Any) -> None:
    Client().post("/accounts/register/", form())
    req = AccountRequest.objects.get()
    futian = official("futian", "440304")
    assert "深圳认领科技有限公司" not in futian.get("/accounts/requests/").content.decode()
    assert futian.post(f"/accounts/requests/{req.pk}/confirm/").status_code == 404
    # The city above the county covers it too.
    city = official("shenzhen", "440300", level="city")
    assert "深圳认领科技有限公司" in city.get("/accounts/requests/").content.decode()
    firm_staff = make_user("staff", "enterprise", enterprise=make_enterprise("440305"))
    staff = Client()
    staff.force_login(firm_staff)
    assert staff.post(f"/accounts/requests/{req.pk}/confirm/").status_code == 404
    req.refresh_from_db()
    assert req.status == "pending"


def test_a_code_whose_firm_already_has_an_account_is_refused_truthfully(imported: Any) -> None:
    make_user("the-admin", "enterprise", enterprise=imported)
    response = Client().post("/accounts/register/", form())
    body = response.content.decode()
    assert "已有账号" in body and "本企业管理员" in body
    assert not AccountRequest.objects.exists()
    assert not Membership.objects.filter(user__username="claimant").exists()


def test_a_code_issued_in_another_province_is_held_for_the_county_with_the_mismatch_flag() -> None:
    county = official("nanshan", "440305")
    code = make_credit_code("320102", "55667788")  # 南京市玄武区
    claimant = Client()
    response = claimant.post("/accounts/register/", form(credit_code=code, name="深圳抢注有限公司"))
    assert response["Location"] == "/accounts/request/"
    assert not Enterprise.objects.filter(credit_code=code).exists()  # not in the register until confirmed
    req = AccountRequest.objects.get()
    assert (req.kind, req.status, req.review_region_id) == ("new_firm", "pending", "440305")
    assert [f["severity"] for f in req.flags] == ["hold"]
    assert "注册待审核" in claimant.get("/accounts/request/").content.decode()

    queue = county.get("/accounts/requests/").content.decode()
    assert "信用代码登记机关所在地（320102 江苏省南京市玄武区）与所选注册地（440305 广东省深圳市南山区）不一致" in queue
    assert "暂缓开通" in queue

    county.post(f"/accounts/requests/{req.pk}/confirm/")
    ent = Enterprise.objects.get(credit_code=code)
    assert ent.region_id == "440305" and ent.source == "self" and ent.name == "深圳抢注有限公司"
    assert Membership.objects.get(user__username="claimant").organisation.enterprise == ent


def test_a_code_issued_elsewhere_in_the_province_is_accepted_and_flagged_on_the_firms_page() -> None:
    county = official("nanshan", "440305")
    code = make_credit_code("440104", "11223344")  # 广州市越秀区
    response = Client().post("/accounts/register/", form(credit_code=code, name="从广州迁来有限公司"))
    assert response["Location"] == "/firm/"
    ent = Enterprise.objects.get(credit_code=code)
    req = AccountRequest.objects.get()
    assert (req.kind, req.status, req.enterprise) == ("new_firm", "accepted", ent)
    message = "信用代码登记机关所在地（440104 广东省广州市越秀区）与所选注册地（440305 广东省深圳市南山区）不一致"
    assert message in county.get("/accounts/requests/").content.decode()
    assert message in county.get(f"/enterprises/{ent.pk}/").content.decode()

    county.post(f"/accounts/requests/{req.pk}/confirm/")
    req.refresh_from_db()
    assert req.status == "confirmed"
    queue = county.get("/accounts/requests/").content.decode()
    assert "已核对：从广州迁来有限公司" in queue and f'id="request-{req.pk}"' not in queue
    assert message in county.get(f"/enterprises/{ent.pk}/").content.decode()  # the history stays on the page


@pytest.mark.parametrize("code_region", ["440305", "440300", "440000", "440301"])
def test_a_code_from_the_same_county_or_an_authority_above_it_opens_without_a_flag(code_region: str) -> None:
    response = Client().post("/accounts/register/", form(credit_code=make_credit_code(code_region, "99887766")))
    assert response["Location"] == "/firm/"
    assert not AccountRequest.objects.exists()


def test_a_pending_claimant_logging_in_lands_on_the_status_page(imported: Any) -> None:
    Client().post("/accounts/register/", form())
    client = Client()
    response = client.post("/login/", {"username": "claimant", "password": "Stronger-Pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/accounts/request/"
    assert "认领状态" in client.get("/accounts/request/").content.decode()


def test_the_claims_queue_speaks_english_when_english_is_chosen(imported: Any) -> None:
    Client().post("/accounts/register/", form())
    county = official("nanshan", "440305")
    county.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = county.get("/accounts/requests/").content.decode()
    assert "Firm claims to confirm" in body and "Confirm claim" in body and "Given by the applicant" in body
    assert "企业认领待确认</h1>" not in body


def test_two_people_registering_the_same_new_code_at_once_the_second_is_refused_not_crashed(monkeypatch: Any) -> None:
    # The race: both look the code up before either has inserted it (a new code has no row to lock).
    # Simulated by letting the other sign-up land just after this one's look-up.
    import tidu.accounts.services as account_services

    real_check = account_services.credit_code_region_check

    def the_other_signup_lands_now(code: str, region: Any) -> Any:
        rival = make_enterprise("440305", name="抢先注册有限公司", credit_code=code)
        make_user("rival", "enterprise", enterprise=rival)
        return real_check(code, region)

    monkeypatch.setattr(account_services, "credit_code_region_check", the_other_signup_lands_now)
    response = Client().post("/accounts/register/", form())

    assert response.status_code == 200
    assert "已有账号" in response.content.decode()
    assert not Membership.objects.filter(user__username="claimant").exists()
    assert not get_user_model().objects.filter(username="claimant").exists()  # nothing half-written
