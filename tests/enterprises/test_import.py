"""Import of firms and firm-years from the official's Excel template: all rows or none, every
problem listed with row, column (Chinese header), value and a Chinese reason; upsert on
credit code + fiscal year; only firms of the official's jurisdiction."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from tidu.accounts.models import Membership, Organisation
from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.enterprises.exports import import_template_xlsx
from tidu.enterprises.imports import Problem, enterprises_import
from tidu.enterprises.io_columns import column_by_key, columns
from tidu.enterprises.io_samples import rows_to_csv, rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise, EnterpriseYear

pytestmark = pytest.mark.django_db

SHENZHEN = ["440305", "440304", "440306"]  # 南山区, 福田区, 宝安区
YEARS = [2022, 2023, 2024, 2025]


def make_user(username: str, kind: str, level: str = "", region: str | None = None, enterprise: Any = None) -> Any:
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    org = Organisation.objects.create(kind=kind, name=username, gov_level=level, region_id=region, enterprise=enterprise)
    Membership.objects.create(user=user, organisation=org)
    return user


@pytest.fixture
def city_official() -> Any:
    return make_user("sz-city", "government", "city", "440300")


@pytest.fixture
def county_official() -> Any:
    return make_user("ns-county", "government", "county", "440305")


def header(key: str) -> str:
    return column_by_key(key).header


def run(user: Any, content: bytes, filename: str = "导入.xlsx") -> Any:
    return enterprises_import(user=user, content=content, filename=filename)


def problems_at(result: Any, row: int | None) -> list[Problem]:
    return [p for p in result.problems if p.row == row]


# ---------------------------------------------------------------------------------------------
# The template


def test_the_template_has_chinese_headers_with_units_and_a_sheet_explaining_every_column() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(import_template_xlsx()))
    assert workbook.sheetnames == ["企业年度数据", "填表说明"]
    headers = [c.value for c in next(workbook["企业年度数据"].iter_rows(max_row=1))]
    assert headers[:6] == ["统一社会信用代码", "企业名称", "注册地行政区划代码", "国民经济行业代码", "成立日期（日期）", "会计年度"]
    assert "营业收入（总额）（万元）" in headers
    assert "主营业务收入（万元）" in headers
    assert "从业人员数（期末）（人）" in headers
    assert len(headers) == len(columns()) == len(set(headers))
    explained = {row[0]: row[3] for row in workbook["填表说明"].iter_rows(values_only=True) if row and row[0] in headers}
    assert set(explained) == set(headers)
    assert "万元" in explained["营业收入（总额）（万元）"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in explained.values())


# ---------------------------------------------------------------------------------------------
# Good files


def test_a_good_file_of_1000_rows_is_written_in_full_with_money_exact_in_yuan(city_official: Any) -> None:
    rows = sample_rows(firms=250, years=YEARS, region_codes=SHENZHEN)
    assert len(rows) == 1000

    result = run(city_official, rows_to_xlsx(rows))

    assert result.problems == []
    assert result.ok
    assert (result.rows, result.enterprises_created, result.years_created) == (1000, 250, 1000)
    assert Enterprise.objects.count() == 250
    assert EnterpriseYear.objects.count() == 1000
    sample = rows[517]
    stored = EnterpriseYear.objects.get(enterprise__credit_code=sample["credit_code"], fiscal_year=sample["fiscal_year"])
    assert stored.revenue == int(sample["revenue"] * 10_000)
    assert stored.main_rev == int(sample["main_rev"] * 10_000)
    assert stored.net_profit == int(sample["net_profit"] * 10_000)
    assert stored.staff_total == sample["staff_total"]
    firm = stored.enterprise
    assert (firm.name, firm.region_id, firm.industry_code) == (sample["name"], sample["region"], sample["industry_code"])
    assert firm.source == "import"
    event = AuditEvent.objects.get(action="enterprise.import")
    assert event.actor == city_official
    assert event.data["enterprises_created"] == 250 and event.data["years_created"] == 1000


def test_re_uploading_a_corrected_file_updates_the_same_firm_years_and_never_duplicates(city_official: Any) -> None:
    rows = sample_rows(firms=30, years=YEARS, region_codes=SHENZHEN)
    assert run(city_official, rows_to_xlsx(rows)).ok

    corrected = [dict(r) for r in rows]
    for r in corrected[:10]:
        r["revenue"] = r["revenue"] + Decimal("1.2345")
    for r in corrected:
        if r["credit_code"] == rows[0]["credit_code"]:
            r["name"] = "更名后的示例公司"
    result = run(city_official, rows_to_xlsx(corrected))

    assert result.ok, result.problems
    assert (result.enterprises_created, result.years_created) == (0, 0)
    assert result.years_updated == 10
    assert result.enterprises_updated == 1
    assert Enterprise.objects.count() == 30
    assert EnterpriseYear.objects.count() == 120
    first = EnterpriseYear.objects.get(enterprise__credit_code=rows[0]["credit_code"], fiscal_year=rows[0]["fiscal_year"])
    assert first.revenue == int((rows[0]["revenue"] + Decimal("1.2345")) * 10_000)
    assert first.enterprise.name == "更名后的示例公司"
    assert AuditEvent.objects.filter(action="enterprise.import").count() == 2


def test_a_file_with_fewer_columns_updates_those_columns_and_leaves_the_others(city_official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    assert run(city_official, rows_to_xlsx(rows)).ok
    keys = ["credit_code", "name", "region", "industry_code", "fiscal_year", "rd"]
    slim = [{k: r[k] for k in keys} for r in rows]
    slim[0]["rd"] = Decimal("12.5")

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([header(k) for k in keys])
    for r in slim:
        sheet.append([float(r[k]) if isinstance(r[k], Decimal) else r[k] for k in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(city_official, buffer.getvalue())

    assert result.ok, result.problems
    year = EnterpriseYear.objects.get(enterprise__credit_code=rows[0]["credit_code"])
    assert year.rd == 125_000
    assert year.revenue == int(rows[0]["revenue"] * 10_000)  # not in the file: unchanged


def test_a_csv_saved_by_excel_in_gbk_is_read(city_official: Any) -> None:
    rows = sample_rows(firms=3, years=[2023, 2024], region_codes=SHENZHEN)
    result = run(city_official, rows_to_csv(rows, encoding="gb18030"), filename="导入.csv")

    assert result.ok, result.problems
    assert EnterpriseYear.objects.count() == 6
    assert Enterprise.objects.get(credit_code=rows[0]["credit_code"]).name == rows[0]["name"]


# ---------------------------------------------------------------------------------------------
# Bad files: every problem listed, nothing written


def bad_rows() -> list[dict[str, Any]]:
    """Row n of the list is spreadsheet row n + 2; each bad row has one kind of mistake."""
    good = sample_rows(firms=14, years=[2024], region_codes=SHENZHEN)
    rows = [dict(r) for r in good]
    rows[1]["credit_code"] = rows[1]["credit_code"][:17] + ("0" if rows[1]["credit_code"][17] != "0" else "1")
    rows[2]["region"] = "449999"  # no such county
    rows[3]["staff_total"] = "三百人"  # text in a number column
    rows[4]["revenue"] = Decimal("-100")  # negative revenue
    rows[5]["main_rev"] = rows[5]["revenue"] + 1  # main-business revenue above revenue
    rows.append(dict(rows[6]))  # duplicate firm-year (spreadsheet row 16 repeats row 8)
    rows[7]["total_assets"] = Decimal("1e30")  # a huge number
    rows[8]["region"] = "110108"  # 海淀区: outside the official's jurisdiction
    rows[9]["industry_code"] = "C9999"  # no such industry
    rows[10]["rd"] = Decimal("1.23456")  # more than 4 decimals of 万元
    rows[11]["market_share_domestic"] = Decimal("1.5")  # a fraction above 1
    rows[12]["tech_staff"] = rows[12]["staff_total"] + 1  # part above total
    rows[13]["founded_on"] = "2019-02-30"  # not a date
    return rows


def test_a_file_with_many_kinds_of_bad_rows_lists_every_problem_and_writes_nothing(city_official: Any) -> None:
    result = run(city_official, rows_to_xlsx(bad_rows()))

    assert not result.ok
    assert Enterprise.objects.count() == 0 and EnterpriseYear.objects.count() == 0
    assert problems_at(result, 2) == []  # the good first row is fine, yet not written

    def only(row: int) -> Problem:
        found = problems_at(result, row)
        assert len(found) == 1, found
        return found[0]

    p = only(3)
    assert (p.column, p.code) == ("统一社会信用代码", "credit_code_invalid") and "校验码" in p.message
    p = only(4)
    assert (p.column, p.value) == ("注册地行政区划代码", "449999") and "不存在" in p.message
    p = only(5)
    assert (p.column, p.value) == ("职工总数（人）", "三百人") and "不是数字" in p.message
    p = only(6)
    assert p.column == "营业收入（总额）（万元）" and "不能为负数" in p.message
    p = only(7)
    assert p.column == "主营业务收入（万元）" and "不能大于营业收入" in p.message
    p = only(9)
    assert p.column == "资产总额（上年末）（万元）" and "过大" in p.message
    p = only(10)
    assert p.column == "注册地行政区划代码" and "不在您的辖区内" in p.message
    p = only(11)
    assert (p.column, p.value) == ("国民经济行业代码", "C9999") and "GB/T 4754" in p.message
    p = only(12)
    assert p.column == "研发费用总额（万元）" and "小数位超过4位" in p.message
    p = only(13)
    assert p.column.startswith("主导产品国内（全国）细分市场占有率") and "0" in p.message and "1" in p.message
    p = only(14)
    assert p.column == "科技人员数（人）" and "不能大于职工总数" in p.message
    p = only(15)
    assert p.column == "成立日期（日期）" and "不是有效日期" in p.message
    p = only(16)
    assert p.column == "会计年度" and "与第 8 行重复" in p.message
    assert len(result.problems) == 13  # one for each bad row; the good rows 2 and 8 have none
    assert AuditEvent.objects.get(action="enterprise.import_rejected").data["problems"] == 13


def test_a_file_missing_a_required_column_is_rejected_with_the_column_named(city_official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    headers = [c.header if c.key != "region" else "备注" for c in columns()]
    result = run(city_official, rows_to_xlsx(rows, headers=headers))

    assert not result.ok
    missing = [p for p in result.problems if p.code == "column_missing"]
    assert [(p.row, p.column) for p in missing] == [(1, "注册地行政区划代码")]
    assert "缺少必需的列" in missing[0].message
    assert Enterprise.objects.count() == 0


def test_merged_header_cells_are_rejected(city_official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    workbook = openpyxl.load_workbook(io.BytesIO(rows_to_xlsx(rows)))
    sheet = workbook.worksheets[0]
    sheet.merge_cells("K1:M1")  # 营业收入 spanning three columns, as people do for "收入"
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(city_official, buffer.getvalue())

    assert not result.ok
    merged = [p for p in result.problems if p.code == "header_merged"]
    assert [(p.row, p.column) for p in merged] == [(1, "K1:M1")]
    assert "合并单元格" in merged[0].message
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize("content", ["nothing", "header only"])
def test_an_empty_sheet_is_rejected(city_official: Any, content: str) -> None:
    workbook = openpyxl.Workbook()
    if content == "header only":
        sheet = workbook.active
        assert sheet is not None
        sheet.append([c.header for c in columns()])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(city_official, buffer.getvalue())

    assert not result.ok
    assert [p.code for p in result.problems] == ["sheet_empty"]
    assert "为空" in result.problems[0].message or "没有数据行" in result.problems[0].message


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"", "a.xlsx", "空的"),
        (b"\xd0\xcf\x11\xe0old excel", "a.xls", ".xlsx"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "无法读取"),
        (b"%PDF-1.4", "a.pdf", "只支持"),
    ],
)
def test_files_that_are_not_workbooks_are_refused_with_a_chinese_reason(
    city_official: Any, content: bytes, filename: str, expected: str
) -> None:
    result = run(city_official, content, filename)

    assert not result.ok
    assert expected in result.problems[0].message


def test_rows_of_one_firm_must_agree_on_the_firm(city_official: Any) -> None:
    rows = sample_rows(firms=1, years=[2023, 2024], region_codes=SHENZHEN)
    rows[1]["name"] = "另一个名称"
    result = run(city_official, rows_to_xlsx(rows))

    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(3, "企业名称")]
    assert "与第 2 行同一企业" in result.problems[0].message


# ---------------------------------------------------------------------------------------------
# Jurisdiction


def test_a_county_official_cannot_import_firms_of_another_county(county_official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=["440305", "440304"])
    result = run(county_official, rows_to_xlsx(rows))

    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(3, "注册地行政区划代码")]
    assert "不在您的辖区内" in result.problems[0].message
    assert Enterprise.objects.count() == 0


def test_a_firm_registered_outside_the_jurisdiction_cannot_be_overwritten(
    city_official: Any, county_official: Any
) -> None:
    rows = sample_rows(firms=1, years=[2024], region_codes=["440304"])  # 福田区
    assert run(city_official, rows_to_xlsx(rows)).ok
    moved = [dict(rows[0], region="440305", name="冒名")]

    result = run(county_official, rows_to_xlsx(moved))

    assert not result.ok
    assert "辖区以外登记" in result.problems[0].message
    assert Enterprise.objects.get().name == rows[0]["name"]


@pytest.mark.parametrize("kind", ["enterprise", "large", "provider"])
def test_only_officials_and_admins_may_import(kind: str) -> None:
    firm = None
    if kind == "enterprise":
        rows = sample_rows(firms=1, years=[2024], region_codes=["440305"])
        firm = Enterprise.objects.create(credit_code=rows[0]["credit_code"], name="甲", region_id="440305", industry_code="C3911")
    user = make_user("u-" + kind, kind, enterprise=firm)
    with pytest.raises(TiduError) as error:
        run(user, rows_to_xlsx(sample_rows(firms=1, years=[2024], region_codes=["440305"], body_offset=50)))
    assert error.value.status == 403
    assert EnterpriseYear.objects.count() == 0
