"""Mutation test of the packs: change any threshold and a regulation case must notice.

Each threshold of every pack (as `test_regulation_thresholds` enumerates them) is changed in turn in
the loaded packs, in memory: its number moved one unit up, one unit down (the unit of the cases: 1
yuan, 1 person, one day, 0.01 of a platform score, the smallest step a score total can take), and its
comparison swapped (≥ ↔ >, ≤ ↔ <). The changed expression is recompiled through the packs' own scope,
the hand-worked cases of that standard are run until one fails, and the packs are put back. A change
no case notices is a survivor, reported by name.

Only the changes listed in EQUIVALENT may survive: each is a change that cannot alter any verdict
(the reason is written beside it), so no case could ever catch it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import partial
from typing import Any

import pytest
from regulation_support import (
    Mutant,
    Threshold,
    explicit_failures,
    failures,
    load_explicit,
    load_rows,
    load_size_rows,
    pack_thresholds,
    size_failures,
    unit,
)

from tidu.rules import Packs, load_packs

# Changes that no firm-year can observe, with the reason (checked: each must still survive).
EQUIVALENT: dict[str, str] = {
    "little_giant/2022 N1: revenue_y1 < 100000000 [≥↔> / ≤↔<]": (
        "at exactly 1亿元 the ≥1亿 tier (R&D ≥ 3%) holds whenever the 5000万–1亿 tier (R&D ≥ 6%) does"
    ),
    "little_giant/2022 N1: revenue_y1 < 100000000 [+1]": (
        "same: at 1亿元 the upper tier's weaker R&D test already passes every firm the middle tier would"
    ),
}


def _name(t: Threshold, change: str, step: Any) -> str:
    what = {"up": f"+{step}", "down": f"-{step}", "swap": "≥↔> / ≤↔<"}[change]
    return f"{t.name} [{what}]"


@pytest.fixture(scope="module")
def packs() -> Iterator[Packs]:
    """A copy of the packs of its own: mutants change it in place and put it back."""
    yield load_packs()


Check = Callable[[], object]  # a non-empty result: the case fails


def _checks(packs: Packs, t: Threshold) -> list[tuple[str, Check]]:
    """The cases that could notice a change of `t`, its own first, with their names."""
    own: list[tuple[str, Check]] = []
    rest: list[tuple[str, Check]] = []
    for r in load_rows():
        if r.key == t.key or r.standard == t.standard:
            (own if r.key == t.key else rest).append((r.id, partial(failures, packs, r)))
    if t.standard == "size_class":
        for s in load_size_rows():
            (own if s.key == t.key else rest).append((s.id, partial(size_failures, packs, s)))
    for e in load_explicit():
        if e.standard == t.standard:
            (own if e.key == t.key else rest).append((e.id, partial(explicit_failures, packs, e)))
    return own + rest


def _step(packs: Packs, t: Threshold) -> Any:
    if t.kind == "date":
        return dt.timedelta(days=1)
    if t.kind == "size":
        return 1
    if t.kind in ("score", "pass_min"):
        return next(e.unit for e in load_explicit() if e.key == t.key)
    steps = [unit(packs, r) for r in load_rows() if r.key == t.key]
    assert steps, (
        f"{t.name}: no regulation case (see test_every_threshold_of_every_pack_has_a_hand_worked_case)"
    )
    return min(steps)


def _changes(t: Threshold) -> list[str]:
    swappable = t.kind in ("expr", "local", "size") and t.op in (">=", ">", "<=", "<")
    return ["up", "down", *(["swap"] if swappable else [])]


def test_every_change_of_a_threshold_breaks_a_hand_worked_case(packs: Packs) -> None:
    survivors: list[str] = []
    tried = 0
    for t in pack_thresholds(packs):
        step = _step(packs, t)
        checks = _checks(packs, t)
        for change in _changes(t):
            tried += 1
            with Mutant(packs, t, change, step):
                caught = any(check() for _name, check in checks)
            if not caught:
                survivors.append(_name(t, change, step))
    unexplained = sorted(set(survivors) - set(EQUIVALENT))
    assert not unexplained, f"{len(unexplained)} of {tried} pack changes broke no case:\n  " + "\n  ".join(
        unexplained
    )
    stale = sorted(set(EQUIVALENT) - set(survivors))
    assert not stale, "listed as unobservable but now caught (drop from EQUIVALENT):\n  " + "\n  ".join(stale)


def test_the_packs_are_back_as_loaded_after_the_mutants(packs: Packs) -> None:
    """Every regulation case still holds on the packs the mutants went through."""
    broken = [r.id for r in load_rows() if failures(packs, r)]
    assert not broken, broken


@pytest.mark.parametrize(
    ("standard", "item", "quantity", "value", "change"),
    [
        ("size_class", "industry:small", "employees_y1", 20, "up"),  # 工业小型从业人员下限 20 → 21
        ("specialized_sme", "main_biz_ratio", "main_biz_ratio_y1", Fraction(4, 5), "swap"),  # ≥ 80% → > 80%
    ],
)
def test_the_two_changes_that_once_broke_no_test_are_caught(
    packs: Packs, standard: str, item: str, quantity: str, value: Any, change: str
) -> None:
    """Issue 14 found these two changes of the packs passing the whole suite."""
    t = next(
        t
        for t in pack_thresholds(packs)
        if (t.standard, t.item, t.quantity, t.value) == (standard, item, quantity, value)
    )
    with Mutant(packs, t, change, _step(packs, t)):
        caught = [name for name, check in _checks(packs, t) if check()]
    assert caught, f"{t.name} [{change}] broke no case"
