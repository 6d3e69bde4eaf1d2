"""Exports of the register: only the firms the user may see, in the template's layout (money in
万元), as Excel and CSV, and an export uploads again without changing anything."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tidu.accounts.models import Membership, Organisation
from tidu.core.models import AuditEvent
from tidu.enterprises.exports import enterprises_export_xlsx
from tidu.enterprises.imports import enterprises_import
from tidu.enterprises.io_samples import rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise, EnterpriseYear

pytestmark = pytest.mark.django_db


def make_user(username: str, kind: str, level: str = "", region: str | None = None, enterprise: Any = None) -> Any:
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    org = Organisation.objects.create(kind=kind, name=username, gov_level=level, region_id=region, enterprise=enterprise)
    Membership.objects.create(user=user, organisation=org)
    return user


@pytest.fixture
def register() -> dict[str, Any]:
    """Firms in 南山 (2), 福田 (2) and 海淀 (1), imported by the national office."""
    national = make_user("national", "government", "national")
    rows = sample_rows(firms=4, years=[2023, 2024], region_codes=["440305", "440304"])
    rows += sample_rows(firms=1, years=[2024], region_codes=["110108"], body_offset=100)
    result = enterprises_import(user=national, content=rows_to_xlsx(rows), filename="全部.xlsx")
    assert result.ok, result.problems
    return {"national": national, "rows": rows}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xlsx_rows(content: bytes) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["企业年度数据"]
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_a_county_official_exports_the_firms_of_the_county_only_with_money_in_wan(register: dict[str, Any]) -> None:
    county = make_user("nanshan", "government", "county", "440305")
    response = client_for(county).get(reverse("io:export_xlsx"))

    assert response.status_code == 200
    rows = xlsx_rows(response.content)
    assert {r["注册地行政区划代码"] for r in rows} == {"440305"}
    assert len(rows) == 4  # 2 firms × 2 years
    source = next(r for r in register["rows"] if r["credit_code"] == rows[0]["统一社会信用代码"]
                  and r["fiscal_year"] == rows[0]["会计年度"])
    assert rows[0]["营业收入（总额）（万元）"] == pytest.approx(float(source["revenue"]))
    stored = EnterpriseYear.objects.get(enterprise__credit_code=source["credit_code"], fiscal_year=source["fiscal_year"])
    assert stored.revenue == int(source["revenue"] * 10_000)
    assert AuditEvent.objects.filter(action="enterprise.export", actor=county).count() == 1


def test_a_firm_exports_its_own_figures_only_as_csv(register: dict[str, Any]) -> None:
    firm = Enterprise.objects.get(credit_code=register["rows"][0]["credit_code"])
    staff = make_user("staff", "enterprise", enterprise=firm)

    response = client_for(staff).get(reverse("io:export_csv"))

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert text.startswith("\ufeff")
    records = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["统一社会信用代码"] for r in records} == {firm.credit_code}
    assert len(records) == 2
    source = register["rows"][0]
    record = next(r for r in records if r["会计年度"] == str(source["fiscal_year"]))
    assert record["营业收入（总额）（万元）"] == format(source["revenue"].normalize(), "f")


@pytest.mark.parametrize("kind", ["large", "provider"])
def test_large_enterprises_and_service_providers_cannot_export(register: dict[str, Any], kind: str) -> None:
    user = make_user("u-" + kind, kind)
    for name in ["io:export_xlsx", "io:export_csv"]:
        assert client_for(user).get(reverse(name)).status_code == 403
    response = client_for(user).get("/api/v1/io/export.csv")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_an_exported_file_imports_again_without_any_change(register: dict[str, Any]) -> None:
    national = register["national"]
    before = {(y.enterprise.credit_code, y.fiscal_year): y.revenue for y in EnterpriseYear.objects.select_related("enterprise")}

    result = enterprises_import(user=national, content=enterprises_export_xlsx(user=national), filename="导出.xlsx")

    assert result.ok, result.problems
    assert (result.enterprises_created, result.enterprises_updated, result.years_created, result.years_updated) == (0, 0, 0, 0)
    after = {(y.enterprise.credit_code, y.fiscal_year): y.revenue for y in EnterpriseYear.objects.select_related("enterprise")}
    assert after == before


def test_the_csv_export_api_follows_the_same_visibility(register: dict[str, Any]) -> None:
    from tidu.accounts.services import api_token_create

    city = make_user("bj", "government", "province", "110000")
    _, key = api_token_create(user=city, name="导出")
    response = Client().get("/api/v1/io/export.csv", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")  # type: ignore[attr-defined]
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["注册地行政区划代码"] for r in records] == ["110108"]
