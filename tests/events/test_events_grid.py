"""The meeting grid without Django: valid grids, must-meets honoured or reported, CP-SAT against greedy."""

from __future__ import annotations

import pytest

from tidu.events.generate import generate_problem
from tidu.events.grid import (
    LARGE,
    SME,
    Firm,
    Problem,
    conflicts,
    pair_reasons,
    pair_score,
    solve_cpsat,
    solve_greedy,
)


def _firm(fid: int, side: str, **kw: object) -> Firm:
    return Firm(id=fid, side=side, name=f"企业{fid}", **kw)  # type: ignore[arg-type]


def test_pair_score_adds_interests_industry_fields_tier_and_wishes() -> None:
    big = _firm(1, LARGE, interests=frozenset({"传感器", "储能"}), industry="C3484", fields=frozenset({"新能源"}))
    sme = _firm(2, SME, interests=frozenset({"传感器"}), industry="C3484", fields=frozenset({"新能源"}),
                tier="specialized", wishes=frozenset({1}))
    # interests 40 (its only keyword is shared) + same class 20 + field 10 + 专精特新 15 + a wish 10
    assert pair_score(big, sme) == 95
    assert pair_reasons(big, sme)[:2] == ["共同关注：传感器", "所属行业相近"]
    stranger = _firm(3, SME, industry="D4411")
    assert pair_score(big, stranger) == 0


@pytest.mark.parametrize("solve", [solve_greedy, solve_cpsat], ids=["greedy", "cpsat"])
def test_a_generated_event_is_scheduled_without_conflict(solve: object) -> None:
    problem = generate_problem(firms=60, slots=6, tables=8, seed=3)
    grid = solve(problem)  # type: ignore[operator]
    assert grid.meetings
    assert conflicts(grid.meetings, problem) == []
    per_slot: dict[int, int] = {}
    for m in grid.meetings:
        per_slot[m.slot] = per_slot.get(m.slot, 0) + 1
    assert max(per_slot.values()) <= 8


def test_conflicts_names_a_firm_twice_in_a_slot_and_a_table_used_twice() -> None:
    from tidu.events.grid import Meeting

    firms = [_firm(1, LARGE), _firm(2, LARGE), _firm(3, SME), _firm(4, SME)]
    problem = Problem(slots=2, tables=2, firms=firms)
    bad = [Meeting(0, 1, 1, 3, 0), Meeting(0, 1, 2, 3, 0), Meeting(1, 3, 1, 4, 0)]
    found = conflicts(bad, problem)
    assert "企业3在第1时段有两场洽谈" in found
    assert "第1时段的1号桌安排了两场洽谈" in found
    assert "第2时段的3号桌超出桌数（2张）" in found


def test_every_feasible_must_meet_is_honoured_and_the_excess_reported() -> None:
    # One large firm asked by three SMEs, in two slots: two can be met, the third cannot in any schedule.
    larges = [_firm(1, LARGE, interests=frozenset({"传感器"}))]
    smes = [_firm(10 + i, SME, interests=frozenset({"传感器"}), must_meet=frozenset({1})) for i in range(3)]
    others = [_firm(20, SME, interests=frozenset({"传感器"}))]
    problem = Problem(slots=2, tables=2, firms=larges + smes + others)
    grid = solve_cpsat(problem)
    assert grid.must_requested == 3
    assert grid.must_honoured == 2
    assert len(grid.must_missed) == 1
    assert "多于时段数" in grid.must_missed[0].reason
    assert conflicts(grid.meetings, problem) == []


def test_must_meets_that_compete_for_one_table_are_honoured_as_far_as_the_tables_allow() -> None:
    # Three different pairs must meet; one table and two slots hold two meetings.
    larges = [_firm(i, LARGE) for i in (1, 2, 3)]
    smes = [_firm(10 + i, SME, must_meet=frozenset({i})) for i in (1, 2, 3)]
    problem = Problem(slots=2, tables=1, firms=larges + smes)
    grid = solve_cpsat(problem)
    assert grid.status == "optimal"
    assert grid.must_honoured == 2 and len(grid.must_missed) == 1
    assert grid.must_missed[0].reason == "时段或桌位不足，无法与其他必见请求同时安排"
    assert conflicts(grid.meetings, problem) == []


def test_every_feasible_must_meet_is_honoured_in_a_generated_event() -> None:
    problem = generate_problem(firms=100, slots=6, seed=5, must_share=0.3)
    grid = solve_cpsat(problem)
    assert grid.must_requested >= 10
    # One must-meet per requesting SME and at most a handful per large firm: all of them fit.
    assert grid.must_missed == []
    met = {(m.large, m.sme) for m in grid.meetings}
    for firm in problem.firms:
        for large in firm.must_meet:
            assert (large, firm.id) in met


def test_greedy_takes_the_first_best_pair_and_misses_the_better_grid() -> None:
    # One slot, two tables. SME A scores 40 with L1 (same class C3484, 小巨人) and 35 with L2 (C3485: same
    # group, 小巨人); SME B scores 40 with L1 (shared interest) and 0 with L2. Greedy seats A with L1 first
    # and leaves B out (40 in all); the best grid is A–L2 and B–L1 (75), both SMEs met.
    l1 = _firm(1, LARGE, industry="C3484", interests=frozenset({"激光"}))
    l2 = _firm(2, LARGE, industry="C3485")
    a = _firm(10, SME, industry="C3484", tier="little_giant")
    b = _firm(11, SME, industry="D4411", interests=frozenset({"激光"}))
    assert (pair_score(l1, a), pair_score(l2, a), pair_score(l1, b), pair_score(l2, b)) == (40, 35, 40, 0)
    problem = Problem(slots=1, tables=2, firms=[l1, l2, a, b])
    assert solve_greedy(problem).key() == (0, 1, 40)
    best = solve_cpsat(problem)
    assert best.status == "optimal"
    assert best.key() == (0, 2, 75)


def test_cpsat_is_at_least_as_good_as_greedy_on_a_small_generated_event() -> None:
    problem = generate_problem(firms=40, slots=4, tables=5, seed=11)
    greedy = solve_greedy(problem)
    best = solve_cpsat(problem)
    assert best.status == "optimal"
    assert conflicts(best.meetings, problem) == []
    assert best.key() >= greedy.key()


def test_the_examples_in_the_grid_docstring_hold() -> None:
    import doctest

    import tidu.events.grid

    assert doctest.testmod(tidu.events.grid).failed == 0
