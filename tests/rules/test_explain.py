"""`Packs.explain`: the verdict a user sees for one firm-year, its reasons, and the contract row.

Covers what the hand-worked cases (tests/rules/packs) do not: edition/amendment/overlay choice per
row, the contract columns, unknown-vs-false with the fields that leave a verdict open, the ladder
view and the gaps hook.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import tidu.rules.gaps
from tidu.rules import Packs, SelectionError, Tri, contract_columns, load_packs
from tidu.rules import evaluate as ev


@pytest.fixture(scope="module")
def packs() -> Packs:
    return load_packs()


GENERAL_OK = {
    "registered_in_mainland": True,
    "independent_legal_person": True,
    "abnormal_list": False,
    "serious_dishonest_list": False,
    "prohibited_product": False,
    "major_incident_3y": False,
    "tax_violation_3y": False,
}

# A manufacturer (industry C3441, 250 staff) evaluated in 2025 (as_of mid-year): an SME that meets
# the 专精特新 2022 conditions C1–C3.
FIRM = {
    "credit_code": "91110108123456788E",
    "year": 2025,
    "as_of": dt.date(2025, 6, 30),
    "region_code": "110108",
    "industry_code": "C3441",
    "employees_y1": 250,
    "staff_total_y1": 250,
    "revenue_y1": 180_000_000,
    "revenue_y2": 150_000_000,
    "main_rev_y1": 170_000_000,
    "main_rev_y2": 140_000_000,
    "main_rev_y3": 120_000_000,
    "total_assets_y1": 200_000_000,
    "total_liabilities_y1": 90_000_000,
    "net_profit_y1": 15_000_000,
    "rd_y1": 6_000_000,
    "rd_y2": 5_000_000,
    "niche_start_on": dt.date(2015, 3, 1),
    **GENERAL_OK,
}


def test_row_has_exactly_the_contract_columns(packs: Packs) -> None:
    row = packs.explain(FIRM).to_row()
    assert list(row) == contract_columns()
    assert all(isinstance(v, str) for v in row.values())
    assert row["credit_code"] == "91110108123456788E"
    assert row["year"] == "2025"
    assert row["size_class__level"] == "small"
    assert row["size_class__qualified"] == "true"
    assert row["size_class__path"] == "general"
    assert row["size_class__score"] == ""  # size_class is not scored
    assert row["little_giant__score"] == ""


def test_only_requested_standards(packs: Packs) -> None:
    res = packs.explain(FIRM, standards=["tech_sme"])
    assert list(res.standards) == ["tech_sme"]
    assert list(res.to_row()) == contract_columns(["tech_sme"])
    with pytest.raises(SelectionError):
        packs.explain(FIRM, standards=["tech"])


@pytest.mark.parametrize(
    ("as_of", "is_review", "specialized", "little_giant", "lg_amendments", "innovative_amendments"),
    [
        (dt.date(2025, 6, 30), None, "2022", "2022", ["2025"], []),
        (dt.date(2026, 3, 31), None, "2022", "2022", ["2026"], []),
        (dt.date(2026, 4, 1), False, "2026", "2026", ["2026"], ["2026"]),
        # the 2026 reviews were judged on the 2022 criteria (notice 117号)
        (dt.date(2026, 6, 30), True, "2026", "2022", ["2026"], ["2026"]),
    ],
)
def test_edition_and_amendments_follow_as_of_and_review(
    packs: Packs,
    as_of: dt.date,
    is_review: bool | None,
    specialized: str,
    little_giant: str,
    lg_amendments: list[str],
    innovative_amendments: list[str],
) -> None:
    res = packs.explain({**FIRM, "year": as_of.year, "as_of": as_of, "is_review": is_review})
    assert res["specialized_sme"].edition == specialized
    assert res["little_giant"].edition == little_giant
    assert res["little_giant"].amendments == lg_amendments
    assert res["innovative_sme"].amendments == innovative_amendments
    assert res.to_row()["little_giant__edition"] == little_giant


def test_digital_level_edition_is_the_questionnaire_edition(packs: Packs) -> None:
    rec = {
        "year": 2026,
        "as_of": dt.date(2026, 6, 30),
        "digital_score": Decimal("45"),
        "digital_edition": "2022",
    }
    res = packs.explain(rec, standards=["digital_level"])["digital_level"]
    assert (res.edition, res.level, res.qualified, res.path) == ("2022", "2", Tri.TRUE, "score")
    assert res.score == Decimal(45)
    res = packs.explain({**rec, "digital_edition": "2024"}, standards=["digital_level"])["digital_level"]
    assert (res.edition, res.level, res.qualified) == ("2024", None, Tri.UNKNOWN)


def test_forced_edition(packs: Packs) -> None:
    res = packs.explain(
        {**FIRM, "year": 2026, "as_of": dt.date(2026, 6, 30)}, editions={"specialized_sme": "2022"}
    )
    assert res["specialized_sme"].edition == "2022"
    with pytest.raises(SelectionError):
        packs.explain(FIRM, editions={"specialized_sme": "1999"})


def test_as_of_defaults_to_today_capped_at_year_end(packs: Packs) -> None:
    rec = {k: v for k, v in FIRM.items() if k != "as_of"}
    assert packs.explain(rec, today=dt.date(2026, 11, 30)).as_of == dt.date(2025, 12, 31)
    assert packs.explain({**rec, "year": 2026}, today=dt.date(2026, 5, 2)).as_of == dt.date(2026, 5, 2)


def test_sichuan_overlay_scores_distinctive_from_its_inputs(packs: Packs) -> None:
    sichuan = {
        **FIRM,
        "region_code": "510104",
        "sc_industry_system": True,
        "sc_heritage_gi_first": False,
        "sc_local_feature": True,
    }
    res = packs.explain(sichuan, standards=["specialized_sme"])["specialized_sme"]
    assert res.overlay == "510000"
    distinctive = next(i for i in res.indicators if i.id == "distinctive")
    assert (distinctive.points_lo, distinctive.points_hi) == (11, 11)
    # outside Sichuan, or without the Sichuan inputs, the national indicator reads distinctive_score
    for rec in ({**sichuan, "region_code": "110108"}, {**FIRM, "region_code": "510104"}):
        res = packs.explain({**rec, "distinctive_score": Decimal("7.5")}, standards=["specialized_sme"])[
            "specialized_sme"
        ]
        assert res.overlay is None
        distinctive = next(i for i in res.indicators if i.id == "distinctive")
        assert distinctive.points_lo == distinctive.points_hi == Decimal("7.5")


def test_decimal_points_give_a_decimal_score(packs: Packs) -> None:
    complete = {
        **FIRM,
        "product_chain_gap_results": True,
        "digital_level": 3,
        "quality_award_prov_plus": True,
        "qms_certified": True,
        "own_brand": False,
        "std_participated": False,
        "distinctive_score": Decimal("7.5"),
        "ip_c1_hv_count": 1,
        "ip_c1_self_count": 1,
        "ip_c1_count": 1,
        "ip_c2_count": 0,
        "rd_staff_y1": 60,
        "rd_inst_level": "provincial",
    }
    res = packs.explain(complete, standards=["specialized_sme"])["specialized_sme"]
    assert res.score == res.score_range[0] == res.score_range[1]  # type: ignore[index]
    assert res.score is not None and res.score % 1 == Decimal("0.5")
    assert res.to_row()["specialized_sme__score"] == str(res.score.normalize())
    assert res.qualified is Tri.TRUE and res.path == "score"


def test_open_score_is_blank_but_ranged(packs: Packs) -> None:
    res = packs.explain(FIRM, standards=["specialized_sme"])["specialized_sme"]
    assert res.score is None
    lo, hi = res.score_range  # type: ignore[misc]
    assert lo < hi
    assert res.to_row()["specialized_sme__score"] == ""
    assert res.qualified is Tri.UNKNOWN
    assert res.verdict_could_change
    missing = {u.field: u for u in res.unknown_fields}
    assert "distinctive_score" in missing
    assert missing["distinctive_score"].items == ["distinctive"]
    assert missing["distinctive_score"].could_change_verdict


def test_a_failed_condition_makes_unknown_inputs_irrelevant(packs: Packs) -> None:
    res = packs.explain({**FIRM, "abnormal_list": True}, standards=["specialized_sme"])["specialized_sme"]
    assert res.qualified is Tri.FALSE
    assert not res.verdict_could_change
    assert res.unknown_fields and not any(u.could_change_verdict for u in res.unknown_fields)
    g3 = next(c for c in res.conditions if c.id == "G3")
    assert (g3.value, g3.detail_zh) == (Tri.FALSE, "不满足")
    assert res.path is None and res.to_row()["specialized_sme__path"] == ""


def test_unknown_condition_names_the_missing_fields(packs: Packs) -> None:
    rec = {k: v for k, v in FIRM.items() if k != "rd_y1"}
    res = packs.explain(rec, standards=["specialized_sme"])["specialized_sme"]
    c2 = next(c for c in res.conditions if c.id == "C2")
    assert c2.value is Tri.UNKNOWN
    assert "研发" in c2.detail_zh and c2.detail_zh.startswith("无法判断")


def test_zero_revenue_zero_points_in_bands_unknown_in_conditions(packs: Packs) -> None:
    rec = {**FIRM, "revenue_y1": 0, "main_rev_y1": 0}
    res = packs.explain(rec, standards=["specialized_sme"])["specialized_sme"]
    c2 = next(c for c in res.conditions if c.id == "C2")
    assert c2.value is Tri.UNKNOWN
    assert "分母" in c2.detail_zh
    net_margin = next(i for i in res.indicators if i.id == "net_margin")
    assert (net_margin.points_lo, net_margin.points_hi) == (0, 0)
    assert "无法计算" in net_margin.value_text


def test_indicator_explanations(packs: Packs) -> None:
    res = packs.explain(FIRM, standards=["innovative_sme"])["innovative_sme"]
    rd = next(i for i in res.indicators if i.id == "rd_ratio")
    assert rd.value_text == "3.33%"
    assert rd.band_label == "3%-5%"
    assert (rd.points_lo, rd.points_hi, rd.max) == (15, 15, 20)
    debt = next(i for i in res.indicators if i.id == "debt_ratio")
    assert debt.value_text == "45%"
    assert res.readings and res.title
    assert {g.id for g in res.groups} == {"innovation", "growth", "specialization"}


def test_direct_route_reported_when_points_fail(packs: Packs) -> None:
    rec = {
        **FIRM,
        "staff_total_y1": 100,
        "total_assets_y1": 150_000_000,
        "incident_prev_cur_year": False,
        "sci_misconduct_prev_cur_year": False,
        "resident_enterprise": True,
        "tech_staff_y1": 5,
        "ip_c1_ts_count": 0,
        "ip_c2_ts_count": 0,
        "cost_expense_y1": 170_000_000,
        "rd_y1": 0,
        "hte_valid": True,
    }
    res = packs.explain(rec, standards=["tech_sme"])["tech_sme"]
    assert res.qualified is Tri.TRUE
    assert res.path == "direct"
    assert res.score == 0  # the score is reported even when a direct route qualified
    assert res.to_row()["tech_sme__score"] == "0"
    score_route = next(r for r in res.routes if r.path == "score")
    assert score_route.value is Tri.FALSE
    assert [i.id for i in res.route_items] == ["DT1", "DT2", "DT3", "DT4"]


def test_ladder_view(packs: Packs) -> None:
    res = packs.explain({"year": 2025})
    assert res.highest_tier is None
    assert res.next_tier == "innovative_sme"
    for standard, expected_next in (
        ("innovative_sme", "specialized_sme"),
        ("specialized_sme", "little_giant"),
        ("little_giant", None),
    ):
        res.standards[standard].qualified = Tri.TRUE
        assert res.highest_tier == standard
        assert res.next_tier == expected_next


def test_gaps_hook_runs_only_when_asked(packs: Packs, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, Any]] = []

    def find_gaps(
        p: Any, record: Any, standard: str, result: Any, today: Any = None, prepared: Any = None
    ) -> list[str]:
        assert p is packs and result.standard == standard
        calls.append((standard, record))
        return [f"gap-{standard}"]

    monkeypatch.setattr(tidu.rules.gaps, "find_gaps", find_gaps)
    res = packs.explain(FIRM, standards=["tech_sme", "innovative_sme"])
    assert calls == [] and res["tech_sme"].gaps == []
    res = packs.explain(FIRM, standards=["tech_sme", "innovative_sme"], gaps=True)
    assert [c[0] for c in calls] == ["tech_sme", "innovative_sme"]
    assert res["innovative_sme"].gaps == ["gap-innovative_sme"]


def test_unknown_industry_gives_unknown_size_unless_groups_agree(packs: Packs) -> None:
    small_everywhere = {"year": 2025, "employees_y1": 5, "revenue_y1": 100_000, "total_assets_y1": 100_000}
    res = packs.explain(small_everywhere, standards=["size_class"])["size_class"]
    assert (res.level, res.qualified) == ("micro", Tri.TRUE)
    res = packs.explain(
        {"year": 2025, "employees_y1": 500, "revenue_y1": 100_000_000}, standards=["size_class"]
    )["size_class"]
    assert res.level is None


def test_fallback_industry_is_flagged(packs: Packs) -> None:
    res = packs.explain(
        {"year": 2025, "industry_code": "J6620", "employees_y1": 50}, standards=["size_class"]
    )["size_class"]
    assert res.level == "small"
    assert any("参照" in n for n in res.notes)
    res = packs.explain(
        {"year": 2025, "industry_code": "C3441", "employees_y1": 5}, standards=["size_class"]
    )["size_class"]
    assert not any("参照" in n for n in res.notes)
    assert res.notes[0] == "行业分组：工业"


def test_explain_does_not_modify_the_record(packs: Packs) -> None:
    rec = dict(FIRM)
    packs.explain(rec, gaps=False)
    assert rec == FIRM


def test_text_fields_compare_as_text(packs: Packs) -> None:
    """An enum handed over as a number (2022 from a spreadsheet) reads like the SQL VARCHAR '2022'."""
    rec = {"year": 2026, "as_of": dt.date(2026, 6, 30), "digital_level": 3, "digital_edition": 2022}
    res = packs.explain(rec, standards=["digital_level"])["digital_level"]
    assert res.edition == "2022"


def test_derived_values_follow_changes_to_a_prepared_record(packs: Packs) -> None:
    """Derived quantities are computed once per record, yet a copy with a field changed (as the gaps
    solver makes) is re-evaluated, never answered from the original's values."""
    variant = packs.edition("innovative_sme", "2022").variants["2022"]
    g2 = next(c for c in variant.conditions if c.id == "G2")  # is_sme, from the size table
    r = ev.prepare({"year": 2025, "industry_code": "C3441", "employees_y1": 250, "revenue_y1": 1_000_000})
    assert g2.fn(r) is True
    large = {**r, "employees_y1": 2000, "revenue_y1": 10**9}
    assert g2.fn(large) is False
    assert g2.fn(r) is True
