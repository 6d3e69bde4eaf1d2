"""The gaps solver: a suggested change really works, is minimal, and never guesses unknowns.

Firms are the hand-worked case records (packs/cases/) and near-miss variations of them drawn by
hypothesis; every check re-runs the engine on the changed record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidu.rules import gaps as G
from tidu.rules import load_packs
from tidu.rules.evaluate import prepare
from tidu.rules.fields import FIELDS
from tidu.rules.gaps import Gap, _direction, find_gaps

PACKS = load_packs()
CASES_DIR = Path(__file__).resolve().parents[2] / "packs" / "cases"
NEVER_CHANGED = {
    "year",
    "as_of",
    "region_code",
    "industry_code",
    "credit_code",
    "is_review",
    "niche_start_on",
    "digital_edition",
}


def typed(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A YAML record typed like the importer does (money/counts int, fractions Decimal, dates)."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        spec = FIELDS.get(k)
        if v is None or spec is None:
            out[k] = v if spec is not None or v is None else bool(v)
            continue
        if spec.type in ("fraction", "decimal"):
            v = Decimal(str(v))
        elif spec.type == "date" and not isinstance(v, dt.date):
            v = dt.date.fromisoformat(str(v))
        elif spec.type == "enum":
            v = str(v)
        out[k] = v
    if out.get("year") is not None and "as_of" not in out:
        out["as_of"] = dt.date(out["year"], 6, 30)
    return out


def case_records() -> list[Any]:
    out = []
    for path in sorted(CASES_DIR.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        std = doc.get("standard") or path.relative_to(CASES_DIR).parts[0]
        for case in doc["cases"]:
            out.append(
                pytest.param(
                    std, typed(case["record"]), id=f"{path.parent.relative_to(CASES_DIR)}::{case['id']}"
                )
            )
    return out


CASE_RECORDS = case_records()


def apply(record: Mapping[str, Any], gap: Gap) -> dict[str, Any]:
    """The record with a gap's changes, in the record's own types."""
    out = dict(record)
    for c in gap.changes:
        new = c.new
        if isinstance(new, Fraction):
            new = Decimal(new.numerator) / Decimal(new.denominator)
        out[c.field] = new
    return out


def explain(standard: str, record: Mapping[str, Any], gaps: bool = True) -> Any:
    return PACKS.explain(record, standards=[standard], gaps=gaps)[standard]


def check_gaps(standard: str, record: dict[str, Any]) -> Any:
    """The properties every suggestion must have; returns the result."""
    res = explain(standard, record)
    if res.qualified.value == "true":
        assert res.gaps == [], "a qualified firm gets no suggestion"
        return res
    for i, gap in enumerate(res.gaps):
        assert gap.changes, "a gap changes something"
        for c in gap.changes:
            assert c.field not in NEVER_CHANGED
            assert _direction(c.field) is not None, f"{c.field} is not something a firm can change"
            assert c.old is not None, "unknown inputs are reported, not guessed"
            assert record.get(c.field) == c.old or Fraction(str(record[c.field])) == Fraction(c.old)
        after = explain(standard, apply(record, gap), gaps=False)
        assert gap.makes_qualified == (after.qualified.value == "true"), gap.effect_zh
        assert after.qualified.value != "false" or res.qualified.value == "false"
        if gap.makes_qualified:
            assert "符合" in gap.effect_zh
        if res.score_range is not None and after.score_range is not None:
            assert gap.points_gain == after.score_range[0] - res.score_range[0]
        if i > 0 and gap.makes_qualified:
            assert res.gaps[i - 1].makes_qualified, "qualifying suggestions come first"
    return res


@pytest.mark.parametrize(("standard", "record"), CASE_RECORDS)
def test_suggestions_on_hand_worked_firms(standard: str, record: dict[str, Any]) -> None:
    check_gaps(standard, record)


def test_no_gaps_for_a_qualified_firm() -> None:
    rec = typed(
        yaml.safe_load((CASES_DIR / "specialized_sme/2022/worked_examples.yaml").read_text(encoding="utf-8"))[
            "good"
        ]
    )
    res = explain("specialized_sme", rec)
    assert res.qualified.value == "true"
    assert res.gaps == []
    assert find_gaps(PACKS, rec, "specialized_sme", res) == []


def _sp22(**over: Any) -> dict[str, Any]:
    raw = yaml.safe_load(
        (CASES_DIR / "specialized_sme/2022/worked_examples.yaml").read_text(encoding="utf-8")
    )["good"]
    return typed({**raw, **over})


def test_first_gap_is_the_smallest_rd_increase() -> None:
    """C2 fails at R&D 999,999 yuan on 50 million revenue: the fix is exactly 3% = 1,500,000 yuan."""
    rec = _sp22(rd_y1=999_999)
    res = explain("specialized_sme", rec)
    assert res.qualified.value == "false"
    first = res.gaps[0]
    assert first.makes_qualified
    assert [(c.field, c.old, c.new) for c in first.changes] == [("rd_y1", 999_999, 1_500_000)]
    assert "研发费用总额 99.9999万元 → 150万元" in first.effect_zh
    one_less = explain("specialized_sme", {**rec, "rd_y1": 1_499_999}, gaps=False)
    assert one_less.qualified.value == "false"


def test_score_gap_names_points_and_total() -> None:
    """59.9 points: +2 on the R&D band (5% → 6%) gives 61.9 ≥ 60."""
    rec = _sp22(qms_certified=False, own_brand=False, distinctive_score="1.9")
    res = explain("specialized_sme", rec)
    rd = next(g for g in res.gaps if g.changes[0].field == "rd_y1")
    assert rd.makes_qualified and rd.points_gain == 2
    assert rd.changes[0].new == 3_000_000
    assert "上年度研发费用总额占营业收入总额比重" in rd.effect_zh or "研发费用投入" in rd.effect_zh
    assert "总分61.9分" in rd.effect_zh


def test_unknown_input_is_not_guessed() -> None:
    rec = _sp22(rd_y1=None, distinctive_score=None, qms_certified=False, own_brand=False)
    res = explain("specialized_sme", rec)
    assert res.qualified.value == "unknown"
    assert "rd_y1" in {u.field for u in res.unknown_fields}
    for gap in res.gaps:
        assert all(c.field not in ("rd_y1", "distinctive_score") for c in gap.changes)
        assert not gap.makes_qualified  # C2 stays open while R&D is unknown


def test_history_and_judgement_are_not_suggested() -> None:
    """Only a past incident stands in the way: nothing the firm can do now, so no plan qualifies."""
    rec = _sp22(major_incident_3y=True)
    res = explain("specialized_sme", rec)
    assert res.qualified.value == "false"
    assert all(not g.makes_qualified for g in res.gaps)
    assert all(c.field != "major_incident_3y" for g in res.gaps for c in g.changes)


def test_two_step_plan_when_no_single_change_qualifies() -> None:
    """2026 专精特新: main-business share and R&D both one yuan short: one plan with both changes."""
    raw = yaml.safe_load(
        (CASES_DIR / "specialized_sme/2026/worked_examples.yaml").read_text(encoding="utf-8")
    )["base"]
    rec = typed({**raw, "main_rev_y1": 11_999_999, "rd_y1": 999_999})
    res = explain("specialized_sme", rec)
    assert res.qualified.value == "false"
    first = res.gaps[0]
    assert first.makes_qualified
    assert sorted((c.field, c.new) for c in first.changes) == [
        ("main_rev_y1", 12_000_000),
        ("rd_y1", 1_000_000),
    ]
    assert all(not g.makes_qualified for g in res.gaps[1:])
    assert explain("specialized_sme", apply(rec, first), gaps=False).qualified.value == "true"


def test_tech_sme_domain_example() -> None:
    """tech-sme.md §3: 54 points; R&D/sales 3% → 4% (+10) reaches 64."""
    raw = yaml.safe_load((CASES_DIR / "tech_sme/2017/worked_examples.yaml").read_text(encoding="utf-8"))
    case = next(c for c in raw["cases"] if c["id"] == "domain-example-54")
    res = explain("tech_sme", typed(case["record"]))
    first = res.gaps[0]
    assert [(c.field, c.new) for c in first.changes] == [("rd_y1", 4_000_000)]
    assert first.makes_qualified and first.points_gain == 10


def test_digital_level_gap() -> None:
    rec = typed({"year": 2023, "digital_edition": "2022", "digital_score": "19.9999"})
    res = explain("digital_level", rec)
    assert [(c.field, c.new) for c in res.gaps[0].changes] == [("digital_score", Fraction(20))]
    assert "一级" in res.gaps[0].effect_zh


# ---------------------------------------------------------------------------------------------
# near-miss firms (hypothesis): suggestions hold and qualifying ones are minimal


def _base(std: str, edition: str, key: str) -> dict[str, Any]:
    doc = yaml.safe_load((CASES_DIR / std / edition / "worked_examples.yaml").read_text(encoding="utf-8"))
    return dict(doc[key])


BASES = {
    "tech_sme": _base("tech_sme", "2017", "base"),
    "innovative_sme": _base("innovative_sme", "2022", "good"),
    "specialized_sme": _base("specialized_sme", "2022", "good"),
    "specialized_sme_2026": _base("specialized_sme", "2026", "base"),
    "little_giant": _base("little_giant", "2022", "base"),
    "little_giant_2026": _base("little_giant", "2026", "base"),
}
BASES["tech_sme"].update(
    staff_total_y1=100,
    tech_staff_y1=20,
    revenue_y1=100_000_000,
    total_assets_y1=80_000_000,
    rd_y1=4_000_000,
    cost_expense_y1=90_000_000,
    ip_c1_ts_count=0,
    ip_c2_ts_count=2,
)


@st.composite
def near_miss(draw: Any) -> tuple[str, dict[str, Any]]:
    key = draw(st.sampled_from(sorted(BASES)))
    std = key.removesuffix("_2026")
    raw = dict(BASES[key])
    # scale a few money/count inputs by -30%…+10% so firms land just below and above thresholds
    numeric = sorted(
        k for k, v in raw.items() if isinstance(v, int) and not isinstance(v, bool) and k != "year"
    )
    for name in draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=3, unique=True)):
        factor = draw(st.integers(min_value=700, max_value=1100))
        raw[name] = raw[name] * factor // 1000
    # and a fraction or score input (market share, platform score) by -20%…+5%
    decimals = sorted(
        k for k, v in raw.items() if isinstance(v, str) and FIELDS[k].type in ("fraction", "decimal")
    )
    for name in draw(st.lists(st.sampled_from(decimals), max_size=1)) if decimals else []:
        factor = draw(st.integers(min_value=800, max_value=1050))
        places = Decimal(1).scaleb(-6 if FIELDS[name].type == "fraction" else -4)
        raw[name] = str((Decimal(raw[name]) * factor / 1000).quantize(places))
    flags = sorted(k for k, v in raw.items() if isinstance(v, bool) and _direction(k) is not None)
    for name in draw(st.lists(st.sampled_from(flags), max_size=1)):
        raw[name] = not raw[name]
    return std, typed(raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_miss())
def test_near_miss_suggestions_hold(firm: tuple[str, dict[str, Any]]) -> None:
    std, rec = firm
    res = check_gaps(std, rec)
    for gap in res.gaps:
        if not gap.makes_qualified or len(gap.changes) != 1:
            continue
        c = gap.changes[0]
        if isinstance(c.new, bool | str):
            continue
        # minimal: one unit (1 yuan, 1 item, 0.000001, 0.0001 points) less of the change does not qualify
        unit = {"fraction": Fraction(1, 10**6), "decimal": Fraction(1, 10**4)}.get(
            FIELDS[c.field].type, Fraction(1)
        )
        step = unit if c.new > c.old else -unit
        less = Fraction(c.new) - step
        value: Any = (
            int(less) if isinstance(c.new, int) else Decimal(less.numerator) / Decimal(less.denominator)
        )
        smaller = {**rec, c.field: value}
        assert explain(std, smaller, gaps=False).qualified.value != "true", gap.effect_zh


def test_bisection_fallback_agrees_with_the_linear_threshold() -> None:
    """The fallback for comparisons not linear in a field finds the same first useful value."""
    rec = _sp22(rd_y1=999_999)
    res = explain("specialized_sme", rec, gaps=False)
    v = PACKS.edition("specialized_sme", res.edition).variants[res.edition]
    r = prepare(rec)
    base = G._quick(v, r)
    # 100万元 is the first value that helps (rd_input 0 → 2 points); 150万元 (3%) would also satisfy C2
    assert G._bisect("rd_y1", r, v, base) == 1_000_000
    linear = G._candidates("rd_y1", r, G._open_fields(v, base, G._plan(v))["rd_y1"])[0]
    assert linear[0] == 1_000_000
