"""我的梯度, its what-if and the diagnosis report show the titles the firm holds on the evaluation date and
where each comes from: the platform's recognition record (with its number) or the firm's own declaration
(to be checked). The demo firm, which holds a platform 创新型 title, meets the 2026 专精特新 prerequisite
(domain/tiers.md §7 S1) without declaring anything."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from pdf_check import read_pdf
from tidu.accounts.demo import DEMO_PASSWORD
from tidu.core.testing import make_user
from tidu.enterprises.models import EnterpriseYear
from tidu.journey.models import Recognition, Tier
from tidu.ladder.assessment import assess, firm_for
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db
NUMBER = "44-CX-2025-00042"


@pytest.fixture
def firm() -> Any:
    """The climbing firm with no title declared but a platform 创新型 record valid today, and a declared
    科技型 registration (which this platform never records)."""
    ent = make_climbing_firm()
    EnterpriseYear.objects.filter(enterprise=ent, fiscal_year=2025).update(
        cert_innovative_valid=None, cert_tech_sme_valid=True, cert_specialized_valid=None)
    today = timezone.localdate()
    Recognition.objects.create(enterprise=ent, tier=Tier.INNOVATIVE_SME, number=NUMBER, issuing_region_id="440000",
                               valid_from=today - dt.timedelta(days=400), valid_until=today + dt.timedelta(days=400))
    return ent


@pytest.fixture
def staff(firm: Any) -> Client:
    client = Client()
    client.force_login(make_user("firm-t", "enterprise", enterprise=firm))
    return client


def _row(html: str, field: str) -> str:
    match = re.search(rf'<tr data-title="{field}">(.*?)</tr>', html, re.S)
    assert match is not None, field
    return match.group(1)


def test_my_ladder_shows_each_title_with_its_source(staff: Client) -> None:
    html = staff.get("/ladder/").content.decode()
    assert 'id="titles"' in html
    innovative = _row(html, "cert_innovative_valid")
    assert f"平台认定记录：编号 {NUMBER}" in innovative and "mark-platform" in innovative and "需核验" not in innovative
    tech = _row(html, "cert_tech_sme_valid")
    assert "自报" in tech and "需核验" in tech
    assert "未填报" in _row(html, "cert_specialized_valid")


def test_the_what_if_keeps_showing_the_titles(staff: Client) -> None:
    html = staff.post("/ladder/what-if/", {"rd_y1": "300"}, HTTP_HX_REQUEST="true").content.decode()
    assert f"平台认定记录：编号 {NUMBER}" in _row(html, "cert_innovative_valid")


def test_the_diagnosis_report_lists_the_titles_and_their_sources(staff: Client) -> None:
    text = re.sub(r"\s", "", read_pdf(staff.get("/ladder/report.pdf").content).text)
    assert "已获称号" in text
    assert f"创新型中小企业是平台认定记录：编号{NUMBER}" in text
    assert "科技型中小企业是自报（需核验）" in text


def test_the_ladder_reads_titles_on_its_own_evaluation_date(firm: Any) -> None:
    Recognition.objects.filter(number=NUMBER).update(valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 12, 30))
    assert assess(firm, today=dt.date(2026, 12, 30)).record["cert_innovative_valid"] is True
    a = assess(firm, today=dt.date(2026, 12, 31))
    assert a.record["cert_innovative_valid"] is False
    assert a.marks["cert_innovative_valid"]["as_of"] == "2026-12-31"
    # The 2026 evaluation is dated no later than 31 December 2026 (fields.md as_of), whatever the clock says.
    assert assess(firm, today=dt.date(2027, 3, 1)).marks["cert_innovative_valid"]["as_of"] == "2026-12-31"


def test_the_demo_firm_holding_a_platform_innovative_title_meets_the_specialised_prerequisite() -> None:
    call_command("seed_demo", firms=300, stdout=None)
    client = Client()
    assert client.login(username="demo-firm", password=DEMO_PASSWORD)
    html = client.get("/ladder/").content.decode()
    assert "平台认定记录：编号 44-CX-" in _row(html, "cert_innovative_valid")
    from django.contrib.auth import get_user_model

    a = assess(firm_for(get_user_model().objects.get(username="demo-firm")))
    [sp] = [s for s in a.standards if s["standard"] == "specialized_sme"]
    [s1] = [c for c in sp["conditions"] if c["id"] == "S1a"]
    assert a.record["cert_innovative_valid"] is True and s1["value"] == "true"
