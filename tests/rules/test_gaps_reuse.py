"""The gap search's shortcuts (decision 0109) give what evaluating again would give.

- The base verdict is read off the values `evaluate_variant` already computed (`StandardResult.raw`)
  instead of evaluating the variant a second time: on synthetic firms of every rung, with the
  review flag given and empty, it must equal a fresh evaluation, and a record that differs in a field
  the variant reads must not reuse them.
- An incremental re-evaluation moves the condition counts by the conditions a change touches and
  keeps whole numbers of points as ints: it must equal a full evaluation of the changed record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tidu.cli.synth import generate
from tidu.rules import load_packs
from tidu.rules.editions import REVIEW, reads_review, variant_key
from tidu.rules.evaluate import prepare
from tidu.rules.gaps import _apply, _candidates, _from_raw, _open_fields, _plan, _quick, _reads
from tidu.rules.model import Tri, Variant

PACKS = load_packs()
TODAY = dt.date(2025, 6, 30)


def _records() -> list[dict[str, Any]]:
    rows = generate(3000, seed=9, years=2, latent=True).to_pylist()
    climbers = [r for r in rows if r["latent_rung"] > 0]
    picked = climbers[:30] + rows[:30]
    for i, r in enumerate(picked):
        r.pop("latent_rung")
        if i % 3 == 1:
            r[REVIEW] = None  # both readings evaluated; the gaps use the new application's
        elif i % 3 == 2:
            r[REVIEW] = True
    return picked


RECORDS = _records()


def _gap_record(record: dict[str, Any], standard: str, edition: str) -> dict[str, Any]:
    """The record find_gaps searches on: prepared, an empty review flag read as a new application."""
    r = prepare(record, TODAY)
    if r.get(REVIEW) is None and reads_review([PACKS.edition(standard, edition)]):
        r[REVIEW] = False
    return r


def _variant(standard: str, res: Any) -> Variant:
    ed = PACKS.edition(standard, res.edition)
    return ed.variants[variant_key(res.edition, res.amendments, res.overlay)]


@pytest.mark.parametrize("i", range(len(RECORDS)))
def test_base_from_the_explanation_equals_a_fresh_evaluation(i: int) -> None:
    record = RECORDS[i]
    out = PACKS.explain(record, today=TODAY)
    reused = 0
    for s, res in out.standards.items():
        v = _variant(s, res)
        r = _gap_record(record, s, res.edition)
        base = _from_raw(v, r, res.raw)
        if base is None:
            continue
        reused += 1
        fresh = _quick(v, dict(r))
        assert base.qualified == fresh.qualified
        assert base.cond_vals == fresh.cond_vals and base.cond_counts == fresh.cond_counts
        assert base.ranges == fresh.ranges and base.item_vals == fresh.item_vals
        assert base.level_vals == fresh.level_vals and base.route_vals == fresh.route_vals
        assert (base.total_lo, base.total_hi, base.group_sums) == (
            fresh.total_lo,
            fresh.total_hi,
            fresh.group_sums,
        )
        assert (base.true_items, base.false_items, base.level_rank) == (
            fresh.true_items,
            fresh.false_items,
            fresh.level_rank,
        )
    assert reused >= 4  # the shortcut is taken for most standards, not skipped


def test_values_read_off_another_record_are_not_reused() -> None:
    record = next(r for r in RECORDS if r.get(REVIEW) is not None)
    out = PACKS.explain({**record, REVIEW: False}, today=TODAY)
    for s, res in out.standards.items():
        v = _variant(s, res)
        r = _gap_record({**record, REVIEW: False}, s, res.edition)
        assert _from_raw(v, r, res.raw) is not None  # the same record: reused
        fields = _reads(v).fields
        for name in sorted(fields)[:: max(1, len(fields) // 5)]:
            assert _from_raw(v, {**r, name: object()}, res.raw) is None, name  # a field it reads differs
        if REVIEW in fields:
            assert _from_raw(v, {**r, REVIEW: True}, res.raw) is None
        unread = next(f for f in ("credit_code", "company_name", "zz_not_a_field") if f not in fields)
        assert _from_raw(v, {**r, unread: object()}, res.raw) is not None  # a field it does not read
        for other in PACKS.editions[s]:
            for w in other.variants.values():
                if w is not v:
                    assert _from_raw(w, r, res.raw) is None  # values of another variant


@pytest.mark.parametrize("i", range(0, len(RECORDS), 3))
def test_incremental_evaluation_equals_a_full_one(i: int) -> None:
    record = RECORDS[i]
    out = PACKS.explain(record, today=TODAY)
    checked = 0
    for s, res in out.standards.items():
        if res.qualified is Tri.TRUE:
            continue
        v = _variant(s, res)
        r = _gap_record(record, s, res.edition)
        base = _quick(v, dict(r))
        for name, cmps in _open_fields(v, base, _plan(v)).items():
            if r.get(name) is None:
                continue
            for value in _candidates(name, r, cmps)[0][:2]:
                applied = _apply(r, name, value)
                if applied is None:
                    continue
                rec, changes = applied
                inc = _quick(v, dict(rec), base, frozenset(c.field for c in changes))
                full = _quick(v, dict(rec))
                assert inc.qualified == full.qualified, (s, name, value)
                assert inc.cond_vals == full.cond_vals and inc.cond_counts == full.cond_counts
                assert inc.ranges == full.ranges and inc.item_vals == full.item_vals
                assert (inc.total_lo, inc.total_hi, inc.group_sums) == (
                    full.total_lo,
                    full.total_hi,
                    full.group_sums,
                )
                assert (inc.true_items, inc.false_items, inc.level_rank) == (
                    full.true_items,
                    full.false_items,
                    full.level_rank,
                )
                checked += 1
    assert checked > 0 or all(res.qualified is Tri.TRUE for res in out.standards.values())
