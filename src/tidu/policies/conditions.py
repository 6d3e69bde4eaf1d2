"""Policy conditions in the criteria packs' expression language: check, compile, evaluate, render SQL.

No Django here: the same compiled tree gives the Python verdict for one firm (我的政策) and the SQL the
sandbox and push lists run on DuckDB or PostgreSQL, so the two cannot disagree (tests prove it).
Names an expression may use: every field of the registry (tidu/rules/data/fields.yaml) plus the few
facts below that a policy needs and the registry does not carry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from typing import Any

from tidu.rules import ExprError
from tidu.rules import expr as E
from tidu.rules.fieldinfo import NUMERIC_TYPES, FieldInfo, field_infos

# Facts a policy may test that the registry does not hold; filled by tidu.policies.records.
EXTRA_FIELDS: dict[str, FieldInfo] = {
    f.name: f
    for f in (
        FieldInfo("size_level", "str", "企业规模（large 大型 / medium 中型 / small 小型 / micro 微型）"),
        FieldInfo("province_code", "str", "注册地所在省份代码（如 440000）"),
        FieldInfo("city_code", "str", "注册地所在地市代码（如 440300）"),
        FieldInfo("industry_section", "str", "行业门类（如 C 制造业）"),
        FieldInfo("industry_division", "str", "行业大类（门类字母加两位数字，如 C39）"),
        FieldInfo("specialized_first_year", "int", "专精特新中小企业认定起始年份（平台认定记录）"),
        FieldInfo("little_giant_first_year", "int", "专精特新“小巨人”认定起始年份（平台认定记录）"),
        FieldInfo("innovative_first_year", "int", "创新型中小企业认定起始年份（平台认定记录）"),
    )
}
SIZE_LEVELS = ("large", "medium", "small", "micro")


@cache
def policy_fields() -> dict[str, FieldInfo]:
    """Every name a policy expression may use, with its type and Chinese label."""
    return {**field_infos(), **EXTRA_FIELDS}


def field_label(name: str) -> str:
    info = policy_fields().get(name)
    return info.label if info is not None else name


# ---- type check ---------------------------------------------------------------------------------


def _kind(info: FieldInfo) -> str:
    if info.type in NUMERIC_TYPES:
        return "num"
    if info.type == "bool":
        return "bool"
    if info.type == "date":
        return "date"
    return "str"


def _lit_kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | Fraction):
        return "num"
    if isinstance(v, str):
        return "str"
    return "date"


_KIND_WORDS = {"num": "数值", "bool": "是/否", "date": "日期", "str": "文本", "null": "空值"}


def _type_of(n: E.Node, fields: Mapping[str, FieldInfo]) -> str:
    """The kind of a node (num, bool, date, str, null), raising ExprError where operands cannot meet."""
    if isinstance(n, E.Lit):
        return _lit_kind(n.value)
    if isinstance(n, E.Col):
        return _kind(fields[n.name])
    if isinstance(n, E.Arith | E.Neg):
        for c in E.children(n):
            k = _type_of(c, fields)
            if k not in {"num", "null"}:
                raise ExprError(f"算术运算只能用于数值，{_describe(c)} 是{_KIND_WORDS[k]}")
        return "num"
    if isinstance(n, E.Cmp):
        a, b = _type_of(n.a, fields), _type_of(n.b, fields)
        if "null" not in {a, b} and a != b:
            raise ExprError(
                f"不能比较{_KIND_WORDS[a]}与{_KIND_WORDS[b]}：{_describe(n.a)} {n.op} {_describe(n.b)}"
            )
        if a == "bool" and n.op not in {"=", "<>"}:
            raise ExprError(f"是/否字段只能用 = 或 <> 比较：{_describe(n.a)}")
        return "bool"
    if isinstance(n, E.In):
        a = _type_of(n.a, fields)
        for item in n.items:
            k = _type_of(item, fields)
            if k != a and k != "null":
                raise ExprError(
                    f"IN 列表中的 {_describe(item)} 是{_KIND_WORDS[k]}，而 {_describe(n.a)} 是{_KIND_WORDS[a]}"
                )
        return "bool"
    if isinstance(n, E.And | E.Or | E.Not):
        for c in E.children(n):
            k = _type_of(c, fields)
            if k not in {"bool", "null"}:
                raise ExprError(f"AND/OR/NOT 的每一项都应是条件（是/否），{_describe(c)} 是{_KIND_WORDS[k]}")
        return "bool"
    if isinstance(n, E.IsNull):
        _type_of(n.a, fields)
        return "bool"
    if isinstance(n, E.Part):
        return "num"
    if isinstance(n, E.Case):
        kinds = {_type_of(v, fields) for _c, v in n.whens} | {_type_of(n.default, fields)}
        for c, _v in n.whens:
            if _type_of(c, fields) not in {"bool", "null"}:
                raise ExprError("CASE WHEN 后应是条件")
        kinds.discard("null")
        if len(kinds) > 1:
            raise ExprError("CASE 各分支的取值类型不一致")
        return kinds.pop() if kinds else "null"
    if isinstance(n, E.Coalesce):
        kinds = {_type_of(c, fields) for c in n.items} - {"null"}
        if len(kinds) > 1:
            raise ExprError("COALESCE 各项类型不一致")
        return kinds.pop() if kinds else "null"
    return "num"


def _describe(n: E.Node) -> str:
    if isinstance(n, E.Col):
        return f"{n.name}（{field_label(n.name)}）"
    if isinstance(n, E.Lit):
        return repr(n.value) if isinstance(n.value, str) else str(n.value)
    return "表达式"


# ---- compile --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    """A checked expression: the rewritten tree (Python and SQL come from it) and the fields it reads."""

    text: str
    node: E.Node
    fn: E.Fn
    columns: tuple[str, ...]


@cache
def compile_expr(text: str, kind: str = "bool") -> Compiled:
    """Parse, check names and types against the registry, rewrite divisions exactly, compile.

    kind: "bool" for a condition (must be a yes/no test), "number" for an amount formula (yuan).
    Raises ExprError with a Chinese reason.
    """
    fields = policy_fields()
    node = E.parse(text)
    node = E.expand(node, {}, fields.__contains__)
    got = _type_of(node, fields)
    if kind == "bool" and got not in {"bool", "null"}:
        raise ExprError(f"条件应是一个判断（如 revenue_y1 >= 10000000），而这里得到的是{_KIND_WORDS[got]}")
    if kind == "number":
        if got != "num":
            raise ExprError(f"金额公式应得到数值（元），而这里得到的是{_KIND_WORDS[got]}")
        if E.has_division(node):
            raise ExprError("金额公式中不能有除法，请改写为乘以小数（如 rd_y1 * 0.1）")
    rewritten = E.simplify(E.Rewriter(fields).rewrite(node, None))
    return Compiled(
        text=text, node=rewritten, fn=E.to_python(rewritten), columns=tuple(sorted(E.columns(node)))
    )


# ---- conditions of an edition ------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionSpec:
    id: str
    label: str
    kind: str  # machine | text
    clause: str
    expr: str = ""
    evidence: str = ""  # what the firm must show (free-text conditions)
    verified: bool = False  # a self-declared figure is not enough: a person checks it


CONDITION_KEYS = {"id", "label", "kind", "clause", "expr", "evidence", "verified"}


def check_conditions(raw: Any) -> list[ConditionSpec]:
    """Validate an edition's conditions (from a form, the admin or the data file); errors name the condition."""
    if not isinstance(raw, list) or not raw:
        raise ExprError("至少要有一项条件")
    out: list[ConditionSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        where = f"第{i}项条件"
        if not isinstance(item, Mapping):
            raise ExprError(
                f"{where}格式不对：应有 label、clause 以及 expr（可由数据判断）或 evidence（需人工判断）"
            )
        label = str(item.get("label") or "").strip()
        if label:
            where = f"第{i}项条件“{label}”"
        unknown = set(item) - CONDITION_KEYS
        if unknown:
            raise ExprError(f"{where}有不认识的项：{'、'.join(sorted(map(str, unknown)))}")
        if not label:
            raise ExprError(f"{where}缺少说明（label）")
        clause = str(item.get("clause") or "").strip()
        if not clause:
            raise ExprError(f"{where}缺少出处条款（clause）")
        cid = str(item.get("id") or f"c{i}").strip()
        if cid in seen:
            raise ExprError(f"{where}的编号 {cid} 重复")
        seen.add(cid)
        text = str(item.get("expr") or "").strip()
        kind = str(item.get("kind") or ("machine" if text else "text"))
        if kind not in {"machine", "text"}:
            raise ExprError(f"{where}的类型应为 machine（由数据判断）或 text（需人工判断）")
        if kind == "machine":
            if not text:
                raise ExprError(f"{where}缺少表达式（expr）")
            try:
                compile_expr(text)
            except ExprError as e:
                raise ExprError(f"{where}的表达式有误：{e}") from None
        elif text:
            raise ExprError(f"{where}是需人工判断的条件，不应填写表达式")
        out.append(
            ConditionSpec(
                id=cid,
                label=label,
                kind=kind,
                clause=clause,
                expr=text,
                evidence=str(item.get("evidence") or "").strip(),
                verified=bool(item.get("verified", False)),
            )
        )
    return out


def check_amount(text: str) -> Compiled | None:
    """The compiled amount formula, or None when the policy sets no formula (amount decided case by case)."""
    if not text.strip():
        return None
    try:
        return compile_expr(text.strip(), "number")
    except ExprError as e:
        raise ExprError(f"金额公式有误：{e}") from None


# ---- evaluating one firm -------------------------------------------------------------------------

MET, UNMET, UNKNOWN, JUDGE = "met", "unmet", "unknown", "judge"


@dataclass
class ConditionOutcome:
    spec: ConditionSpec
    state: str  # met | unmet | unknown | judge
    values: list[tuple[str, str, Any]] = field(default_factory=list)  # (field, label, value)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (field, label) with no value
    self_declared: list[tuple[str, str]] = field(default_factory=list)  # figures the firm declared


def evaluate_condition(
    spec: ConditionSpec, record: Mapping[str, Any], self_declared: frozenset[str] = frozenset()
) -> ConditionOutcome:
    """One condition on a prepared record (tidu.policies.records.prepare)."""
    if spec.kind == "text":
        return ConditionOutcome(spec, JUDGE)
    c = compile_expr(spec.expr)
    value = c.fn(record)
    values = [(f, field_label(f), record.get(f)) for f in c.columns]
    missing = [(f, lab) for f, lab, v in values if v is None]
    declared = [(f, field_label(f)) for f in c.columns if f in self_declared and record.get(f) is not None]
    if value is True:
        state = JUDGE if spec.verified and declared else MET
    elif value is False:
        state = UNMET
    else:
        state = UNKNOWN
    return ConditionOutcome(spec, state, values, missing, declared)


def evaluate_amount(amount: Compiled | None, cap_yuan: int | None, record: Mapping[str, Any]) -> int | None:
    """The estimated amount in whole yuan (rounded down, capped, never negative); None when a figure is
    missing or the policy sets no formula."""
    if amount is None:
        return None
    v = amount.fn(record)
    if v is None:
        return None
    yuan = math.floor(Fraction(v))
    if cap_yuan is not None:
        yuan = min(yuan, cap_yuan)
    return max(yuan, 0)


# ---- SQL ------------------------------------------------------------------------------------------


def conditions_sql(specs: Sequence[ConditionSpec], dialect: str = "duckdb") -> list[tuple[str, str]]:
    """(condition id, SQL boolean) for each machine condition, from the same trees as the Python verdict."""
    return [
        (s.id, E.to_sql(compile_expr(s.expr).node, dialect=dialect)) for s in specs if s.kind == "machine"
    ]


def amount_sql(amount: Compiled | None, cap_yuan: int | None, dialect: str = "duckdb") -> str:
    """Whole yuan, rounded down, capped, never negative (NULL when a figure is missing or no formula)."""
    if amount is None:
        return "CAST(NULL AS BIGINT)"
    body = f"FLOOR({E.to_sql(amount.node, dialect=dialect)})"
    if cap_yuan is not None:
        body = f"LEAST({body}, {int(cap_yuan)})"
    return f"CAST(GREATEST({body}, 0) AS BIGINT)"


def dump_conditions(stored: list[dict[str, Any]]) -> str:
    """The stored conditions as the YAML the edition form shows (id and kind left implicit where obvious)."""
    import yaml

    items = []
    for c in stored:
        item = {k: c[k] for k in ("label", "expr", "evidence", "clause", "verified") if c.get(k)}
        items.append(item)
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=200)
