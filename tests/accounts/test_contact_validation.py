"""Phone numbers and e-mail addresses are checked by one validator on registration, the firm's contact
details and invitations; each message names the field and what is wrong."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.credit_code import make_credit_code
from tidu.core.errors import TiduError
from tidu.core.testing import make_enterprise, make_user
from tidu.core.validators import normalize_phone, validate_email, validate_phone
from tidu.enterprises.models import Enterprise
from tidu.enterprises.services import enterprise_update

pytestmark = pytest.mark.django_db

GOOD_PHONES = ["13800000000", "19912345678", "0755-12345678", "075512345678", "010-1234567", "0755-12345678-801",
               "１３８００００００００", "0755－12345678", " 138 0000 0000 "]
BAD_PHONES = ["12800000000", "1380000000", "138000000001", "12345678", "755-12345678", "0755-123456",
              "+1 555 0100", "电话13800000000"]


@pytest.mark.parametrize("phone", GOOD_PHONES)
def test_mainland_mobiles_and_landlines_with_area_code_are_accepted(phone: str) -> None:
    assert validate_phone(phone, label="联系电话") == normalize_phone(phone)


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_other_numbers_are_refused_naming_the_field(phone: str) -> None:
    with pytest.raises(TiduError) as caught:
        validate_phone(phone, label="联系电话", field="contact_phone")
    assert caught.value.message.startswith("联系电话“") and "11位手机号" in caught.value.message
    assert caught.value.field == "contact_phone"


@pytest.mark.parametrize("email", ["a@b", "no-at.example.com", "a@@b.com", "a b@c.com"])
def test_bad_email_addresses_are_refused_naming_the_field(email: str) -> None:
    with pytest.raises(TiduError) as caught:
        validate_email(email, label="联系邮箱")
    assert caught.value.message.startswith("联系邮箱“") and "不是有效的电子邮箱地址" in caught.value.message


def registration(**overrides: str) -> dict[str, str]:
    data = {
        "credit_code": make_credit_code("440305", "87654321"), "name": "深圳新注册科技有限公司", "region_code": "440305",
        "industry_code": "C3911", "contact_name": "张三", "contact_phone": "13800000000", "email": "zhang@example.com",
        "username": "newfirm", "password1": "Stronger-Pass-2026", "password2": "Stronger-Pass-2026",
    }
    return data | overrides


@pytest.mark.parametrize(("field", "value", "message"), [
    ("contact_phone", "12345", "联系电话“12345”格式不正确"),
    ("email", "zhang@", "联系邮箱“zhang@”不是有效的电子邮箱地址"),
])
def test_registration_refuses_a_bad_phone_or_email(field: str, value: str, message: str) -> None:
    response = Client().post("/accounts/register/", registration(**{field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Enterprise.objects.exists()


def test_registration_stores_the_normalised_phone() -> None:
    Client().post("/accounts/register/", registration(contact_phone="０７５５－２６０００００１"))
    assert Enterprise.objects.get().contact_phone == "0755-26000001"


def test_the_firms_contact_details_are_checked_by_the_same_validator() -> None:
    firm = make_enterprise("440305")
    user = make_user("staff", "enterprise", enterprise=firm)
    with pytest.raises(TiduError) as caught:
        enterprise_update(actor=user, enterprise=firm, data={"contact_phone": "8888"})
    assert caught.value.field == "contact_phone" and "联系电话“8888”" in caught.value.message
    with pytest.raises(TiduError) as caught:
        enterprise_update(actor=user, enterprise=firm, data={"contact_email": "x@"})
    assert caught.value.field == "contact_email"
    enterprise_update(actor=user, enterprise=firm, data={"contact_phone": "020 87654321"})
    firm.refresh_from_db()
    assert firm.contact_phone == "02087654321"


def test_the_profile_page_shows_the_field_named_error() -> None:
    firm = make_enterprise("440305")
    client = Client()
    client.force_login(make_user("staff", "enterprise", enterprise=firm))
    page = client.get("/firm/profile/")
    assert page.status_code == 200
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data |= {"name": firm.name, "region_code": firm.region_id, "industry_code": firm.industry_code,
             "contact_name": "赵六", "contact_phone": "12345", "contact_email": "zhao@firm.test"}
    body = client.post("/firm/profile/", data).content.decode()
    assert "联系电话“12345”格式不正确" in body
    firm.refresh_from_db()
    assert firm.contact_phone == ""
