"""A firm user edits a fiscal year in 万元; yuan are stored exactly; errors keep the old figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tidu.core.models import AuditEvent
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.enterprises.models import Enterprise, EnterpriseYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm() -> tuple[Client, Enterprise]:
    ent = make_enterprise("440305")
    make_user("staff", "enterprise", enterprise=ent)
    client = Client()
    assert client.login(username="staff", password=PASSWORD)
    return client, ent


def test_the_form_shows_stored_yuan_as_wan_and_saves_wan_as_exact_yuan(firm: tuple[Client, Enterprise]) -> None:
    client, ent = firm
    make_year(ent, 2025, revenue=12_345_600, main_rev=10_000_000)
    page = client.get("/firm/years/2025/").content.decode()
    assert 'value="1234.56"' in page and "（万元）" in page
    response = client.post("/firm/years/2025/", {"revenue": "1234.5678", "main_rev": "1000", "net_profit": "-3.5",
                                                  "staff_total": "80", "rd_staff": "20", "hte_valid": "true"})
    assert response.status_code == 302
    row = EnterpriseYear.objects.get(enterprise=ent, fiscal_year=2025)
    assert (row.revenue, row.main_rev, row.net_profit, row.rd_staff, row.hte_valid) == (12_345_678, 10_000_000, -35_000, 20, True)
    assert row.rd is None  # left empty = unknown, not zero
    event = AuditEvent.objects.filter(action="enterprise_year.update").get()
    assert event.data["changes"]["revenue"] == [12_345_600, 12_345_678]


def test_too_many_decimals_and_cross_field_errors_are_shown_and_nothing_changes(firm: tuple[Client, Enterprise]) -> None:
    client, ent = firm
    make_year(ent, 2025, revenue=12_345_600, main_rev=10_000_000)
    response = client.post("/firm/years/2025/", {"revenue": "1.00001", "main_rev": "1"})
    assert response.status_code == 200 and "4位" in response.content.decode()
    response = client.post("/firm/years/2025/", {"revenue": "100", "main_rev": "200", "staff_total": "5", "rd_staff": "6"})
    body = response.content.decode()
    assert "不能大于" in body and "研发人员数" in body
    assert EnterpriseYear.objects.get(enterprise=ent, fiscal_year=2025).revenue == 12_345_600


def test_a_new_year_is_created_from_the_dashboard(firm: tuple[Client, Enterprise]) -> None:
    client, ent = firm
    response = client.post("/firm/years/new/", {"fiscal_year": "2024"})
    assert response["Location"] == "/firm/years/2024/"
    client.post("/firm/years/2024/", {"revenue": "500"})
    assert EnterpriseYear.objects.get(enterprise=ent, fiscal_year=2024).revenue == 5_000_000
    assert client.post("/firm/years/new/", {"fiscal_year": "2999"}).status_code == 200
    assert client.get("/firm/years/1999/").status_code == 400


def test_the_profile_page_saves_the_firms_own_facts_but_never_its_identity(firm: tuple[Client, Enterprise]) -> None:
    """Name, region and industry change only through a reviewed 重大变化报告 (tests/changes/)."""
    client, ent = firm
    before = (ent.name, ent.region_id, ent.industry_code)
    data = {"name": "改名后的企业有限公司", "region_code": "440304", "industry_code": "I6513", "founded_on": "2015-06-01"}
    assert client.post("/firm/profile/", data).status_code == 302
    ent.refresh_from_db()
    assert (ent.name, ent.region_id, ent.industry_code) == before
    assert ent.founded_on == dt.date(2015, 6, 1)
    assert AuditEvent.objects.filter(action="enterprise.update").count() == 1
