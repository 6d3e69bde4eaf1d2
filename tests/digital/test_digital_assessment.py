"""A firm takes the self-assessment: category from its industry code (changeable with a reason), draft
and resume, submit, level and diagnosis; the result feeds its yearly record; nobody else can see it."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from digital_answers import highest, lowest, with_top
from django.test import Client
from django.urls import reverse

from pdf_check import rasterise, read_pdf
from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user
from tidu.digital.models import Assessment
from tidu.digital.questionnaire import load_questionnaire
from tidu.digital.selectors import PEER_MINIMUM, peer_comparisons
from tidu.digital.services import (
    assessment_change_category,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from tidu.enterprises.models import EnterpriseYear

pytestmark = pytest.mark.django_db
MANUFACTURING = load_questionnaire("2024", "manufacturing")


@pytest.fixture
def firm() -> Any:
    return make_enterprise("440305", name="深圳市南山精密机械有限公司", industry_code="C3484")


@pytest.fixture
def staff(firm: Any) -> Any:
    return make_user("nanshan-staff", "enterprise", enterprise=firm)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_answers(client: Client, answers: dict[str, Any], action: str) -> Any:
    return client.post(reverse("digital:assessment"), {**answers, "action": action})


def submitted(firm: Any, staff: Any, answers: dict[str, Any] | None = None) -> Assessment:
    draft = assessment_start(actor=staff, enterprise=firm)
    return assessment_submit(actor=staff, assessment=draft, answers=answers or highest(MANUFACTURING))


def test_a_manufacturer_gets_the_manufacturing_questionnaire_from_its_industry_code(firm: Any, staff: Any) -> None:
    page = client_for(staff).get(reverse("digital:assessment"))
    assert page.status_code == 200
    assert "制造业数字化水平评测表（2024年版）" in page.content.decode()
    draft = Assessment.objects.get(enterprise=firm)
    assert draft.category == draft.suggested_category == "manufacturing"


def test_a_software_firm_gets_the_producer_services_questionnaire() -> None:
    firm = make_enterprise("440305", industry_code="I6513")
    user = make_user("soft-staff", "enterprise", enterprise=firm)
    assert assessment_start(actor=user, enterprise=firm).category == "producer_services"


def test_changing_the_category_needs_a_reason_and_is_audited(firm: Any, staff: Any) -> None:
    draft = assessment_start(actor=staff, enterprise=firm)
    with pytest.raises(TiduError, match="请说明为什么"):
        assessment_change_category(actor=staff, assessment=draft, category="producer_services", reason="")
    response = client_for(staff).post(reverse("digital:assessment"), {
        "action": "category", "category": "producer_services", "reason": "主营业务已转为工业设计服务"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.category, draft.category_reason) == ("producer_services", "主营业务已转为工业设计服务")
    assert AuditEvent.objects.filter(action="digital.assessment.category").exists()


def test_a_draft_is_saved_and_resumed_with_the_answers_ticked(firm: Any, staff: Any) -> None:
    client = client_for(staff)
    assert post_answers(client, {"network": ["ctrl", "g5"], "it_share": "most"}, "save").status_code == 302
    draft = Assessment.objects.get(enterprise=firm)
    assert draft.answers == {"network": ["ctrl", "g5"], "it_share": "most"}
    assert draft.status == "draft" and draft.level is None
    page = client.get(reverse("digital:assessment")).content.decode()
    assert 'name="network" value="g5" checked' in page
    assert 'name="it_share" value="most" checked' in page
    assert "已答 2 / 31 题" in page


def test_submitting_incomplete_answers_gives_a_clear_message_and_no_level(firm: Any, staff: Any) -> None:
    answers = highest(MANUFACTURING)
    del answers["funding"]
    response = post_answers(client_for(staff), answers, "submit")
    assert response.status_code == 400
    text = response.content.decode()
    assert "还有1题未作答" in text and "近三年数字化投入占营业收入比例" in text
    assert "全部作答后才能得出等级" in text
    draft = Assessment.objects.get(enterprise=firm)
    assert draft.status == "draft" and draft.level is None and draft.score is None
    assert len(draft.answers) == len(MANUFACTURING.questions) - 1  # what was given is kept


def test_submitting_gives_score_level_and_diagnosis(firm: Any, staff: Any) -> None:
    answers = with_top(MANUFACTURING, "energy_per_revenue", "pass_rate", "revenue_per_staff", "cost_per_revenue",
                       "it_share", "net_security", "data_security")
    response = post_answers(client_for(staff), answers, "submit")
    result = Assessment.objects.get(enterprise=firm)
    assert response.status_code == 302 and response["Location"] == reverse("digital:result", args=[result.pk])
    assert (result.status, result.score, result.level) == ("submitted", Decimal("40.00"), 2)
    assert result.questionnaire_digest == MANUFACTURING.digest
    page = client_for(staff).get(response["Location"]).content.decode()
    assert "二级" in page and "距三级还差 20.00 分" in page
    assert "设备系统" in page  # among the weakest areas
    assert "暂定" in page


def test_the_result_feeds_the_yearly_digital_fields_for_the_evaluation_year(firm: Any, staff: Any) -> None:
    result = submitted(firm, staff)
    row = EnterpriseYear.objects.get(enterprise=firm, fiscal_year=result.assessed_on.year - 1)
    assert (row.digital_level, row.digital_score, row.digital_edition, row.digital_category) == (
        4, Decimal("100.00"), "2024", "manufacturing")
    assert row.digital_assessed_on == result.assessed_on


def test_a_new_draft_after_submitting_starts_empty_and_the_old_result_stays(firm: Any, staff: Any) -> None:
    first = submitted(firm, staff)
    draft = assessment_start(actor=staff, enterprise=firm)
    assert draft.pk != first.pk and draft.answers == {}
    with pytest.raises(TiduError):
        assessment_save(actor=staff, assessment=first, answers={})


def test_no_other_firm_sees_a_result_and_officials_see_only_their_jurisdiction(firm: Any, staff: Any) -> None:
    result = submitted(firm, staff)
    url = reverse("digital:result", args=[result.pk])
    other_firm = make_enterprise("440304", industry_code="C3484")
    outsiders = [
        make_user("other-staff", "enterprise", enterprise=other_firm),
        make_user("futian-county", "government", level="county", region="440304"),
        make_user("guangzhou-city", "government", level="city", region="440100"),
        make_user("large-firm", "large"),
        make_user("provider", "provider"),
    ]
    for user in outsiders:
        client = client_for(user)
        assert client.get(url).status_code == 404, user.username
        assert client.get(reverse("digital:result_pdf", args=[result.pk])).status_code == 404
        assert client.get(f"/api/v1/digital/results/{result.pk}").status_code == 404
    insiders = [staff, make_user("nanshan-county", "government", level="county", region="440305"),
                make_user("shenzhen-city", "government", level="city", region="440300")]
    for user in insiders:
        assert client_for(user).get(url).status_code == 200, user.username
    assert client_for(staff).get(f"/api/v1/digital/results/{result.pk}").json()["level"] == 4


def test_only_the_firms_own_staff_fill_in_its_questionnaire(firm: Any) -> None:
    official = make_user("nanshan-county", "government", level="county", region="440305")
    with pytest.raises(TiduError):
        assessment_start(actor=official, enterprise=firm)
    assert client_for(official).get(reverse("digital:assessment")).status_code == 403


def _peer(industry: str, region: str, score_questions: tuple[str, ...], n: int) -> Any:
    firm = make_enterprise(region, industry_code=industry)
    user = make_user(f"peer-{n}", "enterprise", enterprise=firm)
    return submitted(firm, user, with_top(MANUFACTURING, *score_questions))


def test_peer_percentiles_are_withheld_below_five_firms(firm: Any, staff: Any) -> None:
    for n in range(PEER_MINIMUM - 2):  # with our firm: four in the group
        _peer("C3484", "440304", ("pass_rate",), n)
    mine = submitted(firm, staff)
    comparisons = peer_comparisons(mine)
    assert all(c.withheld and c.percentile is None for c in comparisons)
    assert "不足5家" in comparisons[0].message
    page = client_for(staff).get(reverse("digital:result", args=[mine.pk])).content.decode()
    assert "暂不显示对比" in page and "高于其中" not in page


def test_peer_percentile_is_shown_from_five_firms(firm: Any, staff: Any) -> None:
    for n in range(PEER_MINIMUM - 1):
        _peer("C3484", "440304", ("pass_rate",), n)
    _peer("C2929", "110101", ("pass_rate",), 99)  # another sub-industry and province: not in either group
    mine = submitted(firm, staff)
    by_group = {c.group.split("（")[0]: c for c in peer_comparisons(mine)}
    assert by_group["同行业"].firms == 5 and by_group["同行业"].percentile == 100
    assert by_group["同省份"].firms == 5 and not by_group["同省份"].withheld


def test_the_diagnosis_downloads_as_a_chinese_pdf(firm: Any, staff: Any) -> None:
    result = submitted(firm, staff)
    response = client_for(staff).get(reverse("digital:result_pdf", args=[result.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = read_pdf(response.content)
    assert pdf.embedded >= 1  # the font travels with the file: readable on any machine
    text = re.sub(r"\s", "", pdf.text)
    assert "数字化水平评测诊断报告" in text and firm.name in text
    chinese = {c for c in pdf.text if "\u4e00" <= c <= "\u9fff"}
    assert chinese and chinese <= pdf.outlined, "every Chinese character has a real glyph outline (no tofu)"
    shown = rasterise(response.content, artifact="digital-report")  # painted with no Chinese font installed
    assert shown.problems(pdf.text) == []


def test_officials_see_the_level_distribution_of_their_jurisdiction_as_chart_and_excel(firm: Any) -> None:
    other = make_enterprise("440100", industry_code="C2929")  # 广州: outside 深圳
    year = dt.date.today().year - 1
    EnterpriseYear.objects.create(enterprise=firm, fiscal_year=year, digital_level=3)
    EnterpriseYear.objects.create(enterprise=other, fiscal_year=year, digital_level=1)
    city = client_for(make_user("shenzhen-city", "government", level="city", region="440300"))
    page = city.get(reverse("digital:distribution")).content.decode()
    assert "<svg" in page and "C34" in page and "C29" not in page
    export = city.get(reverse("digital:distribution") + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["行业大类代码", "行业大类"] and rows[1][0] == "C34" and rows[1][5] == 1
    assert client_for(make_user("someone", "enterprise", enterprise=firm)).get(
        reverse("digital:distribution")).status_code == 403


def test_officials_list_the_results_of_their_jurisdiction_only(firm: Any, staff: Any) -> None:
    submitted(firm, staff)
    guangzhou = make_enterprise("440103", name="广州市荔湾示范机械有限公司", industry_code="C3484")
    submitted(guangzhou, make_user("gz-staff", "enterprise", enterprise=guangzhou))
    page = client_for(make_user("shenzhen-city", "government", level="city", region="440300")).get(
        reverse("digital:distribution")).content.decode()
    assert "深圳市南山精密机械有限公司" in page and "广州市荔湾示范机械有限公司" not in page
    province = client_for(make_user("gd", "government", level="province", region="440000")).get(
        reverse("digital:distribution")).content.decode()
    assert "广州市荔湾示范机械有限公司" in province


def test_the_questionnaire_definition_is_served_by_the_api(staff: Any) -> None:
    data = client_for(staff).get("/api/v1/digital/questionnaires/2024/manufacturing").json()
    assert data["title"].startswith("制造业") and data["levels"][0] == {"level": 4, "label": "四级", "min": "80"}
    assert client_for(staff).get("/api/v1/digital/questionnaires/2019/manufacturing").status_code == 404


def test_lowest_answers_still_give_a_result_below_level_one(firm: Any, staff: Any) -> None:
    result = submitted(firm, staff, lowest(MANUFACTURING))
    assert (result.score, result.level) == (Decimal("0.00"), 0)


def test_the_latest_result_feeds_the_digital_indicator_of_the_specialised_sme_evaluation(firm: Any, staff: Any) -> None:
    """专精特新 2022 indicator 5: level 三级 or above → 5 points, read from the firm's evaluation record."""
    from tidu.enterprises.selectors import evaluation_record
    from tidu.rules import load_packs

    result = submitted(firm, staff)
    record = evaluation_record(firm, result.assessed_on.year)
    assert (record["digital_level"], record["digital_edition"]) == (4, "2024")
    explained = load_packs().explain(record, standards=["specialized_sme", "digital_level"],
                                     editions={"specialized_sme": "2022"})
    indicator = next(i for i in explained["specialized_sme"].indicators if i.id == "digital_level")
    assert (indicator.points_lo, indicator.points_hi) == (5, 5)
    assert explained["digital_level"].level == "4"
