"""Pack expressions: a safe SQL subset parsed by sqlglot, rewritten once, run in Python and SQL.

Pipeline (all at load time):

1. `parse()` — sqlglot (dialect duckdb) → a small immutable tree (the IR below), checked
   against a whitelist of node kinds and names.
2. `expand()` — derived macros inlined (kept as `Macro` wrappers so explanations can name them).
3. `rewrite(node, zero=...)` — every comparison whose operands divide (or multiply two unknowns)
   is turned into an integer-coefficient cross-multiplied comparison with positivity guards on
   the denominators; `zero` is what a non-positive denominator gives (FALSE in a band, NULL in a
   condition). Sums of ratios share a common denominator because operands are polynomials.
   A comparison that the declared bounds of its unknown inputs can decide (a sum of non-negative
   amounts already past its threshold) is wrapped in `Bounded` (class `Bounds`, decision 0087).
4. `to_python()` compiles the rewritten tree into closures (three-valued, exact int/Fraction);
   `to_sql()` renders the *same* tree as DuckDB SQL. Parity is by construction.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import reduce
from typing import TYPE_CHECKING, Any, Union, cast

from tidu.rules.errors import ExprError
from tidu.rules.fieldinfo import FieldInfo

if TYPE_CHECKING:
    from sqlglot import exp

# ----------------------------------------------------------------------------------------------
# IR


@dataclass(frozen=True, slots=True)
class Lit:
    value: Any  # int | Fraction | str | bool | date | None


@dataclass(frozen=True, slots=True)
class BoolNull:
    """A typed unknown boolean (CAST(NULL AS BOOLEAN) in SQL)."""


@dataclass(frozen=True, slots=True)
class Col:
    name: str


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # + - * /
    a: Node
    b: Node


@dataclass(frozen=True, slots=True)
class Neg:
    a: Node


@dataclass(frozen=True, slots=True)
class Cmp:
    op: str  # = <> < <= > >=
    a: Node
    b: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    a: Node


@dataclass(frozen=True, slots=True)
class IsNull:
    a: Node
    negate: bool = False


@dataclass(frozen=True, slots=True)
class In:
    a: Node
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Case:
    whens: tuple[tuple[Node, Node], ...]
    default: Node


@dataclass(frozen=True, slots=True)
class Coalesce:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Part:
    unit: str  # YEAR MONTH DAY
    a: Node


@dataclass(frozen=True, slots=True)
class Prefix:
    """`a` starts with `prefix` (internal; SQL: SUBSTRING(a, 1, n) = 'prefix')."""

    a: Node
    prefix: str


@dataclass(frozen=True, slots=True)
class Big:
    """An integer-valued operand of a cross-multiplied comparison: a * 10^scale as DECIMAL(38,0)."""

    a: Node
    scale: int = 0


@dataclass(frozen=True, slots=True)
class Macro:
    """A derived quantity inlined by name (transparent for evaluation, kept for explanations)."""

    name: str
    body: Node


@dataclass(frozen=True, slots=True)
class Bounded:
    """`cmp`, decided from the bounds of its unknown inputs when one of `missing` is NULL.

    With every column of `missing` known this is `cmp`. Otherwise `yes` (the comparison of the
    worst-case bounds, TRUE only when no value of the unknown inputs can make `cmp` FALSE) gives
    TRUE, `no` gives FALSE, and neither leaves it unknown. Why: three of the last three years'
    equity financing known and above 500万 decide the 创新型 direct path whatever the missing year
    holds (decision 0087)."""

    cmp: Cmp
    missing: tuple[str, ...]
    yes: Node
    no: Node


Node = Union[  # noqa: UP007 - a recursive alias needs the string-free Union form for dataclass annotations
    Lit,
    BoolNull,
    Col,
    Arith,
    Neg,
    Cmp,
    And,
    Or,
    Not,
    IsNull,
    In,
    Case,
    Coalesce,
    Part,
    Prefix,
    Big,
    Macro,
    Bounded,
]

TRUE = Lit(True)
FALSE = Lit(False)
NULL = Lit(None)

# ----------------------------------------------------------------------------------------------
# parsing and validation


def parse(text: str) -> Node:
    """Parse one expression of the pack language (raises ExprError with the reason).

    sqlglot is imported here, not with the module: a process that takes its packs from the compiled
    cache never parses, and the import costs about 0.1 s of every `tidu evaluate` start."""
    import sqlglot
    from sqlglot.errors import ParseError

    if not isinstance(text, str) or not text.strip():
        raise ExprError("表达式为空")
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except ParseError as e:  # pragma: no cover - message depends on sqlglot
        raise ExprError(f"无法解析表达式 {text!r}: {e.errors[0]['description'] if e.errors else e}") from None
    return _convert(cast("exp.Expression", tree), text)


@functools.cache
def _operators() -> tuple[dict[type, str], dict[type, str], dict[type, str]]:
    """sqlglot's node classes of the comparisons, the arithmetic and the date parts."""
    from sqlglot import exp

    return (
        {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="},
        {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"},
        {exp.Year: "YEAR", exp.Month: "MONTH", exp.Day: "DAY"},
    )


def _convert(t: exp.Expression, text: str) -> Node:
    from sqlglot import exp

    comparisons, arithmetic, parts = _operators()
    if isinstance(t, exp.Paren):
        return _convert(t.this, text)
    if isinstance(t, exp.Column):
        if t.table:
            raise ExprError(f"不允许带表名的列 {t.sql()!r}")
        return Col(t.name)
    if isinstance(t, exp.Literal):
        if t.is_string:
            return Lit(str(t.this))
        return Lit(_number(str(t.this)))
    if isinstance(t, exp.Boolean):
        return Lit(bool(t.this))
    if isinstance(t, exp.Null):
        return NULL
    if isinstance(t, exp.Cast):
        to = t.args.get("to")
        inner = t.this
        if (
            to is not None
            and to.this == exp.DataType.Type.DATE
            and isinstance(inner, exp.Literal)
            and inner.is_string
        ):
            try:
                return Lit(dt.date.fromisoformat(str(inner.this)))
            except ValueError:
                raise ExprError(f"日期字面量无效 {inner.this!r}（应为 DATE 'YYYY-MM-DD'）") from None
        raise ExprError(f"不允许类型转换 {t.sql()!r}（只允许 DATE 'YYYY-MM-DD'）")
    for cls, op in arithmetic.items():
        if type(t) is cls:
            return Arith(op, _convert(t.this, text), _convert(t.expression, text))
    if isinstance(t, exp.Neg):
        inner = _convert(t.this, text)
        if (
            isinstance(inner, Lit)
            and isinstance(inner.value, int | Fraction)
            and not isinstance(inner.value, bool)
        ):
            return Lit(-inner.value)
        return Neg(inner)
    for cls, op in comparisons.items():
        if type(t) is cls:
            return Cmp(op, _convert(t.this, text), _convert(t.expression, text))
    if isinstance(t, exp.And):
        return And(_flatten(And, (_convert(t.this, text), _convert(t.expression, text))))
    if isinstance(t, exp.Or):
        return Or(_flatten(Or, (_convert(t.this, text), _convert(t.expression, text))))
    if isinstance(t, exp.Not):
        inner_t = t.this
        if isinstance(inner_t, exp.Is):
            n = _convert(inner_t, text)
            assert isinstance(n, IsNull)
            return IsNull(n.a, not n.negate)
        return Not(_convert(inner_t, text))
    if isinstance(t, exp.Is):
        if not isinstance(t.expression, exp.Null):
            raise ExprError(f"只允许 IS [NOT] NULL：{t.sql()!r}")
        return IsNull(_convert(t.this, text))
    if isinstance(t, exp.In):
        if t.args.get("query") or t.args.get("unnest") or t.args.get("field"):
            raise ExprError(f"IN 只允许字面量列表：{t.sql()!r}")
        return In(_convert(t.this, text), tuple(_convert(x, text) for x in t.expressions))
    if isinstance(t, exp.Case):
        if t.this is not None:
            raise ExprError("只允许 CASE WHEN 条件 THEN 值 形式（不支持 CASE x WHEN …）")
        whens = tuple((_convert(i.this, text), _convert(i.args["true"], text)) for i in t.args.get("ifs", []))
        default = t.args.get("default")
        return Case(whens, _convert(default, text) if default is not None else NULL)
    if isinstance(t, exp.Coalesce):
        return Coalesce((_convert(t.this, text), *(_convert(x, text) for x in t.expressions)))
    for part_cls, unit in parts.items():
        if type(t) is part_cls:
            return Part(unit, _convert(t.this, text))
    if isinstance(t, exp.Func):
        raise ExprError(
            f"不允许的函数 {t.sql_name()}（允许：COALESCE、YEAR、MONTH、DAY；GREATEST/LEAST 请改写为 CASE）"
        )
    raise ExprError(f"不允许的语法 {type(t).__name__}: {t.sql()!r}")


def _number(s: str) -> int | Fraction:
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ExprError(f"数字字面量无效 {s!r}") from None
    if d == d.to_integral_value() and "." not in s and "e" not in s.lower():
        return int(d)
    return Fraction(d)


def _flatten(kind: type, items: Iterable[Node]) -> tuple[Node, ...]:
    out: list[Node] = []
    for i in items:
        if isinstance(i, kind):
            out.extend(cast(And | Or, i).items)
        else:
            out.append(i)
    return tuple(out)


def columns(node: Node) -> set[str]:
    """Names of the columns a tree reads (macros seen through)."""
    out: set[str] = set()
    _walk_cols(node, out)
    return out


def _walk_cols(n: Node, out: set[str]) -> None:
    if isinstance(n, Col):
        out.add(n.name)
    elif isinstance(n, Macro):
        _walk_cols(n.body, out)
    else:
        for c in children(n):
            _walk_cols(c, out)


def children(n: Node) -> tuple[Node, ...]:
    if isinstance(n, Arith | Cmp):
        return (n.a, n.b)
    if isinstance(n, Neg | Not | IsNull | Part | Prefix | Big):
        return (n.a,)
    if isinstance(n, And | Or | Coalesce):
        return n.items
    if isinstance(n, In):
        return (n.a, *n.items)
    if isinstance(n, Case):
        return (*[x for w in n.whens for x in w], n.default)
    if isinstance(n, Macro):
        return (n.body,)
    if isinstance(n, Bounded):
        return (n.cmp,)  # yes/no read the same columns; walkers (gaps, columns) see the comparison
    return ()


def names(node: Node) -> set[str]:
    """Column names as written (macros not expanded)."""
    out: set[str] = set()

    def walk(n: Node) -> None:
        if isinstance(n, Col | Macro):
            out.add(n.name)
        else:
            for c in children(n):
                walk(c)

    walk(node)
    return out


def expand(
    node: Node,
    macros: Mapping[str, Node],
    allowed: Iterable[str] | Callable[[str], bool],
    cache: dict[str, Node] | None = None,
) -> Node:
    """Inline macros (recursively) and check every remaining name is an allowed column.

    `macros` maps names to *unexpanded* trees; cycles raise ExprError. `cache` (macro name →
    expanded Macro) may be shared between calls with the same macros so that they share nodes.
    """
    ok: Callable[[str], bool] = allowed if callable(allowed) else set(allowed).__contains__
    if cache is None:
        cache = {}

    def go(n: Node, stack: tuple[str, ...]) -> Node:
        if isinstance(n, Col):
            if n.name in macros:
                if n.name in stack:
                    raise ExprError(f"派生量循环引用：{' → '.join((*stack, n.name))}")
                if n.name not in cache:
                    cache[n.name] = Macro(n.name, go(macros[n.name], (*stack, n.name)))
                return cache[n.name]
            if not ok(n.name):
                raise ExprError(f"未知字段或派生量 {n.name!r}")
            return n
        return _map(n, lambda c: go(c, stack))

    return go(node, ())


def _map(n: Node, f: Callable[[Node], Node]) -> Node:
    """Rebuild a node with `f` applied to its children."""
    if isinstance(n, Arith):
        return Arith(n.op, f(n.a), f(n.b))
    if isinstance(n, Cmp):
        return Cmp(n.op, f(n.a), f(n.b))
    if isinstance(n, Neg):
        return Neg(f(n.a))
    if isinstance(n, Not):
        return Not(f(n.a))
    if isinstance(n, IsNull):
        return IsNull(f(n.a), n.negate)
    if isinstance(n, Part):
        return Part(n.unit, f(n.a))
    if isinstance(n, Prefix):
        return Prefix(f(n.a), n.prefix)
    if isinstance(n, Big):
        return Big(f(n.a), n.scale)
    if isinstance(n, And):
        return And(tuple(f(x) for x in n.items))
    if isinstance(n, Or):
        return Or(tuple(f(x) for x in n.items))
    if isinstance(n, Coalesce):
        return Coalesce(tuple(f(x) for x in n.items))
    if isinstance(n, In):
        return In(f(n.a), tuple(f(x) for x in n.items))
    if isinstance(n, Case):
        return Case(tuple((f(c), f(v)) for c, v in n.whens), f(n.default))
    if isinstance(n, Macro):
        return Macro(n.name, f(n.body))
    if isinstance(n, Bounded):
        c = f(n.cmp)
        if not isinstance(c, Cmp):  # folded away (simplify): the bounds no longer apply
            return c
        return Bounded(c, n.missing, f(n.yes), f(n.no))
    return n


def strip(n: Node) -> Node:
    """Remove Macro wrappers."""
    if isinstance(n, Macro):
        return strip(n.body)
    return _map(n, strip)


def substitute(n: Node, mapping: Mapping[str, Node]) -> Node:
    """Replace columns by trees (used for level ids in `qualified`)."""
    if isinstance(n, Col):
        return mapping.get(n.name, n)
    return _map(n, lambda c: substitute(c, mapping))


def has_division(n: Node) -> bool:
    if isinstance(n, Arith) and n.op == "/":
        return True
    return any(has_division(c) for c in children(n))


# ----------------------------------------------------------------------------------------------
# the division rewrite (exact polynomials over atoms)

Monomial = tuple[Node, ...]  # sorted atoms (with repetition)
Poly = dict[Monomial, Fraction]


def _mono_key(m: Monomial) -> tuple[str, ...]:
    return tuple(repr(a) for a in m)


def _pconst(c: int | Fraction) -> Poly:
    return {(): Fraction(c)} if c else {}


def _padd(p: Poly, q: Poly, sign: int = 1) -> Poly:
    out = dict(p)
    for m, c in q.items():
        v = out.get(m, Fraction(0)) + sign * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def _pmul(p: Poly, q: Poly) -> Poly:
    out: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = tuple(sorted((*m1, *m2), key=repr))
            v = out.get(m, Fraction(0)) + c1 * c2
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def _is_const(p: Poly) -> bool:
    return all(m == () for m in p)


@dataclass(slots=True)
class _Rat:
    num: Poly
    den: Poly  # positive whenever every guard is positive
    guards: list[Poly]


class _Typing:
    def __init__(self, fields: Mapping[str, FieldInfo]) -> None:
        self.fields = fields

    def scale(self, n: Node) -> int:
        """Decimal places of an atom's values (0 = integer valued)."""
        if isinstance(n, Col):
            f = self.fields.get(n.name)
            return f.scale if f else 0
        if isinstance(n, Lit):
            v = n.value
            if isinstance(v, Fraction):
                for k in range(19):
                    if (v * 10**k).denominator == 1:
                        return k
                raise ExprError(f"常数 {v} 不能精确写成小数")
            return 0
        if isinstance(n, Part):
            return 0
        return max(
            (self.scale(c) for c in children(n) if not isinstance(c, Cmp | And | Or | Not | IsNull | In)),
            default=0,
        )


def _rat(n: Node) -> _Rat:
    """A numeric tree as num/den with positivity guards (atoms: columns, CASE, COALESCE, YEAR…)."""
    if isinstance(n, Lit) and isinstance(n.value, int | Fraction) and not isinstance(n.value, bool):
        return _Rat(_pconst(n.value), _pconst(1), [])
    if isinstance(n, Neg):
        r = _rat(n.a)
        return _Rat(_pmul(r.num, _pconst(-1)), r.den, r.guards)
    if isinstance(n, Arith):
        a, b = _rat(n.a), _rat(n.b)
        guards = a.guards + [g for g in b.guards if g not in a.guards]
        if n.op in "+-":
            sign = 1 if n.op == "+" else -1
            if a.den == b.den:
                return _Rat(_padd(a.num, b.num, sign), a.den, guards)
            return _Rat(_padd(_pmul(a.num, b.den), _pmul(b.num, a.den), sign), _pmul(a.den, b.den), guards)
        if n.op == "*":
            return _Rat(_pmul(a.num, b.num), _pmul(a.den, b.den), guards)
        # division a / b = (a.num * b.den) / (a.den * b.num); b.num must be positive
        if _is_const(b.num) and _is_const(b.den):
            c = b.num.get((), Fraction(0)) / b.den.get((), Fraction(1)) if b.num else Fraction(0)
            if c == 0:
                raise ExprError("除数为常数 0")
            return _Rat(_pmul(a.num, _pconst(1 / c)), a.den, guards)
        if b.num not in guards:
            guards.append(b.num)
        return _Rat(_pmul(a.num, b.den), _pmul(a.den, b.num), guards)
    if isinstance(n, Macro):
        return _rat(n.body)
    if isinstance(n, Coalesce | Case) and has_division(n):
        raise ExprError("除法不能出现在 COALESCE/CASE 的取值中（请把比较写进 CASE 的各分支）")
    return _Rat({(n,): Fraction(1)}, _pconst(1), [])


def _divides(n: Node) -> bool:
    """Anywhere below: a division or a product of two non-constants (needs the rewrite)."""
    if _needs_rewrite(n):
        return True
    return any(_divides(c) for c in children(n))


def _needs_rewrite(n: Node) -> bool:
    """A numeric operand that divides or multiplies two non-constants."""
    if isinstance(n, Macro):
        return _needs_rewrite(n.body)
    if isinstance(n, Arith):
        if n.op == "/":
            return True
        if n.op == "*" and not (_is_constant(n.a) or _is_constant(n.b)):
            return True
        return _needs_rewrite(n.a) or _needs_rewrite(n.b)
    if isinstance(n, Neg):
        return _needs_rewrite(n.a)
    return False


def _is_constant(n: Node) -> bool:
    if isinstance(n, Lit):
        return True
    if isinstance(n, Macro):
        return _is_constant(n.body)
    if isinstance(n, Arith | Neg):
        return all(_is_constant(c) for c in children(n))
    return False


class Rewriter:
    """Applies the division rewrite with the field types needed for exact SQL casts."""

    def __init__(self, fields: Mapping[str, FieldInfo]) -> None:
        self.typing = _Typing(fields)
        self.bounds = Bounds(fields)
        self._macros: dict[int, tuple[Macro, Node]] = {}  # id → (macro, rewritten): shared macro nodes

    def rewrite(self, n: Node, zero: bool | None) -> Node:
        """`zero`: the value of a comparison whose denominator is ≤ 0 (False in bands, None in conditions)."""
        return self._rw(n, zero)

    def _rw(self, n: Node, zero: bool | None) -> Node:
        if isinstance(n, Macro):
            # A macro free of division reads the same in every context: keep it (Python memoizes it
            # per record); one that divides is inlined so its comparisons get this context's guard.
            if _divides(n.body):
                return self._rw(strip(n.body), zero)
            hit = self._macros.get(id(n))
            if hit is None or hit[0] is not n:
                hit = (n, Macro(n.name, self._rw(n.body, zero)))
                self._macros[id(n)] = hit
            return hit[1]
        if isinstance(n, Cmp):
            a, b = n.a, n.b
            # push comparisons into CASE values that divide
            for side in ("a", "b"):
                v = a if side == "a" else b
                if (isinstance(v, Case) and any(has_division(val) for _, val in v.whens)) or (
                    isinstance(v, Case) and has_division(v.default)
                ):

                    def mk(x: Node, side: str = side) -> Node:
                        return Cmp(n.op, x, b) if side == "a" else Cmp(n.op, a, x)

                    pushed = Case(
                        tuple((c, mk(val)) for c, val in v.whens),
                        mk(v.default)
                        if not (isinstance(v.default, Lit) and v.default.value is None)
                        else BoolNull(),
                    )
                    return self._rw(pushed, zero)
            if _needs_rewrite(a) or _needs_rewrite(b):
                return self._cross(n, zero)
            return self.bounds.bound(Cmp(n.op, self._rw(a, zero), self._rw(b, zero)), cross=False)
        return _map(n, lambda c: self._rw(c, zero))

    def _cross(self, n: Cmp, zero: bool | None) -> Node:
        ra, rb = _rat(n.a), _rat(n.b)
        guards = ra.guards + [g for g in rb.guards if g not in ra.guards]
        diff = _padd(_pmul(ra.num, rb.den), _pmul(rb.num, ra.den), -1)
        cmp_node = self.bounds.bound(self._render_cmp(diff, n.op), cross=True)
        guard_pos = [self._render_cmp(g, ">") for g in guards]
        guard_bad = [self._render_cmp(g, "<=") for g in guards]
        whens: list[tuple[Node, Node]] = []
        # columns lost by cancellation still make the result unknown when missing
        kept = set()
        for p in (diff, *guards):
            for m in p:
                for atom in m:
                    kept |= columns(atom)
        for c in sorted(columns(n) - kept):
            whens.append((IsNull(Col(c)), BoolNull()))
        if not guards:
            if not whens:
                return cmp_node
            return Case(tuple(whens), cmp_node)
        if zero is False:
            whens.append((_or(guard_bad), FALSE))
            whens.append((_and(guard_pos), cmp_node))
            return Case(tuple(whens), BoolNull())
        whens.append((_and(guard_pos), cmp_node))
        return Case(tuple(whens), BoolNull())

    def _render_cmp(self, p: Poly, op: str) -> Node:
        """p op 0 with integer coefficients, positive terms left, negative right."""
        # scale atoms to integers: atom = Big(atom, s) / 10^s
        terms: list[tuple[Monomial, Fraction, tuple[Node, ...]]] = []
        for m, c in p.items():
            scale = 0
            bigs: list[Node] = []
            for atom in m:
                s = self.typing.scale(atom)
                scale += s
                bigs.append(Big(atom, s))
            terms.append((m, c / (10**scale), tuple(bigs)))
        lcm = reduce(lambda x, y: x * y // math.gcd(x, y), (c.denominator for _, c, _ in terms), 1)
        ints = [(int(c * lcm), bigs) for _, c, bigs in terms]
        g = reduce(math.gcd, (abs(c) for c, _ in ints), 0) or 1
        ints = [(c // g, bigs) for c, bigs in ints]
        ints.sort(key=lambda t: (len(t[1]) == 0, repr(t[1])))
        left = [_term(c, bigs) for c, bigs in ints if c > 0]
        right = [_term(-c, bigs) for c, bigs in ints if c < 0]
        return Cmp(op, _sum(left), _sum(right))


# ----------------------------------------------------------------------------------------------
# bounds propagation: a comparison decided by what its unknown inputs can still be

Bound = Fraction | None  # a static bound of a numeric node; None: unbounded

_FLIP = {">=": "<", ">": "<=", "<=": ">", "<": ">="}


class Bounds:
    """Wraps comparisons whose unknown inputs cannot change them in `Bounded` (decision 0087).

    Each numeric side gets a lower and an upper bound *expression*: an unknown column becomes its
    declared bound (`COALESCE(x, 0)` for a non-negative amount), and NULL stands for "unbounded",
    which SQL and the closures propagate through arithmetic on their own. Sums, differences,
    multiples and products of non-negative terms are monotone in every input, so the bounds are
    exact worst cases; anything else (CASE, COALESCE, YEAR …) is its own bound, known or NULL.
    Only comparisons that the bounds can decide are wrapped (a sum with an unknown term, an
    unknown count `>= 0`); a plain ratio `rd_y1 / revenue_y1 >= 5%` is left as it was.
    """

    def __init__(self, fields: Mapping[str, FieldInfo]) -> None:
        self.fields = fields

    def col_bounds(self, name: str) -> tuple[Bound, Bound]:
        f = self.fields.get(name)
        if f is None or not hasattr(f, "bounds"):
            return None, None
        lo, hi = f.bounds
        return lo, hi

    # static bounds (what any valid record gives), for products and single-column tests
    def smin(self, n: Node) -> Bound:
        return self._static(n)[0]

    def _static(self, n: Node) -> tuple[Bound, Bound]:
        if isinstance(n, Lit):
            v = n.value
            if isinstance(v, int | Fraction) and not isinstance(v, bool):
                return Fraction(v), Fraction(v)
            return None, None
        if isinstance(n, Col):
            return self.col_bounds(n.name)
        if isinstance(n, Macro):
            return self._static(n.body)
        if isinstance(n, Big):
            lo, hi = self._static(n.a)
            k = 10**n.scale
            return (None if lo is None else lo * k), (None if hi is None else hi * k)
        if isinstance(n, Neg):
            lo, hi = self._static(n.a)
            return (None if hi is None else -hi), (None if lo is None else -lo)
        if isinstance(n, Arith) and n.op in "+-":
            (alo, ahi), (blo, bhi) = self._static(n.a), self._static(n.b)
            if n.op == "-":
                blo, bhi = (None if bhi is None else -bhi), (None if blo is None else -blo)
            return (
                None if alo is None or blo is None else alo + blo,
                None if ahi is None or bhi is None else ahi + bhi,
            )
        if isinstance(n, Arith) and n.op == "*":
            (alo, ahi), (blo, bhi) = self._static(n.a), self._static(n.b)
            if alo is not None and blo is not None and alo >= 0 and blo >= 0:
                return alo * blo, (None if ahi is None or bhi is None else ahi * bhi)
            return None, None
        return None, None

    # bound expressions
    def side(self, n: Node, upper: bool, hit: set[str]) -> Node:
        """An expression ≤ n (≥ n when `upper`) for any value of the unknown inputs; NULL = unbounded.
        Columns replaced by a declared bound are added to `hit`."""
        if isinstance(n, Col):
            b = self.col_bounds(n.name)[1 if upper else 0]
            if b is None:
                return n
            hit.add(n.name)
            return Coalesce((n, Lit(b.numerator if b.denominator == 1 else b)))
        if isinstance(n, Macro):
            inner = self.side(n.body, upper, hit)
            return n if inner == n.body else inner
        if isinstance(n, Big):
            return Big(self.side(n.a, upper, hit), n.scale)
        if isinstance(n, Neg):
            return Neg(self.side(n.a, not upper, hit))
        if isinstance(n, Arith) and n.op in "+-":
            return Arith(
                n.op, self.side(n.a, upper, hit), self.side(n.b, upper if n.op == "+" else not upper, hit)
            )
        if isinstance(n, Arith) and n.op == "*":
            for k, x, first in ((n.a, n.b, True), (n.b, n.a, False)):
                if (
                    isinstance(k, Lit)
                    and isinstance(k.value, int | Fraction)
                    and not isinstance(k.value, bool)
                ):
                    inner = self.side(x, upper if k.value >= 0 else not upper, hit)
                    return Arith("*", k, inner) if first else Arith("*", inner, k)
            alo, blo = self.smin(n.a), self.smin(n.b)
            if alo is not None and blo is not None and alo >= 0 and blo >= 0:
                return Arith("*", self.side(n.a, upper, hit), self.side(n.b, upper, hit))
        return n  # exact: its own value, NULL (unbounded) when an input is unknown

    def bound(self, c: Node, *, cross: bool) -> Node:
        """`c` wrapped in Bounded when the bounds of its unknown inputs can decide it."""
        if not isinstance(c, Cmp) or c.op not in _FLIP:
            return c
        hit: set[str] = set()
        big = c.op in (">", ">=")  # a ≥ b: TRUE once a's least ≥ b's most
        yes = Cmp(c.op, self.side(c.a, not big, hit), self.side(c.b, big, hit))
        no = Cmp(_FLIP[c.op], self.side(c.a, big, hit), self.side(c.b, not big, hit))
        if not hit or not self._useful(c, cross):
            return c
        return Bounded(c, tuple(sorted(hit)), yes, no)

    def _useful(self, c: Cmp, cross: bool) -> bool:
        cols = columns(c)
        if len(cols) == 1:
            # one input: decided when unknown only if its whole declared range decides it (count >= 0)
            (alo, ahi), (blo, bhi) = self._static(c.a), self._static(c.b)
            big = c.op in (">", ">=")
            lo, hi = (alo, bhi) if big else (blo, ahi)
            yes = lo is not None and hi is not None and (lo >= hi if c.op in (">=", "<=") else lo > hi)
            lo2, hi2 = (ahi, blo) if big else (bhi, alo)
            no = lo2 is not None and hi2 is not None and (lo2 < hi2 if c.op in (">=", "<=") else lo2 <= hi2)
            return yes or no
        if not cross:
            return True
        # a cross-multiplied ratio: only a side that is a sum of several terms leaves known terms to
        # decide it (a single ratio with an unknown side stays unknown: its denominator is positive)
        return _terms(c.a) >= 2 or _terms(c.b) >= 2


def _terms(n: Node) -> int:
    if isinstance(n, Macro):
        return _terms(n.body)
    if isinstance(n, Arith) and n.op in "+-":
        return _terms(n.a) + _terms(n.b)
    return 1


def _term(c: int, bigs: tuple[Node, ...]) -> Node:
    node: Node | None = None
    for b in bigs:
        node = b if node is None else Arith("*", node, b)
    if node is None:
        return Lit(c)
    return node if c == 1 else Arith("*", Lit(c), node)


def _sum(items: list[Node]) -> Node:
    if not items:
        return Lit(0)
    node = items[0]
    for x in items[1:]:
        node = Arith("+", node, x)
    return node


def _and(items: list[Node]) -> Node:
    return items[0] if len(items) == 1 else And(tuple(items))


def _or(items: list[Node]) -> Node:
    return items[0] if len(items) == 1 else Or(tuple(items))


# ----------------------------------------------------------------------------------------------
# Python closures (three-valued logic, exact arithmetic)

Fn = Callable[[Mapping[str, Any]], Any]

_PYCMP: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _column_read(n: Node) -> str | None:
    """The column a node only reads (a column, or a column scaled by 10^0, which is the column's
    own value: `Big` of scale 0 compiles to the column's closure), else None."""
    while isinstance(n, Big) and n.scale == 0:
        n = n.a
    return n.name if isinstance(n, Col) else None


def to_python(n: Node, *, display: bool = False) -> Fn:
    """Compile a (rewritten) tree into a closure over a prepared record.

    `display=True` allows division (exact Fraction; None when the denominator is ≤ 0) for showing
    values of ratios in explanations; verdicts never use it.
    """
    if isinstance(n, Lit):
        v = n.value
        return lambda r: v
    if isinstance(n, BoolNull):
        return lambda r: None
    if isinstance(n, Col):
        name = n.name
        return lambda r: r.get(name)
    if isinstance(n, Macro):
        body = to_python(n.body, display=display)
        if display:
            return body
        key = f"\0{n.name}#{hash(n.body)}"
        inputs = tuple(sorted(columns(n.body)))

        def macro(r: Mapping[str, Any]) -> Any:
            # Memoized in the record itself (`r` is a prepared dict, evaluate.prepare), together with
            # the inputs it was computed from: a copy of the record with a field changed (the gaps
            # solver) recomputes instead of reading a stale value.
            ins = tuple(map(r.get, inputs))
            hit = r.get(key)
            if hit is not None and hit[0] == ins:
                return hit[1]
            v = body(r)
            r[key] = (ins, v)  # type: ignore[index]
            return v

        return macro
    if isinstance(n, Arith):
        fa, fb = to_python(n.a, display=display), to_python(n.b, display=display)
        if n.op == "/":
            if not display:
                raise ExprError("除法未被改写（内部错误）")

            def div(r: Mapping[str, Any]) -> Any:
                x = fa(r)
                if x is None:
                    return None
                y = fb(r)
                if y is None or y <= 0:
                    return None
                return Fraction(x) / Fraction(y)

            return div
        op = {"+": operator.add, "-": operator.sub, "*": operator.mul}[n.op]
        if isinstance(n.a, Lit) and isinstance(n.a.value, int) and not isinstance(n.a.value, bool):
            k = n.a.value  # `3 * x` of the cross-multiplied forms
            scaled = _column_read(n.b)
            if scaled is not None:  # `3 * column`: the column read here, one call less
                bcol: str = scaled

                def scale_col(r: Mapping[str, Any]) -> Any:
                    y = r.get(bcol)
                    return None if y is None else op(k, y)

                return scale_col

            def scale(r: Mapping[str, Any]) -> Any:
                y = fb(r)
                return None if y is None else op(k, y)

            return scale
        aname, bname = _column_read(n.a), _column_read(n.b)
        if aname is not None and bname is not None:  # `a - b` of two columns: read here

            def arith_cols(r: Mapping[str, Any]) -> Any:
                x = r.get(aname)
                if x is None:
                    return None
                y = r.get(bname)
                if y is None:
                    return None
                return op(x, y)

            return arith_cols

        def arith(r: Mapping[str, Any]) -> Any:
            x = fa(r)
            if x is None:
                return None
            y = fb(r)
            if y is None:
                return None
            return op(x, y)

        return arith
    if isinstance(n, Neg):
        fa = to_python(n.a, display=display)
        return lambda r: None if (x := fa(r)) is None else -x
    if isinstance(n, Big):
        fa = to_python(n.a, display=display)
        if n.scale == 0:  # integer-valued already (money, counts, years)
            return fa
        mult = 10**n.scale

        def big(r: Mapping[str, Any]) -> Any:
            x = fa(r)
            if x is None:
                return None
            if isinstance(x, int):
                return x * mult
            if type(x) is Fraction:  # the floor of n·mult/d, reduced or not: no Fraction built
                return x.numerator * mult // x.denominator
            v = Fraction(x) * mult
            return v.numerator // v.denominator  # exact: the column keeps `scale` decimals

        return big
    if isinstance(n, Cmp):
        cop = _PYCMP[n.op]
        if isinstance(n.b, Lit) and n.b.value is not None:  # the common `x >= constant`: one call less
            const = n.b.value
            cname = _column_read(n.a)
            if cname is not None:

                def cmp_col_const(r: Mapping[str, Any]) -> Any:
                    x = r.get(cname)
                    return None if x is None else cop(x, const)

                return cmp_col_const
            fx = to_python(n.a, display=display)

            def cmp_const(r: Mapping[str, Any]) -> Any:
                x = fx(r)
                return None if x is None else cop(x, const)

            return cmp_const
        fa, fb = to_python(n.a, display=display), to_python(n.b, display=display)

        def cmp(r: Mapping[str, Any]) -> Any:
            x = fa(r)
            if x is None:
                return None
            y = fb(r)
            if y is None:
                return None
            return cop(x, y)

        return cmp
    if isinstance(n, And):
        fs = tuple(to_python(x, display=display) for x in n.items)

        def and_(r: Mapping[str, Any]) -> Any:
            unknown = False
            for f in fs:
                v = f(r)
                if v is False:
                    return False
                if v is None:
                    unknown = True
            return None if unknown else True

        return and_
    if isinstance(n, Or):
        fs = tuple(to_python(x, display=display) for x in n.items)

        def or_(r: Mapping[str, Any]) -> Any:
            unknown = False
            for f in fs:
                v = f(r)
                if v is True:
                    return True
                if v is None:
                    unknown = True
            return None if unknown else False

        return or_
    if isinstance(n, Not):
        fa = to_python(n.a, display=display)
        return lambda r: None if (x := fa(r)) is None else not x
    if isinstance(n, IsNull):
        fa = to_python(n.a, display=display)
        if n.negate:
            return lambda r: fa(r) is not None
        return lambda r: fa(r) is None
    if isinstance(n, In):
        fa = to_python(n.a, display=display)
        fs = tuple(to_python(x, display=display) for x in n.items)

        def in_(r: Mapping[str, Any]) -> Any:
            x = fa(r)
            if x is None:
                return None
            unknown = False
            for f in fs:
                y = f(r)
                if y is None:
                    unknown = True
                elif y == x:
                    return True
            return None if unknown else False

        return in_
    if isinstance(n, Case):
        lookup = _prefix_lookup(n, display) or _guarded_case(n, display)
        if lookup is not None:
            return lookup
        whens = tuple((to_python(c, display=display), to_python(v, display=display)) for c, v in n.whens)
        fd = to_python(n.default, display=display)

        def case(r: Mapping[str, Any]) -> Any:
            for c, v in whens:
                if c(r) is True:
                    return v(r)
            return fd(r)

        return case
    if isinstance(n, Coalesce):
        fs = tuple(to_python(x, display=display) for x in n.items)

        def coalesce(r: Mapping[str, Any]) -> Any:
            for f in fs:
                v = f(r)
                if v is not None:
                    return v
            return None

        return coalesce
    if isinstance(n, Part):
        fa = to_python(n.a, display=display)
        attr = n.unit.lower()
        return lambda r: None if (x := fa(r)) is None else getattr(x, attr)
    if isinstance(n, Prefix):
        fa = to_python(n.a, display=display)
        p = n.prefix
        return lambda r: None if (x := fa(r)) is None else str(x).startswith(p)
    if isinstance(n, Bounded):
        fc = to_python(n.cmp, display=display)
        fy, fn = to_python(n.yes, display=display), to_python(n.no, display=display)
        missing = n.missing

        def bounded(r: Mapping[str, Any]) -> Any:
            for m in missing:
                if r.get(m) is None:
                    break
            else:
                return fc(r)
            if fy(r) is True:
                return True
            if fn(r) is True:
                return False
            return None

        return bounded
    raise ExprError(f"内部错误：无法编译 {type(n).__name__}")


def _guarded_case(n: Case, display: bool) -> Fn | None:
    """`CASE WHEN x <= 0 THEN … WHEN x > 0 THEN … ELSE … END` (the division rewrite: two tests of
    one operand against one constant) with the operand computed once.

    Same result as testing the WHENs in order: an unknown operand makes both tests unknown (the
    default); otherwise each test is applied to the same value, in the same order."""
    if len(n.whens) != 2:
        return None
    (c1, v1), (c2, v2) = n.whens
    if not (isinstance(c1, Cmp) and isinstance(c2, Cmp) and c1.a == c2.a):
        return None
    if not (
        isinstance(c1.b, Lit) and isinstance(c2.b, Lit) and c1.b.value is not None and c2.b.value is not None
    ):
        return None
    fx = to_python(c1.a, display=display)
    op1, k1, op2, k2 = _PYCMP[c1.op], c1.b.value, _PYCMP[c2.op], c2.b.value
    f1, f2, fd = (to_python(x, display=display) for x in (v1, v2, n.default))

    def guarded(r: Mapping[str, Any]) -> Any:
        x = fx(r)
        if x is None:
            return fd(r)
        if op1(x, k1) is True:
            return f1(r)
        if op2(x, k2) is True:
            return f2(r)
        return fd(r)

    return guarded


def _prefix_lookup(n: Case, display: bool) -> Fn | None:
    """A CASE whose tests are all `Prefix` of one column (industry groups), as dictionary lookups.

    Same result as testing the WHENs in order: among the prefixes the value starts with, the one
    listed first wins. A leading `IS NULL` test of that column is honoured.
    """
    whens = list(n.whens)
    null_value: Fn | None = None
    first = whens[0][0] if whens else None
    if isinstance(first, IsNull) and not first.negate:
        null_col: Node | None = first.a
        null_value = to_python(whens[0][1], display=display)
        whens = whens[1:]
    else:
        null_col = None
    if len(whens) < 4 or not all(isinstance(c, Prefix) and isinstance(c.a, Col) for c, _ in whens):
        return None
    cols = {c.a for c, _ in whens}  # type: ignore[union-attr]
    if len(cols) != 1 or (null_col is not None and null_col not in cols):
        return None
    col = next(iter(cols))
    assert isinstance(col, Col)
    name = col.name
    table: dict[str, tuple[int, Fn]] = {}
    for i, (c, v) in enumerate(whens):
        assert isinstance(c, Prefix)
        table.setdefault(c.prefix, (i, to_python(v, display=display)))
    lengths = sorted({len(p) for p in table}, reverse=True)
    fd = to_python(n.default, display=display)

    def lookup(r: Mapping[str, Any]) -> Any:
        x = r.get(name)
        if x is None:
            return null_value(r) if null_value is not None else fd(r)
        x = str(x)
        best: tuple[int, Fn] | None = None
        for k in lengths:
            hit = table.get(x[:k])
            if hit is not None and (best is None or hit[0] < best[0]) and len(x) >= k:
                best = hit
        return best[1](r) if best is not None else fd(r)

    return lookup


# ----------------------------------------------------------------------------------------------
# SQL (DuckDB dialect; transpiled by sqlglot for PostgreSQL and Spark)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        d = Decimal(v.numerator) / Decimal(v.denominator)
        if Fraction(d) != v:
            raise ExprError(f"常数 {v} 不能精确写成小数")
        return format(d, "f")
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date):
        return f"DATE '{v.isoformat()}'"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    raise ExprError(f"无法写成 SQL 字面量：{v!r}")


def to_sql(
    n: Node,
    col: Callable[[str], str] = quote,
    dialect: str = "duckdb",
    macro: Callable[[Macro], str] | None = None,
    big: Callable[[str], str | None] | None = None,
) -> str:
    """Render a rewritten tree as SQL (fully parenthesised) for duckdb, postgres or spark.

    The three dialects differ here only in YEAR/MONTH/DAY (PostgreSQL: EXTRACT) and identifier
    quoting (`col`); every other construct used is common to all three. `macro` renders a kept
    macro (e.g. as a reference to a column computed once); by default its body is inlined. `big`
    may give a column already holding `Big(Col(name))` (cast once per row, not once per use).
    """

    def prefix_dispatch(n: Case) -> str | None:
        """A long CASE of `Prefix` tests of one operand (industry groups) split on the first
        character: a row then runs the tests of its own letter only. Same result as the WHENs in
        order, because a value can only start with prefixes that share its first character."""
        whens = list(n.whens)
        lead: list[tuple[Node, Node]] = []
        while whens and not isinstance(whens[0][0], Prefix):
            lead.append(whens.pop(0))
        if len(whens) < 8:
            return None
        operand = whens[0][0].a  # type: ignore[union-attr]
        if not all(isinstance(c, Prefix) and c.a == operand and c.prefix for c, _v in whens):
            return None
        groups: dict[str, list[tuple[Prefix, Node]]] = {}
        for c, v in whens:
            assert isinstance(c, Prefix)
            groups.setdefault(c.prefix[0], []).append((c, v))
        a, default = go(operand), go(n.default)
        branches: list[str] = []
        for first, items in groups.items():
            tests: list[str] = []
            rest = default
            for c, v in items:
                if len(c.prefix) == 1:  # matches every value of this letter: the later tests are dead
                    rest = go(v)
                    break
                tests.append(f"WHEN {go(c)} THEN {go(v)}")
            inner = f"CASE {' '.join(tests)} ELSE {rest} END" if tests else rest
            branches.append(f"WHEN (SUBSTRING({a}, 1, 1) = {sql_literal(first)}) THEN {inner}")
        out = f"CASE {' '.join(branches)} ELSE {default} END"
        if lead:
            out = "CASE " + " ".join(f"WHEN {go(c)} THEN {go(v)}" for c, v in lead) + f" ELSE {out} END"
        return out

    def go(n: Node) -> str:
        if isinstance(n, Lit):
            return sql_literal(n.value)
        if isinstance(n, BoolNull):
            return "CAST(NULL AS BOOLEAN)"
        if isinstance(n, Col):
            return col(n.name)
        if isinstance(n, Macro):
            return macro(n) if macro is not None else go(n.body)
        if isinstance(n, Arith):
            if n.op == "/":
                raise ExprError("除法未被改写（内部错误）")
            return f"({go(n.a)} {n.op} {go(n.b)})"
        if isinstance(n, Neg):
            return f"(-{go(n.a)})"
        if isinstance(n, Big):
            if big is not None and n.scale == 0 and isinstance(n.a, Col):
                hoisted = big(n.a.name)
                if hoisted is not None:
                    return hoisted
            inner = go(n.a) if n.scale == 0 else f"({go(n.a)} * {10**n.scale})"
            return f"CAST({inner} AS DECIMAL(38,0))"
        if isinstance(n, Cmp):
            if isinstance(n.a, Big) and _is_zero(n.b):
                # the sign of a * 10^scale is the sign of a: compare the narrow value, not its 128-bit copy
                return f"({go(n.a.a)} {n.op} 0)"
            return f"({go(n.a)} {n.op} {go(n.b)})"
        if isinstance(n, And):
            return "(" + " AND ".join(go(x) for x in n.items) + ")"
        if isinstance(n, Or):
            return "(" + " OR ".join(go(x) for x in n.items) + ")"
        if isinstance(n, Not):
            return f"(NOT {go(n.a)})"
        if isinstance(n, IsNull):
            return f"({go(n.a)} IS {'NOT ' if n.negate else ''}NULL)"
        if isinstance(n, In):
            return f"({go(n.a)} IN ({', '.join(go(x) for x in n.items)}))"
        if isinstance(n, Case):
            if not n.whens:
                return go(n.default)
            dispatched = prefix_dispatch(n)
            if dispatched is not None:
                return dispatched
            whens = list(n.whens)
            if len(whens) >= 2 and _exclusive_guards(whens[-2][0], whens[-1][0]):
                # "denominator ≤ 0 → FALSE, > 0 → compare": the two tests exclude each other, so the
                # usual case (a positive denominator) goes first and is decided by one test
                whens[-2], whens[-1] = whens[-1], whens[-2]
            parts = " ".join(f"WHEN {go(c)} THEN {go(v)}" for c, v in whens)
            return f"CASE {parts} ELSE {go(n.default)} END"
        if isinstance(n, Coalesce):
            return f"COALESCE({', '.join(go(x) for x in n.items)})"
        if isinstance(n, Part):
            if dialect == "postgres":
                return f"CAST(EXTRACT({n.unit} FROM {go(n.a)}) AS INTEGER)"
            return f"{n.unit}({go(n.a)})"
        if isinstance(n, Prefix):
            return f"(SUBSTRING({go(n.a)}, 1, {len(n.prefix)}) = {sql_literal(n.prefix)})"
        if isinstance(n, Bounded):
            known = " AND ".join(f"({col(m)} IS NOT NULL)" for m in n.missing)
            return (
                f"CASE WHEN {known} THEN {go(n.cmp)} WHEN {go(n.yes)} THEN TRUE "
                f"WHEN {go(n.no)} THEN FALSE ELSE CAST(NULL AS BOOLEAN) END"
            )
        raise ExprError(f"内部错误：无法生成 SQL {type(n).__name__}")

    return go(n)


def _is_zero(n: Node) -> bool:
    v = n.value if isinstance(n, Lit) else None
    return isinstance(v, int | Fraction) and not isinstance(v, bool) and v == 0


def _exclusive_guards(bad: Node, pos: Node) -> bool:
    """`bad` is OR(g ≤ 0 …) and `pos` is AND(g > 0 …) over the same g: at most one of them is TRUE."""
    bads = bad.items if isinstance(bad, Or) else (bad,)
    poss = pos.items if isinstance(pos, And) else (pos,)
    if len(bads) != len(poss):
        return False
    for b, p in zip(bads, poss, strict=True):
        if not (isinstance(b, Cmp) and isinstance(p, Cmp) and b.op == "<=" and p.op == ">"):
            return False
        if b.a != p.a or not _is_zero(b.b) or not _is_zero(p.b):
            return False
    return True


def simplify(n: Node) -> Node:
    """Constant-fold boolean structure (keeps generated SQL readable)."""
    if isinstance(n, And):
        items = [simplify(x) for x in n.items]
        if any(x == FALSE for x in items):
            return FALSE
        items = [x for x in items if x != TRUE]
        if not items:
            return TRUE
        return items[0] if len(items) == 1 else And(_flatten(And, items))
    if isinstance(n, Or):
        items = [simplify(x) for x in n.items]
        if any(x == TRUE for x in items):
            return TRUE
        items = [x for x in items if x != FALSE]
        if not items:
            return FALSE
        return items[0] if len(items) == 1 else Or(_flatten(Or, items))
    if isinstance(n, Not):
        a = simplify(n.a)
        if isinstance(a, Lit) and isinstance(a.value, bool):
            return Lit(not a.value)
        return Not(a)
    return _map(n, simplify)
