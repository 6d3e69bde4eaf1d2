"""Explain one firm-year in Python: pick the edition, evaluate the compiled closures, give reasons.

The closures were built at load time from the same rewritten trees the SQL compiler renders, so a
verdict here and a verdict from DuckDB/PostgreSQL/Spark agree by construction (tests/rules/test_parity.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from tidu.rules import expr as E
from tidu.rules.editions import (
    REVIEW,
    REVIEW_TITLE,
    check_edition,
    check_standards,
    reads_review,
    select_edition,
    select_variant,
)
from tidu.rules.fieldinfo import field_infos
from tidu.rules.fields import effective_as_of
from tidu.rules.model import (
    STANDARDS,
    ConditionResult,
    GroupResult,
    IndicatorResult,
    Item,
    LadderResult,
    LevelResult,
    Number,
    RouteResult,
    StandardResult,
    Tri,
    UnknownField,
    Variant,
    points_out,
    to_decimal,
)
from tidu.rules.values import at_least, kleene_and, kleene_or
from tidu.rules.values import fmt_value as _fmt_value

if TYPE_CHECKING:
    from tidu.rules.compiler import CompiledPacks as Packs


_TEXT_FIELDS = frozenset(n for n, f in field_infos().items() if f.type in ("str", "enum"))


def prepare(record: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """The record the closures read: exact numbers (Decimal → Fraction), text fields as str (an
    enum given as 2022 compares like the SQL VARCHAR '2022'), and the effective as_of."""
    r: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, Decimal):
            v = Fraction(v)
        elif isinstance(v, float):
            v = Fraction(Decimal(repr(v)))
        if v is not None and k in _TEXT_FIELDS and not isinstance(v, str):
            v = str(v)
        r[k] = v
    r["as_of"] = effective_as_of(record, today)
    return r


def band_range(ind: Any, r: Mapping[str, Any]) -> tuple[Number, Number, str]:
    """(lo, hi, band label) of one indicator: lo = first TRUE band, hi = first band not FALSE."""
    if ind.points_fn is not None:
        x = ind.points_fn(r)
        if x is None:
            return 0, ind.max, "未知"
        x = min(max(x, 0), ind.max)
        return x, x, ""
    lo: Number | None = None
    hi: Number | None = None
    label = ""
    for b in ind.bands:
        v = b.fn(r)
        if v is True:
            if lo is None:
                lo, label = b.points, b.label
            if hi is None:
                hi = b.points
            break
        if v is None and hi is None:
            hi = b.points
    if lo is None:
        lo, label = 0, ind.else_label
    if hi is None:
        hi = 0
    if lo != hi:
        label = "未知"
    return lo, hi, label


# ---------------------------------------------------------------------------------------------
# display


def _value_text(packs: Packs, ind: Any, r: Mapping[str, Any]) -> str:
    parts = []
    for name, unit, fn in ind.shows:
        try:
            v = fn(r)
        except (TypeError, ZeroDivisionError):  # pragma: no cover - defensive: display only
            v = None
        text = _fmt_value(v, unit)
        if v is None and unit == "fraction" and all(r.get(f) is not None for f in ind.fields):
            text = "无法计算（分母为零或负数）"
        if len(ind.shows) == 1:
            return text
        label = packs.macro_labels.get(name) or (packs.fields[name].label if name in packs.fields else name)
        parts.append(f"{label}：{text}")
    return "；".join(parts)


def _field_label(packs: Packs, name: str) -> str:
    f = packs.fields.get(name)
    return f.label if f else name


_VALUED: dict[int, tuple[Item, frozenset[str]]] = {}


def _valued(item: Item) -> frozenset[str]:
    """The fields whose emptiness `item` does not itself test: an award rank read through `IS NULL`
    (or given a `COALESCE` default) means "none" when empty, not "unknown"."""
    hit = _VALUED.get(id(item))
    if hit is not None and hit[0] is item:
        return hit[1]
    tested: set[str] = set()

    def walk(n: E.Node) -> None:
        if isinstance(n, E.IsNull | E.Coalesce):
            tested.update(c.name for c in E.children(n) if isinstance(c, E.Col))
        for c in E.children(n):
            walk(c)

    walk(item.node)
    out = frozenset(f for f in item.fields if f not in tested)
    _VALUED[id(item)] = (item, out)
    return out


def _detail(packs: Packs, item: Item, value: bool | None, r: Mapping[str, Any]) -> str:
    missing = [f for f in item.fields if r.get(f) is None]
    if value is not None:
        verdict = "满足" if value else "不满足"
        valued = _valued(item)
        missing = [f for f in missing if f in valued]
        if not missing:
            return verdict
        # decided with inputs unknown (the known years already reach the threshold): say which
        # inputs could not change it, so nobody is asked to fill them in for this condition
        return f"{verdict}（{'、'.join(_field_label(packs, f) for f in missing)}未填写，但不论其取值如何结论不变）"
    if missing:
        return "无法判断：缺少" + "、".join(_field_label(packs, f) for f in missing)
    return "无法判断：分母为零或负数，无法计算"


def _cond(packs: Packs, item: Item, r: Mapping[str, Any]) -> tuple[ConditionResult, bool | None]:
    v = item.fn(r)
    return (
        ConditionResult(
            item.id,
            item.label,
            item.clause,
            Tri.TRUE if v is True else (Tri.FALSE if v is False else Tri.of(v)),
            item.fields,
            item.provisional,
            detail_fn=lambda: _detail(packs, item, v, r),
        ),
        v,
    )


# ---------------------------------------------------------------------------------------------
# one standard


def evaluate_variant(packs: Packs, v: Variant, r: Mapping[str, Any]) -> StandardResult:
    conditions: list[ConditionResult] = []
    values: list[bool | None] = []
    # (id, fields, part) of every open item; part says what it feeds: "condition", "indicator",
    # "level" or the route's index, so a field is marked as able to change the verdict only when
    # the part it leaves open is itself still open (decision 0087)
    open_items: list[tuple[str, tuple[str, ...], str | int]] = []
    for c in v.conditions:
        res, val = _cond(packs, c, r)
        conditions.append(res)
        values.append(val)
        if val is None:
            open_items.append((c.id, c.fields, "condition"))

    indicators: list[IndicatorResult] = []
    ranges: dict[str, tuple[Number, Number]] = {}
    range_list: list[tuple[Number, Number]] = []
    total_lo: Number = 0
    total_hi: Number = 0
    for ind in v.indicators:
        lo, hi, label = band_range(ind, r)
        ranges[ind.id] = (lo, hi)
        range_list.append((lo, hi))
        total_lo += lo
        total_hi += hi
        if lo != hi:
            open_items.append((ind.id, ind.fields, "indicator"))
        indicators.append(
            IndicatorResult(
                id=ind.id,
                group=ind.group,
                label=ind.label,
                value_fn=lambda ind=ind: _value_text(packs, ind, r),  # type: ignore[misc]
                band_label=label,
                points_lo=points_out(lo),
                points_hi=points_out(hi),
                max=points_out(ind.max),
                fields=ind.fields,
                clause=ind.clause,
                provisional=ind.provisional,
            )
        )
    groups: list[GroupResult] = []
    group_range: dict[str, tuple[Number, Number]] = {}
    for g in v.groups:
        glo = sum((ranges[i.id][0] for i in v.indicators if i.group == g.id), start=0)
        ghi = sum((ranges[i.id][1] for i in v.indicators if i.group == g.id), start=0)
        group_range[g.id] = (glo, ghi)
        groups.append(
            GroupResult(
                g.id,
                g.label,
                points_out(glo),
                points_out(ghi),
                None if g.max is None else points_out(g.max),
                None if g.pass_min is None else points_out(g.pass_min),
            )
        )

    routes: list[RouteResult] = []
    route_values: list[bool | None] = []
    item_vals: list[list[bool | None]] = []
    for k, rt in enumerate(v.routes):
        items: list[ConditionResult] = []
        ivals: list[bool | None] = []
        if rt.kind == "score":
            assert rt.score_at_least is not None
            parts = [at_least(total_lo, total_hi, rt.score_at_least)]
            if rt.groups_at_least:
                for g in v.groups:
                    if g.pass_min is not None:
                        parts.append(at_least(*group_range[g.id], g.pass_min))
            for ind_id in rt.indicators_nonzero:
                lo, hi = ranges[ind_id]
                parts.append(True if lo > 0 else (False if hi <= 0 else None))
            val = kleene_and(parts)
        else:
            for it in rt.items:
                res, iv = _cond(packs, it, r)
                items.append(res)
                ivals.append(iv)
                if iv is None:
                    open_items.append((it.id, it.fields, k))
            val = kleene_or(ivals) if rt.kind == "any" else kleene_and(ivals)
        item_vals.append(ivals)
        route_values.append(val)
        routes.append(RouteResult(rt.path, rt.path, rt.label, rt.clause, Tri.of(val), items))

    levels: list[LevelResult] = []
    level_vals: list[bool | None] = []
    level: str | None = None
    level_label = ""
    if v.levels:
        decided = False
        for lv in v.levels:
            val = lv.item.fn(r)
            level_vals.append(val)
            levels.append(LevelResult(lv.id, lv.level, lv.label, Tri.of(val), lv.item.fields))
            if val is None:
                open_items.append((lv.id, lv.item.fields, "level"))
            if decided:
                continue
            if val is None:
                decided = True
            elif val:
                level, level_label, decided = lv.level, lv.label, True
        if not decided:
            level, level_label = v.default_level, v.default_label

    if v.qualified is not None:
        qualified = v.qualified.fn(r)
    else:
        qualified = kleene_and([*values, kleene_or(route_values) if v.routes else True])
    path: str | None = None
    if qualified is True:
        path = next((rt.path for rt, val in zip(v.routes, route_values, strict=True) if val is True), None)
        if path is None:
            path = v.qualified_path

    score: Decimal | None = None
    score_range: tuple[Decimal, Decimal] | None = None
    if v.score_fn is not None:
        s = v.score_fn(r)
        if s is not None:
            score = to_decimal(s)
            score_range = (score, score)
    elif v.indicators:
        score_range = (to_decimal(total_lo), to_decimal(total_hi))
        if total_lo == total_hi:
            score = to_decimal(total_lo)

    notes = [text for item, text in v.notes if item.fn(r) is True]
    provisional = v.provisional
    if packs.size_info is not None and v.standard == "size_class":
        group = packs.size_group_fn(r)
        if group is not None:
            notes.insert(0, f"行业分组：{packs.size_info['labels'].get(group, group)}")
            if group in packs.size_info["provisional"]:
                provisional = True
                notes.append("该行业组的阈值暂按记忆值，待核对官方文本")

    undecided = qualified is None or (bool(v.levels) and level is None)

    def live(part: str | int) -> bool:
        """Whether an open item of this part can still change the verdict or level."""
        if part == "level":
            return bool(v.levels) and level is None
        if qualified is not None:
            return False
        if part == "condition" or v.qualified is not None:
            return True
        if True in route_values:  # a route already met: the routes are decided
            return False
        if part == "indicator":
            return any(
                val is None for rt, val in zip(v.routes, route_values, strict=True) if rt.kind == "score"
            )
        return route_values[int(part)] is None

    def unknown_fields() -> list[UnknownField]:
        unknown: dict[str, list[str]] = {}
        changes: dict[str, bool] = {}
        for ident, fields, part in open_items:
            for f in fields:
                if r.get(f) is None:
                    if ident not in unknown.setdefault(f, []):
                        unknown[f].append(ident)
                    changes[f] = changes.get(f, False) or (undecided and live(part))
        return [UnknownField(f, _field_label(packs, f), ids, changes[f]) for f, ids in unknown.items()]

    return StandardResult(
        standard=v.standard,
        edition=v.edition,
        title=v.title,
        document=v.document,
        amendments=list(v.amendments),
        overlay=v.overlay,
        qualified=Tri.of(qualified),
        score=score,
        score_range=score_range,
        level=level,
        level_label=level_label,
        path=path,
        provisional=provisional,
        conditions=conditions,
        indicators=indicators,
        groups=groups,
        routes=routes,
        levels=levels,
        unknown_fn=unknown_fields,
        verdict_could_change=undecided,
        readings=list(v.readings),
        notes=notes,
        score_output=v.score_output,
        raw=(v, r, values, range_list, item_vals, level_vals),
    )


def explain(
    packs: Packs,
    record: Mapping[str, Any],
    *,
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    prepared: dict[str, Any] | None = None,
) -> LadderResult:
    """Every (or the named) standard for one firm-year; `prepared` is `prepare(record, today)` when
    the caller has it already (Packs.explain, which hands the same record to the gap search)."""
    r = prepare(record, today) if prepared is None else prepared
    wanted, forced = check_standards(standards, editions)
    results: dict[str, StandardResult] = {}
    for s in STANDARDS:
        if s not in wanted or not packs.editions.get(s):
            continue
        if r.get(REVIEW) is None and reads_review(_candidates(packs, s, forced.get(s))):
            results[s] = evaluate_either_reading(packs, s, r, forced.get(s))
            continue
        ed = select_edition(packs, s, r, forced.get(s))
        results[s] = evaluate_variant(packs, select_variant(ed, r), r)
    year = record.get("year")
    code = record.get("credit_code")
    out = LadderResult(
        credit_code=None if code is None else str(code),
        year=year if isinstance(year, int) else None,
        as_of=r["as_of"],
        standards=results,
    )
    return out


# ---------------------------------------------------------------------------------------------
# is_review empty: a new application or a re-review (decision 0087)


def _candidates(packs: Packs, standard: str, forced: str | None) -> list[Any]:
    if forced is not None:
        return [check_edition(packs.editions, standard, forced)]
    return list(packs.editions.get(standard) or [])


_VERDICT = {Tri.TRUE: "符合", Tri.FALSE: "不符合", Tri.UNKNOWN: "无法判断"}


def evaluate_either_reading(
    packs: Packs, standard: str, r: Mapping[str, Any], forced: str | None = None
) -> StandardResult:
    """A firm-year whose `is_review` is empty, evaluated as a new application and as a re-review.

    Each output both readings share is given (the verdict, score, level); where they differ the
    verdict is unknown, or the score/level blank, and a note says the answer depends on whether this
    is a re-review. Reasons, path and edition are those of the new-application reading. The batch
    SQL merges the two readings the same way (tidu.rules.sql)."""
    ra: dict[str, Any] = {**r, REVIEW: False}
    va = select_variant(select_edition(packs, standard, ra, forced), ra)
    app = evaluate_variant(packs, va, ra)
    if isinstance(r, dict):  # keep the derived values memoized in `ra` (entries check their inputs)
        r.update((k, x) for k, x in ra.items() if k.startswith("\0"))
    title = REVIEW_TITLE.get(standard)
    if title is not None and r.get(title) is False:
        return app  # the firm does not hold the title: no re-review of it
    rr = {**ra, REVIEW: True}
    vr = select_variant(select_edition(packs, standard, rr, forced), rr)
    rev = (_review_items_only(va, rr, app) if vr is va else None) or evaluate_variant(packs, vr, rr)
    if rev is app:
        return app
    s = standard
    app_row, rev_row = app.row(), rev.row()
    qualified = app.qualified if app.qualified == rev.qualified else Tri.UNKNOWN
    score_same = app_row[f"{s}__score"] == rev_row[f"{s}__score"]
    level_same = app.level == rev.level
    undecided = qualified is Tri.UNKNOWN or (bool(app.levels) and not level_same) or app.verdict_could_change
    differs = [
        name
        for name, same in (
            ("结论", app.qualified == rev.qualified),
            ("得分", score_same),
            ("等级", level_same),
        )
        if not same
    ]

    def changed_items() -> list[str]:
        def values(res: StandardResult) -> dict[str, Tri]:
            out = {c.id: c.value for c in [*res.conditions, *res.route_items]}
            out.update({lv.id: lv.value for lv in res.levels})
            return out

        a, b = values(app), values(rev)
        ids = [i for i in a if b.get(i) != a[i]] + [i for i in b if i not in a]
        return ids or ["qualified"]

    label = _field_label(packs, REVIEW)
    notes = list(app.notes)
    if differs:
        notes.insert(
            0,
            f"未填写“{label}”：按新申请评价为{_VERDICT[app.qualified]}，按复核评价为{_VERDICT[rev.qualified]}"
            f"，{'、'.join(differs)}取决于本次是否为复核；以下条件按新申请列出",
        )
    elif (app.edition, app.amendments) != (rev.edition, rev.amendments) or changed_items() != ["qualified"]:
        # same verdict, but the conditions listed would read differently for a re-review: say so;
        # where the flag changes nothing shown (most self-assessments), no note
        notes.insert(0, f"未填写“{label}”：按新申请和按复核评价的结论相同；以下条件按新申请列出")
    score_range = app.score_range
    if app.score_range is not None and rev.score_range is not None:
        score_range = (
            min(app.score_range[0], rev.score_range[0]),
            max(app.score_range[1], rev.score_range[1]),
        )
    elif not score_same:
        score_range = None

    def unknown_fields() -> list[UnknownField]:
        # a field may change the merged verdict if it may change either reading's
        theirs = {} if rev.unknown_fn is app.unknown_fn else {u.field: u for u in rev.unknown_fields}
        out = []
        for u in app.unknown_fields:
            t = theirs.pop(u.field, None)
            items = u.items + [i for i in (t.items if t else []) if i not in u.items]
            could = undecided and (u.could_change_verdict or (t is not None and t.could_change_verdict))
            out.append(UnknownField(u.field, u.label, items, could))
        out += [
            UnknownField(t.field, t.label, t.items, undecided and t.could_change_verdict)
            for t in theirs.values()
        ]
        if differs:
            out.insert(0, UnknownField(REVIEW, label, changed_items(), True))
        return out

    return replace(
        app,
        qualified=qualified,
        score=app.score if score_same else None,
        score_range=score_range,
        level=app.level if level_same else None,
        level_label=app.level_label if level_same else "",
        path=app.path if qualified is Tri.TRUE else None,
        unknown_fn=unknown_fields,
        verdict_could_change=undecided,
        notes=notes,
    )


_TRI_BOOL = {Tri.TRUE: True, Tri.FALSE: False, Tri.UNKNOWN: None}
_ITEMS_ONLY: dict[int, tuple[Variant, bool]] = {}


def _review_items_only(v: Variant, rr: Mapping[str, Any], app: StandardResult) -> StandardResult | None:
    """The re-review reading when both readings use variant `v` and the flag is read only by its
    conditions and route items: those are evaluated again, the rest (points, levels, score) is the
    new-application reading's. None when something else reads the flag (then: evaluate in full).

    Why: most firm-years on the platform carry no flag, and evaluating 专精特新/小巨人 twice in full
    would cost the explanation a third more time."""
    hit = _ITEMS_ONLY.get(id(v))
    if hit is None or hit[0] is not v:
        ok = not (
            any(REVIEW in ind.fields for ind in v.indicators)
            or any(REVIEW in lv.item.fields for lv in v.levels)
            or (v.qualified is not None)
            or (v.score_node is not None and REVIEW in E.columns(v.score_node))
        )
        hit = _ITEMS_ONLY[id(v)] = (v, ok)
    if not hit[1]:
        return None

    changed = False

    def again(res: ConditionResult, item: Item) -> ConditionResult:
        nonlocal changed
        if REVIEW not in item.fields:
            return res
        value = Tri.of(item.fn(rr))
        if value == res.value:
            return res
        changed = True
        return replace(res, value=value)

    conditions = [again(c, item) for c, item in zip(app.conditions, v.conditions, strict=True)]
    routes: list[RouteResult] = []
    for res, rt in zip(app.routes, v.routes, strict=True):
        if rt.kind == "score":
            routes.append(res)
            continue
        items = [again(c, it) for c, it in zip(res.items, rt.items, strict=True)]
        vals = [_TRI_BOOL[c.value] for c in items]
        routes.append(
            replace(res, items=items, value=Tri.of(kleene_or(vals) if rt.kind == "any" else kleene_and(vals)))
        )
    if not changed:
        return app  # the flag changes nothing here: the two readings are one
    route_values = [_TRI_BOOL[rt.value] for rt in routes]
    qualified = kleene_and(
        [*(_TRI_BOOL[c.value] for c in conditions), kleene_or(route_values) if v.routes else True]
    )
    path = None
    if qualified is True:
        path = next(
            (rt.path for rt, val in zip(v.routes, route_values, strict=True) if val is True), v.qualified_path
        )
    return replace(app, qualified=Tri.of(qualified), conditions=conditions, routes=routes, path=path)
