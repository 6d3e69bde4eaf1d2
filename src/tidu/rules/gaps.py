"""What a firm could change to qualify: minimal single-field changes, then short greedy plans.

Why: a verdict of "不符合" is only useful with the nearest way out ("研发费用占比 4.1% → 6.0%，
+5分，总分达到60分"). The search uses the engine's own compiled closures (the same rewritten trees
the verdicts and the SQL use), so a suggested change really flips the verdict.

How, cheaply: every comparison in the chosen rule variant is an integer-coefficient comparison
after the division rewrite, so for a field it is usually linear: two evaluations give the exact
threshold value (e.g. rd_y1 = 0.06 × revenue_y1). Only values just past those thresholds are tried,
nearest first; a field whose comparisons are not linear in it falls back to bisection on the
(monotone) "does the standard get better" predicate. Only fields a firm can act on are changed:
never year, region, industry, credit code, history (past years, incidents, awards) or a reviewer's
judgement, and never a field that is unknown (unknown inputs are reported by the engine, not guessed).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tidu.rules import expr as E
from tidu.rules.compiler import CompiledPacks as Packs
from tidu.rules.editions import REVIEW, reads_review, variant_key
from tidu.rules.evaluate import _value_text, band_range, prepare
from tidu.rules.fields import FIELDS as REGISTRY
from tidu.rules.model import Level, Number, StandardResult, Tri, Variant, to_decimal
from tidu.rules.values import fmt_value as _fmt_value
from tidu.rules.values import kleene_and, kleene_or

# Fields a firm cannot change by acting now: history, outside judgements, structural facts.
NOT_ACTIONABLE = frozenset(
    {
        "major_incident_3y",
        "tax_violation_3y",
        "data_fraud_found",
        "incident_prev_cur_year",
        "sci_misconduct_prev_cur_year",
        "prohibited_product",
        "single_champion",
        "related_little_giant",
        "award_natl_best_rank_3y",
        "award_natl_best_rank_5y",
        "award_prov_best_rank_3y",
        "award_prov_minist_best_rank_3y",
        "maker_china_top500_3y",
        "maker_china_top50_3y",
        "cert_little_giant_valid",
    }
)
HISTORY_SUFFIXES = ("_y2", "_y3", "_prev")
# A subset count above its total raises the total too (a new 高价值 Ⅰ类 patent is also a Ⅰ类 patent).
COUPLED = {"ip_c1_self_count": "ip_c1_count", "ip_c1_hv_count": "ip_c1_count"}
# A part never exceeds its whole (科技人员 ≤ 职工总数).
CAPPED = {"tech_staff_y1": "staff_total_y1", "rd_staff_y1": "staff_total_y1"}
UPPER = {"money": 10**13, "count": 10**7, "int": 10**4, "rank": 10**4, "fraction": 1, "decimal": 100}
NO_GAPS = frozenset({"size_class"})  # a size class is a fact to report, not a target to reach
MAX_GAPS = 6
MAX_TRIES = 3  # candidate values tried per field (nearest thresholds first)
MAX_STEPS = 3
MAX_EVALS = 24  # evaluations spent on single changes per standard
MAX_POOL = 8  # single changes a greedy plan chooses from


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class Gap:
    changes: list[Change]
    effect_zh: str
    points_gain: Decimal
    makes_qualified: bool
    size: float  # relative change (sum over the changes; a yes/no or a level step counts 1)


# ---------------------------------------------------------------------------------------------
# what can be changed and in which direction


@functools.cache
def _direction(name: str) -> str | None:
    """'up' | 'down' | 'true' | 'false' for a field a firm can act on, else None."""
    spec = REGISTRY.get(name)
    if spec is None or spec.improve == "none" or spec.reviewer:
        return None
    if name in NOT_ACTIONABLE or name.endswith(HISTORY_SUFFIXES):
        return None
    return spec.improve


@functools.cache
def _grid(ftype: str) -> tuple[bool, int]:
    """(integer-valued, grid units per 1) of a numeric field type."""
    integer = ftype in ("money", "count", "int", "rank")
    return integer, 1 if integer else _unit(ftype).denominator


def _unit(ftype: str) -> Fraction:
    if ftype == "fraction":
        return Fraction(1, 10**6)
    if ftype == "decimal":
        return Fraction(1, 10**4)
    return Fraction(1)


# ---------------------------------------------------------------------------------------------
# per-variant precomputation: the comparisons each field takes part in


# op(d, 0) as `0 op' d` with the operator mirrored, bound to 0 (a C call, no Python frame)
_OPS: dict[str, Callable[[Any], bool]] = {
    "=": functools.partial(operator.eq, 0),
    "<>": functools.partial(operator.ne, 0),
    "<": functools.partial(operator.gt, 0),
    "<=": functools.partial(operator.ge, 0),
    ">": functools.partial(operator.lt, 0),
    ">=": functools.partial(operator.le, 0),
}


@dataclass
class _Cmp:
    """One rewritten comparison `a op b`; per field, closures of a − b with the field set to 0, 1, 2,
    or (the common case) the constant slope of a − b in the field, read off the tree."""

    node: E.Cmp
    fn: E.Fn
    lin: dict[str, tuple[E.Fn, ...]] = field(default_factory=dict)
    slopes: dict[str, int | Fraction | None] = field(default_factory=dict)
    side_fns: tuple[E.Fn, E.Fn] | None = None
    holds: Any = None  # the sign test of `op` (`_OPS`), None for an operator the search does not move

    def __post_init__(self) -> None:
        self.holds = _OPS.get(self.node.op)

    def slope(self, name: str) -> int | Fraction | None:
        """d(a − b)/d field when a − b is linear in it with a constant coefficient, else None."""
        if name in self.slopes:
            return self.slopes[name]
        ca, cb = _coef(self.node.a, name), _coef(self.node.b, name)
        k = None if ca is None or cb is None else ca - cb
        self.slopes[name] = k
        return k

    def difference(self, r: dict[str, Any], memo: dict[int, Any]) -> Any:
        """a − b on the firm's own record (None when either side is unknown or not a number);
        computed once per comparison and record, whichever field is being moved."""
        key = id(self)
        if key in memo:
            return memo[key]
        if self.side_fns is None:
            self.side_fns = (E.to_python(self.node.a), E.to_python(self.node.b))
        a, b = self.side_fns[0](r), self.side_fns[1](r)
        d = None
        if not (a is None or b is None or isinstance(a, bool | str) or isinstance(b, bool | str)):
            d = a - b
        memo[key] = d
        return d

    def sides(self, name: str) -> tuple[E.Fn, ...]:
        """a and b at the field = 0, 1 (and 2, unless the tree shows a − b is linear in it)."""
        hit = self.lin.get(name)
        if hit is None:
            fns: list[E.Fn] = []
            points = (
                (0, 1) if _degree(self.node.a, name) <= 1 and _degree(self.node.b, name) <= 1 else (0, 1, 2)
            )
            for x in points:
                sub = {name: E.Lit(x)}
                fns += [
                    E.to_python(E.substitute(self.node.a, sub)),
                    E.to_python(E.substitute(self.node.b, sub)),
                ]
            hit = self.lin[name] = tuple(fns)
        return hit


@dataclass
class _Plan:
    """Per rule object (condition, route item, indicator, level): field → its comparisons, compiled."""

    by_obj: dict[int, dict[str, list[_Cmp]]] = field(default_factory=dict)
    # per rule object: the fields it reads and, per field, its comparisons each once (by id, in
    # first-seen order): what `_open_fields` merges, built once per variant
    opened: dict[int, tuple[tuple[str, ...], dict[str, dict[int, _Cmp]]]] = field(default_factory=dict)


_PLANS: dict[int, tuple[Variant, _Plan]] = {}


def _plan(v: Variant) -> _Plan:
    hit = _PLANS.get(id(v))
    if hit is not None and hit[0] is v:
        return hit[1]
    plan = _Plan()
    compiled: dict[E.Node, _Cmp] = {}

    def add(obj: object, nodes: list[E.Node]) -> None:
        table: dict[str, list[_Cmp]] = {}
        for n in nodes:
            for c in _cmps(n):
                cc = compiled.get(c)
                if cc is None:
                    cc = compiled[c] = _Cmp(c, E.to_python(c))
                for col in E.columns(c):
                    table.setdefault(col, []).append(cc)
        plan.by_obj[id(obj)] = table
        fields = obj.item.fields if isinstance(obj, Level) else getattr(obj, "fields", ())
        plan.opened[id(obj)] = (tuple(fields), {f: {id(c): c for c in cmps} for f, cmps in table.items()})

    for c in v.conditions:
        add(c, [c.node])
    for rt in v.routes:
        for it in rt.items:
            add(it, [it.node])
    for ind in v.indicators:
        add(ind, [bd.node for bd in ind.bands])
    for lv in v.levels:
        add(lv, [lv.item.node])
    _PLANS[id(v)] = (v, plan)
    return plan


def _coef(n: E.Node, name: str) -> int | Fraction | None:
    """The constant coefficient of the field `name` in `n` when `n` is linear in it (0 when `n` does
    not read it), else None (a product of two fields, a CASE, a function: the closures decide)."""
    if isinstance(n, E.Col):
        return 1 if n.name == name else 0
    if isinstance(n, E.Lit | E.BoolNull):
        return 0
    if isinstance(n, E.Neg):
        c = _coef(n.a, name)
        return None if c is None else -c
    if isinstance(n, E.Big):
        c = _coef(n.a, name)
        return None if c is None else c * 10**n.scale
    if isinstance(n, E.Macro):
        return _coef(n.body, name)
    if isinstance(n, E.Arith) and n.op in ("+", "-"):
        a, b = _coef(n.a, name), _coef(n.b, name)
        if a is None or b is None:
            return None
        return a + b if n.op == "+" else a - b
    if isinstance(n, E.Arith) and n.op == "*":
        for k, other in ((n.a, n.b), (n.b, n.a)):
            if isinstance(k, E.Lit) and isinstance(k.value, int | Fraction) and not isinstance(k.value, bool):
                c = _coef(other, name)
                return None if c is None else k.value * c
    return 0 if name not in E.columns(n) else None


def _degree(n: E.Node, name: str) -> int:
    """Polynomial degree of `n` in the field `name`; 2 stands for "2 or more, or not a polynomial"
    (a CASE, a macro or a function reading it)."""
    if isinstance(n, E.Col):
        return 1 if n.name == name else 0
    if isinstance(n, E.Lit | E.BoolNull):
        return 0
    if isinstance(n, E.Neg | E.Big):
        return _degree(n.a, name)
    if isinstance(n, E.Arith) and n.op in ("+", "-", "*"):
        a, b = _degree(n.a, name), _degree(n.b, name)
        return min(2, a + b) if n.op == "*" else max(a, b)
    return 2 if name in E.columns(n) else 0


def _cmps(n: E.Node) -> list[E.Cmp]:
    out: list[E.Cmp] = []
    stack = [n]
    while stack:
        x = stack.pop()
        if isinstance(x, E.Cmp):
            out.append(x)
        stack.extend(E.children(x))
    return out


# ---------------------------------------------------------------------------------------------
# a lean verdict (same closures and rules as evaluate_variant, without the explanation text)


# Points inside the search are counted in 1/_S of a point: a points_expr gives decimal scores
# (特色化指标 12.5分), and as integers their sums, differences and comparisons cost no Fraction. Exact
# either way: a value that is not a whole number of 1/_S stays a Fraction (`_scaled`), and every
# threshold the points are compared with is scaled too; wording converts back (`_unscaled`).
_S = 10**6


def _scaled(x: Any) -> Any:
    """x points in 1/_S units: an int when exact (always for whole and decimal points), else the
    exact Fraction."""
    if type(x) is int:
        return x * _S
    if type(x) is Fraction:
        n, d = x.numerator * _S, x.denominator
        if d == 1:
            return n
        q, rem = divmod(n, d)
        return q if rem == 0 else Fraction(n, d)
    return x * _S


def _unscaled(x: Any) -> Any:
    """Points back from 1/_S units: an int when whole, else the exact Fraction."""
    if type(x) is int:
        q, rem = divmod(x, _S)
        return q if rem == 0 else Fraction(x, _S)
    return x / _S


@dataclass(slots=True)
class _Quick:
    """A verdict of the search; points (totals, ranges, group sums) in 1/_S units."""

    qualified: bool | None
    total_lo: Number
    total_hi: Number
    true_items: int
    false_items: int
    level_rank: int
    # the raw values, reused for objects a change does not touch (incremental re-evaluation)
    cond_vals: list[bool | None] = field(default_factory=list)
    route_vals: list[bool | None] = field(default_factory=list)
    ranges: list[tuple[Number, Number]] = field(default_factory=list)
    item_vals: list[list[bool | None]] = field(default_factory=list)
    level_vals: list[bool | None] = field(default_factory=list)
    group_sums: list[tuple[Number, Number]] = field(default_factory=list)  # per passing group (lo, hi)
    cond_counts: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # TRUE, FALSE, unknown, other


_NONE: frozenset[str] = frozenset()


@dataclass
class _Reads:
    """Per variant: which conditions, indicators, route items and levels read each field, and the
    indicators of each passing group (so a re-evaluation visits only what a change touches)."""

    conds: dict[str, list[int]]
    inds: dict[str, list[int]]
    items: dict[str, list[tuple[int, int]]]
    levels: dict[str, list[int]]
    groups: list[tuple[Number, list[int]]]  # (pass_min in 1/_S points, member indicators)
    position: dict[str, int]  # indicator id -> its index
    fields: frozenset[str]  # every field the conditions, indicators, route items and levels read
    group_of: dict[int, list[int]]  # indicator index -> the passing groups (indices into groups) it is in
    # per route, what `_finish` reads of it: (kind, score_at_least, groups_at_least, indices of the
    # indicators that must score above zero), so no attribute is looked up per evaluation
    route_plan: list[tuple[str, Number, bool, tuple[int, ...]]] = field(default_factory=list)


_READS: dict[int, tuple[Variant, _Reads]] = {}


def _reads(v: Variant) -> _Reads:
    hit = _READS.get(id(v))
    if hit is not None and hit[0] is v:
        return hit[1]

    def index(objs: list[tuple[Any, tuple[str, ...]]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for key, fields in objs:
            for f in fields:
                out.setdefault(f, []).append(key)
        return out

    reads = _Reads(
        conds=index([(i, c.fields) for i, c in enumerate(v.conditions)]),
        inds=index([(i, ind.fields) for i, ind in enumerate(v.indicators)]),
        items=index([((k, j), it.fields) for k, rt in enumerate(v.routes) for j, it in enumerate(rt.items)]),
        levels=index([(i, lv.item.fields) for i, lv in enumerate(v.levels)]),
        groups=[
            (_scaled(g.pass_min), [i for i, ind in enumerate(v.indicators) if ind.group == g.id])
            for g in v.groups
            if g.pass_min is not None
        ],
        position={ind.id: i for i, ind in enumerate(v.indicators)},
        fields=frozenset(),
        group_of={},
    )
    reads.fields = frozenset([*reads.conds, *reads.inds, *reads.items, *reads.levels])
    reads.route_plan = [
        (
            rt.kind,
            _scaled(rt.score_at_least if rt.score_at_least is not None else 0),
            bool(rt.groups_at_least),
            tuple(reads.position[i] for i in rt.indicators_nonzero),
        )
        for rt in v.routes
    ]
    for g, (_pass_min, members) in enumerate(reads.groups):
        for i in members:
            reads.group_of.setdefault(i, []).append(g)
    _READS[id(v)] = (v, reads)
    return reads


def _quick(
    v: Variant, r0: Mapping[str, Any], prev: _Quick | None = None, changed: frozenset[str] = _NONE
) -> _Quick:
    """The verdict, points and progress counts of a record; with `prev`, only the conditions,
    indicators, route items and levels reading a `changed` field are evaluated again."""
    # the closures memoize derived values (keyed by their inputs) in the dict they are given: every
    # caller passes a record of its own (prepared, or a changed copy), so no second copy is made
    r = r0 if isinstance(r0, dict) else dict(r0)
    reads = _reads(v)
    if prev is None:
        values = [c.fn(r) for c in v.conditions]
        ranges = [_points(band_range(ind, r)) for ind in v.indicators]
        item_vals = [[it.fn(r) for it in rt.items] if rt.kind != "score" else [] for rt in v.routes]
        level_vals = [lv.item.fn(r) for lv in v.levels]
        return _start(v, reads, r, values, ranges, item_vals, level_vals)
    # only what reads a changed field is evaluated again; the sums and counts move by the
    # differences (each list is copied only when a changed field touches it: the others are shared
    # with prev)
    values, ranges = prev.cond_vals, prev.ranges
    item_vals, level_vals = prev.item_vals, prev.level_vals
    total_lo, total_hi, group_sums = prev.total_lo, prev.total_hi, prev.group_sums
    counts = prev.cond_counts
    for name in changed:
        touched = reads.conds.get(name)
        if touched:
            if values is prev.cond_vals:
                values = list(values)
                counts = list(counts)
            for i in touched:
                x = v.conditions[i].fn(r)
                counts[_tri_index(values[i])] -= 1
                counts[_tri_index(x)] += 1
                values[i] = x
        for i in reads.inds.get(name, ()):
            lo, hi = _points(band_range(v.indicators[i], r))
            lo0, hi0 = ranges[i]
            if lo != lo0 or hi != hi0:
                if ranges is prev.ranges:
                    ranges, group_sums = list(ranges), list(group_sums)
                ranges[i] = (lo, hi)
                total_lo, total_hi = total_lo + (lo - lo0), total_hi + (hi - hi0)
                for g in reads.group_of.get(i, ()):
                    glo, ghi = group_sums[g]
                    group_sums[g] = (glo + (lo - lo0), ghi + (hi - hi0))
        for k, j in reads.items.get(name, ()):
            if item_vals is prev.item_vals:
                item_vals = list(item_vals)
            if item_vals[k] is prev.item_vals[k]:
                item_vals[k] = list(item_vals[k])
            item_vals[k][j] = v.routes[k].items[j].fn(r)
        touched = reads.levels.get(name)
        if touched:
            if level_vals is prev.level_vals:
                level_vals = list(level_vals)
            for i in touched:
                level_vals[i] = v.levels[i].item.fn(r)
    return _finish(v, reads, r, values, counts, ranges, item_vals, level_vals, total_lo, total_hi, group_sums)


def _points(band: tuple[Any, ...]) -> tuple[Number, Number]:
    """(lo, hi) of `band_range` in 1/_S points (a points_expr gives Fractions): the same values,
    summed and compared without building Fractions."""
    lo, hi = band[0], band[1]
    return (lo * _S if type(lo) is int else _scaled(lo)), (hi * _S if type(hi) is int else _scaled(hi))


def _tri_index(x: Any) -> int:
    """0 for TRUE, 1 for FALSE, 2 for unknown, 3 for anything else (counted as `kleene_and` and
    `x is True` count them)."""
    if x is True:
        return 0
    if x is False:
        return 1
    return 2 if x is None else 3


def _start(
    v: Variant,
    reads: _Reads,
    r: Mapping[str, Any],
    values: list[bool | None],
    ranges: list[tuple[Number, Number]],
    item_vals: list[list[bool | None]],
    level_vals: list[bool | None],
) -> _Quick:
    """A full evaluation's verdict from the raw values: totals, group sums and counts summed."""
    total_lo: Number = sum((lo for lo, _hi in ranges), start=0)
    total_hi: Number = sum((hi for _lo, hi in ranges), start=0)
    group_sums = [
        (sum((ranges[i][0] for i in members), start=0), sum((ranges[i][1] for i in members), start=0))
        for _pass_min, members in reads.groups
    ]
    counts = [0, 0, 0, 0]
    for x in values:
        counts[_tri_index(x)] += 1
    return _finish(v, reads, r, values, counts, ranges, item_vals, level_vals, total_lo, total_hi, group_sums)


def _from_raw(
    v: Variant,
    r: dict[str, Any],
    raw: tuple[Any, ...] | None,
    origin: Mapping[str, Any] | None = None,
    overridden: tuple[str, ...] = (),
) -> _Quick | None:
    """The base verdict from the values `evaluate_variant` already computed for this variant (None
    when they are not for `v`, or were read off a record that differs from `r` in a field `v`
    reads, e.g. the review flag): the gap search then evaluates nothing twice.

    `r` is a copy of `origin` with only the fields `overridden` set (find_gaps): when the values were
    read off `origin` itself, only those fields can differ, so only they are compared."""
    if raw is None or raw[0] is not v:
        return None
    _v, seen, values, ranges, item_vals, level_vals = raw
    reads = _reads(v)
    if seen is not r:
        names = reads.fields
        if seen is origin and origin is not None:
            names = reads.fields.intersection(overridden)
        for name in names:
            a, b = seen.get(name), r.get(name)
            if a is not b and (type(a) is not type(b) or a != b):
                return None
    return _start(
        v,
        reads,
        r,
        list(values),
        [_points(x) for x in ranges],
        [list(x) for x in item_vals],
        list(level_vals),
    )


def _finish(
    v: Variant,
    reads: _Reads,
    r: Mapping[str, Any],
    values: list[bool | None],
    counts: list[int],
    ranges: list[tuple[Number, Number]],
    item_vals: list[list[bool | None]],
    level_vals: list[bool | None],
    total_lo: Number,
    total_hi: Number,
    group_sums: list[tuple[Number, Number]],
) -> _Quick:
    """Routes, counts, level and verdict from the raw values of the conditions, indicators, route
    items and levels (`counts`: how many conditions are TRUE, FALSE, unknown, other)."""
    true_items, false_items = counts[0], counts[1]
    route_values: list[bool | None] = []
    best_route_items = 0
    k = 0
    for kind, need, groups_at_least, nonzero in reads.route_plan:
        if kind == "score":
            # kleene_and of the score test, the group tests and the non-zero tests, in that order
            val: bool | None = True if total_lo >= need else (False if total_hi < need else None)
            if val is not False and groups_at_least:
                for (pass_min, _members), (glo, ghi) in zip(reads.groups, group_sums, strict=True):
                    if glo >= pass_min:
                        continue
                    if ghi < pass_min:
                        val = False
                        break
                    val = None
            if val is not False:
                for i in nonzero:
                    lo, hi = ranges[i]
                    if lo > 0:
                        continue
                    if hi <= 0:
                        val = False
                        break
                    val = None
        else:
            ivals = item_vals[k]
            val = kleene_or(ivals) if kind == "any" else kleene_and(ivals)
            if kind == "all":
                best_route_items = max(best_route_items, sum(1 for x in ivals if x is True))
        route_values.append(val)
        k += 1
    if True in route_values:  # (route values are True, False or None only)
        true_items += 1 + len(v.conditions)  # a route reached outweighs any single condition
    else:
        true_items += best_route_items
    level_rank = 0
    for i, x in enumerate(level_vals):
        if x is None:
            break
        if x:
            level_rank = len(v.levels) - i
            break
    if v.qualified is not None:
        qualified = v.qualified.fn(r)
    else:
        # kleene_and over the conditions and the routes, from the counts
        routes = kleene_or(route_values) if v.routes else True
        if counts[1] or routes is False:
            qualified = False
        elif counts[2] or routes is None:
            qualified = None
        else:
            qualified = True
    return _Quick(
        qualified,
        total_lo,
        total_hi,
        true_items,
        false_items,
        level_rank,
        values,
        route_values,
        ranges,
        item_vals,
        level_vals,
        group_sums,
        counts,
    )


def _better(new: _Quick, old: _Quick) -> bool:
    """Progress without losing anything already met."""
    if new.qualified is True and old.qualified is not True:
        return True
    if new.false_items > old.false_items or new.total_lo < old.total_lo or new.level_rank < old.level_rank:
        return False
    return new.true_items > old.true_items or new.total_lo > old.total_lo or new.level_rank > old.level_rank


# ---------------------------------------------------------------------------------------------
# candidate values of one field


def _candidates(
    name: str,
    r: Mapping[str, Any],
    cmps: list[_Cmp],
    memo: dict[int, Any] | None = None,
    scratch: dict[str, Any] | None = None,
) -> tuple[list[Any], bool]:
    """Values to try, nearest first, and whether bisection is needed (a non-linear comparison).

    `memo` holds a − b of each comparison on this record, `scratch` a copy of the record the
    closures may memoize derived values in (both shared by the fields of one search)."""
    direction = _direction(name)
    old = r.get(name)
    spec = REGISTRY[name]
    if direction is None or old is None:
        return [], False
    if spec.type == "bool":
        want = direction == "true"
        return ([want] if old is not want else []), False
    if spec.type == "enum":
        if direction != "up" or old not in spec.values:
            return [], False
        return list(spec.values[spec.values.index(old) + 1 :]), False
    if spec.type not in UPPER:
        return [], False
    if memo is None:
        memo = {}
    integer, per = _grid(spec.type)
    # Exact arithmetic on integers: a value x of the field is k grid units (k / per), so the sign of
    # D(x) = ds0 + slope·x is the sign of ds0·per + slope·k.
    up = direction == "up"
    out: set[int] = set()
    nonlinear = False
    x_old: int | Fraction = int(old) if integer else Fraction(old)
    k_old: int | Fraction = x_old * per  # the old value in grid units (an integer on the grid)
    if isinstance(k_old, Fraction) and k_old.denominator == 1:
        k_old = k_old.numerator
    if scratch is None:
        scratch = dict(r)  # substituted closures memoize under their own keys; `r` itself stays clean
    for c in cmps:
        holds = c.holds
        if holds is None:
            continue
        slopes = c.slopes
        slope = slopes[name] if name in slopes else c.slope(name)
        if slope is not None:
            key = id(c)
            d_old = memo[key] if key in memo else c.difference(scratch, memo)
            if d_old is None or slope == 0:
                continue
            at_old = d_old * per  # D(old)·per
            num = at_old - slope * k_old  # D(0)·per
        else:
            fns = c.sides(name)
            ds = []
            for i in range(0, len(fns), 2):
                a, b = fns[i](scratch), fns[i + 1](scratch)
                if a is None or b is None or isinstance(a, bool | str) or isinstance(b, bool | str):
                    break
                ds.append(a - b)
            if len(ds) < len(fns) // 2:
                continue
            slope = ds[1] - ds[0]
            if slope == 0:
                continue
            if len(ds) == 3 and ds[2] - ds[1] != slope:
                nonlinear = True  # not a straight line in this field: bisect instead
                continue
            num = ds[0] * per
            at_old = num + slope * k_old
        # D(x) = a − b = D(0) + slope·x, so D(k units)·per = num + slope·k; the comparison holds
        # where op(D, 0)
        if isinstance(num, int) and isinstance(slope, int):
            # the first grid value at or past the root (−num / slope) in the helpful direction
            k = -(num // slope) if up else (-num) // slope
        else:
            root = Fraction(-num) / slope
            k = math.ceil(root) if up else math.floor(root)
        here = holds(at_old)  # = holds(num + slope·k_old), the side of the threshold the firm is on
        for kk in (k, k + 1) if up else (k, k - 1):
            if ((kk > k_old) if up else (kk < k_old)) and holds(num + slope * kk) != here:
                out.add(kk)
                break
    lo = 0 if not spec.signed else -(10**13)
    hi = UPPER[spec.type]

    def distance(k: int) -> Any:
        return abs(k - k_old)

    vals = sorted((k for k in out if lo * per <= k <= hi * per), key=distance)
    if integer:
        return vals, nonlinear
    return [Fraction(k, per) for k in vals], nonlinear


def _native(ftype: str, v: Fraction) -> Any:
    if ftype in ("money", "count", "int", "rank"):
        return int(v)
    return v


def _apply(r: Mapping[str, Any], name: str, value: Any) -> tuple[dict[str, Any], list[Change]] | None:
    """The record with one field changed (and a coupled total raised), or None if not feasible."""
    out = dict(r)
    out[name] = value
    changes = [Change(name, r.get(name), value)]
    cap = CAPPED.get(name)
    if cap is not None and r.get(cap) is not None and value > r[cap]:
        return None
    total = COUPLED.get(name)
    if total is not None and r.get(total) is not None and value > r[total]:
        out[total] = value
        changes.append(Change(total, r.get(total), value))
    return out, changes


def _bisect(name: str, r: Mapping[str, Any], v: Variant, base: _Quick) -> Any | None:
    """Smallest (or largest, for 'down') grid value that makes progress, assuming monotonicity."""
    spec = REGISTRY[name]
    unit = _unit(spec.type)
    old = Fraction(r[name])
    up = _direction(name) == "up"
    limit = Fraction(UPPER[spec.type]) if up else Fraction(0)

    def ok(x: Fraction) -> bool:
        applied = _apply(r, name, _native(spec.type, x))
        return applied is not None and _better(_quick(v, applied[0], base, _changed(applied[1])), base)

    if not ok(limit) or limit == old:
        return None
    good, bad = limit, old
    while abs(good - bad) > unit:
        mid = Fraction(math.floor(((good + bad) / 2) / unit)) * unit
        if mid in (good, bad):
            break
        if ok(mid):
            good = mid
        else:
            bad = mid
    return _native(spec.type, good)


# ---------------------------------------------------------------------------------------------
# the search


@dataclass(slots=True)
class _Found:
    record: dict[str, Any]
    changes: list[Change]
    quick: _Quick
    size: float


_ONE: dict[str, frozenset[str]] = {}
_FIELD_AND_TOTAL: dict[str, frozenset[str]] = {}  # a field and the total it raises (COUPLED)


def _changed(changes: list[Change]) -> frozenset[str]:
    if len(changes) == 1:  # the common case: one field, its set made once
        name = changes[0].field
        hit = _ONE.get(name)
        if hit is None:
            hit = _ONE[name] = frozenset((name,))
        return hit
    return frozenset([c.field for c in changes])


def _size(changes: list[Change]) -> float:
    total = 0.0
    for c in changes:
        total += _change_size(c.old, c.new)
    return total


def _change_size(old: Any, new: Any) -> float:
    """The relative size of one change (a yes/no or a level step counts 1)."""
    if isinstance(new, bool | str) or isinstance(old, bool | str):
        return 1.0
    a, b = float(old), float(new)
    return abs(b - a) / max(abs(a), 1.0)


def _singles(
    v: Variant, r: dict[str, Any], base: _Quick, plan: _Plan, may: dict[frozenset[str], bool] | None = None
) -> list[_Found]:
    """Per field: the nearest improving value, and the nearest qualifying one if different.

    Fields that could qualify on their own are tried first, then by the size of their nearest step;
    at most MAX_EVALS evaluations are spent (the list shows MAX_GAPS suggestions anyway).
    `may` memoizes `_may_qualify` by field set for this base (shared with the caller)."""
    todo = []
    memo: dict[int, Any] = {}
    if may is None:
        may = {}
    scratch = dict(r)  # the closures of the candidate search memoize here; `r` itself stays clean
    for name, cmps in _open_fields(v, base, plan).items():
        if _direction(name) is None or r.get(name) is None:
            continue
        cands, nonlinear = _candidates(name, r, cmps, memo, scratch)
        if not cands and not nonlinear:
            continue
        fields = _FIELD_AND_TOTAL.get(name)
        if fields is None:
            fields = _FIELD_AND_TOTAL[name] = frozenset({name, COUPLED.get(name, name)})
        step = 0.0 + _change_size(r[name], cands[0]) if cands else 1.0  # = _size of that one change
        todo.append((not _may_memo(v, base, fields, may), step, name, cands, nonlinear))
    todo.sort(key=lambda t: (t[0], t[1], t[2]))
    found: list[_Found] = []
    budget = MAX_EVALS
    for _hopeless, _step, name, cands, nonlinear in todo:
        if budget <= 0:
            break
        first: _Found | None = None
        for value in cands[:MAX_TRIES]:
            applied = _apply(r, name, value)
            if applied is None:
                continue
            rec, changes = applied
            budget -= 1
            changed = _changed(changes)
            q = _quick(v, rec, base, changed)
            if not _better(q, base):
                continue
            f = _Found(rec, changes, q, _size(changes))
            if first is None:
                first = f
                found.append(f)
                if q.qualified is not True and not _may_memo(v, base, changed, may):
                    break  # this field alone cannot carry the firm over: the nearest step is enough
            if q.qualified is True:
                if f is not first:
                    found.append(f)
                break
        if first is None and nonlinear:
            value = _bisect(name, r, v, base)
            budget -= 8
            if value is not None:
                applied = _apply(r, name, value)
                if applied is not None:
                    rec, changes = applied
                    found.append(
                        _Found(rec, changes, _quick(v, rec, base, _changed(changes)), _size(changes))
                    )
    return found


def _may_memo(v: Variant, base: _Quick, fields: frozenset[str], memo: dict[frozenset[str], bool]) -> bool:
    """`_may_qualify`, once per field set of one search."""
    hit = memo.get(fields)
    if hit is None:
        hit = memo[fields] = _may_qualify(v, base, fields)
    return hit


def _may_qualify(v: Variant, base: _Quick, fields: frozenset[str]) -> bool:
    """Could changing only `fields` make the firm qualify? (Every unmet condition reads them, and a
    route can be reached: an item reading them, or enough points in the indicators reading them.)"""
    if v.qualified is not None:
        return True  # classification standards: levels, cheap to search
    for i, c in enumerate(v.conditions):
        if base.cond_vals[i] is not True and fields.isdisjoint(c.fields):
            return False
    if not v.routes or any(x is True for x in base.route_vals):
        return True
    for k, rt in enumerate(v.routes):
        if rt.kind == "score":
            need = _scaled(rt.score_at_least or 0) - base.total_lo
            reach = sum(
                (
                    _scaled(ind.max) - base.ranges[i][0]
                    for i, ind in enumerate(v.indicators)
                    if not fields.isdisjoint(ind.fields)
                ),
                start=0,
            )
            if reach >= need:
                return True
        elif rt.kind == "any":
            if any(not fields.isdisjoint(it.fields) for it in rt.items):
                return True
        elif all(
            x is True or not fields.isdisjoint(it.fields)
            for it, x in zip(rt.items, base.item_vals[k], strict=True)
        ):
            return True
    return False


def _open_fields(v: Variant, base: _Quick, plan: _Plan) -> dict[str, list[_Cmp]]:
    """Fields (with their comparisons) of what still stands between the firm and the verdict:
    conditions and route items not TRUE, indicators short of their maximum, the level tests
    (read off the base evaluation, not evaluated again)."""
    objs: list[object] = [c for c, x in zip(v.conditions, base.cond_vals, strict=True) if x is not True]
    if v.routes:
        route_met = False
        opened: list[object] = []
        for k, rt in enumerate(v.routes):
            if rt.kind == "score":
                opened += [
                    ind for ind, rg in zip(v.indicators, base.ranges, strict=True) if rg[0] < _scaled(ind.max)
                ]
                continue
            vals = base.item_vals[k]
            if (rt.kind == "any" and True in vals) or (rt.kind == "all" and all(x is True for x in vals)):
                route_met = True
            opened += [it for it, x in zip(rt.items, vals, strict=True) if x is not True]
        if not route_met:
            objs += opened
    else:
        objs += list(v.indicators)
    objs += list(v.levels)
    seen: dict[str, dict[int, _Cmp]] = {}  # field -> its comparisons, each once, in first-seen order
    fields_of: dict[str, None] = {}
    opened_of = plan.opened
    for o in objs:
        fields, table = opened_of[id(o)]
        fields_of.update(dict.fromkeys(fields))
        for f, cmps in table.items():
            have = seen.get(f)
            if have is None:
                seen[f] = dict(cmps)
            else:
                have.update(cmps)  # a comparison already listed keeps its place
    out = {f: list(have.values()) for f, have in seen.items()}
    for f in fields_of:
        out.setdefault(f, [])
    return out


def _rank(f: _Found, base: _Quick) -> tuple[Any, ...]:
    return (f.quick.qualified is not True, f.size, -(f.quick.total_lo - base.total_lo))


def _greedy_key(f: _Found, base: _Quick) -> tuple[Any, ...]:
    return (
        f.quick.qualified is not True,
        -(f.quick.true_items - base.true_items),
        -(f.quick.total_lo - base.total_lo),
        f.size,
    )


def find_gaps(
    packs: Packs,
    record: Mapping[str, Any],
    standard: str,
    result: StandardResult,
    today: dt.date | None = None,
    prepared: Mapping[str, Any] | None = None,
) -> list[Gap]:
    """Ranked changes that would make the firm qualify (or get closer) under the same rule variant.

    `today` is the evaluation day explain() used for the default as_of (pass it when not today);
    `prepared` is `prepare(record, today)` when the caller already has it (explain, once for all
    standards)."""
    if result.qualified is Tri.TRUE or standard in NO_GAPS:
        return []
    ed = packs.edition(standard, result.edition)
    v = ed.variants.get(variant_key(result.edition, result.amendments, result.overlay))
    if v is None:  # pragma: no cover - the result came from this variant
        return []
    plan = _plan(v)
    r = prepare(record, today) if prepared is None else dict(prepared)
    overridden: tuple[str, ...] = ()
    if r.get(REVIEW) is None and reads_review([ed]):
        # an empty review flag: the reasons shown are the new application's (evaluate_either_reading),
        # so are the changes suggested
        r[REVIEW] = False
        overridden = (REVIEW,)
    base = _from_raw(v, r, result.raw, prepared, overridden) or _quick(v, r)
    if _blocked(v, r, base, only_false=True):
        return []  # e.g. a past incident or a title already held: nothing to suggest
    if base.false_items > MAX_STEPS:
        return []  # more hard conditions fail than a short plan can fix: the rung is out of reach
    may: dict[frozenset[str], bool] = {}
    singles = sorted(_singles(v, r, base, plan, may), key=lambda f: _rank(f, base))
    chosen = singles[:MAX_GAPS]
    pool = sorted(singles, key=lambda f: _greedy_key(f, base))[:MAX_POOL]
    reach = frozenset(c.field for f in pool for c in f.changes)
    if (
        not any(f.quick.qualified is True for f in singles)
        and not _blocked(v, r, base)
        and _may_memo(v, base, reach, may)
    ):
        plan_found = _greedy(v, r, base, pool)
        if plan_found is not None:
            chosen = [plan_found, *chosen[: MAX_GAPS - 1]]
    wording = _Wording()
    return [_gap(packs, v, r, base, f, wording) for f in chosen]


def _blocked(v: Variant, r: Mapping[str, Any], base: _Quick, only_false: bool = False) -> bool:
    """A failing (or, unless `only_false`, open) condition that no actionable, known field can
    change: no plan can qualify."""
    for c, val in zip(v.conditions, base.cond_vals, strict=True):
        if val is True or (only_false and val is None):
            continue
        if not any(_direction(f) and r.get(f) is not None for f in c.fields):
            return True
    return False


def _greedy(v: Variant, r: dict[str, Any], base: _Quick, first: list[_Found]) -> _Found | None:
    """Up to MAX_STEPS of the single changes found, each time the most useful next one (re-checked
    on the changed firm); kept only if the plan qualifies."""
    state, quick = r, base
    changes: list[Change] = []
    used: set[str] = set()
    for step in range(MAX_STEPS):
        options: list[_Found] = []
        for f in first:
            if any(c.field in used for c in f.changes):
                continue
            if step == 0:
                options.append(f)
                continue
            rec = dict(state)
            rec.update((c.field, c.new) for c in f.changes)
            q = _quick(v, rec, quick, _changed(f.changes))
            if _better(q, quick):
                options.append(_Found(rec, f.changes, q, f.size))
        if not options:
            return None
        best = min(options, key=lambda f: _greedy_key(f, quick))
        state, quick = best.record, best.quick
        changes = _merge(changes, best.changes)
        used.update(c.field for c in best.changes)
        if quick.qualified is True:
            return _Found(state, changes, quick, _size(changes))
    return None


def _merge(old: list[Change], new: list[Change]) -> list[Change]:
    out = {c.field: Change(c.field, c.old, c.new) for c in old}
    for c in new:
        if c.field in out:
            out[c.field].new = c.new
        else:
            out[c.field] = Change(c.field, c.old, c.new)
    return list(out.values())


# ---------------------------------------------------------------------------------------------
# wording


ENUM_ZH = {
    "rd_inst_level": {
        "none": "未建立",
        "below_city": "市级以下",
        "city": "市级",
        "provincial": "省级",
        "national": "国家级",
    },
}


def _show(packs: Packs, name: str, value: Any) -> str:
    """A value as an official reads it: money in 万元 (exact to the yuan), fractions in %, yes/no."""
    info = packs.fields.get(name)
    ftype = info.type if info else ""
    if isinstance(value, str):
        return ENUM_ZH.get(name, {}).get(value, value)
    if ftype == "money" and type(value) is int:  # yuan → 万元, exact (the same number as below)
        return f"{_num(Decimal(value) / 10000)}万元"
    if isinstance(value, Decimal):
        value = Fraction(value)
    if ftype == "money" and value is not None and not isinstance(value, bool):
        wan = Fraction(value) / 10000
        return f"{_num(Decimal(wan.numerator) / Decimal(wan.denominator))}万元"
    return _fmt_value(value, ftype)


@dataclass
class _Wording:
    """What the suggestions of one firm and standard share: the firm's own score and value texts."""

    score: Any = None
    scored: bool = False
    before: dict[int, str] = field(default_factory=dict)
    old: dict[str, str] = field(default_factory=dict)  # field -> its current value as shown


def _gap(packs: Packs, v: Variant, r: Mapping[str, Any], base: _Quick, f: _Found, w: _Wording) -> Gap:
    """The suggestion in words, from the cached evaluations (no second full explanation)."""
    new = f.quick
    parts = []
    for c in f.changes:
        label = packs.fields[c.field].label if c.field in packs.fields else c.field
        old = w.old.get(c.field)
        if old is None:
            old = w.old[c.field] = _show(packs, c.field, r.get(c.field))
        parts.append(f"{label} {old} → {_show(packs, c.field, c.new)}")
    effects = []
    for i, ind in enumerate(v.indicators):
        (lo0, _h0), (lo1, _h1) = base.ranges[i], new.ranges[i]
        if lo0 == lo1:
            continue
        lo0, lo1 = _unscaled(lo0), _unscaled(lo1)
        diff = to_decimal(lo1 - lo0)
        sign = "+" if diff > 0 else ""
        if i not in w.before:
            w.before[i] = _value_text(packs, ind, r)
        before, after = w.before[i], _value_text(packs, ind, f.record)
        if "；" in after or "%" not in after:  # not a single ratio: name the bands instead
            before, after = _band_label(ind, r, lo0), _band_label(ind, f.record, lo1)
        effects.append(f"{ind.label} {before} → {after}，{sign}{_num(diff)}分")
    for i, cond in enumerate(v.conditions):
        if base.cond_vals[i] is not True and new.cond_vals[i] is True:
            effects.append(f"满足“{cond.label}”")
    for k, rt in enumerate(v.routes):
        for j, it in enumerate(rt.items):
            if base.item_vals[k][j] is not True and new.item_vals[k][j] is True:
                effects.append(f"满足“{it.label}”")
    if v.levels and new.level_rank != base.level_rank:
        effects.append(f"等级 {_level_label(v, base.level_rank)} → {_level_label(v, new.level_rank)}")
    gain = Decimal(0)
    if v.score_fn is not None:
        if not w.scored:
            w.score, w.scored = v.score_fn(r), True
        s0, s1 = w.score, v.score_fn(f.record)
        if s0 is not None and s1 is not None:
            gain = to_decimal(s1 - s0)
    elif v.indicators:
        gain = to_decimal(_unscaled(new.total_lo - base.total_lo))
    makes = new.qualified is True
    if makes:
        score_at = next((i for i, rt in enumerate(v.routes) if rt.kind == "score"), None)
        first_true = next((i for i, x in enumerate(new.route_vals) if x is True), None)
        if score_at is not None and first_true == score_at and new.total_lo == new.total_hi:
            need = v.routes[score_at].score_at_least or 0
            effects.append(
                f"总分{_num(to_decimal(_unscaled(new.total_lo)))}分，达到{_num(to_decimal(need))}分，符合条件"
            )
        else:
            effects.append("符合条件")
    elif gain > 0 and v.indicators:
        effects.append(
            f"总分 {_num(to_decimal(_unscaled(base.total_lo)))} → {_num(to_decimal(_unscaled(new.total_lo)))}分"
        )
    effect = "；".join(parts) + ("，" + "，".join(effects) if effects else "")
    changes = [Change(c.field, _plain(c.old), _plain(c.new)) for c in f.changes]
    return Gap(changes=changes, effect_zh=effect, points_gain=gain, makes_qualified=makes, size=f.size)


def _plain(value: Any) -> Any:
    """Record types for callers: exact fractions back to Decimal (they lie on the field's grid)."""
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return value


def _band_label(ind: Any, r: Mapping[str, Any], points: Number) -> str:
    for b in ind.bands:
        if b.points == points and b.fn(r) is True:
            return str(b.label)
    return str(ind.else_label) if points == 0 else _num(to_decimal(points)) + "分"


def _level_label(v: Variant, rank: int) -> str:
    if rank == 0:
        return v.default_label or (v.default_level or "")
    return v.levels[len(v.levels) - rank].label


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))
