"""Scoring of the questionnaire (pure: no database): points, level boundaries, incomplete answers,
the category from the industry code, and agreement of the bands with the digital_level pack."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from digital_answers import highest, lowest, with_top

from tidu.digital.questionnaire import (
    CATEGORIES,
    category_for_industry,
    diagnose,
    load_questionnaire,
    score_answers,
)

PACK = Path(__file__).resolve().parents[2] / "packs" / "digital_level" / "2022.yaml"
MANUFACTURING = load_questionnaire("2024", "manufacturing")
OUTCOMES = ("energy_per_revenue", "pass_rate", "revenue_per_staff", "cost_per_revenue")  # 7 + 7 + 3 + 3 = 20
SECURITY_AND_SYSTEMS = ("it_share", "net_security", "data_security")  # 10 + 5 + 5
EQUIPMENT = ("network", "equip_digital", "equip_network")  # 8 + 6 + 6


def total_and_level(answers: dict[str, object]) -> tuple[Decimal, int | None]:
    score = score_answers(MANUFACTURING, answers)
    return score.total, score.level


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_questionnaire_adds_up_to_100_points_in_its_dimensions(category: str) -> None:
    q = load_questionnaire("2024", category)
    score = score_answers(q, highest(q))
    assert score.complete
    assert score.total == Decimal(100)
    assert {p.name: p.score for p in score.dimensions} == {"数字化基础": 50, "数字化管理": 30, "数字化成效": 20}
    assert all(p.score == p.max for p in score.dimensions)
    assert score.level == 4
    assert score_answers(q, lowest(q)).total == 0


def test_scenario_levels_are_recorded_but_not_part_of_the_100_points() -> None:
    answers = highest(MANUFACTURING)
    low = dict(answers) | {q.id: "1" for q in MANUFACTURING.questions if q.type == "level"}
    assert score_answers(MANUFACTURING, low).total == 100
    assert len(score_answers(MANUFACTURING, low).scenario_levels) == 16


def test_exactly_20_points_is_level_one_and_just_below_is_no_level() -> None:
    assert total_and_level(with_top(MANUFACTURING, *OUTCOMES)) == (Decimal("20.00"), 1)
    below = with_top(MANUFACTURING, *OUTCOMES) | {"cost_per_revenue": "flat"}
    assert total_and_level(below) == (Decimal("18.50"), 0)


def test_exactly_40_points_is_level_two_and_a_boundary_score_belongs_to_the_higher_level() -> None:
    answers = with_top(MANUFACTURING, *OUTCOMES, *SECURITY_AND_SYSTEMS)
    assert total_and_level(answers) == (Decimal("40.00"), 2)
    answers["data_security"] = ["policy", "product", "assess"]
    assert total_and_level(answers) == (Decimal("38.75"), 1)


def test_exactly_60_points_is_level_three() -> None:
    answers = with_top(MANUFACTURING, *OUTCOMES, *SECURITY_AND_SYSTEMS, *EQUIPMENT)
    assert total_and_level(answers) == (Decimal("60.00"), 3)
    answers["equip_network"] = "r3"
    assert total_and_level(answers) == (Decimal("58.50"), 2)


def test_exactly_80_points_is_level_four_and_79_point_2_is_level_three() -> None:
    answers = with_top(MANUFACTURING, *OUTCOMES, *SECURITY_AND_SYSTEMS, *EQUIPMENT, "plan_exec", "mechanisms")
    answers["auto_collect"] = ["design", "process", "marketing", "service", "planning"]  # 5 × 0.7
    answers["talent"] = ["staff"]  # 1.5
    assert total_and_level(answers) == (Decimal("80.00"), 4)
    answers["talent"] = ["none"]
    answers["auto_collect"] = ["design", "process", "marketing", "service", "planning", "production", "quality"]
    assert total_and_level(answers) == (Decimal("79.90"), 3)


def test_the_bands_agree_with_the_digital_level_pack() -> None:
    """The questionnaire's level rule is the pack's 2022 banding (dl_level_2022): same thresholds."""
    expression = yaml.safe_load(PACK.read_text(encoding="utf-8"))["derived"]["dl_level_2022"]
    pack_bands = {int(level): Decimal(low) for low, level in
                  re.findall(r"digital_score >= (\d+) THEN (\d)", expression)}
    for category in CATEGORIES:
        q = load_questionnaire("2024", category)
        assert {b.level: b.min for b in q.bands} == pack_bands
        for level, low in pack_bands.items():
            assert q.level_for(low) == level
            assert q.level_for(low - Decimal("0.01")) == level - 1


def test_incomplete_answers_give_the_missing_questions_and_no_level() -> None:
    answers = highest(MANUFACTURING)
    del answers["funding"]
    del answers["sc_energy"]
    score = score_answers(MANUFACTURING, answers)
    assert not score.complete
    assert score.level is None and score.level_label == ""
    assert [q.id for q in score.missing] == ["sc_energy", "funding"]


def test_none_of_the_above_cannot_be_ticked_with_other_measures() -> None:
    answers = highest(MANUFACTURING) | {"net_security": ["none", "policy"]}
    score = score_answers(MANUFACTURING, answers)
    assert score.level is None
    assert score.problems == ["“已采取的网络安全措施”选了“都没有”就不能再选其他项"]


def test_an_unknown_option_is_a_problem_not_points() -> None:
    score = score_answers(MANUFACTURING, highest(MANUFACTURING) | {"it_share": "everything"})
    assert score.level is None and score.problems


@pytest.mark.parametrize(("code", "category"), [
    ("C3484", "manufacturing"), ("C13", "manufacturing"), ("c2929", "manufacturing"),
    ("I6513", "producer_services"), ("G5920", "producer_services"), ("M7320", "producer_services"),
    ("L7212", "producer_services"), ("F5123", "producer_services"),
    ("H6210", "other"), ("F5211", "other"), ("A0111", "other"), ("E4720", "other"), ("", "other"),
])
def test_the_category_comes_from_the_industry_code(code: str, category: str) -> None:
    assert category_for_industry(code) == category


def test_the_service_questionnaires_ask_about_services_not_production_equipment() -> None:
    services = load_questionnaire("2024", "producer_services")
    assert "线上化" in (services.question("equip_digital") or MANUFACTURING.questions[0]).text
    assert services.question("sc_customer") is not None and MANUFACTURING.question("sc_customer") is None
    assert services.adapted and not MANUFACTURING.adapted
    assert load_questionnaire("2024", "other").title.startswith("其他行业")


def test_diagnosis_names_the_weakest_areas_and_what_the_next_level_needs() -> None:
    answers = with_top(MANUFACTURING, *OUTCOMES, *SECURITY_AND_SYSTEMS)  # 40 points: 二级
    answers |= {"sc_design": "3", "sc_energy": "1"}
    score = score_answers(MANUFACTURING, answers)
    diagnosis = diagnose(MANUFACTURING, score)
    assert score.level == 2
    assert diagnosis.next_label == "三级" and diagnosis.points_to_next == Decimal("20.00")
    assert {p.name for p in diagnosis.weakest} <= {"设备系统", "数据采集", "规划管理", "要素保障"}
    assert diagnosis.weakest_scenarios[0][1] == 0
    assert diagnosis.gains[0].points_available == Decimal(10)  # 数据采集 (10) ties the largest gaps
    assert all(g.points_available > 0 for g in diagnosis.gains)


def test_a_full_score_has_no_next_level_and_no_weak_area() -> None:
    diagnosis = diagnose(MANUFACTURING, score_answers(MANUFACTURING, highest(MANUFACTURING)))
    assert diagnosis.next_level is None and diagnosis.points_to_next is None
    assert diagnosis.weakest == [] and diagnosis.weakest_scenarios == [] and diagnosis.gains == []


@pytest.mark.parametrize("score", ["0", "19.99", "20", "39.99", "40", "59.99", "60", "79.99", "80", "100"])
def test_the_criteria_engine_bands_a_score_exactly_as_the_questionnaire_does(score: str) -> None:
    """The same 2022 banding through tidu.rules (the digital_level pack) and through our definition."""
    from tidu.rules import load_packs

    result = load_packs().explain({"credit_code": "x", "year": 2024, "digital_score": Decimal(score),
                                   "digital_edition": "2022"}, standards=["digital_level"])
    assert int(result["digital_level"].level) == MANUFACTURING.level_for(Decimal(score))
