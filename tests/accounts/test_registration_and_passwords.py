"""Firm self-registration (credit code + contact), password reset by email, the demo login list."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from tidu.accounts.models import Membership
from tidu.core.credit_code import make_credit_code
from tidu.core.testing import PASSWORD, make_enterprise, make_user
from tidu.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def form(**overrides: str) -> dict[str, str]:
    data = {
        "credit_code": make_credit_code("440305", "87654321"), "name": "深圳新注册科技有限公司", "region_code": "440305",
        "industry_code": "C3911", "contact_name": "张三", "contact_phone": "13800000000", "email": "zhang@example.com",
        "username": "newfirm", "password1": "Stronger-Pass-2026", "password2": "Stronger-Pass-2026",
    }
    return data | overrides


def test_a_firm_registers_and_lands_on_its_dashboard() -> None:
    client = Client()
    response = client.post("/accounts/register/", form(credit_code=" " + form()["credit_code"].lower()))
    assert response.status_code == 302 and response["Location"] == "/firm/"
    ent = Enterprise.objects.get()
    assert ent.credit_code == form()["credit_code"] and ent.region_id == "440305" and ent.source == "self"
    membership = Membership.objects.get(user__username="newfirm")
    assert membership.organisation.kind == "enterprise" and membership.organisation.enterprise == ent
    assert client.get("/firm/").status_code == 200


@pytest.mark.parametrize(("field", "value", "message"), [
    ("credit_code", "91440305876543210X", "校验码"),
    ("region_code", "440300", "不是县级区划"),
    ("region_code", "371202", "已撤销"),
    ("industry_code", "C3918", "没有小类"),
    ("password2", "different-Pass-1", "不一致"),
])
def test_registration_errors_are_explained_and_nothing_is_created(field: str, value: str, message: str) -> None:
    response = Client().post("/accounts/register/", form(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Enterprise.objects.exists()


def test_a_firm_already_in_the_register_is_not_taken_over_by_registration() -> None:
    existing = make_enterprise("440305")
    response = Client().post("/accounts/register/", form(credit_code=existing.credit_code))
    assert response["Location"] == "/accounts/request/"  # a claim for the county (tests/accounts/test_claims.py)
    assert not Membership.objects.filter(user__username="newfirm").exists()


def test_password_reset_sends_a_link_that_sets_a_new_password() -> None:
    make_user("alice", email="alice@example.com")
    client = Client()
    client.post("/password-reset/", {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/reset/\S+/)", mail.outbox[0].body)
    assert link
    response = client.get(link.group(1), follow=True)
    set_url = response.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Brand-New-Pass-99", "new_password2": "Brand-New-Pass-99"})
    assert Client().login(username="alice", password="Brand-New-Pass-99")


@override_settings(DEMO_MODE=True)
def test_the_login_page_lists_demo_users_in_demo_mode() -> None:
    body = Client().get("/login/").content.decode()
    assert "demo-county" in body and "tidu-demo-2026" in body


@override_settings(DEMO_MODE=False)
def test_the_login_page_hides_demo_users_otherwise() -> None:
    body = Client().get("/login/").content.decode()
    assert "demo-county" not in body and "tidu-demo-2026" not in body


def test_a_logged_in_user_sees_their_organisation_on_the_profile_page() -> None:
    make_user("county", "government", level="county", region="440305")
    client = Client()
    client.login(username="county", password=PASSWORD)
    body = client.get("/accounts/profile/").content.decode()
    assert "政府主管部门" in body and "县级" in body
