"""Compile what the loader read into editions and their variants, once per packs directory.

Each edition is expanded into *variants* (edition × applicable amendments × overlay) so that
evaluating a row is a lookup plus closures, and the SQL compiler renders the very same rewritten
trees. `CompiledPacks` is the state every lower engine module reads (`tidu.rules.evaluate`,
`tidu.rules.sql`, `tidu.rules.gaps`); the `tidu.rules.packs.Packs` facade adds the public methods.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import replace
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

from tidu.rules import expr as E
from tidu.rules.editions import check_edition, variant_key
from tidu.rules.errors import ExprError
from tidu.rules.fieldinfo import FieldInfo, field_infos
from tidu.rules.loader import (
    BAND_KEYS,
    CONDITION_KEYS,
    DERIVED_KEYS,
    FIELD_TYPES,
    GROUP_KEYS,
    INDICATOR_KEYS,
    INPUT_KEYS,
    LEVEL_KEYS,
    PATHS,
    ROUTE_KEYS,
    SIZE_GROUP_KEYS,
    SIZE_LEVELS,
    SIZE_TABLE_KEYS,
    Ctx,
    LineDict,
    RawPack,
    pack_digest,
    read_tree,
)
from tidu.rules.model import (
    STANDARDS,
    Amendment,
    Band,
    Edition,
    Group,
    Indicator,
    Item,
    Level,
    Overlay,
    Route,
    Variant,
)

# ---------------------------------------------------------------------------------------------
# expression scope


class Scope:
    """Names an expression may use and how to compile it (cached per text and context)."""

    def __init__(
        self,
        fields: Mapping[str, FieldInfo],
        macros: Mapping[str, E.Node],
        units: Mapping[str, str],
        parent: Scope | None = None,
    ) -> None:
        self.fields = fields
        self.macros = dict(macros)
        self.units = dict(units)
        self.rewriter = E.Rewriter(fields)
        self._expanded: dict[str, E.Node] = {}  # macro name → expanded Macro, shared by every compile
        self._cache: dict[tuple[str, bool | None, str], tuple[E.Node, E.Fn, tuple[str, ...]]] = {}
        self.parent = parent

    def child(self, macros: Mapping[str, E.Node], units: Mapping[str, str]) -> Scope:
        return Scope(self.fields, {**self.macros, **macros}, {**self.units, **units}, parent=self)

    def allowed(self, name: str) -> bool:
        return name in self.fields

    def expand(self, text: str | E.Node) -> E.Node:
        node = E.parse(text) if isinstance(text, str) else text
        return E.expand(node, self.macros, self.allowed, self._expanded)

    def compile(
        self, text: str, zero: bool | None, kind: str = "bool"
    ) -> tuple[E.Node, E.Fn, tuple[str, ...]]:
        """(rewritten tree, closure, columns read). kind: bool | number."""
        key = (text, zero, kind)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        expanded = self.expand(text)
        if kind == "number" and E.has_division(expanded):
            raise ExprError("得分表达式中不能有除法")
        node = E.simplify(self.rewriter.rewrite(expanded, zero))
        fn = closure(node)
        cols = tuple(sorted(E.columns(expanded)))
        self._cache[key] = (node, fn, cols)
        return node, fn, cols

    def display(self, name: str) -> tuple[str, str, E.Fn]:
        """(name, unit, fn) showing the value of a field or derived quantity (ratios divided exactly)."""
        node = E.strip(self.expand(E.Col(name)))
        unit = self.units.get(name) or (self.fields[name].type if name in self.fields else "")
        return name, unit, closure(node, display=True)


# ---------------------------------------------------------------------------------------------
# closures that can be stored: each remembers the tree it was built from


_ORIGIN: weakref.WeakKeyDictionary[Any, tuple[E.Node, bool]] = weakref.WeakKeyDictionary()


def closure(node: E.Node, *, display: bool = False) -> E.Fn:
    """`E.to_python(node)`, remembered so that a pickled `CompiledPacks` stores the tree and the
    closure is rebuilt when it is read back (`tidu.rules.packs` on-disk cache)."""
    fn = E.to_python(node, display=display)
    remember(fn, node, display)
    return fn


def remember(fn: E.Fn, node: E.Node, display: bool) -> None:
    """Record the tree a closure computes (what the packs cache stores in its place)."""
    _ORIGIN[fn] = (node, display)


def closure_origin(fn: Any) -> tuple[E.Node, bool] | None:
    """The (tree, display) a closure of `closure` was built from; None for any other function."""
    try:
        return _ORIGIN.get(fn)
    except TypeError:  # not weak-referenceable: not one of ours
        return None


# ---------------------------------------------------------------------------------------------
# the size table (size_class): industry groups → level conditions and the is_sme macro


def _size_macros(
    table: LineDict, ctx: Ctx, fields: Mapping[str, FieldInfo]
) -> tuple[dict[str, E.Node], dict[str, Any]]:
    ctx.keys(table, SIZE_TABLE_KEYS, ("indicators", "groups", "fallback_group"), "size_table")
    inds_raw = ctx.mapping(table["indicators"], "size_table.indicators", table, "indicators")
    inds: dict[str, str] = {}
    for letter, spec in inds_raw.items():
        f = spec.get("field") if isinstance(spec, dict) else spec
        if not isinstance(f, str) or f not in fields:
            raise ctx.fail(f"size_table.indicators.{letter} 应指向已知字段，不是 {f!r}", inds_raw, letter)
        inds[str(letter)] = f
    groups: list[tuple[str, str, list[str], dict[str, dict[str, int]], bool]] = []
    group_ids: set[str] = set()
    for i, g in enumerate(ctx.seq(table["groups"], "size_table.groups", table, "groups")):
        g = ctx.mapping(g, "size_table.groups 的项", table["groups"], i)
        ctx.keys(g, SIZE_GROUP_KEYS, ("id", "prefixes", "uses", *SIZE_LEVELS), "size_table 行业组")
        gid = str(g["id"])
        uses = ctx.strings(g, "uses", gid)
        for u in uses:
            if u not in inds:
                raise ctx.fail(f"行业组 {gid} 使用了未定义的指标 {u!r}", g, "uses")
        ths: dict[str, dict[str, int]] = {}
        for lv in SIZE_LEVELS:
            m = ctx.mapping(g[lv], f"行业组 {gid} 的 {lv}", g, lv)
            if set(m) != set(uses):
                raise ctx.fail(f"行业组 {gid} 的 {lv} 应给出 {uses} 的阈值", g, lv)
            ths[lv] = {}
            for u in uses:
                n = ctx.number(m, u, f"行业组 {gid} 的 {lv}")
                if not isinstance(n, int):
                    raise ctx.fail(f"行业组 {gid} 的 {lv}.{u} 应为整数", m, u)
                ths[lv][u] = n
        groups.append(
            (
                gid,
                ctx.text(g, "label", gid, gid),
                ctx.strings(g, "prefixes", gid),
                ths,
                ctx.flag(g, "provisional"),
            )
        )
        group_ids.add(gid)
    fallback = str(table["fallback_group"])
    if fallback not in group_ids:
        raise ctx.fail(f"fallback_group {fallback!r} 不是已定义的行业组", table, "fallback_group")
    excluded = ctx.strings(table, "excluded_prefixes", "size_table")
    ic = E.Col("industry_code")
    prefix_map: list[tuple[str, str, bool]] = []  # (prefix, group, excluded)
    seen: dict[str, str] = {}
    for gid, _label, prefixes, _ths, _prov in groups:
        for p in prefixes:
            if p in seen:
                raise ctx.fail(f"行业代码前缀 {p} 同时属于 {seen[p]} 和 {gid}", table, "groups")
            seen[p] = gid
            prefix_map.append((p, gid, False))
    for p in excluded:
        prefix_map.append((p, fallback, True))
    prefix_map.sort(key=lambda t: (-len(t[0]), t[0]))
    by_id = {g[0]: g for g in groups}

    def cond(gid: str, lv: str) -> E.Node:
        _g, _l, _p, ths, _pr = by_id[gid]
        items = tuple(E.Cmp(">=", E.Col(inds[u]), E.Lit(n)) for u, n in ths[lv].items())
        return items[0] if len(items) == 1 else E.And(items)

    macros: dict[str, E.Node] = {}
    group = E.Col("size_group")
    for lv in SIZE_LEVELS:
        all_groups = [cond(g[0], lv) for g in groups]
        # unknown industry: decided only when every group agrees
        unknown_industry = E.Case(
            ((E.And(tuple(all_groups)), E.TRUE), (E.Not(E.Or(tuple(all_groups))), E.FALSE)), E.BoolNull()
        )
        whens: list[tuple[E.Node, E.Node]] = [(E.IsNull(group), unknown_industry)]
        whens += [(E.Cmp("=", group, E.Lit(g[0])), cond(g[0], lv)) for g in groups]
        macros[f"size_{lv}"] = E.Case(tuple(whens), E.BoolNull())
    macros["size_group"] = E.Case(
        ((E.IsNull(ic), E.NULL), *((E.Prefix(ic, p), E.Lit(gid)) for p, gid, _x in prefix_map)),
        E.Lit(fallback),
    )
    macros["size_fallback"] = E.Case(
        ((E.IsNull(ic), E.FALSE), *((E.Prefix(ic, p), E.Lit(x)) for p, _g, x in prefix_map)), E.TRUE
    )
    macros["is_sme"] = E.Not(E.Col("size_large"))
    info = {
        "labels": {g[0]: g[1] for g in groups},
        # the lower limits of "large" per group and the indicator letters' fields: what an SME stays below
        "large": {g[0]: dict(g[3]["large"]) for g in groups},
        "indicators": dict(inds),
        "fallback_group": fallback,
        "provisional": {g[0] for g in groups if g[4]},
        "fallback_warning": ctx.text(
            table, "fallback_warning", "size_table", "行业未列入划型标准，参照“其他未列明行业”执行"
        ),
    }
    return macros, info


# ---------------------------------------------------------------------------------------------
# compiling a packs directory


def compile_tree(root: Path) -> dict[str, Any]:
    """Everything `CompiledPacks` holds, from the pack files under `root`."""
    tree = read_tree(root)
    fields: dict[str, FieldInfo] = dict(field_infos())
    derived_raw, derived_ctx = tree.derived, tree.derived_ctx
    packs, amendments, overlays = tree.packs, tree.amendments, tree.overlays

    # 2. overlay-declared inputs extend the field set
    for o in overlays:
        for i, inp in enumerate(o.ctx.seq(o.data.get("inputs"), "inputs", o.data, "inputs")):
            inp = o.ctx.mapping(inp, "inputs 的项", o.data["inputs"], i)
            o.ctx.keys(inp, INPUT_KEYS, ("name", "type"), "inputs 的项")
            name, ftype = str(inp["name"]), str(inp["type"])
            if ftype not in FIELD_TYPES:
                raise o.ctx.fail(f"输入 {name} 的类型 {ftype!r} 无效", inp, "type")
            known = fields.get(name)
            if known is not None and known.type != ftype:
                raise o.ctx.fail(
                    f"输入 {name} 已在字段表中定义为 {known.type}，不能改为 {ftype}", inp, "type"
                )
            if known is None:
                fields[name] = FieldInfo(
                    name=name,
                    type=ftype,
                    label=str(inp.get("label") or name),
                    unit=str(inp.get("unit") or ""),
                )
    extra_inputs = {n: f for n, f in fields.items() if n not in field_infos()}

    # 3. macros: derived.yaml, then the size table of size_class
    macros: dict[str, E.Node] = {}
    units: dict[str, str] = {}
    labels: dict[str, str] = {}
    if derived_raw is not None:
        for name, spec in derived_raw.items():
            text: Any = spec
            if isinstance(spec, dict):
                spec = derived_ctx.mapping(spec, f"derived.{name}")
                derived_ctx.keys(spec, DERIVED_KEYS, ("expr",), f"derived.{name}")
                text = spec["expr"]
                units[name] = str(spec.get("unit") or "")
                labels[name] = str(spec.get("label") or name)
            if name in fields:
                raise derived_ctx.fail(f"派生量 {name!r} 与字段同名", derived_raw, name)
            if not isinstance(text, str):
                raise derived_ctx.fail(f"派生量 {name!r} 的表达式应为文字", derived_raw, name)
            try:
                macros[str(name)] = E.parse(text)
            except ExprError as e:
                raise derived_ctx.fail(f"派生量 {name}：{e.message}", derived_raw, name) from None
    size_info: dict[str, Any] | None = None
    for p in sorted(packs, key=lambda p: str(p.data.get("effective_from"))):
        if "size_table" in p.data:
            table = p.ctx.mapping(p.data["size_table"], "size_table", p.data, "size_table")
            size_macros, size_info = _size_macros(table, p.ctx, fields)
            macros.update(size_macros)
            units.update({"size_group": "str"})
    scope = Scope(fields, macros, units)
    for name in list(macros):  # every macro must resolve (unknown names, cycles)
        try:
            scope.expand(E.Col(name))
        except ExprError as e:
            raise derived_ctx.fail(f"派生量 {name}：{e.message}", derived_raw, name) from None

    # 4. editions
    editions: dict[str, list[Edition]] = {s: [] for s in STANDARDS}
    for p in packs:
        new = _edition(p, scope, size_info)
        editions[new.standard].append(new)
    by_key = {(x.standard, x.edition): x for xs in editions.values() for x in xs}
    for a in amendments:
        key = (str(a.data["standard"]), str(a.data["edition"]))
        if key not in by_key:
            raise a.ctx.fail(f"修订所属的版本 {key[0]}/{key[1]} 不存在", a.data, "edition")
        by_key[key].amendments.append(_amendment(a, by_key[key], scope))
    for o in overlays:
        key = (str(o.data["standard"]), str(o.data["edition"]))
        if key not in by_key:
            raise o.ctx.fail(f"省级细则所属的版本 {key[0]}/{key[1]} 不存在", o.data, "edition")
        by_key[key].overlays.append(_overlay(o, scope))
    try:
        for es in editions.values():
            es.sort(key=lambda e: e.effective_from)
            for one in es:
                _build_variants(one, scope, size_info)
    finally:
        _RAW.clear()
    return {
        "root": root,
        "editions": editions,
        "scope": scope,
        "extra_inputs": extra_inputs,
        "macro_labels": labels,
        "derived_names": tuple(str(n) for n in derived_raw) if derived_raw is not None else (),
        "size_info": size_info,
        "digest": pack_digest(root),
    }


# per-edition raw data, kept while building variants (cleared when loading ends)
_RAW: dict[int, tuple[RawPack, Scope]] = {}


def _edition(p: RawPack, scope: Scope, size_info: dict[str, Any] | None) -> Edition:
    d, ctx = p.data, p.ctx
    local_raw = ctx.mapping(d.get("derived") or LineDict(), "derived", d, "derived")
    local: dict[str, E.Node] = {}
    for name, text in local_raw.items():
        if isinstance(text, dict):
            text = text.get("expr")
        if not isinstance(text, str):
            raise ctx.fail(f"派生量 {name!r} 的表达式应为文字", local_raw, name)
        if name in scope.fields:
            raise ctx.fail(f"派生量 {name!r} 与字段同名", local_raw, name)
        try:
            local[str(name)] = E.parse(text)
        except ExprError as e:
            raise ctx.fail(f"派生量 {name}：{e.message}", local_raw, name) from None
    pscope = scope.child(local, {})
    for name in local:
        try:
            pscope.expand(E.Col(name))
        except ExprError as e:
            raise ctx.fail(f"派生量 {name}：{e.message}", local_raw, name) from None
    eff_from = ctx.date(d, "effective_from", "pack")
    assert eff_from is not None
    eff_to = ctx.date(d, "effective_to", "pack")
    if eff_to is not None and eff_to <= eff_from:
        raise ctx.fail("effective_to 应晚于 effective_from", d, "effective_to")
    select = None
    if d.get("select_when") is not None:
        select = _item(
            ctx, pscope, LineDict(id="select_when", expr=d["select_when"]), d, "select_when", expr_key=None
        )
    ed = Edition(
        standard=str(d["standard"]),
        edition=str(d["edition"]),
        title=ctx.text(d, "title", "pack"),
        document=ctx.text(d, "document", "pack"),
        effective_from=eff_from,
        effective_to=eff_to,
        select_when=select,
        amendments=[],
        overlays=[],
        variants={},
        where=ctx.where(d),
    )
    _RAW[id(ed)] = (p, pscope)
    return ed


def _item(
    ctx: Ctx,
    scope: Scope,
    raw: Any,
    parent: Any,
    key: Any,
    *,
    expr_key: str | None = "expr",
    zero: bool | None = None,
) -> Item:
    """Compile one condition-like item (zero → NULL: a bad denominator makes it unknown)."""
    if expr_key is None:  # a bare expression (select_when, applies_when)
        text = raw["expr"]
        where_obj, where_key = parent, key
        ident, label, clause, prov = str(raw["id"]), "", "", False
    else:
        raw = ctx.mapping(raw, "条件", parent, key)
        ctx.keys(raw, CONDITION_KEYS, ("id", "expr"), "条件")
        text = raw["expr"]
        where_obj, where_key = raw, "expr"
        ident = str(raw["id"])
        label = ctx.text(raw, "label", ident)
        clause = ctx.text(raw, "clause", ident)
        prov = ctx.flag(raw, "provisional")
    if not isinstance(text, str | bool):
        raise ctx.fail(f"{ident} 的表达式应为文字", where_obj, where_key)
    text = ("TRUE" if text else "FALSE") if isinstance(text, bool) else text
    try:
        node, fn, cols = scope.compile(text, zero)
    except ExprError as e:
        raise ctx.fail(f"{ident}：{e.message}", where_obj, where_key) from None
    return Item(ident, label, clause, text, node, fn, cols, prov, ctx.where(where_obj, where_key))


def _indicator(ctx: Ctx, scope: Scope, raw: Any, parent: Any, key: Any, groups: set[str]) -> Indicator:
    raw = ctx.mapping(raw, "评分指标", parent, key)
    ctx.keys(raw, INDICATOR_KEYS, ("id", "max"), "评分指标")
    ident = str(raw["id"])
    grp = raw.get("group")
    if grp is not None and str(grp) not in groups:
        raise ctx.fail(f"指标 {ident} 的 group {grp!r} 未在 groups 中定义", raw, "group")
    mx = ctx.number(raw, "max", ident)
    assert mx is not None
    has_bands, has_points = raw.get("bands") is not None, raw.get("points_expr") is not None
    if has_bands == has_points:
        raise ctx.fail(f"指标 {ident} 应有 bands 或 points_expr（二者之一）", raw)
    bands: list[Band] = []
    names: list[str] = []
    cols: set[str] = set()
    points_expr = points_node = points_fn = None
    if has_bands:
        items = ctx.seq(raw["bands"], f"{ident}.bands", raw, "bands")
        if not items:
            raise ctx.fail(f"指标 {ident} 的 bands 为空", raw, "bands")
        for i, b in enumerate(items):
            b = ctx.mapping(b, f"{ident} 的分档", items, i)
            ctx.keys(b, BAND_KEYS, ("when", "points"), f"{ident} 的分档")
            pts = ctx.number(b, "points", f"{ident} 的分档")
            assert pts is not None
            if pts < 0 or pts > mx:
                raise ctx.fail(f"指标 {ident} 的分档得分 {pts} 超出 0～{mx}", b, "points")
            when = b["when"]
            when = ("TRUE" if when else "FALSE") if isinstance(when, bool) else when
            if not isinstance(when, str):
                raise ctx.fail(f"指标 {ident} 的 when 应为文字", b, "when")
            try:
                node, fn, bcols = scope.compile(when, False)
                for n in sorted(E.names(E.parse(when)), key=when.find):
                    if n not in names:
                        names.append(n)
            except ExprError as e:
                raise ctx.fail(f"{ident}：{e.message}", b, "when") from None
            cols |= set(bcols)
            bands.append(Band(when, node, fn, pts, ctx.text(b, "label", ident)))
        if any(b2.points > b1.points for b1, b2 in pairwise(bands)):
            raise ctx.fail(f"指标 {ident} 的分档应按得分从高到低排列", raw, "bands")
    else:
        points_expr = raw["points_expr"]
        if not isinstance(points_expr, str):
            raise ctx.fail(f"指标 {ident} 的 points_expr 应为文字", raw, "points_expr")
        try:
            points_node, points_fn, pcols = scope.compile(points_expr, None, "number")
            names = sorted(E.names(E.parse(points_expr)))
        except ExprError as e:
            raise ctx.fail(f"{ident}：{e.message}", raw, "points_expr") from None
        cols |= set(pcols)
    shows = tuple(scope.display(n) for n in names if n not in ("year", "as_of"))
    return Indicator(
        id=ident,
        group=None if grp is None else str(grp),
        label=ctx.text(raw, "label", ident),
        clause=ctx.text(raw, "clause", ident),
        max=mx,
        bands=bands,
        else_label=ctx.text(raw, "else_label", ident),
        points_expr=points_expr,
        points_node=points_node,
        points_fn=points_fn,
        fields=tuple(sorted(cols)),
        shows=shows,
        provisional=ctx.flag(raw, "provisional"),
        where=ctx.where(raw),
    )


def _amendment(a: RawPack, ed: Edition, scope: Scope) -> Amendment:
    d, ctx = a.data, a.ctx
    _p, pscope = _RAW[id(ed)]
    applies = _item(
        ctx, pscope, LineDict(id="applies_when", expr=d["applies_when"]), d, "applies_when", expr_key=None
    )
    ident = str(d["amendment"])
    if any(x.id == ident for x in ed.amendments):
        raise ctx.fail(f"修订 {ident} 重复", d, "amendment")
    if a.path.stem != ident:
        raise ctx.fail(f"amendment {ident!r} 与文件名 {a.path.stem!r} 不一致", d, "amendment")
    return Amendment(
        id=ident,
        title=ctx.text(d, "title", "amendment"),
        document=ctx.text(d, "document", "amendment"),
        applies=applies,
        provisional=ctx.flag(d, "provisional"),
        readings=ctx.strings(d, "readings", "amendment"),
        raw={"file": a, "data": d},
        where=ctx.where(d),
    )


def _overlay(o: RawPack, scope: Scope) -> Overlay:
    d, ctx = o.data, o.ctx
    province = str(d["overlay"])
    if len(province) != 6 or not province.isdigit() or not province.endswith("0000"):
        raise ctx.fail(f"overlay 应为省级行政区划代码（如 510000），不是 {province!r}", d, "overlay")
    if o.path.stem != province:
        raise ctx.fail(f"overlay {province!r} 与文件名 {o.path.stem!r} 不一致", d, "overlay")
    applies = None
    if d.get("applies_when") is not None:
        applies = _item(
            ctx, scope, LineDict(id="applies_when", expr=d["applies_when"]), d, "applies_when", expr_key=None
        )
    return Overlay(
        province=province,
        title=ctx.text(d, "title", "overlay"),
        document=ctx.text(d, "document", "overlay"),
        applies=applies,
        provisional=ctx.flag(d, "provisional"),
        readings=ctx.strings(d, "readings", "overlay"),
        raw={"file": o, "data": d},
        where=ctx.where(d),
    )


def _build_variants(ed: Edition, scope: Scope, size_info: dict[str, Any] | None) -> None:
    p, pscope = _RAW[id(ed)]
    d, ctx = p.data, p.ctx
    base = _base(ed, p, pscope, size_info)
    ams = ed.amendments
    overlays: list[Overlay | None] = [None, *ed.overlays]
    for k in range(len(ams) + 1):
        for subset in combinations(ams, k):
            for ov in overlays:
                v = _apply(base, subset, ov, pscope, d, ctx)
                ed.variants[v.key] = v


def _conditions(ctx: Ctx, scope: Scope, items: Any, parent: Any, key: str) -> list[Item]:
    out: list[Item] = []
    seen: set[str] = set()
    for i, c in enumerate(ctx.seq(items, key, parent, key)):
        it = _item(ctx, scope, c, items, i)
        if it.id in seen:
            raise ctx.fail(f"条件编号 {it.id} 重复", items, i)
        seen.add(it.id)
        out.append(it)
    return out


def _base(ed: Edition, p: RawPack, scope: Scope, size_info: dict[str, Any] | None) -> Variant:
    d, ctx = p.data, p.ctx
    conditions = _conditions(ctx, scope, d.get("conditions"), d, "conditions")
    groups: list[Group] = []
    for i, g in enumerate(ctx.seq(d.get("groups"), "groups", d, "groups")):
        g = ctx.mapping(g, "groups 的项", d["groups"], i)
        ctx.keys(g, GROUP_KEYS, ("id",), "评分组")
        groups.append(
            Group(
                str(g["id"]),
                ctx.text(g, "label", "group"),
                ctx.number(g, "max", "group", False),
                ctx.number(g, "pass_min", "group", False),
            )
        )
    group_ids = {g.id for g in groups}
    indicators: list[Indicator] = []
    for i, raw in enumerate(ctx.seq(d.get("indicators"), "indicators", d, "indicators")):
        ind = _indicator(ctx, scope, raw, d["indicators"], i, group_ids)
        if any(x.id == ind.id for x in indicators):
            raise ctx.fail(f"指标编号 {ind.id} 重复", d["indicators"], i)
        indicators.append(ind)
    routes: list[Route] = []
    for i, r in enumerate(ctx.seq(d.get("routes"), "routes", d, "routes")):
        r = ctx.mapping(r, "routes 的项", d["routes"], i)
        ctx.keys(r, ROUTE_KEYS, ("path",), "路径（route）")
        path = str(r["path"])
        if path not in PATHS:
            raise ctx.fail(f"path 应为 {'/'.join(PATHS)}，不是 {path!r}", r, "path")
        kinds = [k for k in ("score_at_least", "any", "all") if r.get(k) is not None]
        if len(kinds) != 1:
            raise ctx.fail("路径应恰有 score_at_least、any、all 之一", r)
        kind = {"score_at_least": "score", "any": "any", "all": "all"}[kinds[0]]
        route = Route(path, ctx.text(r, "label", path), ctx.text(r, "clause", path), kind)
        if kind == "score":
            if not indicators:
                raise ctx.fail("按得分的路径需要评分指标（indicators）", r, "score_at_least")
            route.score_at_least = ctx.number(r, "score_at_least", "route")
            route.groups_at_least = ctx.flag(r, "groups_at_least")
            route.indicators_nonzero = tuple(ctx.strings(r, "indicators_nonzero", "route"))
            for x in route.indicators_nonzero:
                if x not in {ind.id for ind in indicators}:
                    raise ctx.fail(f"indicators_nonzero 中的指标 {x} 不存在", r, "indicators_nonzero")
        else:
            route.items = _conditions(ctx, scope, r[kind], r, kind)
            if not route.items:
                raise ctx.fail(f"路径 {path} 的 {kind} 为空", r, kind)
        routes.append(route)
    levels: list[Level] = []
    for i, lv in enumerate(ctx.seq(d.get("levels"), "levels", d, "levels")):
        lv = ctx.mapping(lv, "levels 的项", d["levels"], i)
        ctx.keys(lv, LEVEL_KEYS, ("id", "level", "when"), "等级（level）")
        it = _item(ctx, scope, LineDict(id=str(lv["id"]), expr=lv["when"]), lv, "when", expr_key=None)
        it = replace(it, label=ctx.text(lv, "label", it.id), clause=ctx.text(lv, "clause", it.id))
        levels.append(Level(it.id, str(lv["level"]), it.label, it.clause, it))
    qualified: Item | None = None
    if levels:
        if d.get("qualified") is None:
            raise ctx.fail("有 levels 的标准须给出 qualified（以等级编号写的表达式）", d)
        q = d["qualified"]
        if not isinstance(q, str):
            raise ctx.fail("qualified 应为表达式文字", d, "qualified")
        try:
            qnode = E.parse(q)
        except ExprError as e:
            raise ctx.fail(f"qualified：{e.message}", d, "qualified") from None
        ids = {lv.id for lv in levels}
        unknown = E.names(qnode) - ids
        if unknown:
            raise ctx.fail(
                f"qualified 中只能引用等级编号 {sorted(ids)}，不认识 {sorted(unknown)}", d, "qualified"
            )
        qn = E.simplify(E.substitute(qnode, {lv.id: lv.item.node for lv in levels}))
        cols = tuple(sorted(set().union(*(lv.item.fields for lv in levels))))
        qualified = Item("qualified", "", "", q, qn, closure(qn), cols, False, ctx.where(d, "qualified"))
    elif d.get("qualified") is not None:
        raise ctx.fail("qualified 只用于有 levels 的分类标准", d, "qualified")
    score_node = score_fn = None
    if d.get("score_expr") is not None:
        se = d["score_expr"]
        if not isinstance(se, str):
            raise ctx.fail("score_expr 应为表达式文字", d, "score_expr")
        try:
            score_node, score_fn, _c = scope.compile(se, None, "number")
        except ExprError as e:
            raise ctx.fail(f"score_expr：{e.message}", d, "score_expr") from None
    score_output = ctx.flag(d, "score_output")
    if score_output and not indicators and score_node is None:
        raise ctx.fail("score_output 为 true 时需要评分指标或 score_expr", d, "score_output")
    qpath = ctx.text(d, "qualified_path", "pack", "score" if score_node is not None else "general")
    if qpath not in PATHS:
        raise ctx.fail(f"qualified_path 应为 {'/'.join(PATHS)}", d, "qualified_path")
    notes: list[tuple[Item, str]] = []
    if "size_table" in d and size_info is not None:
        node, fn, cols = scope.compile("size_fallback", None)
        notes.append(
            (Item("size_fallback", "", "", "size_fallback", node, fn, cols), size_info["fallback_warning"])
        )
    return Variant(
        key=ed.edition,
        standard=ed.standard,
        edition=ed.edition,
        amendments=(),
        overlay=None,
        title=ed.title,
        document=ed.document,
        provisional=ctx.flag(d, "provisional"),
        readings=ctx.strings(d, "readings", "pack"),
        conditions=conditions,
        groups=groups,
        indicators=indicators,
        routes=routes,
        levels=levels,
        default_level=None if d.get("default_level") is None else str(d["default_level"]),
        default_label=ctx.text(d, "default_label", "pack"),
        qualified=qualified,
        qualified_path=qpath,
        score_output=score_output,
        score_node=score_node,
        score_fn=score_fn,
        notes=notes,
    )


def _merge_conditions(
    conditions: list[Item], data: LineDict, ctx: Ctx, scope: Scope, what: str
) -> list[Item]:
    out = list(conditions)
    for i, raw in enumerate(
        ctx.seq(data.get("replace_conditions"), "replace_conditions", data, "replace_conditions")
    ):
        raw = ctx.mapping(raw, "replace_conditions 的项", data["replace_conditions"], i)
        ctx.keys(raw, CONDITION_KEYS, ("id",), "replace_conditions 的项")
        ident = str(raw["id"])
        pos = next((j for j, c in enumerate(out) if c.id == ident), None)
        if pos is None:
            raise ctx.fail(f"{what} 要替换的条件 {ident} 在原版本中不存在", raw, "id")
        old = out[pos]
        merged = LineDict(
            id=ident,
            expr=raw.get("expr", old.expr),
            label=raw.get("label", old.label),
            clause=raw.get("clause", old.clause),
            provisional=raw.get("provisional", old.provisional),
        )
        merged.lines = dict(raw.lines)
        merged.line = raw.line
        out[pos] = _item(ctx, scope, merged, data["replace_conditions"], i)
    waive = ctx.strings(data, "waive_conditions", what)
    for ident in waive:
        if not any(c.id == ident for c in out):
            raise ctx.fail(f"{what} 要免除的条件 {ident} 在原版本中不存在", data, "waive_conditions")
    out = [c for c in out if c.id not in waive]
    for i, raw in enumerate(ctx.seq(data.get("add_conditions"), "add_conditions", data, "add_conditions")):
        it = _item(ctx, scope, raw, data["add_conditions"], i)
        if any(c.id == it.id for c in out):
            raise ctx.fail(f"{what} 新增的条件编号 {it.id} 与已有条件重复", data["add_conditions"], i)
        out.append(it)
    return out


def _apply(
    base: Variant,
    amendments: tuple[Amendment, ...],
    overlay: Overlay | None,
    scope: Scope,
    d: LineDict,
    ctx: Ctx,
) -> Variant:
    conditions = base.conditions
    readings = list(base.readings)
    provisional = base.provisional
    for a in amendments:
        ap: RawPack = a.raw["file"]
        conditions = _merge_conditions(conditions, ap.data, ap.ctx, scope, f"修订 {a.id}")
        readings += a.readings
        provisional = provisional or a.provisional
    indicators = list(base.indicators)
    if overlay is not None:
        op: RawPack = overlay.raw["file"]
        od, octx = op.data, op.ctx
        conditions = _merge_conditions(conditions, od, octx, scope, f"省级细则 {overlay.province}")
        group_ids = {g.id for g in base.groups}
        for i, raw in enumerate(
            octx.seq(od.get("replace_indicators"), "replace_indicators", od, "replace_indicators")
        ):
            ind = _indicator(octx, scope, raw, od["replace_indicators"], i, group_ids)
            pos = next((j for j, x in enumerate(indicators) if x.id == ind.id), None)
            if pos is None:
                raise octx.fail(f"要替换的指标 {ind.id} 在原版本中不存在", od["replace_indicators"], i)
            indicators[pos] = ind
        for i, raw in enumerate(octx.seq(od.get("add_indicators"), "add_indicators", od, "add_indicators")):
            ind = _indicator(octx, scope, raw, od["add_indicators"], i, group_ids)
            if any(x.id == ind.id for x in indicators):
                raise octx.fail(f"新增的指标编号 {ind.id} 与已有指标重复", od["add_indicators"], i)
            indicators.append(ind)
        readings += overlay.readings
        provisional = provisional or overlay.provisional
    return replace(
        base,
        key=variant_key(base.edition, (a.id for a in amendments), overlay.province if overlay else None),
        amendments=tuple(a.id for a in amendments),
        overlay=overlay.province if overlay else None,
        conditions=conditions,
        indicators=indicators,
        readings=readings,
        provisional=provisional,
    )


# ---------------------------------------------------------------------------------------------
# the compiled state


class CompiledPacks:
    """All loaded packs, compiled: the editions and their variants, the expression scope, the digest."""

    def __init__(
        self,
        *,
        root: Path,
        editions: dict[str, list[Edition]],
        scope: Scope,
        extra_inputs: dict[str, FieldInfo],
        macro_labels: dict[str, str],
        size_info: dict[str, Any] | None,
        digest: str = "",
        derived_names: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self.derived_names = derived_names  # the quantities of derived.yaml, in file order
        self.digest = digest  # sha256 of the pack files: keep it with stored evaluations
        self.editions = editions
        self.scope = scope
        self.extra_inputs = extra_inputs
        self.macro_labels = macro_labels
        self.size_info = size_info
        self.size_group_fn: E.Fn = (
            closure(E.strip(scope.expand(E.Col("size_group")))) if size_info is not None else closure(E.NULL)
        )

    @property
    def standards(self) -> tuple[str, ...]:
        return tuple(s for s in STANDARDS if self.editions.get(s))

    @property
    def fields(self) -> Mapping[str, FieldInfo]:
        """Every input column the packs may read (the registry plus overlay-declared inputs)."""
        return self.scope.fields

    def edition(self, standard: str, edition: str) -> Edition:
        return check_edition(self.editions, standard, edition)
