"""`evaluation_record(enterprise, Y)`: the flat fields.md record from fiscal years Y−1, Y−2, Y−3."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tidu.core.testing import make_enterprise, make_year
from tidu.enterprises.derived import derived_quantities
from tidu.enterprises.models import Enterprise
from tidu.enterprises.registry import field_specs
from tidu.enterprises.selectors import evaluation_record, evaluation_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm() -> Enterprise:
    ent = make_enterprise("440305", industry_code="C3911", founded_on=dt.date(2015, 3, 1),
                          niche_start_on=dt.date(2023, 1, 1), independent_legal_person=True)
    make_year(ent, 2025, revenue=60_000_000, main_rev=54_000_000, rd=3_000_000, equity_fin=0, net_profit=-500_000,
              total_assets=40_000_000, total_liabilities=10_000_000, staff_total=100, rd_staff=30,
              ip_c1_count=5, hte_valid=True, zjtx_dev_score=Decimal("61.5"), product_sei_code="")
    make_year(ent, 2024, revenue=50_000_000, main_rev=45_000_000, rd=2_500_000, equity_fin=1_000_000,
              zjtx_dev_score=Decimal("55"))
    make_year(ent, 2023, revenue=40_000_000, main_rev=36_000_000, rd=2_000_000, equity_fin=2_000_000)
    make_year(ent, 2021, revenue=1, main_rev=1)  # outside the window for 2026
    return ent


def test_the_record_takes_y1_y2_y3_from_the_three_previous_fiscal_years(firm: Enterprise) -> None:
    r = evaluation_record(firm, 2026)
    assert (r["credit_code"], r["year"], r["region_code"], r["industry_code"]) == (firm.credit_code, 2026, "440305", "C3911")
    assert (r["revenue_y1"], r["revenue_y2"], r["revenue_y3"]) == (60_000_000, 50_000_000, 40_000_000)
    assert (r["main_rev_y1"], r["main_rev_y2"], r["main_rev_y3"]) == (54_000_000, 45_000_000, 36_000_000)
    assert (r["rd_y1"], r["rd_y2"]) == (3_000_000, 2_500_000)
    assert (r["equity_fin_y1"], r["equity_fin_y2"], r["equity_fin_y3"]) == (0, 1_000_000, 2_000_000)
    assert r["net_profit_y1"] == -500_000
    assert r["ip_c1_count"] == 5 and r["hte_valid"] is True
    assert r["zjtx_dev_score"] == Decimal("61.5") and r["zjtx_dev_score_prev"] == Decimal("55")
    assert r["product_sei_code"] is None  # empty enum = not in the list
    assert r["founded_on"] == dt.date(2015, 3, 1) and r["independent_legal_person"] is True


def test_missing_years_are_unknown_never_zero(firm: Enterprise) -> None:
    r = evaluation_record(firm, 2025)  # needs 2024, 2023, 2022: 2022 is missing
    assert r["revenue_y1"] == 50_000_000 and r["revenue_y3"] is None and r["equity_fin_y3"] is None
    r = evaluation_record(firm, 2030)
    assert r["revenue_y1"] is None and r["hte_valid"] is None and r["employees_y1"] is None


def test_record_keys_are_fields_md_names(firm: Enterprise) -> None:
    names = set(field_specs())
    record = evaluation_record(firm, 2026)
    assert set(record) <= names
    assert names - set(record) == {"as_of", "is_review"}  # they belong to an application, not the register


def test_derived_quantities_are_computed_from_the_record(firm: Enterprise) -> None:
    d = derived_quantities(evaluation_record(firm, 2026))
    assert d["rd_ratio_y1"] == Decimal("0.05")
    assert d["rd_sum_2y"] == 5_500_000
    assert d["main_biz_ratio_y1"] == Decimal("0.9")
    assert d["main_growth_y1"] == Decimal("0.2") and d["main_growth_y2"] == Decimal("0.25")
    assert d["main_growth_avg_2y"] == Decimal("0.225")
    assert d["debt_ratio_y1"] == Decimal("0.25")
    assert d["rd_staff_ratio_y1"] == Decimal("0.3")
    assert d["equity_fin_2y"] == 1_000_000 and d["equity_fin_3y"] == 3_000_000
    assert d["niche_years"] == 3  # 2023-01-01 to the end of 2025
    assert d["firm_age_years"] == 10
    assert d["cert_tech_or_innovative_valid"] is None  # neither title recorded


def test_the_firm_page_shows_every_quantity_the_packs_derive_and_nothing_else(firm: Enterprise) -> None:
    """No app computes what the engine computes: the page's quantities are those of derived.yaml."""
    import yaml

    from tidu.rules.packs import repo_packs_dir

    names = yaml.safe_load((repo_packs_dir() / "derived.yaml").read_text(encoding="utf-8"))["derived"]
    assert list(derived_quantities(evaluation_record(firm, 2026))) == list(names)


def test_a_zero_denominator_gives_unknown() -> None:
    d = derived_quantities({"year": 2026, "rd_y1": 5, "revenue_y1": 0, "main_rev_y1": 1, "main_rev_y2": 0})
    assert d["rd_ratio_y1"] is None and d["main_growth_y1"] is None


def test_the_batch_form_gives_the_same_records(firm: Enterprise) -> None:
    other = make_enterprise("440304")
    make_year(other, 2025)
    records = evaluation_records(Enterprise.objects.order_by("id"), 2026)
    assert records == [evaluation_record(firm, 2026), evaluation_record(other, 2026)]
