"""Each figure's provenance (自报 / 已核实 / 来源：…) is frozen with the application and shown to
reviewers; the printable application form (申报书) is generated from the frozen data only, so the
stamped paper copy and the online record cannot differ."""

from __future__ import annotations

import copy
import re

import pytest

from pdf_check import rasterise, read_pdf
from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.provenance import FROZEN_MARKS_KEY
from tidu.enterprises.services import enterprise_year_save, enterprise_year_verify
from tidu.journey import services
from tidu.journey.models import Application
from tidu.journey.testing import SECRET_REVENUE, World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FROZEN_REVENUE_WAN = "777,777.77"  # SECRET_REVENUE in 万元, as the form prints it
EDITED_REVENUE = 123_456_789_00  # 1,234,567.89 万元
# the same reach as the application itself (test_permissions.SEES_SUBMITTED_A)
SEES_SUBMITTED_A = {"firm_a": 200, "firm_b": 404, "county": 200, "county_c": 404, "city": 200, "city_gz": 404,
                    "province": 200, "province_zj": 404, "national": 200, "admin": 200, "large": 404,
                    "provider": 404}


def _verified_then_submitted(world: World) -> Application:
    app = world.draft("A")
    row = EnterpriseYear.objects.get(enterprise=world.firms["A"], fiscal_year=app.fiscal_year)
    enterprise_year_verify(actor=world.users["county"], row=row, fields=["revenue", "rd"])
    services.attachment_add(actor=world.users["firm_a"], application=app, name="营业执照.pdf", data=PDF,
                            kind="business_licence")
    services.attachment_add(actor=world.users["firm_a"], application=app, name="审计报告.pdf", data=PDF + b"%report",
                            kind="financial_report")
    services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    world.stamp(app)
    return services.application_submit(actor=world.users["firm_a"], application=app)


def _edit_after_submission(world: World, app: Application) -> None:
    enterprise_year_save(actor=world.users["firm_a"], enterprise=world.firms["A"], fiscal_year=app.fiscal_year,
                         values={"revenue": EDITED_REVENUE, "main_rev": EDITED_REVENUE - 1})


def test_each_figures_mark_is_frozen_at_submission_and_survives_later_edits(world: World) -> None:
    app = _verified_then_submitted(world)
    marks = app.frozen_figures[FROZEN_MARKS_KEY]
    assert marks["revenue_y1"]["kind"] == "verified" and marks["revenue_y1"]["by"] == "county"
    assert marks["rd_y1"]["kind"] == "verified"
    assert marks["main_rev_y1"] == {"kind": "self"} and marks["revenue_y2"] == {"kind": "self"}
    frozen = copy.deepcopy(app.frozen_figures)

    _edit_after_submission(world, app)
    live = EnterpriseYear.objects.get(enterprise=world.firms["A"], fiscal_year=app.fiscal_year)
    assert "revenue" not in live.figure_marks  # the register's figure is the firm's word again…
    app.refresh_from_db()
    assert app.frozen_figures == frozen  # …the application keeps what was verified when it was submitted
    api = world.bearer("county").get(f"/api/v1/journey/applications/{app.pk}").json()
    assert api["frozen_figures"][FROZEN_MARKS_KEY]["revenue_y1"]["kind"] == "verified"


def test_the_review_screen_shows_the_frozen_mark_of_each_figure(world: World) -> None:
    app = _verified_then_submitted(world)
    _edit_after_submission(world, app)
    html = world.client("county").get(f"/journey/applications/{app.pk}/").content.decode()
    revenue_mark = re.search(r'data-field="revenue_y1"><span class="mark mark-(\w+)"[^>]*>([^<]+)<', html)
    main_rev_mark = re.search(r'data-field="main_rev_y1"><span class="mark mark-(\w+)"[^>]*>([^<]+)<', html)
    assert revenue_mark is not None and revenue_mark.groups() == ("verified", "已核实")
    assert main_rev_mark is not None and main_rev_mark.groups() == ("self", "自报")
    assert 'id="application-form"' in html


def test_the_application_form_pdf_shows_the_frozen_values_and_marks_in_real_chinese_text(world: World) -> None:
    app = _verified_then_submitted(world)
    _edit_after_submission(world, app)
    for response in (world.client("firm_a").get(f"/journey/applications/{app.pk}/form.pdf"),
                     world.bearer("county").get(f"/api/v1/journey/applications/{app.pk}/form.pdf")):
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pdf = read_pdf(response.content)
        text = re.sub(r"\s", "", pdf.text)
        assert pdf.embedded >= 1
        for label in ("专精特新中小企业申报书", "企业A有限公司", "一、企业数据", "二、自评结果", "三、附件清单",
                      "营业执照.pdf", "审计报告.pdf", "四、真实性承诺", "本企业郑重承诺", "企业盖章", "法定代表人签字", "日期",
                      "已核实", "自报", f"TIDU-{app.pk}"):
            assert label in text, label
        assert FROZEN_REVENUE_WAN in text  # the value frozen at submission…
        assert "1,234,567.89" not in text  # …never the figure the firm typed afterwards
        assert "盖章申报书.pdf" not in text  # the stamped copy is made from this paper, never listed on it
        chinese = {c for c in pdf.text if "\u4e00" <= c <= "\u9fff"}
        assert len(chinese) > 100
        assert chinese <= pdf.outlined, "every Chinese character has a real glyph outline (no tofu)"
        shown = rasterise(response.content, artifact="application-form")  # painted with no Chinese font installed
        assert shown.problems(pdf.text) == []
        assert "专精特新中小企业申报书" in shown.text and "本企业郑重承诺" in shown.text


def test_the_form_is_the_same_document_before_and_after_the_firm_edits_its_figures(world: World) -> None:
    app = _verified_then_submitted(world)
    before = read_pdf(world.client("firm_a").get(f"/journey/applications/{app.pk}/form.pdf").content).text
    _edit_after_submission(world, app)
    after = read_pdf(world.client("firm_a").get(f"/journey/applications/{app.pk}/form.pdf").content).text
    assert before == after
    assert app.frozen_figures["revenue_y1"] == SECRET_REVENUE


@pytest.mark.parametrize(("who", "status"), SEES_SUBMITTED_A.items())
def test_who_may_download_the_application_form(world: World, who: str, status: int) -> None:
    app = world.submitted("A")
    assert world.client(who).get(f"/journey/applications/{app.pk}/form.pdf").status_code == status
    assert world.bearer(who).get(f"/api/v1/journey/applications/{app.pk}/form.pdf").status_code == status


def test_an_unlocked_draft_has_no_application_form_yet(world: World) -> None:
    app = world.draft("A")
    response = world.bearer("firm_a").get(f"/api/v1/journey/applications/{app.pk}/form.pdf")
    assert response.status_code == 400 and "锁定后才能生成申报书" in response.json()["message"]
    assert world.client("firm_b").get(f"/journey/applications/{app.pk}/form.pdf").status_code == 404


def test_the_demo_has_applications_whose_frozen_figures_were_verified_by_the_county() -> None:
    from django.core.management import call_command

    call_command("seed_demo", firms=300, stdout=None)
    frozen_kinds = {m["kind"] for app in Application.objects.exclude(status="draft")
                    for m in app.frozen_figures.get(FROZEN_MARKS_KEY, {}).values()}
    assert frozen_kinds == {"self", "verified", "platform"}  # titles held: the demo's recognition records
