"""Objections during publicity: anyone may lodge one, but with a real name and a reachable contact (a
mainland mobile number or an e-mail address), and each network address only a few per publicity and
per day (counted in the database, so every web worker shares the count)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tidu.core.models import AuditEvent
from tidu.journey import services
from tidu.journey.models import Application, Objection, Publicity, Tier
from tidu.journey.testing import World

pytestmark = pytest.mark.django_db

GOOD = {"contact_name": "张三", "contact": "13800000000", "text": "该企业主导产品并非自主研发"}


@pytest.fixture
def pub(world: World) -> Publicity:
    world.approved("A")
    world.approved("B")
    return services.publicity_publish(actor=world.users["province"], rnd=world.rounds[Tier.SPECIALIZED_SME])


def lodge(client: Client, pub: Publicity, **overrides: str) -> tuple[int, str]:
    app = pub.applications.order_by("id").first()
    assert app is not None
    response = client.post(f"/publicity/{pub.pk}/objections/", {"application": app.pk, **GOOD, **overrides},
                           REMOTE_ADDR="203.0.113.7")
    return response.status_code, response.content.decode()


def api_lodge(pub: Publicity, ip: str = "203.0.113.7", **overrides: str) -> tuple[int, dict[str, str]]:
    app = pub.applications.order_by("id").first()
    assert app is not None
    body = {"application_id": app.pk, **GOOD, **overrides}
    response = Client().post(f"/api/v1/journey/publicity/{pub.pk}/objections", body,
                             content_type="application/json", REMOTE_ADDR=ip)
    return response.status_code, response.json()


def test_a_burst_from_one_address_is_cut_off_after_three_with_a_chinese_message(pub: Publicity) -> None:
    anon = Client()
    for _ in range(3):
        assert lodge(anon, pub)[0] == 302
    status, page = lodge(anon, pub)
    assert status == 429
    assert "提交异议过于频繁：同一网络地址对同一公示1小时内最多提交 3 件异议" in page
    assert "分钟后再试" in page
    assert Objection.objects.count() == 3
    code, data = api_lodge(pub)
    assert code == 429 and data["code"] == "objection_throttled" and "过于频繁" in data["message"]


def test_other_addresses_are_not_held_back_by_one_busy_address(pub: Publicity) -> None:
    for _ in range(3):
        assert api_lodge(pub, ip="203.0.113.7")[0] == 201
    assert api_lodge(pub, ip="203.0.113.7")[0] == 429
    assert api_lodge(pub, ip="198.51.100.20")[0] == 201
    assert set(Objection.objects.values_list("lodged_from", flat=True)) == {"203.0.113.7", "198.51.100.20"}


def test_the_hourly_limit_frees_up_once_the_earlier_objections_are_an_hour_old(pub: Publicity) -> None:
    for _ in range(3):
        assert api_lodge(pub)[0] == 201
    Objection.objects.update(lodged_at=timezone.now() - dt.timedelta(minutes=61))
    assert api_lodge(pub)[0] == 201


def test_one_address_may_lodge_at_most_ten_a_day_across_publicities(world: World, pub: Publicity) -> None:
    app = pub.applications.order_by("id").first()
    assert app is not None
    earlier = timezone.now() - dt.timedelta(hours=3)  # older than the hourly window, inside the day
    Objection.objects.bulk_create([Objection(publicity=pub, application=app, contact_name="张三", contact="13800000000",
                                             text="旧异议", lodged_from="203.0.113.7") for _ in range(10)])
    Objection.objects.update(lodged_at=earlier)
    code, data = api_lodge(pub)
    assert code == 429 and "24小时内最多提交 10 件异议" in data["message"]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"contact_name": ""}, "contact_name", "请填写提出人姓名。"),
    ({"contact_name": "某"}, "contact_name", "提出人姓名“某”无效：请填写真实姓名（2～30个字，不含数字）。"),
    ({"contact_name": "张三13800000000"}, "contact_name", "提出人姓名“张三13800000000”无效"),
    ({"contact": ""}, "contact", "请填写联系方式（手机号码或电子邮箱）。"),
    ({"contact": "12345"}, "contact", "联系方式“12345”无效：请填写11位手机号码（如 13800000000）或电子邮箱"),
    ({"contact": "12800000000"}, "contact", "联系方式“12800000000”无效"),
    ({"contact": "0755-12345678"}, "contact", "联系方式“0755-12345678”无效"),
    ({"contact": "zhang@"}, "contact", "联系方式“zhang@”无效"),
    ({"text": " "}, "text", "请填写异议内容。"),
])
def test_an_objection_without_a_real_name_and_contact_is_refused_naming_the_field(
    pub: Publicity, overrides: dict[str, str], field: str, message: str
) -> None:
    code, data = api_lodge(pub, **overrides)
    assert code == 400
    assert data["field"] == field and data["message"].startswith(message)
    assert not Objection.objects.exists()


def test_the_page_keeps_what_was_typed_and_shows_the_error(pub: Publicity) -> None:
    status, page = lodge(Client(), pub, contact="138000", text="数据存疑，请核实研发投入")
    assert status == 400
    assert "联系方式“138000”无效" in page
    assert 'value="张三"' in page and "数据存疑，请核实研发投入</textarea>" in page
    assert 'class="field has-error"><label for="o-contact">' in page


def test_a_valid_objection_keeps_name_contact_and_address_and_is_audited(pub: Publicity) -> None:
    code, _ = api_lodge(pub, contact_name=" 李  四 ", contact="１３９ ００００ ００００")
    assert code == 201
    obj = Objection.objects.get()
    assert (obj.contact_name, obj.contact, obj.lodged_from) == ("李 四", "13900000000", "203.0.113.7")
    assert api_lodge(pub, contact="Li.Si@example.com")[0] == 201
    event = AuditEvent.objects.filter(action="journey.objection.lodge").latest("id")
    assert event.data["ip"] == "203.0.113.7"


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(settings: object, pub: Publicity) -> None:
    settings.TIDU_PROXY_COUNT = 1  # type: ignore[attr-defined]
    app: Application = pub.applications.order_by("id").first()  # type: ignore[assignment]
    for i in range(4):
        response = Client().post(f"/api/v1/journey/publicity/{pub.pk}/objections",
                                 {"application_id": app.pk, **GOOD}, content_type="application/json",
                                 REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 198.51.100.9")
        assert response.status_code == (201 if i < 3 else 429)  # the client-written part is not trusted
    assert set(Objection.objects.values_list("lodged_from", flat=True)) == {"198.51.100.9"}


# ---- per person (tidu.core.ratelimit scope "objection", kind account), limits from the settings -------------


@pytest.fixture
def per_person(settings: Any) -> None:
    settings.TIDU_RATE_LIMITS = {"objection": {"account": (2, 86400), "address": (100, 86400)},
                                 "objection_publicity": {"address": (100, 3600)}}


def test_one_person_is_limited_whatever_address_they_use(per_person: None, pub: Publicity) -> None:
    assert api_lodge(pub, ip="203.0.113.1")[0] == 201
    assert api_lodge(pub, ip="203.0.113.2", contact="138 0000 0000")[0] == 201  # the same number, written apart
    code, data = api_lodge(pub, ip="203.0.113.3")
    assert code == 429 and data["code"] == "rate_limited"
    assert data["message"].startswith("提交异议过于频繁：同一提出人24小时内最多提交 2 件异议。")
    assert api_lodge(pub, ip="203.0.113.3", contact="13900000000")[0] == 201  # another person, same address
    assert Objection.objects.count() == 3
    assert AuditEvent.objects.filter(action="ratelimit.trip", data__scope="objection").count() == 1


def test_a_signed_in_person_counts_as_their_account(per_person: None, world: World, pub: Publicity) -> None:
    client = Client()
    client.force_login(world.users["province"])
    app = pub.applications.order_by("id").first()
    assert app is not None
    statuses = [client.post(f"/publicity/{pub.pk}/objections/", {"application": app.pk, **GOOD,
                                                                  "contact": f"1390000000{i}"},
                            REMOTE_ADDR=f"203.0.113.{i}").status_code for i in range(3)]
    assert statuses == [302, 302, 429]


def test_the_page_says_when_to_retry(per_person: None, pub: Publicity) -> None:
    for _ in range(2):
        assert lodge(Client(), pub)[0] == 302
    app = pub.applications.order_by("id").first()
    assert app is not None
    response = Client().post(f"/publicity/{pub.pk}/objections/", {"application": app.pk, **GOOD},
                             REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "同一提出人24小时内最多提交 2 件异议" in page and "后再试" in page
    assert "该企业主导产品并非自主研发</textarea>" in page and 'value="张三"' in page  # what was typed is kept


def test_the_per_address_limits_are_settings_too(settings: Any, pub: Publicity) -> None:
    settings.TIDU_RATE_LIMITS = {"objection_publicity": {"address": (1, 3600)}}
    assert api_lodge(pub)[0] == 201
    response = Client().post(f"/api/v1/journey/publicity/{pub.pk}/objections",
                             {"application_id": pub.applications.order_by("id")[0].pk, **GOOD},
                             content_type="application/json", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429 and response.json()["code"] == "objection_throttled"
    assert "对同一公示1小时内最多提交 1 件异议" in response.json()["message"]
    assert 3500 < int(response["Retry-After"]) <= 3600
