"""我的梯度 and the diagnosis report say where each figure they use comes from (自报 / 已核实 / 来源：…)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from pdf_check import read_pdf
from tidu.core.testing import make_user
from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.services import enterprise_year_verify
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm() -> Any:
    ent = make_climbing_firm()
    county = make_user("county", "government", level="county", region="440305")
    enterprise_year_verify(actor=county, row=EnterpriseYear.objects.get(enterprise=ent, fiscal_year=2025),
                           fields=["rd", "revenue"])
    return ent


@pytest.fixture
def staff(firm: Any) -> Client:
    client = Client()
    client.force_login(make_user("firm-a", "enterprise", enterprise=firm))
    return client


def test_my_ladder_page_marks_the_saved_figures_it_assesses(staff: Client) -> None:
    html = staff.get("/ladder/").content.decode()
    assert re.search(r'id="marks-tally">评估所用数据：自报 \d+ 项 · 已核实 2 项', html)
    label = re.search(r'<label for="wi-rd_y1">([^<]*)<span class="mark mark-(\w+)"', html)
    assert label is not None and label.group(2) == "verified"
    label = re.search(r'<label for="wi-rd_y2">([^<]*)<span class="mark mark-(\w+)"', html)
    assert label is not None and label.group(2) == "self"


def test_the_diagnosis_report_lists_each_figure_with_its_mark(staff: Client) -> None:
    text = re.sub(r"\s", "", read_pdf(staff.get("/ladder/report.pdf").content).text)
    assert "评估所用数据及来源" in text
    assert "研发费用总额（2025年）60已核实" in text  # 60万元, verified by the county
    assert "研发费用总额（2024年）200自报" in text
