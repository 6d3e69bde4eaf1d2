"""The gap solver's shortcut: where a comparison is linear in a field with a constant coefficient,
the solver reads the slope off the tree and the offset off the firm's own record instead of
evaluating the comparison with the field set to 0 and 1. On synthetic firms of every rung, for every
comparison of every rule variant and every field it reads, both ways must give the same line."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from tidu.cli.synth import generate
from tidu.rules import load_packs
from tidu.rules.evaluate import prepare
from tidu.rules.gaps import _candidates, _Cmp, _plan

PACKS = load_packs()
TODAY = dt.date(2025, 6, 30)


def _records() -> list[dict[str, Any]]:
    rows = generate(3000, seed=5, years=2, latent=True).to_pylist()
    climbers = [r for r in rows if r["latent_rung"] > 0]
    picked = climbers[:40] + rows[:40]
    for r in picked:
        r.pop("latent_rung")
    return [prepare(r, TODAY) for r in picked]


RECORDS = _records()


def _comparisons() -> list[tuple[str, _Cmp, str]]:
    out: dict[tuple[int, str], tuple[str, _Cmp, str]] = {}
    for sid in PACKS.standards:
        for ed in PACKS.editions[sid]:
            for v in ed.variants.values():
                for table in _plan(v).by_obj.values():
                    for name, cmps in table.items():
                        for c in cmps:
                            out[(id(c), name)] = (sid, c, name)
    return list(out.values())


COMPARISONS = _comparisons()


def _line(c: _Cmp, name: str, r: dict[str, Any]) -> tuple[Any, Any] | None:
    """(D(0), D(1) − D(0)) by evaluating a − b with the field set to 0 and 1, as the solver used to."""
    fns = c.sides(name)
    ds = []
    for i in range(0, 4, 2):
        a, b = fns[i](dict(r)), fns[i + 1](dict(r))
        if a is None or b is None or isinstance(a, bool | str) or isinstance(b, bool | str):
            return None
        ds.append(a - b)
    return ds[0], ds[1] - ds[0]


def test_most_comparisons_have_a_constant_slope() -> None:
    linear = [(s, c, n) for s, c, n in COMPARISONS if c.slope(n) is not None]
    assert len(COMPARISONS) > 100
    assert len(linear) >= 0.6 * len(COMPARISONS)


@pytest.mark.parametrize("rec", range(len(RECORDS)))
def test_slope_and_offset_read_off_the_tree_equal_the_evaluated_line(rec: int) -> None:
    r = RECORDS[rec]
    checked = 0
    for _sid, c, name in COMPARISONS:
        slope = c.slope(name)
        if slope is None or r.get(name) is None or isinstance(r.get(name), bool | str):
            continue
        line = _line(c, name, r)
        d_old = c.difference(dict(r), {})
        if line is None:
            assert d_old is None, (c.node, name)  # unknown either way
            continue
        ds0, evaluated_slope = line
        assert slope == evaluated_slope, (c.node, name)
        assert d_old == ds0 + slope * Fraction(r[name]), (c.node, name)
        checked += 1
    assert checked > 50


def test_candidates_are_on_the_field_grid_and_past_the_old_value() -> None:
    """Integer fields get integers, ratio fields exact millionths; 'up' fields move up."""
    for r in RECORDS[:20]:
        by_field: dict[str, list[_Cmp]] = {}
        for _sid, c, name in COMPARISONS:
            by_field.setdefault(name, []).append(c)
        for name, cmps in by_field.items():
            cands, _nonlinear = _candidates(name, r, cmps, {})
            old = r.get(name)
            for x in cands:
                if isinstance(x, bool | str):
                    continue
                if isinstance(old, int):
                    assert isinstance(x, int) and not isinstance(x, bool)
                else:
                    assert isinstance(x, Fraction) and (x * 10**6).denominator == 1
                assert x != old
