"""Load and check the criteria packs (packs/**.yaml) and compile them once.

`load_packs()` reads derived.yaml, every `<standard>/<edition>.yaml`, its provincial overlays
(`<standard>/<edition>/<province>.yaml`) and dated amendments (`<standard>/<edition>/amendments/*.yaml`),
checks them against the pack schema (docs/rules-spec-draft.md) and compiles every expression: a
malformed pack fails with `PackError` naming the file, the line and the reason. Each edition is
expanded into *variants* (edition × applicable amendments × overlay) so that evaluating a row is a
lookup plus closures, and the SQL compiler renders the very same rewritten trees.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import yaml

from tidu.rules import expr as E
from tidu.rules.errors import ExprError, PackError, RulesErrorCode, SelectionError
from tidu.rules.fieldinfo import FieldInfo, field_infos
from tidu.rules.model import (
    STANDARDS,
    Amendment,
    Band,
    Edition,
    Group,
    Indicator,
    Item,
    LadderResult,
    Level,
    Number,
    Overlay,
    Route,
    Variant,
    Where,
)

# ---------------------------------------------------------------------------------------------
# YAML with line numbers


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int | None = None
    lines: dict[Any, int]


class LineList(list[Any]):
    line: int | None = None
    lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml when available) building LineDict/LineList."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for k_node, v_node in node.value:
        key = loader.construct_object(k_node, deep=True)
        if key in out:
            raise PackError(f"重复的键 {key!r}", file=loader.name, line=k_node.start_mark.line + 1)
        out[key] = loader.construct_object(v_node, deep=True)
        out.lines[key] = k_node.start_mark.line + 1
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(c, deep=True) for c in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [c.start_mark.line + 1 for c in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def read_yaml(path: Path, name: str) -> Any:
    """Parse one YAML file keeping line numbers; syntax errors become PackError(file, line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PackError(f"无法读取文件：{e}", file=name) from None
    loader = _Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        raise PackError(f"YAML 语法错误：{e.problem or e}", file=name, line=line) from None
    finally:
        loader.dispose()


def _line(obj: Any, key: Any = None) -> int | None:
    if key is not None and isinstance(obj, LineDict) and key in obj.lines:
        return obj.lines[key]
    if isinstance(obj, LineList) and isinstance(key, int) and 0 <= key < len(obj.lines):
        return obj.lines[key]
    return getattr(obj, "line", None)


# ---------------------------------------------------------------------------------------------
# schema

PACK_KEYS = {
    "standard", "edition", "title", "document", "effective_from", "effective_to", "select_when",
    "provisional", "readings", "derived", "conditions", "groups", "indicators", "routes", "levels",
    "default_level", "default_label", "qualified", "qualified_path", "score_output", "score_expr",
    "size_table", "notes",
}  # fmt: skip
PACK_REQUIRED = ("standard", "edition", "title", "effective_from")
AMENDMENT_KEYS = {
    "standard", "edition", "amendment", "title", "document", "applies_when", "provisional", "readings",
    "add_conditions", "replace_conditions", "waive_conditions",
}  # fmt: skip
AMENDMENT_REQUIRED = ("standard", "edition", "amendment", "applies_when")
OVERLAY_KEYS = {
    "standard", "edition", "overlay", "title", "document", "applies_when", "provisional", "readings",
    "inputs", "replace_indicators", "add_indicators", "add_conditions", "replace_conditions",
    "waive_conditions",
}  # fmt: skip
OVERLAY_REQUIRED = ("standard", "edition", "overlay")
CONDITION_KEYS = {"id", "label", "clause", "expr", "provisional", "note"}
INDICATOR_KEYS = {
    "id", "group", "label", "clause", "max", "bands", "else_label", "points_expr", "provisional", "note", "unit",
}  # fmt: skip
BAND_KEYS = {"when", "points", "label"}
GROUP_KEYS = {"id", "label", "max", "pass_min"}
ROUTE_KEYS = {
    "path", "label", "clause", "score_at_least", "groups_at_least", "indicators_nonzero", "any", "all",
}  # fmt: skip
LEVEL_KEYS = {"id", "level", "label", "when", "clause"}
INPUT_KEYS = {"name", "label", "section", "type", "help", "used_by", "unit", "values"}
DERIVED_KEYS = {"expr", "label", "unit", "clause"}
SIZE_TABLE_KEYS = {"indicators", "fallback_group", "fallback_warning", "excluded_prefixes", "groups"}
SIZE_GROUP_KEYS = {
    "id",
    "label",
    "clause",
    "prefixes",
    "uses",
    "large",
    "medium",
    "small",
    "provisional",
    "note",
}
SIZE_LEVELS = ("large", "medium", "small")
PATHS = ("score", "general", "direct")
FIELD_TYPES = {"str", "int", "date", "bool", "money", "count", "rank", "fraction", "decimal", "enum"}


class _Ctx:
    """Error reporting for one file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, reason: str, obj: Any = None, key: Any = None) -> PackError:
        return PackError(reason, file=self.name, line=_line(obj, key))

    def where(self, obj: Any, key: Any = None) -> Where:
        return Where(self.name, _line(obj, key))

    def mapping(self, obj: Any, what: str, parent: Any = None, key: Any = None) -> LineDict:
        if not isinstance(obj, dict):
            raise self.fail(f"{what} 应为映射（key: value）", parent if parent is not None else obj, key)
        if not isinstance(obj, LineDict):  # pragma: no cover - every mapping of read_yaml is one
            d = LineDict(obj)
            d.lines = {}
            return d
        return obj

    def seq(self, obj: Any, what: str, parent: Any, key: Any) -> list[Any]:
        if obj is None:
            return []
        if not isinstance(obj, list):
            raise self.fail(f"{what} 应为列表", parent, key)
        return obj

    def keys(self, obj: LineDict, allowed: set[str], required: Iterable[str], what: str) -> None:
        for k in obj:
            if k not in allowed:
                raise self.fail(f"{what} 中有未知的键 {k!r}（允许：{', '.join(sorted(allowed))}）", obj, k)
        for k in required:
            if obj.get(k) in (None, ""):
                raise self.fail(f"{what} 缺少必填键 {k!r}", obj)

    def text(self, obj: LineDict, key: str, what: str, default: str = "") -> str:
        v = obj.get(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, str | int | float | dt.date):
            raise self.fail(f"{what} 的 {key} 应为文字", obj, key)
        return str(v)

    def flag(self, obj: LineDict, key: str, default: bool = False) -> bool:
        v = obj.get(key, default)
        if v is None:
            return default
        if not isinstance(v, bool):
            raise self.fail(f"{key} 应为 true 或 false", obj, key)
        return v

    def number(self, obj: LineDict, key: str, what: str, required: bool = True) -> Number | None:
        v = obj.get(key)
        if v is None:
            if required:
                raise self.fail(f"{what} 缺少数值 {key!r}", obj)
            return None
        if isinstance(v, bool) or not isinstance(v, int | float | str | Decimal):
            raise self.fail(f"{what} 的 {key} 应为数字", obj, key)
        try:
            d = Decimal(str(v))
        except ArithmeticError:
            raise self.fail(f"{what} 的 {key} 应为数字，不是 {v!r}", obj, key) from None
        if not d.is_finite():
            raise self.fail(f"{what} 的 {key} 应为有限数字", obj, key)
        return int(d) if d == d.to_integral_value() else Fraction(d)

    def date(self, obj: LineDict, key: str, what: str) -> dt.date | None:
        v = obj.get(key)
        if v is None:
            return None
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            raise self.fail(f"{what} 的 {key} 应为日期 YYYY-MM-DD，不是 {v!r}", obj, key) from None

    def strings(self, obj: LineDict, key: str, what: str) -> list[str]:
        items = self.seq(obj.get(key), f"{what} 的 {key}", obj, key)
        out = []
        for i, x in enumerate(items):
            if not isinstance(x, str | int):
                raise self.fail(f"{what} 的 {key} 第 {i + 1} 项应为文字", items, i)
            out.append(str(x))
        return out


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
        fn = E.to_python(node)
        cols = tuple(sorted(E.columns(expanded)))
        self._cache[key] = (node, fn, cols)
        return node, fn, cols

    def display(self, name: str) -> tuple[str, str, E.Fn]:
        """(name, unit, fn) showing the value of a field or derived quantity (ratios divided exactly)."""
        node = E.strip(self.expand(E.Col(name)))
        unit = self.units.get(name) or (self.fields[name].type if name in self.fields else "")
        return name, unit, E.to_python(node, display=True)


# ---------------------------------------------------------------------------------------------
# the size table (size_class): industry groups → level conditions and the is_sme macro


def _size_macros(
    table: LineDict, ctx: _Ctx, fields: Mapping[str, FieldInfo]
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
# the loader


@dataclass
class _RawPack:
    path: Path
    name: str
    data: LineDict
    ctx: _Ctx


def repo_packs_dir() -> Path:
    """TIDU_PACKS_DIR, else the `packs/` folder of the repository holding this package (or of the
    current directory, for an installed package)."""
    env = os.environ.get("TIDU_PACKS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in (*here.parents, Path.cwd()):
        if (parent / "packs").is_dir() and (parent / "packs" / "derived.yaml").exists():
            return parent / "packs"
    raise PackError("找不到 packs 目录（请设置 TIDU_PACKS_DIR）")


def load_packs(path: str | os.PathLike[str] | None = None) -> Packs:
    """Load, check and compile every pack under `path` (default: the repository's packs/)."""
    root = Path(path) if path is not None else repo_packs_dir()
    if not root.is_dir():
        raise PackError(f"packs 目录不存在：{root}")
    return Packs(**_load(root))


def _rel(root: Path, p: Path) -> str:
    try:
        return str(Path(root.name) / p.relative_to(root))
    except ValueError:  # pragma: no cover
        return str(p)


def _load(root: Path) -> dict[str, Any]:
    fields: dict[str, FieldInfo] = dict(field_infos())
    # 1. read everything
    derived_raw: LineDict | None = None
    derived_ctx = _Ctx(_rel(root, root / "derived.yaml"))
    if (root / "derived.yaml").exists():
        d = read_yaml(root / "derived.yaml", derived_ctx.name)
        d = derived_ctx.mapping(d, "derived.yaml")
        for k in d:
            if k != "derived":
                raise derived_ctx.fail(f"derived.yaml 中有未知的键 {k!r}（只允许 derived）", d, k)
        derived_raw = derived_ctx.mapping(d.get("derived") or LineDict(), "derived", d, "derived")

    packs: list[_RawPack] = []
    amendments: list[_RawPack] = []
    overlays: list[_RawPack] = []
    for std_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "cases"):
        for f in sorted(std_dir.rglob("*.yaml")):
            rel = f.relative_to(std_dir).parts
            name = _rel(root, f)
            ctx = _Ctx(name)
            data = ctx.mapping(read_yaml(f, name), "pack 文件")
            raw = _RawPack(f, name, data, ctx)
            if len(rel) == 1:
                ctx.keys(data, PACK_KEYS, PACK_REQUIRED, "pack")
                kind = packs
            elif len(rel) == 2:
                ctx.keys(data, OVERLAY_KEYS, OVERLAY_REQUIRED, "省级细则（overlay）")
                kind = overlays
            elif len(rel) == 3 and rel[1] == "amendments":
                ctx.keys(data, AMENDMENT_KEYS, AMENDMENT_REQUIRED, "年度通知修订（amendment）")
                kind = amendments
            else:
                raise ctx.fail(
                    "文件位置不对：应为 <标准>/<版本>.yaml、<标准>/<版本>/<省代码>.yaml 或 <标准>/<版本>/amendments/<通知>.yaml"
                )
            std = str(data["standard"])
            if std not in STANDARDS:
                raise ctx.fail(f"未知的标准 {std!r}（可选：{', '.join(STANDARDS)}）", data, "standard")
            if std != std_dir.name:
                raise ctx.fail(f"standard {std!r} 与所在目录 {std_dir.name!r} 不一致", data, "standard")
            ed = str(data["edition"])
            want_ed = f.stem if len(rel) == 1 else rel[0]
            if ed != want_ed:
                raise ctx.fail(f"edition {ed!r} 与文件位置 {want_ed!r} 不一致", data, "edition")
            kind.append(raw)

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
        "size_info": size_info,
        "digest": _digest(root),
    }


def _digest(root: Path) -> str:
    """sha256 over every pack file (path and bytes, cases excluded): stored with evaluations so that
    a result can always name the exact rules it was computed with."""
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.yaml")):
        rel = f.relative_to(root)
        if rel.parts[0] == "cases":
            continue
        h.update(str(rel.as_posix()).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


# per-edition raw data, kept while building variants (cleared when loading ends)
_RAW: dict[int, tuple[_RawPack, Scope]] = {}


def _edition(p: _RawPack, scope: Scope, size_info: dict[str, Any] | None) -> Edition:
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
    ctx: _Ctx,
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


def _indicator(ctx: _Ctx, scope: Scope, raw: Any, parent: Any, key: Any, groups: set[str]) -> Indicator:
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


def _amendment(a: _RawPack, ed: Edition, scope: Scope) -> Amendment:
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


def _overlay(o: _RawPack, scope: Scope) -> Overlay:
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


def variant_key(edition: str, amendments: Iterable[str], overlay: str | None) -> str:
    key = edition + "".join(f"+{a}" for a in amendments)
    return key + (f"@{overlay}" if overlay else "")


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


def _conditions(ctx: _Ctx, scope: Scope, items: Any, parent: Any, key: str) -> list[Item]:
    out: list[Item] = []
    seen: set[str] = set()
    for i, c in enumerate(ctx.seq(items, key, parent, key)):
        it = _item(ctx, scope, c, items, i)
        if it.id in seen:
            raise ctx.fail(f"条件编号 {it.id} 重复", items, i)
        seen.add(it.id)
        out.append(it)
    return out


def _base(ed: Edition, p: _RawPack, scope: Scope, size_info: dict[str, Any] | None) -> Variant:
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
        qualified = Item("qualified", "", "", q, qn, E.to_python(qn), cols, False, ctx.where(d, "qualified"))
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
    conditions: list[Item], data: LineDict, ctx: _Ctx, scope: Scope, what: str
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
    ctx: _Ctx,
) -> Variant:
    conditions = base.conditions
    readings = list(base.readings)
    provisional = base.provisional
    for a in amendments:
        ap: _RawPack = a.raw["file"]
        conditions = _merge_conditions(conditions, ap.data, ap.ctx, scope, f"修订 {a.id}")
        readings += a.readings
        provisional = provisional or a.provisional
    indicators = list(base.indicators)
    if overlay is not None:
        op: _RawPack = overlay.raw["file"]
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


def check_standards(
    standards: Iterable[str] | None, editions: Mapping[str, str] | None
) -> tuple[list[str], dict[str, str]]:
    """The standards asked for and the editions forced, both checked against the known ids."""
    wanted = list(STANDARDS) if standards is None else list(standards)
    forced = dict(editions or {})
    for s in [*wanted, *forced]:
        if s not in STANDARDS:
            raise SelectionError(f"未知的标准 {s!r}（可选：{', '.join(STANDARDS)}）",
                                 code=RulesErrorCode.UNKNOWN_STANDARD)
    return wanted, forced


def check_edition(editions: Mapping[str, list[Edition]], standard: str, edition: str) -> Edition:
    if standard not in editions:
        raise SelectionError(f"未知的标准 {standard!r}", code=RulesErrorCode.UNKNOWN_STANDARD)
    for e in editions[standard]:
        if e.edition == edition:
            return e
    have = "、".join(e.edition for e in editions[standard])
    raise SelectionError(f"标准 {standard} 没有版本 {edition!r}（可选：{have}）")


Selector = Callable[[Mapping[str, Any]], Variant]


# ---------------------------------------------------------------------------------------------
# the facade


class Packs:
    """All loaded packs: pick the edition for a row, explain a firm-year, compile SQL for batches."""

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
    ) -> None:
        self.root = root
        self.digest = digest  # sha256 of the pack files: keep it with stored evaluations
        self.editions = editions
        self.scope = scope
        self.extra_inputs = extra_inputs
        self.macro_labels = macro_labels
        self.size_info = size_info
        self.size_group_fn: E.Fn = (
            E.to_python(E.strip(scope.expand(E.Col("size_group"))))
            if size_info is not None
            else (lambda r: None)
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

    def explain(
        self,
        record: Mapping[str, Any],
        standards: Iterable[str] | None = None,
        editions: Mapping[str, str] | None = None,
        today: dt.date | None = None,
        gaps: bool = False,
    ) -> LadderResult:
        """Evaluate one firm-year against every (or the named) standard, with the reasons."""
        from tidu.rules.evaluate import explain  # evaluate imports this module

        return explain(self, record, standards=standards, editions=editions, today=today, gaps=gaps)

    def compile_sql(
        self,
        dialect: str = "duckdb",
        table: str = "firm_years",
        standards: Iterable[str] | None = None,
        editions: Mapping[str, str] | None = None,
        today: dt.date | None = None,
        columns: Iterable[str] | None = None,
    ) -> str:
        """One SELECT over `table` giving credit_code, year and the contract columns."""
        from tidu.rules.sql import compile_sql  # sql imports this module

        return compile_sql(
            self,
            dialect=dialect,
            table=table,
            standards=standards,
            editions=editions,
            today=today,
            columns=columns,
        )
