"""Every yearly figure says where it comes from: self-declared (the default), verified by an official of
the firm's jurisdiction, or imported from an official data source. A firm that changes a figure makes
it self-declared again; only officials of the jurisdiction verify, and each verification is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tidu.accounts.services import api_token_create
from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.enterprises.exports import enterprises_export_csv
from tidu.enterprises.imports import enterprises_import
from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.provenance import effective_mark, mark_label
from tidu.enterprises.services import enterprise_year_save, enterprise_year_verify

pytestmark = pytest.mark.django_db

YEAR = 2024


@pytest.fixture
def world() -> dict[str, Any]:
    ent = make_enterprise("440305", name="南山精密有限公司")
    other = make_enterprise("440304", name="福田电子有限公司")
    make_year(ent, YEAR, revenue=80_000_000, main_rev=70_000_000, rd=4_000_000, staff_total=120)
    make_year(other, YEAR)
    return {
        "ent": ent, "other": other,
        "firm": make_user("firm", "enterprise", enterprise=ent),
        "county": make_user("county", "government", level="county", region="440305"),
        "county_ft": make_user("county_ft", "government", level="county", region="440304"),
        "city": make_user("city", "government", level="city", region="440300"),
        "admin": make_user("admin", superuser=True),
    }


def _row(world: dict[str, Any]) -> EnterpriseYear:
    return EnterpriseYear.objects.get(enterprise=world["ent"], fiscal_year=YEAR)


def _label(row: EnterpriseYear, field: str) -> str:
    return mark_label(effective_mark(row.figure_marks, field, getattr(row, field)))


def _client(who: str) -> Client:
    client = Client()
    assert client.login(username=who, password=PASSWORD)
    return client


def _bearer(user: Any) -> Client:
    _token, key = api_token_create(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_figures_are_self_declared_until_someone_vouches_for_them(world: dict[str, Any]) -> None:
    row = _row(world)
    assert row.figure_marks == {}
    assert _label(row, "revenue") == "自报"
    page = _client("county").get(f"/enterprises/{world['ent'].pk}/years/{YEAR}/").content.decode()
    assert "自报" in page and "核实所选数据" in page


def test_an_official_of_the_county_verifies_chosen_figures_and_the_event_is_audited(world: dict[str, Any]) -> None:
    row = _row(world)
    response = _client("county").post(f"/enterprises/{world['ent'].pk}/years/{YEAR}/verify/",
                                      {"fields": ["revenue", "rd"], "seen": row.updated_at.isoformat()})
    assert response.status_code == 302
    row.refresh_from_db()
    assert _label(row, "revenue") == "已核实" and _label(row, "rd") == "已核实"
    assert _label(row, "main_rev") == "自报"
    assert row.figure_marks["revenue"]["by"] == "county" and row.figure_marks["revenue"]["org"]
    event = AuditEvent.objects.get(action="enterprise_year.verify")
    assert event.actor == world["county"] and event.data["verified"] == {"revenue": 80_000_000, "rd": 4_000_000}
    page = _client("firm").get(f"/enterprises/{world['ent'].pk}/years/{YEAR}/").content.decode()
    assert "已核实" in page and "核实所选数据" not in page  # the firm sees the marks but cannot verify


def test_a_city_official_may_verify_all_figures_of_a_county_in_the_city(world: dict[str, Any]) -> None:
    response = _bearer(world["city"]).post(
        f"/api/v1/enterprises/{world['ent'].credit_code}/years/{YEAR}/verify", {}, content_type="application/json")
    assert response.status_code == 200
    marks = response.json()["figure_marks"]
    assert {f: m["kind"] for f, m in marks.items()} == {
        "revenue": "verified", "main_rev": "verified", "rd": "verified", "staff_total": "verified",
        "employees": "verified"}


@pytest.mark.parametrize(("who", "status"), [("county_ft", 404), ("firm", 403), ("admin", 403)])
def test_only_officials_of_the_jurisdiction_may_verify(world: dict[str, Any], who: str, status: int) -> None:
    url = f"/api/v1/enterprises/{world['ent'].credit_code}/years/{YEAR}/verify"
    assert _bearer(world[who]).post(url, {"fields": ["revenue"]}, content_type="application/json").status_code == status
    web = _client(who).post(f"/enterprises/{world['ent'].pk}/years/{YEAR}/verify/", {"fields": ["revenue"]})
    assert web.status_code == status
    with pytest.raises(TiduError):
        enterprise_year_verify(actor=world[who], row=_row(world), fields=["revenue"])
    assert _row(world).figure_marks == {}
    assert not AuditEvent.objects.filter(action="enterprise_year.verify").exists()


def test_a_firm_that_changes_a_verified_figure_makes_it_self_declared_again(world: dict[str, Any]) -> None:
    enterprise_year_verify(actor=world["county"], row=_row(world), fields=["revenue", "rd"])
    response = _bearer(world["firm"]).put(f"/api/v1/enterprises/{world['ent'].credit_code}/years/{YEAR}",
                                          {"revenue": 90_000_000, "rd": 4_000_000}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["figure_marks"]["revenue"]["kind"] == "self"
    assert response.json()["figure_marks"]["rd"]["kind"] == "verified"  # same value: the mark stays
    row = _row(world)
    assert "revenue" not in row.figure_marks and _label(row, "rd") == "已核实"
    event = AuditEvent.objects.filter(action="enterprise_year.update").latest("id")
    assert event.data["marks_reset"] == ["revenue"]


def test_the_year_form_resets_the_mark_of_the_figure_the_firm_changed(world: dict[str, Any]) -> None:
    enterprise_year_verify(actor=world["county"], row=_row(world), fields=["revenue", "main_rev"])
    client = _client("firm")
    page = client.get(f"/firm/years/{YEAR}/").content.decode()
    assert "修改后将恢复为自报" in page
    response = client.post(f"/firm/years/{YEAR}/", {"revenue": "8000", "main_rev": "6500", "rd": "400",
                                                     "staff_total": "120", "employees": "120"})
    assert response.status_code == 302
    row = _row(world)
    assert _label(row, "revenue") == "已核实" and _label(row, "main_rev") == "自报"


def test_a_mark_only_vouches_for_the_value_it_was_given_for(world: dict[str, Any]) -> None:
    enterprise_year_verify(actor=world["county"], row=_row(world), fields=["revenue"])
    EnterpriseYear.objects.filter(pk=_row(world).pk).update(revenue=1)  # a write that bypassed the services
    assert _label(_row(world), "revenue") == "自报"


def test_verifying_what_changed_since_the_official_looked_is_refused(world: dict[str, Any]) -> None:
    seen = _row(world).updated_at
    enterprise_year_save(actor=world["firm"], enterprise=world["ent"], fiscal_year=YEAR, values={"revenue": 90_000_000})
    client = _client("county")
    response = client.post(f"/enterprises/{world['ent'].pk}/years/{YEAR}/verify/",
                           {"all": "1", "seen": seen.isoformat()}, follow=True)
    assert "请刷新页面后重新核实" in response.content.decode()
    assert _row(world).figure_marks == {}


def _export(user: Any) -> bytes:
    return "".join(enterprises_export_csv(user=user)).encode("utf-8")


def test_an_import_of_tax_data_by_an_official_marks_the_imported_figures(world: dict[str, Any]) -> None:
    content = _export(world["county"])
    result = enterprises_import(user=world["county"], content=content, filename="税务数据.csv", source="tax")
    assert result.ok, result.problems
    row = _row(world)
    assert _label(row, "revenue") == "来源：税务" and _label(row, "staff_total") == "来源：税务"
    assert AuditEvent.objects.get(action="enterprise.import").data["source"] == "tax"
    other = EnterpriseYear.objects.get(enterprise=world["other"], fiscal_year=YEAR)
    assert other.figure_marks == {}  # outside the county: not in the file


def test_an_import_without_a_source_makes_changed_figures_self_declared(world: dict[str, Any]) -> None:
    enterprise_year_verify(actor=world["county"], row=_row(world), fields=["revenue", "rd"])
    content = _export(world["county"]).decode("utf-8").replace("8000", "8100").encode("utf-8")  # revenue 万元
    result = enterprises_import(user=world["county"], content=content, filename="修改.csv")
    assert result.ok, result.problems
    row = _row(world)
    assert row.revenue == 81_000_000
    assert _label(row, "revenue") == "自报" and _label(row, "rd") == "已核实"


@pytest.mark.parametrize("who", ["admin"])
def test_only_officials_may_declare_an_official_data_source(world: dict[str, Any], who: str) -> None:
    with pytest.raises(TiduError) as caught:
        enterprises_import(user=world[who], content=_export(world[who]), filename="x.csv", source="tax")
    assert caught.value.status == 403
    with pytest.raises(TiduError) as unknown:
        enterprises_import(user=world["county"], content=_export(world["county"]), filename="x.csv", source="bank")
    assert unknown.value.status == 400
    assert _row(world).figure_marks == {}


def test_the_import_page_and_api_pass_the_declared_source_to_the_background_job(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client("county")
    assert "税务" in client.get("/io/import/").content.decode()
    response = client.post("/io/import/", {"file": SimpleUploadedFile("统计.csv", _export(world["county"])),
                                           "source": "stats"})
    assert response.status_code == 302
    assert _label(_row(world), "revenue") == "来源：统计"
    api = _bearer(world["county"]).post(
        "/api/v1/io/imports", {"file": SimpleUploadedFile("tax.csv", _export(world["county"])), "source": "tax"})
    assert api.status_code == 202
    assert _label(_row(world), "revenue") == "来源：税务"
