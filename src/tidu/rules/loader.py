"""Read the criteria packs (packs/**.yaml): YAML with line numbers, the pack schema, the file tree.

Only this module parses YAML (libyaml's `CSafeLoader`) and checks a file's place and top-level keys;
`tidu.rules.compiler` turns what it reads into editions and variants. Every problem is a `PackError`
naming the file and the line (docs/rules-spec-draft.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from tidu.rules.errors import PackError
from tidu.rules.model import STANDARDS, Number, Where

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
    except yaml.reader.ReaderError as e:  # a character YAML does not allow (a NUL byte, a control character)
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        raise PackError(f"YAML 语法错误：含有 YAML 不允许的字符 {char}", file=name,
                        line=text.count("\n", 0, e.position) + 1) from None
    except yaml.YAMLError as e:
        raise PackError(f"YAML 语法错误：{e}", file=name) from None
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


class Ctx:
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
# the file tree


@dataclass
class RawPack:
    path: Path
    name: str
    data: LineDict
    ctx: Ctx


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


def _rel(root: Path, p: Path) -> str:
    try:
        return str(Path(root.name) / p.relative_to(root))
    except ValueError:  # pragma: no cover
        return str(p)


@dataclass
class PackTree:
    """Every pack file of a packs directory, read and checked at the top level."""

    root: Path
    derived: LineDict | None
    derived_ctx: Ctx
    packs: list[RawPack]
    amendments: list[RawPack]
    overlays: list[RawPack]


def read_tree(root: Path) -> PackTree:
    """Read derived.yaml and every <standard>/<edition>[/<province>|/amendments/<id>].yaml."""
    # 1. read everything
    derived_raw: LineDict | None = None
    derived_ctx = Ctx(_rel(root, root / "derived.yaml"))
    if (root / "derived.yaml").exists():
        d = read_yaml(root / "derived.yaml", derived_ctx.name)
        d = derived_ctx.mapping(d, "derived.yaml")
        for k in d:
            if k != "derived":
                raise derived_ctx.fail(f"derived.yaml 中有未知的键 {k!r}（只允许 derived）", d, k)
        derived_raw = derived_ctx.mapping(d.get("derived") or LineDict(), "derived", d, "derived")

    packs: list[RawPack] = []
    amendments: list[RawPack] = []
    overlays: list[RawPack] = []
    for std_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "cases"):
        for f in sorted(std_dir.rglob("*.yaml")):
            rel = f.relative_to(std_dir).parts
            name = _rel(root, f)
            ctx = Ctx(name)
            data = ctx.mapping(read_yaml(f, name), "pack 文件")
            raw = RawPack(f, name, data, ctx)
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
    return PackTree(root, derived_raw, derived_ctx, packs, amendments, overlays)


def pack_digest(root: Path) -> str:
    """sha256 over every pack file (path and bytes, cases excluded): stored with evaluations so that
    a result can always name the exact rules it was computed with."""
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.yaml")):
        rel = f.relative_to(root)
        if rel.parts[0] == "cases":
            continue
        h.update(str(rel.as_posix()).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()
