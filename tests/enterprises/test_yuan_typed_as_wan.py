"""An amount that looks typed in 元 into a 万元 box is questioned before it is saved (the form), saved with a
warning (the API), only warned about (what-if), and pointed out to the official who verifies the year."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.suspicion import money_ceiling, yuan_suspicions
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm() -> Any:
    """A C3484 manufacturer (工业: large from 40,000万元 revenue) with 2024 revenue 5,000万元, R&D 250万元."""
    ent = make_enterprise("440305", industry_code="C3484")
    make_year(ent, 2024, revenue=50_000_000, main_rev=45_000_000, rd=2_500_000)
    return ent


@pytest.fixture
def staff(firm: Any) -> Client:
    client = Client()
    client.force_login(make_user("unit-staff", "enterprise", enterprise=firm))
    return client


# --- the rule ------------------------------------------------------------------------------------

def test_a_thousandfold_jump_over_last_year_is_suspect_and_a_smaller_one_is_not() -> None:
    last = {"rd": 25_000}  # 2.5万元: far below the size-class level, so only the growth speaks
    assert yuan_suspicions(values={"rd": 25_000 * 999}, previous=last, industry_code="C3484") == []
    [s] = yuan_suspicions(values={"rd": 25_000 * 1000}, previous=last, industry_code="C3484")
    assert s.field == "rd" and "是上年的 1,000 倍" in s.message and "是否误按“元”填写" in s.message
    assert "（上年为 2.5万元）" in s.message  # last year's figure, in 万元


def test_without_last_year_the_industry_groups_large_firm_level_decides() -> None:
    assert money_ceiling("C3484")[:2] == (400_000_000, "营业收入")  # 工业, domain/size-classes.md §4
    assert yuan_suspicions(values={"revenue": 399_999_999}, industry_code="C3484") == []
    [s] = yuan_suspicions(values={"revenue": 400_000_000}, industry_code="C3484")
    assert "工业大型企业的营业收入标准（40,000万元）" in s.message


def test_an_unchanged_amount_is_not_questioned_again() -> None:
    assert yuan_suspicions(values={"revenue": 5 * 10**11}, before={"revenue": 5 * 10**11}, industry_code="C3484") == []


# --- the firm's form -----------------------------------------------------------------------------

def test_the_form_asks_before_saving_revenue_typed_in_yuan_and_saves_once_confirmed(staff: Client, firm: Any) -> None:
    typed = {"revenue": "52000000", "main_rev": "100", "staff_total": "80"}  # 5,200万元 typed as 元
    page = staff.post("/firm/years/2025/", typed)
    assert page.status_code == 200
    body = page.content.decode()
    assert "您填写的营业收入（总额）（52,000,000万元）是上年的 10,400 倍" in body
    assert "是否误按“元”填写？" in body and 'name="confirm_units"' in body
    assert not EnterpriseYear.objects.filter(enterprise=firm, fiscal_year=2025).exists()  # nothing saved yet

    assert staff.post("/firm/years/2025/", typed | {"confirm_units": "1"}).status_code == 302
    row = EnterpriseYear.objects.get(enterprise=firm, fiscal_year=2025)
    assert row.revenue == 52_000_000 * 10_000
    event = AuditEvent.objects.get(action="enterprise_year.create", target_id=str(row.pk))
    assert event.data["confirmed_amounts"] == ["revenue"]


def test_a_plausible_year_saves_at_once(staff: Client, firm: Any) -> None:
    response = staff.post("/firm/years/2025/", {"revenue": "5200", "main_rev": "4800", "rd": "260"})
    assert response.status_code == 302
    assert EnterpriseYear.objects.get(enterprise=firm, fiscal_year=2025).revenue == 52_000_000


# --- the API ---------------------------------------------------------------------------------------

def test_the_api_saves_a_suspect_amount_and_says_why_in_warnings(staff: Client, firm: Any) -> None:
    response = staff.put(f"/api/v1/enterprises/{firm.credit_code}/years/2025",
                         json.dumps({"rd": 2_500_000 * 10_000}), content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["rd"] == 25_000_000_000
    [w] = data["warnings"]
    assert w["field"] == "rd" and w["code"] == "money_unit_suspect"
    assert "是上年的 10,000 倍" in w["message"] and "本接口金额以元为单位" in w["message"]
    plain = staff.put(f"/api/v1/enterprises/{firm.credit_code}/years/2025",
                      json.dumps({"revenue": 52_000_000}), content_type="application/json")
    assert plain.json()["warnings"] == []


# --- what-if ---------------------------------------------------------------------------------------

def test_the_what_if_warns_about_a_suspect_amount_but_still_evaluates() -> None:
    ent = make_climbing_firm(name="假设分析单位测试有限公司")  # R&D 200万元 in 2024 (the "上年" of 2025), 60万元 in 2025
    client = Client()
    client.force_login(make_user("wi-staff", "enterprise", enterprise=ent))
    html = client.post("/ladder/what-if/", {"rd_y1": "2000000"}).content.decode()  # 200万元 typed as 元
    assert 'id="what-if-units"' in html and "是上年的 10,000 倍" in html and 'id="what-if-note"' in html
    data = client.post("/api/v1/ladder/what-if", json.dumps({"rd_y1": "2000000"}),
                       content_type="application/json").json()
    assert [w["field"] for w in data["warnings"]] == ["rd_y1"] and data["standards"]
    calm = client.post("/api/v1/ladder/what-if", json.dumps({"rd_y1": "300"}), content_type="application/json")
    assert calm.json()["warnings"] == []


# --- the official's firm-year page ----------------------------------------------------------------

def test_the_official_sees_which_saved_amounts_look_typed_in_yuan(firm: Any) -> None:
    make_year(firm, 2025, revenue=52_000_000 * 10_000, rd=2_600_000)
    official = Client()
    official.force_login(make_user("unit-county", "government", level="county", region="440305"))
    body = official.get(f"/enterprises/{firm.pk}/years/2025/").content.decode()
    assert 'id="unit-check"' in body and "企业填报的营业收入（总额）（52,000,000万元）是上年的 10,400 倍" in body
    assert 'data-field="rd"' not in body.split('id="unit-check"')[1].split("</div>")[0]
