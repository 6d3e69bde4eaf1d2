"""The sample library and paths, browsing and search, recommendations with reasons, and maintenance
by officials (edit, Excel import with row errors and nothing written on error)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from tidu.core.testing import make_enterprise, make_user
from tidu.enterprises.models import EnterpriseYear
from tidu.scenarios.models import AREAS, FIELDS, IndustryPath, Scenario
from tidu.scenarios.selectors import path_for_industry, recommend_for_firm, scenario_search
from tidu.scenarios.services import PATH_COLUMNS, SCENARIO_COLUMNS, library_seed_samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def library() -> None:
    library_seed_samples()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_sample_library_covers_every_business_area_and_field(library: None) -> None:
    scenarios = list(Scenario.objects.all())
    assert len(scenarios) >= 40
    assert {s.area for s in scenarios} == {a for a, _ in AREAS}
    assert {s.field for s in scenarios} == {f for f, _ in FIELDS}
    assert all(s.is_sample for s in scenarios)
    for area, _label in AREAS:  # every area has scenarios in more than one field
        assert len({s.field for s in scenarios if s.area == area}) >= 2


def test_the_sample_paths_cover_eight_sub_industries_across_divisions(library: None) -> None:
    paths = list(IndustryPath.objects.all())
    assert len(paths) >= 8 and len({p.division for p in paths}) >= 8
    assert len({p.division[0] for p in paths}) >= 3  # manufacturing and services sections
    known = set(Scenario.objects.values_list("code", flat=True))
    for path in paths:
        assert [s["level"] for s in path.stages] == [1, 2, 3, 4], path.code
        assert all(s["cost"] and s["benefit"] and s["focus"] for s in path.stages)
        assert set(path.scenario_list) <= known and path.cases.startswith("示例")


def test_seeding_twice_adds_nothing(library: None) -> None:
    assert library_seed_samples() == (0, 0)


def test_sample_content_is_marked_in_the_pages(library: None) -> None:
    client = client_for(make_user("viewer", "enterprise", enterprise=make_enterprise()))
    assert "示例" in client.get(reverse("scenarios:list")).content.decode()
    assert "示例" in client.get(reverse("scenarios:path", args=["P-C34"])).content.decode()


def test_search_by_colloquial_text_and_filters(library: None) -> None:
    hits = scenario_search(q="次品太多，人工检查漏检")
    assert hits[0].scenario.code == "S08" and hits[0].matched
    assert {h.scenario.area for h in scenario_search(area="研发设计")} == {"研发设计"}
    assert {h.scenario.field for h in scenario_search(field="embodied")} == {"embodied"}
    software = scenario_search(industry="I6513")
    assert all(set(h.scenario.industry_list) & {"*", "I65", "I64", "I63"} for h in software)
    assert all(h.scenario.min_level <= 1 for h in scenario_search(level=1))


def test_the_list_page_searches_in_chinese(library: None) -> None:
    client = client_for(make_user("viewer", "enterprise", enterprise=make_enterprise()))
    page = client.get(reverse("scenarios:list"), {"q": "只能排产", "area": "生产运维"}).content.decode()
    assert "智能排产与动态调度" in page and "财务票据" not in page


def test_a_firm_finds_the_path_of_its_sub_industry(library: None) -> None:
    assert path_for_industry("C3484").code == "P-C34"  # type: ignore[union-attr]
    assert path_for_industry("I6513").code == "P-I65"  # type: ignore[union-attr]
    assert path_for_industry("H6210") is None
    firm = make_enterprise(industry_code="C2929")
    client = client_for(make_user("plastics", "enterprise", enterprise=firm))
    response = client.get(reverse("scenarios:my_path"))
    assert response["Location"] == reverse("scenarios:path", args=["P-C29"])


def test_recommendations_rank_for_industry_level_and_pain_points_with_reasons(library: None) -> None:
    firm = make_enterprise(industry_code="C3311")
    EnterpriseYear.objects.create(enterprise=firm, fiscal_year=2025, digital_level=1)
    hits = recommend_for_firm(enterprise=firm, pain_points="焊工招不到，焊缝质量不稳定")
    assert hits[0].scenario.code == "S45"
    reasons = " ".join(hits[0].reasons)
    assert "与您描述的问题相关" in reasons and "焊" in reasons
    assert "适用于您的行业（C3311" in reasons
    assert "列入“金属制品" in reasons
    assert all(h.scenario.min_level <= 2 for h in hits)  # at most one level above the firm's
    assert len(hits) == 10


def test_recommendations_without_pain_points_follow_industry_and_level(library: None) -> None:
    firm = make_enterprise(industry_code="I6513")
    hits = recommend_for_firm(enterprise=firm, pain_points="")
    assert hits and all(set(h.scenario.industry_list) & {"*", "I65", "I64"} for h in hits[:5])
    assert all(h.reasons for h in hits)


def test_officials_edit_a_scenario_and_search_sees_it_at_once(library: None) -> None:
    official = make_user("city", "government", level="city", region="440300")
    client = client_for(official)
    form = client.get(reverse("scenarios:edit", args=["S12"]))
    assert form.status_code == 200
    s = Scenario.objects.get(code="S12")
    data = {f: getattr(s, f) for f in ("code", "title", "area", "field", "industries", "min_level", "pain_points",
                                        "solution", "benefits", "cost")}
    data |= {"keywords": s.keywords + " 光伏屋顶", "active": "on"}
    assert client.post(reverse("scenarios:edit", args=["S12"]), data).status_code == 302
    assert scenario_search(q="光伏屋顶")[0].scenario.code == "S12"
    bad = data | {"industries": "Z99"}
    assert "行业代码“Z99”无效" in client.post(reverse("scenarios:edit", args=["S12"]), bad).content.decode()


def test_firms_cannot_maintain_the_library(library: None) -> None:
    client = client_for(make_user("firm", "enterprise", enterprise=make_enterprise()))
    assert client.get(reverse("scenarios:edit", args=["S12"])).status_code == 403
    assert client.get(reverse("scenarios:import")).status_code == 403


SCENARIO_HEADERS = list(SCENARIO_COLUMNS)
GOOD_ROW = ["AI-001", "视觉引导的智能分拣", "生产运维", "智能装备", "C13,C14", "2", "分拣靠人工", "视觉分拣", "效率提升",
            "10万元", "分拣 视觉"]


def test_importing_scenarios_from_excel_creates_and_updates(library: None) -> None:
    client = client_for(make_user("province", "government", level="province", region="440000"))
    updated = ["S01", *GOOD_ROW[1:]]
    content = xlsx(SCENARIO_HEADERS, [GOOD_ROW, updated])
    upload = io.BytesIO(content)
    upload.name = "scenarios.xlsx"
    response = client.post(reverse("scenarios:import"), {"kind": "scenarios", "file": upload})
    assert response.status_code == 200 and "导入成功：新增 1 条，更新 1 条" in response.content.decode()
    new = Scenario.objects.get(code="AI-001")
    assert (new.field, new.min_level, new.industry_list, new.is_sample) == ("smart_equipment", 2, ["C13", "C14"], False)
    assert Scenario.objects.get(code="S01").title == "视觉引导的智能分拣"


def test_a_file_with_errors_writes_nothing_and_lists_every_problem_by_row_and_column(library: None) -> None:
    client = client_for(make_user("province", "government", level="province", region="440000"))
    rows = [
        GOOD_ROW,
        ["AI-002", "场景二", "市场营销", "智能装备", "C34", "5", "痛点", "方案", "", "", ""],
        ["AI-003", "", "生产运维", "元宇宙", "X99", "2", "痛点", "方案", "", "", ""],
        ["AI-001", *GOOD_ROW[1:]],
    ]
    upload = io.BytesIO(xlsx(SCENARIO_HEADERS, rows))
    upload.name = "bad.xlsx"
    before = Scenario.objects.count()
    response = client.post(reverse("scenarios:import"), {"kind": "scenarios", "file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "全部未写入" in page
    for expected in ("业务环节", "市场营销", "应为1～4", "场景名称", "必填", "元宇宙", "X99", "与第 2 行编号重复"):
        assert expected in page, expected
    assert Scenario.objects.count() == before and not Scenario.objects.filter(code="AI-001").exists()


def test_a_missing_column_is_reported_before_any_row(library: None) -> None:
    from tidu.scenarios.services import library_import

    official = make_user("province", "government", level="province", region="440000")
    result = library_import(actor=official, kind="scenarios", content=xlsx(SCENARIO_HEADERS[:3], [GOOD_ROW[:3]]),
                            filename="x.xlsx")
    assert not result.ok and any("缺少必需的列“领域”" in p.message for p in result.problems)


def test_importing_paths_one_row_per_stage(library: None) -> None:
    from tidu.scenarios.services import library_import

    official = make_user("province", "government", level="province", region="440000")
    headers = list(PATH_COLUMNS)
    base = ["P-C40", "仪器仪表制造", "C40", "C40", "精度要求高", "检测数据多", "示例", "S41"]
    rows = [[*base, str(lvl), f"阶段{lvl}", f"任务{lvl}", "方案", "产品", "1万元", "成效"] for lvl in (2, 1, 3, 4)]
    result = library_import(actor=official, kind="paths", content=xlsx(headers, rows), filename="paths.xlsx")
    assert result.ok and result.created == 1
    path = IndustryPath.objects.get(code="P-C40")
    assert [s["level"] for s in path.stages] == [1, 2, 3, 4] and path.scenario_list == ["S41"]
    rows.append([*base, "2", "重复", "任务", "", "", "", ""])
    result = library_import(actor=official, kind="paths", content=xlsx(headers, rows), filename="paths.xlsx")
    assert not result.ok and "2级阶段与第 2 行重复" in result.problems[0].message


def test_the_api_searches_and_recommends_under_the_same_rules(library: None) -> None:
    firm = make_enterprise(industry_code="C2929")
    client = client_for(make_user("plastics", "enterprise", enterprise=firm))
    found = client.get("/api/v1/scenarios/", {"q": "电费太贵"}).json()
    assert found[0]["code"] == "S12" and found[0]["sample"] is True
    recommended = client.get("/api/v1/scenarios/recommendations", {"pain": "注塑机调参数靠老师傅"}).json()
    assert "S11" in [r["code"] for r in recommended[:3]] and recommended[0]["reasons"]
    official = client_for(make_user("city", "government", level="city", region="440300"))
    assert official.get("/api/v1/scenarios/recommendations").status_code == 403
    assert len(official.get("/api/v1/scenarios/paths").json()) >= 8


def test_officials_edit_a_path_stage_by_stage_in_the_ui(library: None) -> None:
    client = client_for(make_user("city", "government", level="city", region="440300"))
    page = client.get(reverse("scenarios:path_edit", args=["P-C29"]))
    assert page.status_code == 200 and "打基础" not in page.content.decode()  # C29 stage titles differ
    data = {"code": "P-C29", "name": "塑料制品", "division": "C29", "industries": "C29", "summary": "设备密集",
            "pain_points": "电费高", "cases": "示例", "scenario_codes": "S11,S12"}
    data |= {"s1-title": "记清楚", "s1-focus": "报工电子化", "s3-title": "调得准", "s3-focus": "参数优化"}
    assert client.post(reverse("scenarios:path_edit", args=["P-C29"]), data).status_code == 302
    path = IndustryPath.objects.get(code="P-C29")
    assert [(s["level"], s["title"]) for s in path.stages] == [(1, "记清楚"), (3, "调得准")]
    assert path.scenario_list == ["S11", "S12"]
    bad = client.post(reverse("scenarios:path_edit", args=["P-C29"]), data | {"scenario_codes": "S11,S999"})
    assert "没有这些场景编号：S999" in bad.content.decode()
    firm = client_for(make_user("firm", "enterprise", enterprise=make_enterprise()))
    assert firm.post(reverse("scenarios:path_edit", args=["P-C29"]), data).status_code == 403


@pytest.mark.parametrize("kind", ["scenarios", "paths"])
def test_the_downloaded_template_imports_as_is(library: None, kind: str) -> None:
    client = client_for(make_user("province", "government", level="province", region="440000"))
    template = client.get(reverse("scenarios:import_template"), {"kind": kind})
    assert template.status_code == 200
    upload = io.BytesIO(template.content)
    upload.name = "template.xlsx"
    response = client.post(reverse("scenarios:import"), {"kind": kind, "file": upload})
    assert "导入成功：新增 1 条" in response.content.decode()
