"""Indicators the regulation gives as a formula, which the packs spell out as bands: every input checked.

shared/domain/tiers.md gives three 专精特新 2022 indicators as arithmetic rather than bands:
- §5.2 #3 细分市场年限: 1 point per full 2 years, capped at 5 — min(floor(years / 2), 5);
- §5.2 #6 质量管理水平: 3 points per item met (provincial quality award, certified QMS, own brand,
  standards work), capped at 5 — min(3 × items, 5);
- §5.4 Sichuan 特色化 overlay: 8 (industrial system) + 4 (heritage / GI / first-of-a-kind) + 3 (local
  feature).
The packs list these as bands, one per combination; a band missing or a combination given the wrong
points shows here against the formula, for every input the formula distinguishes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from tidu.rules import load_packs

PACKS = load_packs()


def _points(record: dict[str, Any], indicator: str) -> tuple[Decimal, Decimal]:
    result = PACKS.explain(record, standards=["specialized_sme"], editions={"specialized_sme": "2022"})
    r = result["specialized_sme"]
    ind = next(i for i in r.indicators if i.id == indicator)
    return Decimal(str(ind.points_lo)), Decimal(str(ind.points_hi))


@pytest.mark.parametrize("years", range(0, 14))
def test_niche_years_score_one_point_per_full_two_years_up_to_five(years: int) -> None:
    start = dt.date(2025 - years, 1, 1)  # exactly `years` full years at the end of 2024
    record = {"year": 2025, "as_of": dt.date(2025, 6, 30), "niche_start_on": start}
    want = Decimal(min(years // 2, 5))
    assert _points(record, "niche_years") == (want, want)


QUALITY = ("quality_award_prov_plus", "qms_certified", "own_brand", "std_participated")


@pytest.mark.parametrize("met", list(itertools.product([False, True], repeat=4)))
def test_quality_management_scores_three_per_item_up_to_five(met: tuple[bool, ...]) -> None:
    record: dict[str, Any] = {
        "year": 2025,
        "as_of": dt.date(2025, 6, 30),
        **dict(zip(QUALITY, met, strict=True)),
    }
    want = Decimal(min(3 * sum(met), 5))
    assert _points(record, "quality_mgmt") == (want, want)


SICHUAN = (("sc_industry_system", 8), ("sc_heritage_gi_first", 4), ("sc_local_feature", 3))


@pytest.mark.parametrize("met", list(itertools.product([False, True], repeat=3)))
def test_sichuan_distinctive_score_adds_eight_four_and_three(met: tuple[bool, ...]) -> None:
    record: dict[str, Any] = {"year": 2025, "as_of": dt.date(2025, 6, 30), "region_code": "510104"}
    record.update({name: m for (name, _pts), m in zip(SICHUAN, met, strict=True)})
    want = Decimal(sum(pts for (_name, pts), m in zip(SICHUAN, met, strict=True) if m))
    assert _points(record, "distinctive") == (want, want)


@pytest.mark.parametrize(
    ("start", "years"),
    [
        (dt.date(2021, 1, 1), 4),  # 1 January 2021 to the end of 2024: four full years
        (dt.date(2021, 1, 2), 3),  # a day later: the year 2021 is not full
        (dt.date(2021, 7, 1), 3),
        (dt.date(2020, 12, 31), 4),
        (dt.date(2025, 3, 1), 0),  # started in the evaluation year: none (floor 0)
    ],
)
def test_niche_years_count_full_years_to_the_end_of_the_year_before(start: dt.date, years: int) -> None:
    """fields.md §15 niche_years: Y − start year − (1 unless the start is 1 January), floor 0."""
    record = {"year": 2025, "as_of": dt.date(2025, 6, 30), "niche_start_on": start}
    want = Decimal(min(years // 2, 5))
    assert _points(record, "niche_years") == (want, want)


def test_the_two_year_growth_is_the_mean_of_the_two_yearly_rates() -> None:
    """fields.md §15 main_growth_avg_2y: ((M1−M2)/M2 + (M2−M3)/M3) / 2. 100 → 110 → 110 is 10% then 0%:
    a mean of exactly 5% (4–6% band, 4 points), where a compound rate (4.88%) would score 2."""
    record = {
        "year": 2025,
        "as_of": dt.date(2025, 6, 30),
        "main_rev_y3": 100_000_000,
        "main_rev_y2": 110_000_000,
        "main_rev_y1": 110_000_000,
    }
    assert _points(record, "main_growth_avg") == (Decimal(4), Decimal(4))
