"""Every machine condition of the sample policies against firms built just on each side of it.

The values below are typed from the policy texts (data/policies.yaml `original_text` and the documents
they summarise), not read back from the stored expressions: if an expression drifts from its text, the
firm on the boundary lands on the wrong side. Firms go through the real path: register rows → the
ladder's record (titles from recognition records) → the policy's facts → the compiled condition.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from tidu.core.testing import make_enterprise
from tidu.enterprises.models import EnterpriseYear
from tidu.journey.models import Recognition, Tier
from tidu.policies import conditions as C
from tidu.policies.demo import policy_data
from tidu.policies.records import firm_record
from tidu.rules import ExprError

TODAY = dt.date(2026, 6, 1)
BASE_Y1 = {
    "revenue": 50_000_000,
    "main_rev": 45_000_000,
    "rd": 2_500_000,
    "employees": 100,
    "staff_total": 100,
    "total_assets": 30_000_000,
    "net_profit": 1_000_000,
}
SP, LG, IN = Tier.SPECIALIZED_SME, Tier.LITTLE_GIANT, Tier.INNOVATIVE_SME

# A side: {"firm": Enterprise fields, "y1": FY2025 row, "y2": FY2024 row, "titles": [(tier, valid_from)]}
Side = dict[str, Any]


def y1(**kw: Any) -> Side:
    return {"y1": kw}


SME_YES = y1(employees=999, revenue=400_000_000)  # 工业: large only with ≥1000 staff and ≥40000万元 revenue
SME_NO = y1(employees=1000, revenue=400_000_000)

CASES: dict[tuple[str, str], tuple[Side, Side]] = {
    # 公告2023年第7号: any R&D expense; not in the excluded industries of 财税〔2015〕119号 (C16 tobacco …)
    ("nat-rd-superdeduction-2023", "rd"): (y1(rd=1), y1(rd=0)),
    ("nat-rd-superdeduction-2023", "industry"): (
        {"firm": {"industry_code": "C1711"}},
        {"firm": {"industry_code": "C1610"}},
    ),
    # 公告2023年第12号: ≤300 staff, ≤5000万元 assets, ≤300万元 taxable income (net profit), profitable
    ("nat-small-low-profit-2023", "staff"): (y1(employees=300), y1(employees=301)),
    ("nat-small-low-profit-2023", "assets"): (y1(total_assets=50_000_000), y1(total_assets=50_000_001)),
    ("nat-small-low-profit-2023", "profit_max"): (y1(net_profit=3_000_000), y1(net_profit=3_000_001)),
    ("nat-small-low-profit-2023", "profit_pos"): (y1(net_profit=1), y1(net_profit=0)),
    ("nat-six-taxes-halved-2023", "staff"): (y1(employees=300), y1(employees=301)),
    ("nat-six-taxes-halved-2023", "assets"): (y1(total_assets=50_000_000), y1(total_assets=50_000_001)),
    ("nat-six-taxes-halved-2023", "profit_max"): (y1(net_profit=3_000_000), y1(net_profit=3_000_001)),
    # 企业所得税法第二十八条: a valid HTE certificate, a profit to tax
    ("nat-hte-15-percent", "hte"): (y1(hte_valid=True), y1(hte_valid=False)),
    ("nat-hte-15-percent", "profit"): (y1(net_profit=1), y1(net_profit=0)),
    # 财税〔2018〕76号: HTE or tech SME; a loss to carry
    ("nat-loss-carryforward-10y", "title"): (
        y1(hte_valid=False, cert_tech_sme_valid=True),
        y1(hte_valid=False, cert_tech_sme_valid=False),
    ),
    ("nat-loss-carryforward-10y", "loss"): (y1(net_profit=-1), y1(net_profit=0)),
    # 公告2023年第43号: HTE in manufacturing (门类 C)
    ("nat-adv-mfg-vat-2023", "hte"): (y1(hte_valid=True), y1(hte_valid=False)),
    ("nat-adv-mfg-vat-2023", "mfg"): (
        {"firm": {"industry_code": "C4350"}},
        {"firm": {"industry_code": "D4411"}},
    ),
    # 财建〔2021〕2号: a valid national little-giant title (platform record)
    ("nat-little-giant-key-2021", "lg"): ({"titles": [(LG, dt.date(2024, 7, 1))]}, {}),
    # 公告2022年第16号: registered tech SME, R&D expense
    ("nat-tsme-rd-2022", "tsme"): (y1(cert_tech_sme_valid=True), y1(cert_tech_sme_valid=False)),
    ("nat-tsme-rd-2022", "rd"): (y1(rd=1), y1(rd=0)),
    # 财建〔2023〕117号: SMEs in manufacturing
    ("nat-digital-pilot-2023", "sme"): (SME_YES, SME_NO),
    ("nat-digital-pilot-2023", "mfg"): (
        {"firm": {"industry_code": "C3484"}},
        {"firm": {"industry_code": "B0610"}},
    ),
    # 示例 texts
    ("gd-zjtx-new-reward", "zjtx"): ({"titles": [(SP, dt.date(2025, 3, 1))]}, {}),
    ("gd-zjtx-new-reward", "new"): (
        {"titles": [(SP, dt.date(2025, 1, 1))]},
        {"titles": [(SP, dt.date(2024, 12, 31))]},
    ),
    ("sz-little-giant-reward", "lg"): ({"titles": [(LG, dt.date(2025, 7, 1))]}, {}),
    ("sz-little-giant-reward", "new"): (
        {"titles": [(LG, dt.date(2025, 1, 1))]},
        {"titles": [(LG, dt.date(2024, 12, 31))]},
    ),
    ("ns-innovative-reward", "inno"): ({"titles": [(IN, dt.date(2024, 3, 1))]}, {}),
    ("ns-innovative-reward", "since"): (
        {"titles": [(IN, dt.date(2020, 1, 1))]},
        {"titles": [(IN, dt.date(2019, 12, 31))]},
    ),
    ("gd-rd-post-subsidy", "rd"): (y1(rd=5_000_000), y1(rd=4_999_999)),
    ("gd-rd-post-subsidy", "ratio"): (
        y1(rd=3_000_000, revenue=100_000_000),
        y1(rd=2_999_999, revenue=100_000_000),
    ),
    ("gd-rd-post-subsidy", "sme"): (SME_YES, SME_NO),
    ("sz-rd-subsidy", "revenue"): (y1(revenue=20_000_000), y1(revenue=19_999_999)),  # 2026 edition
    ("sz-rd-subsidy", "rd"): (y1(rd=1_000_000), y1(rd=999_999)),
    ("ns-digital-subsidy", "level"): (y1(digital_level=2), y1(digital_level=1)),
    ("ns-digital-subsidy", "sme"): (SME_YES, SME_NO),
    ("sz-listing-reward", "title"): (
        y1(cert_specialized_valid=False, cert_little_giant_valid=True),
        y1(cert_specialized_valid=False, cert_little_giant_valid=False),
    ),
    ("sz-listing-reward", "unlisted"): ({"firm": {"listed": False}}, {"firm": {"listed": True}}),
    ("gd-loan-interest", "zjtx"): (y1(cert_specialized_valid=True), y1(cert_specialized_valid=False)),
    ("sz-rd-talent", "staff"): (y1(rd_staff=10), y1(rd_staff=9)),
    ("ns-high-growth", "revenue"): (y1(revenue=20_000_000), y1(revenue=19_999_999)),
    ("ns-high-growth", "growth"): (
        {"y1": {"revenue": 24_000_000}, "y2": {"revenue": 20_000_000}},
        {"y1": {"revenue": 23_999_999}, "y2": {"revenue": 20_000_000}},
    ),
    ("zj-zjtx-reward", "zjtx"): (y1(cert_specialized_valid=True), y1(cert_specialized_valid=False)),
    ("gd-quality-award-draft", "award"): (
        y1(quality_award_prov_plus=True),
        y1(quality_award_prov_plus=False),
    ),
    ("ns-old-rent-subsidy", "revenue"): (y1(revenue=99_999_999), y1(revenue=100_000_000)),
}

_numbers = itertools.count(1)


def edition_on(code: str, day: dt.date) -> dict[str, Any]:
    item = next(p for p in policy_data() if p["code"] == code)
    eds = sorted(item["editions"], key=lambda e: e["effective_on"])
    return [e for e in eds if e["effective_on"] <= day][-1] if eds[0]["effective_on"] <= day else eds[0]


def condition(code: str, cid: str, day: dt.date = TODAY) -> C.ConditionSpec:
    return next(s for s in C.check_conditions(edition_on(code, day)["conditions"]) if s.id == cid)


def build(side: Side) -> Any:
    ent = make_enterprise("440305", **({"industry_code": "C3484"} | side.get("firm", {})))
    EnterpriseYear.objects.create(enterprise=ent, fiscal_year=2025, **(BASE_Y1 | side.get("y1", {})))
    if "y2" in side:
        EnterpriseYear.objects.create(enterprise=ent, fiscal_year=2024, **(BASE_Y1 | side["y2"]))
    for tier, start in side.get("titles", []):
        Recognition.objects.create(
            enterprise=ent,
            tier=tier,
            number=f"T-{next(_numbers)}",
            valid_from=start,
            valid_until=dt.date(2028, 12, 31),
        )
    return ent


def test_every_machine_condition_of_the_sample_policies_has_a_boundary_case() -> None:
    machine = {
        (p["code"], s.id)
        for p in policy_data()
        for e in p["editions"]
        for s in C.check_conditions(e["conditions"])
        if s.kind == "machine"
    }
    assert machine == set(CASES)
    assert len(policy_data()) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "cid"), sorted(CASES))
def test_a_firm_just_inside_meets_the_condition_and_one_just_outside_fails(code: str, cid: str) -> None:
    meets, fails = CASES[(code, cid)]
    spec = condition(code, cid)
    inside = firm_record(build(meets), TODAY)
    outside = firm_record(build(fails), TODAY)
    assert C.evaluate_condition(spec, inside.record).state == C.MET, (code, cid, "inside")
    assert C.evaluate_condition(spec, outside.record).state == C.UNMET, (code, cid, "outside")


@pytest.mark.django_db
def test_the_edition_in_force_decides_the_threshold() -> None:
    """sz-rd-subsidy lowered its revenue threshold from 3000万元 to 2000万元 on 2026-01-01."""
    record = firm_record(build(y1(revenue=25_000_000)), TODAY).record
    assert (
        C.evaluate_condition(condition("sz-rd-subsidy", "revenue", dt.date(2025, 6, 1)), record).state
        == C.UNMET
    )
    assert (
        C.evaluate_condition(condition("sz-rd-subsidy", "revenue", dt.date(2026, 6, 1)), record).state
        == C.MET
    )


@pytest.mark.django_db
def test_a_missing_figure_leaves_the_condition_open_and_names_the_figure() -> None:
    record = firm_record(build(y1(total_assets=None)), TODAY).record
    outcome = C.evaluate_condition(condition("nat-small-low-profit-2023", "assets"), record)
    assert outcome.state == C.UNKNOWN
    assert [f for f, _label in outcome.missing] == ["total_assets_y1"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("revenue_y1 >= '1000'", "不能比较数值与文本"),
        ("revenue > 1", "未知字段"),
        ("rd_y1 * 0.1", "应是一个判断"),
        ("listed >= TRUE", "只能用 = 或 <>"),
    ],
)
def test_a_condition_that_does_not_type_check_is_refused_in_chinese_naming_it(text: str, words: str) -> None:
    with pytest.raises(ExprError) as e:
        C.check_conditions([{"label": "营业收入门槛", "expr": text, "clause": "第二条"}])
    assert "第1项条件“营业收入门槛”" in str(e.value) and words in str(e.value)


def test_conditions_without_a_clause_or_with_unknown_keys_are_refused() -> None:
    with pytest.raises(ExprError, match="缺少出处条款"):
        C.check_conditions([{"label": "甲", "expr": "rd_y1 > 0"}])
    with pytest.raises(ExprError, match="不认识的项"):
        C.check_conditions([{"label": "甲", "expr": "rd_y1 > 0", "clause": "一", "weight": 3}])


@pytest.mark.django_db
def test_a_condition_that_needs_verified_figures_waits_for_a_person_on_self_declared_ones() -> None:
    """`verified: true`: a self-declared figure that meets it leaves the firm 可能符合 until an official
    verifies it; once verified (the mark stored with the row), the condition is met."""
    from django.utils import timezone

    from tidu.enterprises import provenance

    spec = C.check_conditions(
        [
            {
                "label": "研发费用不少于500万元（须核实）",
                "expr": "rd_y1 >= 5000000",
                "clause": "第四条",
                "verified": True,
            }
        ]
    )[0]
    ent = build(y1(rd=5_000_000))
    fr = firm_record(ent, TODAY)
    outcome = C.evaluate_condition(spec, fr.record, fr.self_declared)
    assert outcome.state == C.JUDGE and [f for f, _ in outcome.self_declared] == ["rd_y1"]
    row = EnterpriseYear.objects.get(enterprise=ent, fiscal_year=2025)
    row.figure_marks = {"rd": provenance.verified_mark(actor=None, value=row.rd, at=timezone.now())}
    row.save()
    fr = firm_record(ent, TODAY)
    assert C.evaluate_condition(spec, fr.record, fr.self_declared).state == C.MET
