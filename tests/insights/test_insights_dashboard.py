"""梯度看板: the counts are the engine's verdicts, officials see their jurisdiction only, small cells are withheld."""

from __future__ import annotations

import io
import random
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tidu.core.errors import TiduError
from tidu.core.testing import make_enterprise, make_user, make_year
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import evaluation_record
from tidu.insights import selectors
from tidu.insights.models import Standing
from tidu.insights.services import refresh_standings
from tidu.ladder.assessment import packs

pytestmark = pytest.mark.django_db
LADDER_STANDARDS = ("tech_sme", "innovative_sme", "specialized_sme", "little_giant")


def _explained(ent: Enterprise, year: int) -> tuple[dict[str, Any], dict[str, str]]:
    """The firm's record and the Python explainer's verdicts (not the batch path the refresh uses)."""
    record = evaluation_record(ent, year)
    result = packs().explain(record)
    return record, {s: result.standards[s].qualified.value for s in LADDER_STANDARDS}


def _expected_rungs(year: int, prefix: str = "") -> tuple[Counter[int], Counter[int]]:
    """(rung held, highest rung the engine says the firm meets) counted over the register, by the ladder:
    小巨人 3, 专精特新 2, 科技型 or 创新型 1, else 0."""
    held: Counter[int] = Counter()
    reach: Counter[int] = Counter()
    firms = Enterprise.objects.filter(region__code__startswith=prefix, years__fiscal_year=year - 1)
    for ent in firms:
        record, v = _explained(ent, year)
        held[3 if record["cert_little_giant_valid"] else 2 if record["cert_specialized_valid"]
             else 1 if record["cert_tech_sme_valid"] or record["cert_innovative_valid"] else 0] += 1
        reach[3 if v["little_giant"] == "true" else 2 if v["specialized_sme"] == "true"
              else 1 if "true" in (v["tech_sme"], v["innovative_sme"]) else 0] += 1
    return held, reach


def _reach_counts(scope: selectors.Scope) -> Counter[int]:
    return Counter(dict(Counter(selectors.standings(scope).values_list("rung_reachable", flat=True))))


def test_the_demo_dashboard_counts_equal_the_engines_verdicts() -> None:
    call_command("seed_demo", firms=300, stdout=None)  # seed_insights refreshes the standings
    admin = make_user("ins_admin", "platform")
    scope = selectors.scope_for(admin)
    assert scope.year is not None and len(scope.years) >= 3
    held, reach = _expected_rungs(scope.year)
    pyramid = selectors.pyramid(scope).series[0]["data"]
    assert pyramid == [held[r] for r in range(4)]
    assert sum(pyramid) == EnterpriseYear.objects.filter(fiscal_year=scope.year - 1).count()
    assert _reach_counts(scope) == reach
    # a firm "one step away" qualifies for the next rung once the engine's step is taken
    stepped = Standing.objects.filter(year=scope.year, one_step=True).select_related("enterprise")
    assert stepped.exists()
    for s in stepped:
        record = evaluation_record(s.enterprise, s.year)
        standard = s.step[0]["standard"]
        assert packs().explain(record, standards=[standard]).standards[standard].qualified.value != "true"
        changed = {**record, **{c["field"]: _typed(record, c["field"], c["new"]) for c in s.step}}
        assert packs().explain(changed, standards=[standard]).standards[standard].qualified.value == "true"
    # every stored verdict is the explainer's, firm by firm
    for s in Standing.objects.filter(year=scope.year).select_related("enterprise"):
        _record, v = _explained(s.enterprise, s.year)
        assert (s.v_tech_sme, s.v_innovative_sme, s.v_specialized_sme, s.v_little_giant) == tuple(
            v[k] for k in LADDER_STANDARDS), s.enterprise.credit_code


def _typed(record: dict[str, Any], field: str, text: str) -> Any:
    """A step's new value (canonical text) as the record's type."""
    old = record.get(field)
    if isinstance(old, bool) or text in ("是", "否"):
        return text == "是"
    if isinstance(old, int):
        return int(Decimal(text))
    return Decimal(text) if text is not None else None


def _generated_register(n: int, seed: int = 7) -> None:
    """Firms of two counties with three years of varied figures and declared titles."""
    rng = random.Random(seed)
    for i in range(n):
        ent = make_enterprise("440305" if i % 3 else "440304", name=f"生成企业{i:03d}", industry_code="C3484",
                              independent_legal_person=True, registered_in_mainland=True)
        for fy in (2023, 2024, 2025):
            revenue = rng.randrange(5, 400) * 1_000_000
            make_year(ent, fy, revenue=revenue, main_rev=revenue * rng.randrange(60, 100) // 100,
                      rd=revenue * rng.randrange(0, 12) // 100, employees=rng.randrange(10, 900),
                      staff_total=rng.randrange(10, 900), total_assets=revenue * 2,
                      invention_patent_count=rng.randrange(0, 8), ip_c1_count=rng.randrange(0, 8),
                      cert_innovative_valid=rng.random() < 0.4, cert_specialized_valid=rng.random() < 0.2,
                      abnormal_list=False, serious_dishonest_list=False, prohibited_product=False,
                      major_incident_3y=False, tax_violation_3y=False)


def test_the_counts_of_a_generated_register_equal_the_engines_verdicts() -> None:
    _generated_register(24)
    refresh_standings()
    admin = make_user("ins_admin2", "platform")
    for year in (2024, 2025, 2026):
        scope = selectors.scope_for(admin, year=year)
        held, reach = _expected_rungs(year)
        assert selectors.pyramid(scope).series[0]["data"] == [held[r] for r in range(4)], year
        assert _reach_counts(scope) == reach, year
    years = selectors.pyramid_years(selectors.scope_for(admin))
    assert years.categories == ["2024", "2025", "2026"]
    assert [sum(s["data"][i] for s in years.series) for i in range(3)] == [24, 24, 24]


def test_an_official_sees_only_their_jurisdiction() -> None:
    _generated_register(12)
    refresh_standings()
    county = make_user("ins_county", "government", level="county", region="440305")
    scope = selectors.scope_for(county)
    assert scope.prefix == "440305"
    assert set(selectors.standings(scope).values_list("region_code", flat=True)) == {"440305"}
    assert sum(selectors.pyramid(scope).series[0]["data"]) == 8  # two firms in three are in 440305
    with pytest.raises(TiduError):
        selectors.scope_for(county, region="440304")
    with pytest.raises(TiduError):
        selectors.scope_for(county, region="44")
    client = Client()
    client.force_login(county)
    assert client.get("/insights/?region=440304").status_code == 404
    assert client.get("/insights/export/pyramid.xlsx?region=440304").status_code == 404
    page = client.get("/insights/").content.decode()
    other = Enterprise.objects.filter(region_id="440304").values_list("name", flat=True)
    assert all(name not in page for name in other)
    firm_user = make_user("ins_firm", "enterprise", enterprise=Enterprise.objects.first())
    client.force_login(firm_user)
    assert client.get("/insights/").status_code == 403


def test_cells_of_fewer_than_five_firms_are_withheld_in_breakdowns_and_exports() -> None:
    for i in range(3):
        make_year(make_enterprise("440304", name=f"小格企业{i}"), 2025)
    for i in range(6):
        make_year(make_enterprise("440305", name=f"大格企业{i}"), 2025)
    refresh_standings()
    city = make_user("ins_city", "government", level="city", region="440300")
    scope = selectors.scope_for(city)
    chart = selectors.by_region(scope)
    sme = dict(zip(chart.links, chart.series[0]["data"], strict=True))
    assert sme == {"440304": None, "440305": 6}  # 3 firms could be pointed at; 6 cannot
    assert selectors.pyramid(scope).series[0]["data"][0] == 9  # the city's own total is shown
    innovation = selectors.innovation(scope)
    assert [s["data"][0] for s in innovation.series] == [None, None, None]  # 440304: 3 firms
    client = Client()
    client.force_login(city)
    response = client.get("/insights/export/by_region.xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert rows["南山区"] == 6 and rows["福田区"] == "<5"


def test_the_dashboard_page_drills_and_prints_a_chinese_pdf() -> None:
    _generated_register(9)
    refresh_standings()
    province = make_user("ins_province", "government", level="province", region="440000")
    client = Client()
    client.force_login(province)
    page = client.get("/insights/").content.decode()
    assert "广东省梯度看板" in page and 'href="?region=4403&amp;year=2026"' in page
    assert "echarts.min.js" in page and "<script>" not in page  # scripts are static files only
    city = client.get("/insights/?region=4403").content.decode()
    assert 'href="?region=440305&amp;year=2026"' in city
    county = client.get("/insights/?region=440305").content.decode()
    assert "南山区梯度看板" in county
    pdf = client.get("/insights/report.pdf?region=4403")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdfium2 import PdfDocument

    text = "".join(p.get_textpage().get_text_range() for p in PdfDocument(pdf.content))
    assert "梯度金字塔" in text and "深圳市" in text


def test_a_refresh_is_a_job_and_is_audited() -> None:
    from tidu.core.models import AuditEvent
    from tidu.jobs.models import Job

    _generated_register(3)
    county = make_user("ins_county2", "government", level="county", region="440305")
    client = Client()
    client.force_login(county)
    response = client.post("/insights/refresh/")
    job = Job.objects.get(kind="insights_refresh")
    assert response.status_code == 302 and job.params == {"prefix": "440305"}
    assert job.status == "succeeded"
    assert set(Standing.objects.values_list("region_code", flat=True)) == {"440305"}
    assert AuditEvent.objects.filter(action="insights.refresh_submit", actor=county).exists()


def _all_cells() -> list[tuple[Any, ...]]:
    from tidu.insights.models import Cell

    return sorted(Cell.objects.values_list("year", "node", "dim", "key", "rung", "firms", "reachable", "at_risk",
                                           "one_step", "expiring", "moved_up", "moved_down", "rd", "revenue"))


def test_a_refresh_after_an_import_touches_only_the_imported_firms_and_equals_a_full_refresh() -> None:
    _generated_register(15)
    refresh_standings()
    moved = Enterprise.objects.filter(region_id="440304").first()
    assert moved is not None
    EnterpriseYear.objects.filter(enterprise=moved, fiscal_year=2025).update(
        cert_specialized_valid=True, cert_innovative_valid=True, revenue=10_000_000_000)
    untouched = Standing.objects.exclude(enterprise=moved).order_by("pk").values_list("pk", flat=True)
    before = list(untouched)
    refresh_standings(enterprise_ids=[moved.pk])
    assert list(untouched) == before  # the other firms' standings were not rewritten
    assert Standing.objects.get(enterprise=moved, year=2026).rung_held == 2
    incremental = _all_cells()
    refresh_standings()
    assert _all_cells() == incremental


def test_the_api_gives_the_charts_of_the_callers_jurisdiction_only() -> None:
    _generated_register(9)
    refresh_standings()
    county = make_user("ins_api_county", "government", level="county", region="440305")
    client = Client()
    client.force_login(county)
    body = client.get("/api/v1/insights/charts").json()
    assert body["region"] == "440305" and body["region_name"] == "南山区"
    [pyramid] = [c for c in body["charts"] if c["id"] == "pyramid"]
    assert sum(pyramid["series"][0]["data"]) == 6  # two firms in three of the generated register
    assert client.get("/api/v1/insights/charts?region=440304").status_code == 404
