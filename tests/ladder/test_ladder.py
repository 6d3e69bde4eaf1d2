"""我的梯度: the live self-assessment page, the what-if, the diagnosis PDF and their JSON equivalents."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from pdf_check import rasterise, read_pdf
from tidu.core.testing import make_enterprise, make_user
from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.selectors import evaluation_record
from tidu.ladder.assessment import packs, today_shanghai
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm() -> Any:
    return make_climbing_firm()


@pytest.fixture
def staff(firm: Any) -> Client:
    client = Client()
    client.force_login(make_user("firm-a", "enterprise", enterprise=firm))
    return client


@pytest.fixture
def other_firm() -> Any:
    return make_climbing_firm(name="另一家企业有限公司")


def verdicts(html: str) -> dict[str, str]:
    """{standard: verdict text} as the summary shows them."""
    return dict(re.findall(r'data-standard="(\w+)">([^<]+)<', html))


# --- permissions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/ladder/firm/{code}/", "/ladder/firm/{code}/report.pdf"])
def test_a_firm_never_sees_another_firms_assessment(staff: Client, other_firm: Any, path: str) -> None:
    assert staff.get(path.format(code=other_firm.credit_code)).status_code == 404


def test_a_firm_cannot_run_a_what_if_on_another_firm(staff: Client, other_firm: Any) -> None:
    response = staff.post(f"/ladder/firm/{other_firm.credit_code}/what-if/", {"rd_y1": "300"})
    assert response.status_code == 404
    assert other_firm.name not in response.content.decode()


def test_the_api_hides_another_firm_and_shows_only_ones_own(staff: Client, firm: Any, other_firm: Any) -> None:
    assert staff.get(f"/api/v1/ladder/firms/{other_firm.credit_code}").status_code == 404
    me = staff.get("/api/v1/ladder/me").json()
    assert me["credit_code"] == firm.credit_code
    assert me["calendar"][0]["title"] == "年度数据更新截止"


def test_anonymous_visitors_are_sent_to_log_in_and_the_api_refuses_them(firm: Any) -> None:
    client = Client()
    assert client.get("/ladder/").status_code == 302
    assert client.get("/api/v1/ladder/me").status_code == 401
    assert client.post("/api/v1/ladder/what-if", "{}", content_type="application/json").status_code == 401


def test_officials_open_firms_of_their_county_only(firm: Any) -> None:
    county, elsewhere = Client(), Client()
    county.force_login(make_user("nanshan", "government", level="county", region="440305"))
    elsewhere.force_login(make_user("futian", "government", level="county", region="440304"))
    assert county.get(f"/ladder/firm/{firm.credit_code}/").status_code == 200
    assert elsewhere.get(f"/ladder/firm/{firm.credit_code}/").status_code == 404
    assert elsewhere.get(f"/api/v1/ladder/firms/{firm.credit_code}").status_code == 404


def test_my_ladder_is_for_firm_staff(firm: Any) -> None:
    official = Client()
    official.force_login(make_user("nanshan", "government", level="county", region="440305"))
    assert official.get("/ladder/").status_code == 403
    assert official.get("/api/v1/ladder/me").status_code == 403


# --- the page ------------------------------------------------------------------------------------

def test_the_page_shows_the_engines_verdict_for_every_standard(staff: Client, firm: Any) -> None:
    html = staff.get("/ladder/").content.decode()
    expected = packs().explain(evaluation_record(firm, 2026), today=today_shanghai())
    shown = verdicts(html)
    assert shown == {r.standard: {"true": "符合", "false": "不符合", "unknown": "无法判断"}[r.qualified.value]
                     for r in expected}
    assert shown["specialized_sme"] == "不符合" and shown["innovative_sme"] == "符合"


def test_the_page_explains_each_standard(staff: Client) -> None:
    html = staff.get("/ladder/").content.decode()
    assert '<svg class="radar"' in html  # the scoring groups of 创新型中小企业 as a radar chart
    assert "创新能力" in html and "成长性" in html
    assert "近2年研发费用总额均不低于100万元" in html  # the failing condition of 专精特新
    assert "✗ 不满足" in html
    assert "改进建议" in html and "研发费用总额" in html  # gaps as an action list
    assert "暂按" in html  # provisional editions are marked
    assert 'name="rd_y1"' in html and 'value="60"' in html  # the what-if starts from the firm's 60万元
    assert "<script src=\"http" not in html and "cdn" not in html.lower()


def test_a_firm_without_figures_is_told_to_fill_them_in() -> None:
    bare = make_enterprise("440305")
    client = Client()
    client.force_login(make_user("bare", "enterprise", enterprise=bare))
    assert "尚无年度数据" in client.get("/ladder/").content.decode()


# --- what-if -------------------------------------------------------------------------------------

def test_what_if_returns_the_new_verdicts_as_a_partial_and_saves_nothing(staff: Client, firm: Any) -> None:
    before = list(EnterpriseYear.objects.filter(enterprise=firm).values())
    response = staff.post("/ladder/what-if/", {"rd_y1": "300"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="ladder-live"' in html  # only the swapped part
    assert verdicts(html)["specialized_sme"] == "符合"
    assert "以下为假设结果，尚未保存" in html
    assert list(EnterpriseYear.objects.filter(enterprise=firm).values()) == before
    assert verdicts(staff.get("/ladder/").content.decode())["specialized_sme"] == "不符合"


def test_what_if_without_javascript_renders_the_whole_page(staff: Client) -> None:
    html = staff.post("/ladder/what-if/", {"rd_y1": "300"}).content.decode()
    assert "<html" in html and verdicts(html)["specialized_sme"] == "符合"


@pytest.mark.parametrize(("data", "message"), [
    ({"rd_y1": "abc"}, "不是有效的金额"),
    ({"rd_y1": "1.23456"}, "小数位超过4位"),
    ({"rd_y1": "-5"}, "金额不能为负数"),
    ({"staff_total_y1": "10", "rd_staff_y1": "20"}, "不能大于职工总数"),
    ({"ip_c1_count": "三"}, "不是有效的数字"),
])
def test_what_if_explains_bad_figures_in_chinese(staff: Client, data: dict[str, str], message: str) -> None:
    html = staff.post("/ladder/what-if/", data, HTTP_HX_REQUEST="true").content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "以下为假设结果" not in html  # the firm's own figures stay on show


def test_api_what_if_returns_updated_verdicts_without_writing(staff: Client, firm: Any) -> None:
    response = staff.post("/api/v1/ladder/what-if", json.dumps({"rd_y1": "300"}), content_type="application/json")
    assert response.status_code == 200
    by_std = {s["standard"]: s for s in response.json()["standards"]}
    assert by_std["specialized_sme"]["qualified"] == "true"
    assert EnterpriseYear.objects.get(enterprise=firm, fiscal_year=2025).rd == 600_000
    me = {s["standard"]: s for s in staff.get("/api/v1/ladder/me").json()["standards"]}
    assert me["specialized_sme"]["qualified"] == "false"
    assert me["specialized_sme"]["gaps"], "the API lists the gaps too"


def test_api_what_if_rejects_bad_figures_with_codes(staff: Client) -> None:
    response = staff.post("/api/v1/ladder/what-if", json.dumps({"rd_y1": "abc"}), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation" and body["problems"][0]["field"] == "rd_y1"
    assert "不是有效的金额" in body["message"]


# --- the PDF -------------------------------------------------------------------------------------

def test_the_diagnosis_pdf_carries_real_chinese_text_in_an_embedded_font(staff: Client, firm: Any) -> None:
    response = staff.get("/ladder/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = read_pdf(response.content)
    text = re.sub(r"\s", "", pdf.text)  # lines wrap, and a line changes font subset mid-word
    assert pdf.embedded >= 1  # the font travels with the file: readable on any machine
    for label in ("梯度培育诊断报告", firm.name, "评估概览", "专精特新中小企业认定标准", "不符合", "评分指标",
                  "条件", "改进建议", "所用标准版本", f"报告日期 {today_shanghai():%Y-%m-%d}"):
        assert label.replace(" ", "") in text, label
    chinese = {c for c in pdf.text if "\u4e00" <= c <= "\u9fff"}
    assert len(chinese) > 100
    assert chinese <= pdf.outlined, "every Chinese character has a real glyph outline (no tofu)"
    shown = rasterise(response.content, artifact="diagnosis-report")  # painted with no Chinese font installed
    assert shown.problems(pdf.text) == []
    assert "梯度培育诊断报告" in shown.text and firm.name in re.sub(r"\s", "", shown.text)


def test_the_page_names_the_rung_reached_and_the_next_one(staff: Client) -> None:
    html = staff.get("/ladder/").content.decode()
    assert re.search(r'id="tiers">目前可达到的最高梯度：<b>(科技型|创新型)中小企业</b>；下一步目标：<b>专精特新中小企业</b>', html)


def test_the_page_lists_the_firms_recognitions_with_days_to_expiry(staff: Client, firm: Any,
                                                                    other_firm: Any) -> None:
    import datetime as dt

    from tidu.journey.models import Recognition

    today = today_shanghai()
    Recognition.objects.create(enterprise=firm, tier="innovative_sme", number="CX-2025-0001",
                               valid_from=today - dt.timedelta(days=300), valid_until=today + dt.timedelta(days=65))
    Recognition.objects.create(enterprise=other_firm, tier="specialized_sme", number="ZJTX-2025-0009",
                               valid_from=today, valid_until=today + dt.timedelta(days=1000))
    html = staff.get("/ladder/").content.decode()
    assert "CX-2025-0001" in html and ">65<" in html
    assert "ZJTX-2025-0009" not in html


def test_the_ladder_endpoints_are_documented_in_openapi(staff: Client) -> None:
    paths = staff.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/ladder/me", "/api/v1/ladder/what-if", "/api/v1/ladder/firms/{credit_code}"} <= set(paths)


def test_the_calendar_gives_guangdongs_30_april_update_and_each_recognitions_expiry() -> None:
    import datetime as dt

    from tidu.ladder.dates import annual_update_due, calendar_of

    assert annual_update_due("440305", dt.date(2026, 12, 1)) == dt.date(2027, 4, 30)
    assert annual_update_due("440305", dt.date(2026, 4, 30)) == dt.date(2026, 4, 30)
    assert annual_update_due("110105", dt.date(2026, 5, 1)) == dt.date(2026, 5, 31)  # national: 31 May
    rec = {"tier_label": "创新型中小企业", "number": "CX-1", "valid_until": dt.date(2027, 1, 10), "expired": False}
    entries = calendar_of("440305", [rec], dt.date(2026, 12, 1))
    assert [(e["date"], e["days"], e["soon"]) for e in entries] == [
        (dt.date(2027, 1, 10), 40, True), (dt.date(2027, 4, 30), 150, False)]
    assert "认定到期" in entries[0]["title"]


def test_each_jurisdiction_sets_its_own_annual_update_deadline(settings: Any) -> None:
    """domain/tiers.md: the deadline varies by province; the longest matching region prefix wins."""
    import datetime as dt

    from django.core.exceptions import ImproperlyConfigured

    from tidu.ladder.dates import annual_update_due

    settings.ANNUAL_UPDATE_DUE = {"": "05-31", "44": "04-30", "4403": "03-31"}
    day = dt.date(2026, 12, 1)
    assert annual_update_due("440305", day) == dt.date(2027, 3, 31)  # Shenzhen's own date
    assert annual_update_due("440106", day) == dt.date(2027, 4, 30)  # the rest of Guangdong
    assert annual_update_due("320102", day) == dt.date(2027, 5, 31)  # national default
    settings.ANNUAL_UPDATE_DUE = {"44": "04-30"}
    with pytest.raises(ImproperlyConfigured, match="全国缺省值"):
        annual_update_due("320102", day)
    settings.ANNUAL_UPDATE_DUE = {"": "5/31"}
    with pytest.raises(ImproperlyConfigured, match="MM-DD"):
        annual_update_due("320102", day)
