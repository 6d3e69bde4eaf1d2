"""Compile the packs to ONE SQL SELECT (DuckDB, PostgreSQL, Spark SQL) and run it.

The SELECT renders the very trees the Python evaluator runs (tidu.rules.expr, already rewritten so
that no engine divides), in layers:

    __in   the input columns cast to the registry's SQL types, and the effective as_of
    __mN   division-free derived quantities (size class, niche years …), once per row, by depth
    __d    exact 128-bit copies of the money and count columns the atoms cross-multiply
    __a    every distinct boolean/numeric expression of the packs ("atoms"), once
    __b    indicator points of the first TRUE band (lo) and the edition chosen per row and standard
    __h    indicator points of the first band not FALSE (hi), and the variant (edition × amendments ×
           overlay) chosen per row and standard, numbered 1, 2, … within the standard (PostgreSQL:
           hi in __b, the variant in __t, as every layer is materialized there)
    __t    point totals (lo/hi) per variant and group
    __c    per standard: qualified (the chosen variant's expression only), numeric scores
    final  credit_code, year and the contract columns as text

A CASE evaluates a branch only for the rows that reach it, so per-variant outputs are written as
`CASE WHEN variant = k THEN …` branches: each row computes its own variant's expressions only.

Every contract column is a non-NULL string ('' = blank), exactly like `LadderResult.to_row()`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tidu.rules import expr as E
from tidu.rules.editions import REVIEW, REVIEW_TITLE, check_edition, check_standards, reads_review
from tidu.rules.errors import RulesError, SelectionError
from tidu.rules.fieldinfo import field_infos
from tidu.rules.fields import SQL_TYPES, today_shanghai
from tidu.rules.model import STANDARDS, Edition, Variant, contract_columns

if TYPE_CHECKING:
    from tidu.rules.compiler import CompiledPacks as Packs

DIALECTS = ("duckdb", "postgres", "spark")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(frozen=True)
class Dialect:
    name: str

    def q(self, ident: str) -> str:
        if self.name == "spark":
            return "`" + ident.replace("`", "``") + "`"
        return '"' + ident.replace('"', '""') + '"'

    def type(self, sql_type: str) -> str:
        if self.name == "spark" and sql_type == "VARCHAR":
            return "STRING"
        return sql_type

    def expr(self, node: E.Node, macro: Any = None, big: Any = None) -> str:
        return E.to_sql(node, col=self.q, dialect=self.name, macro=macro, big=big)

    @property
    def big_type(self) -> str:
        """The exact integer type of cross-multiplied operands: DuckDB's native 128-bit HUGEINT
        (about a third cheaper than DECIMAL(38,0) there), DECIMAL(38,0) elsewhere."""
        return "HUGEINT" if self.name == "duckdb" else "DECIMAL(38,0)"

    def table(self, table: str) -> str:
        if _IDENT.match(table):
            return ".".join(self.q(p) for p in table.split("."))
        return table  # a FROM item such as read_parquet('x.parquet')


def _lit(s: str) -> str:
    if "'" in s or "\\" in s:
        raise RulesError(f"SQL 字面量中不允许引号或反斜杠：{s!r}")
    return f"'{s}'"


class _Layer:
    """Named, de-duplicated expressions of one CTE."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.by_sql: dict[str, str] = {}

    def add(self, sql: str) -> str:
        name = self.by_sql.get(sql)
        if name is None:
            name = f"{self.prefix}{len(self.by_sql) + 1}"
            self.by_sql[sql] = name
        return name

    def select(self, d: Dialect) -> list[str]:
        return [f"{sql} AS {d.q(name)}" for sql, name in self.by_sql.items()]


def _and(items: Sequence[str]) -> str:
    if not items:
        return "TRUE"
    return items[0] if len(items) == 1 else "(" + " AND ".join(items) + ")"


def _or(items: Sequence[str]) -> str:
    if not items:
        return "FALSE"
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


def _num(v: Any) -> str:
    return E.sql_literal(v)


def _candidates(packs: Packs, standard: str, forced: str | None) -> list[Edition]:
    eds = packs.editions.get(standard) or []
    if forced is not None:
        return [check_edition(packs.editions, standard, forced)]
    return list(eds)


def compile_plan(
    packs: Packs,
    *,
    dialect: str = "duckdb",
    table: str = "firm_years",
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    columns: Iterable[str] | None = None,
) -> Plan:
    """The layered query behind `compile_sql` (its SELECT lists, e.g. for DataFrame.selectExpr)."""
    if dialect not in DIALECTS:
        raise SelectionError(f"不支持的 SQL 方言 {dialect!r}（可选：{', '.join(DIALECTS)}）")
    d = Dialect(dialect)
    day = today or today_shanghai()
    wanted, forced = check_standards(standards, editions)
    stds = [s for s in STANDARDS if s in wanted and packs.editions.get(s)]
    available = set(columns) if columns is not None else set(field_infos())

    # __in: typed inputs
    src = "__src"
    ins: list[str] = []
    for name, info in packs.fields.items():
        typ = d.type(SQL_TYPES.get(info.type, "VARCHAR"))
        if name == "as_of":
            continue
        value = f"CAST({src}.{d.q(name)} AS {typ})" if name in available else f"CAST(NULL AS {typ})"
        ins.append(f"{value} AS {d.q(name)}")
    year = f"CAST({src}.{d.q('year')} AS INTEGER)" if "year" in available else "CAST(NULL AS INTEGER)"
    today_sql = f"DATE '{day.isoformat()}'"
    dec31 = f"CAST(CAST({year} AS {d.type('VARCHAR')}) || '-12-31' AS DATE)"
    as_of = f"CAST({src}.{d.q('as_of')} AS DATE)" if "as_of" in available else "CAST(NULL AS DATE)"
    ins.append(
        f"CASE WHEN {as_of} IS NOT NULL THEN {as_of} WHEN {year} IS NULL THEN {today_sql} "
        f"WHEN {year} >= {day.year} THEN {today_sql} ELSE {dec31} END AS {d.q('as_of')}"
    )

    atoms = _Layer("__a")
    b = _Layer("__b")
    t = _Layer("__t")
    c = _Layer("__c")
    # PostgreSQL writes out every layer (MATERIALIZED, see Plan.sql): there hi stays in __b and the
    # variant keys go with the totals, one layer fewer
    h = b if d.name == "postgres" else _Layer("__h")
    key_layer = t if d.name == "postgres" else h
    col = d.q
    # division-free macros (size classes, niche years …) are computed once per row, in layers by depth
    macros: dict[str, tuple[str, str, int]] = {}  # key -> (alias, sql, depth)

    def macro(m: E.Macro) -> str:
        key = f"{m.name}#{hash(m.body)}"
        hit = macros.get(key)
        if hit is None:
            depth = [0]

            def inner(n: E.Macro) -> str:
                ref = macro(n)
                depth[0] = max(depth[0], macros[f"{n.name}#{hash(n.body)}"][2])
                return ref

            body = d.expr(m.body, inner)
            alias = f"__m{len(macros) + 1}_{m.name}"
            hit = (alias, body, depth[0] + 1)
            macros[key] = hit
        return col(hit[0])

    # exact-integer copies of the input columns the atoms cross-multiply, cast once per row (__d)
    bigs: dict[str, str] = {}

    def big(name: str) -> str:
        alias = bigs.setdefault(name, f"__d_{name}")
        return col(alias)

    def atom(node: E.Node) -> str:
        return col(atoms.add(d.expr(node, macro, big)))

    def when(node: E.Node) -> str:
        # a CASE WHEN condition: NULL already counts as not met, no COALESCE(…, FALSE) needed
        return atom(node)

    def false_or_null(node: E.Node) -> str:
        return f"(NOT COALESCE({atom(node)}, FALSE))"

    final: list[str] = [col("credit_code"), col("year")]
    for std in stds:
        cands = _candidates(packs, std, forced.get(std))

        def reading(review: bool | None, cands: list[Edition] = cands, std: str = std) -> dict[str, str]:
            """This standard's outputs, with an empty is_review read as `review` (None: as given)."""
            # as a re-review only where the firm may hold the title reviewed (evaluate: REVIEW_TITLE)
            title = REVIEW_TITLE.get(std)
            fill: E.Node = E.Lit(review)
            if review and title is not None and title in packs.fields:
                fill = E.Coalesce((E.Col(title), E.TRUE))
            sub = {} if review is None else {REVIEW: E.Coalesce((E.Col(REVIEW), fill))}

            def subst(node: E.Node) -> E.Node:
                return E.substitute(node, sub) if sub and REVIEW in E.columns(node) else node

            def when_r(node: E.Node) -> str:
                return when(subst(node))

            def false_or_null_r(node: E.Node) -> str:
                return false_or_null(subst(node))

            def atom_r(node: E.Node) -> str:
                return atom(subst(node))

            # edition per row (same order as evaluate.select_edition), as its index in cands; with one
            # candidate every branch gives it, so no column is needed
            ed_col: str | None = None
            if len(cands) > 1:
                whens: list[str] = []
                latest_first = list(reversed(list(enumerate(cands))))
                for i, e in latest_first:
                    if e.select_when is not None:
                        whens.append(f"WHEN {when_r(e.select_when.node)} THEN {i}")
                for i, e in latest_first:
                    asof = E.Col("as_of")
                    parts: list[E.Node] = [E.Cmp(">=", asof, E.Lit(e.effective_from))]
                    if e.effective_to is not None:
                        parts.append(E.Cmp("<", asof, E.Lit(e.effective_to)))
                    whens.append(f"WHEN {when_r(E.And(tuple(parts)))} THEN {i}")
                for i, e in latest_first:
                    whens.append(
                        f"WHEN {when_r(E.Cmp('>=', E.Col('as_of'), E.Lit(e.effective_from)))} THEN {i}"
                    )
                ed_col = col(b.add(f"CASE {' '.join(whens)} ELSE 0 END"))

            # variant per row (same as evaluate.select_variant), numbered 1, 2, … in this standard
            key_whens: list[tuple[str, int]] = []
            outputs: list[_Out] = []
            for ei, e in enumerate(cands):
                applies = {a.id: a.applies.node for a in e.amendments}
                ov_tests: dict[str, E.Node] = {}
                for o in e.overlays:
                    test: E.Node = E.Prefix(E.Col("region_code"), o.province[:2])
                    if o.applies is not None:
                        test = E.And((test, o.applies.node))
                    ov_tests[o.province] = test
                for v in e.variants.values():
                    conds = [] if ed_col is None else [f"({ed_col} = {ei})"]
                    conds += [
                        when_r(applies[a.id]) if a.id in v.amendments else false_or_null_r(applies[a.id])
                        for a in e.amendments
                    ]
                    earlier: list[E.Node] = []
                    for o in e.overlays:
                        if v.overlay == o.province:
                            conds += [false_or_null_r(x) for x in earlier] + [when_r(ov_tests[o.province])]
                            break
                        earlier.append(ov_tests[o.province])
                    if v.overlay is None:
                        conds += [false_or_null_r(x) for x in earlier]
                    key = len(outputs) + 1
                    key_whens.append((_and(conds), key))
                    outputs.append(_variant_sql(v, key, d, atom_r, b, h, t, c))
            key_col: str | None = None  # None: every row takes variant 1
            if not (len(key_whens) == 1 and key_whens[0][0] == "TRUE"):
                key_whens_sql = " ".join(f"WHEN {w} THEN {k}" for w, k in key_whens)
                key_col = col(key_layer.add(f"CASE {key_whens_sql} ELSE NULL END"))
            # each output computed only for the rows of the variant that gives it (CASE branches are lazy)
            q = col(c.add(_pick(key_col, [(o.key, o.qualified) for o in outputs], None)))
            blank = key_col is not None and not (key_whens and key_whens[-1][0] == "TRUE")
            qualified = f"CASE WHEN (NOT {q}) THEN 'false' WHEN {q} THEN 'true' "
            qualified += (
                f"WHEN {key_col} IS NULL THEN '' ELSE 'unknown' END" if blank else "ELSE 'unknown' END"
            )
            score = _pick(key_col, [(o.key, o.score) for o in outputs], "''")
            level = _pick(key_col, [(o.key, o.level) for o in outputs], "''")
            path = _pick(key_col, [(o.key, o.path) for o in outputs], None, keyed=True)
            edition = _pick(key_col, [(o.key, _lit(o.edition)) for o in outputs], "''")
            return {
                "q": q,
                "qualified": qualified,
                "score": score,
                "level": level,
                "path": path,
                "edition": edition,
            }

        if reads_review(cands):
            # is_review empty: evaluated as a new application and as a re-review; an output both
            # readings share is given, else the verdict is unknown and score/level blank (decision
            # 0087, same as evaluate.evaluate_either_reading); rows with the flag give both alike
            app, rev = reading(False), reading(True)
            qualified = f"CASE WHEN {app['qualified']} = {rev['qualified']} THEN {app['qualified']} ELSE 'unknown' END"
            both_true = f"({app['q']} AND {rev['q']})"
        else:
            app = rev = reading(None)
            qualified, both_true = app["qualified"], app["q"]

        def same(name: str, app: dict[str, str] = app, rev: dict[str, str] = rev) -> str:
            a, r = app[name], rev[name]
            return a if a == r else f"CASE WHEN {a} = {r} THEN {a} ELSE '' END"

        final.append(f"{qualified} AS {col(std + '__qualified')}")
        final.append(f"{same('score')} AS {col(std + '__score')}")
        final.append(f"{same('level')} AS {col(std + '__level')}")
        final.append(f"CASE WHEN {both_true} THEN {app['path']} ELSE '' END AS {col(std + '__path')}")
        final.append(f"{app['edition']} AS {col(std + '__edition')}")

    keep = [col("credit_code"), col("year")]
    layers: list[tuple[str, list[str]]] = [("__in", ins)]
    for depth in range(1, max((m[2] for m in macros.values()), default=0) + 1):
        layers.append(
            (
                f"__m{depth}",
                ["*", *(f"{sql} AS {col(alias)}" for alias, sql, dep in macros.values() if dep == depth)],
            )
        )
    if bigs:
        layers.append(
            ("__d", ["*", *(f"CAST({col(n)} AS {d.big_type}) AS {col(a)}" for n, a in bigs.items())])
        )
    layers += [
        ("__a", keep + atoms.select(d)),
        ("__b", ["*", *b.select(d)]),
        *([("__h", ["*", *h.select(d)])] if h is not b else []),
        ("__t", ["*", *t.select(d)]),
        ("__c", ["*", *c.select(d)]),
        ("", final),
    ]
    return Plan(d, d.table(table), src, layers)


@dataclass(frozen=True)
class Plan:
    """The compiled query as layers of SELECT lists (each reads the previous one; the first reads
    the source table aliased `source_alias`; the last, unnamed, gives the contract columns)."""

    dialect: Dialect
    table: str
    source_alias: str
    layers: list[tuple[str, list[str]]]

    def sql(self) -> str:
        # PostgreSQL inlines single-use CTEs, substituting every layer's expressions into the next:
        # the expression trees then grow exponentially and planning never ends (minutes for 3,000
        # rows, deaf to cancel). MATERIALIZED computes each layer once (0.5 s for the same rows).
        materialized = "MATERIALIZED " if self.dialect.name == "postgres" else ""
        ctes = []
        prev = f"{self.table} AS {self.source_alias}"
        for name, items in self.layers[:-1]:
            ctes.append(f"{name} AS {materialized}(SELECT {', '.join(items)} FROM {prev})")
            prev = name
        return "WITH " + ",\n".join(ctes) + f"\nSELECT {', '.join(self.layers[-1][1])} FROM {prev}"


def compile_sql(
    packs: Packs,
    *,
    dialect: str = "duckdb",
    table: str = "firm_years",
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    columns: Iterable[str] | None = None,
) -> str:
    """ONE SELECT over `table` returning credit_code, year and the contract columns.

    `columns`: the columns the input table has (others are read as NULL); default: every field of
    the registry (fields.yaml), without overlay-declared inputs.
    """
    return compile_plan(
        packs,
        dialect=dialect,
        table=table,
        standards=standards,
        editions=editions,
        today=today,
        columns=columns,
    ).sql()


@dataclass(frozen=True)
class _Out:
    """One variant's outputs: `qualified` a BOOLEAN expression, the others strings ('' = blank)."""

    key: int
    qualified: str
    path: str
    level: str
    score: str
    edition: str


def _pick(
    key_col: str | None, items: Sequence[tuple[int, str]], default: str | None, *, keyed: bool = False
) -> str:
    """The expression of the row's variant (`default` for rows without one; None: NULL).
    `keyed`: only evaluated for rows that have a variant.

    Variants giving the same expression share a branch; a CASE evaluates a branch only for the rows
    that reach it, so each row computes its own variant's expression and no other."""
    exprs = list(dict.fromkeys(e for _k, e in items))
    if key_col is None:
        return items[0][1]
    if len(exprs) == 1 and (keyed or exprs[0] == default):
        return exprs[0]
    whens = []
    for e in exprs:
        if e == default:
            continue  # the ELSE gives it
        keys = [str(k) for k, x in items if x == e]
        test = f"{key_col} = {keys[0]}" if len(keys) == 1 else f"{key_col} IN ({', '.join(keys)})"
        whens.append(f"WHEN {test} THEN {e}")
    return f"CASE {' '.join(whens)} ELSE {default if default is not None else 'NULL'} END"


def _variant_sql(
    v: Variant, key: int, d: Dialect, atom: Any, b: _Layer, h_layer: _Layer, t: _Layer, c: _Layer
) -> _Out:
    """One variant's output expressions (its lo/hi points and totals go to the b, h and t layers)."""
    col = d.q
    null_bool = "CAST(NULL AS BOOLEAN)"
    # indicators: lo = points of the first TRUE band, hi = of the first band not FALSE
    lo: dict[str, str] = {}
    hi: dict[str, str] = {}
    int_points = True  # every indicator scores whole points: the totals are INTEGER
    for ind in v.indicators:
        if ind.points_node is not None:
            int_points = False
            x = atom(ind.points_node)
            mx = _num(ind.max)
            clamp = f"CASE WHEN {x} < 0 THEN 0 WHEN {x} > {mx} THEN {mx} ELSE {x} END"
            lo[ind.id] = col(b.add(f"CASE WHEN {x} IS NULL THEN 0 ELSE {clamp} END"))
            hi[ind.id] = col(b.add(f"CASE WHEN {x} IS NULL THEN {mx} ELSE {clamp} END"))
        elif not ind.bands:
            lo[ind.id] = hi[ind.id] = "0"
        else:
            int_points = int_points and all(type(bd.points) is int for bd in ind.bands)
            lw = " ".join(f"WHEN {atom(bd.node)} THEN {_num(bd.points)}" for bd in ind.bands)
            lo[ind.id] = col(b.add(f"CASE {lw} ELSE 0 END"))
            # first band not FALSE: a band that is TRUE or unknown stops the descent; with every
            # band known that is the first TRUE band, lo (most rows: no descent at all), when lo is
            # a column of an earlier layer (h_layer is not b)
            bands = [atom(bd.node) for bd in ind.bands]
            chain = "0"
            for a, bd in zip(reversed(bands), reversed(ind.bands), strict=True):
                chain = f"CASE WHEN (NOT {a}) THEN {chain} ELSE {_num(bd.points)} END"
            if h_layer is b:
                hi[ind.id] = col(b.add(chain))
            else:
                unknown = _or([f"({a} IS NULL)" for a in dict.fromkeys(bands)])
                hi[ind.id] = col(h_layer.add(f"CASE WHEN {unknown} THEN {chain} ELSE {lo[ind.id]} END"))

    def total(side: dict[str, str], ids: Iterable[str]) -> str:
        items = [side[i] for i in ids]
        return col(t.add("(" + " + ".join(items) + ")")) if items else "0"

    def at_least(lo_sql: str, hi_sql: str, t: Any) -> str:
        return f"CASE WHEN {lo_sql} >= {_num(t)} THEN TRUE WHEN {hi_sql} < {_num(t)} THEN FALSE ELSE {null_bool} END"

    all_ids = [i.id for i in v.indicators]
    routes: list[tuple[str, str]] = []
    for rt in v.routes:
        if rt.kind == "score":
            parts = [at_least(total(lo, all_ids), total(hi, all_ids), rt.score_at_least)]
            if rt.groups_at_least:
                for g in v.groups:
                    if g.pass_min is not None:
                        ids = [i.id for i in v.indicators if i.group == g.id]
                        parts.append(at_least(total(lo, ids), total(hi, ids), g.pass_min))
            for ind_id in rt.indicators_nonzero:
                parts.append(
                    f"CASE WHEN {lo[ind_id]} > 0 THEN TRUE WHEN {hi[ind_id]} <= 0 THEN FALSE ELSE {null_bool} END"
                )
            routes.append((rt.path, _and(parts)))
        else:
            items = [atom(it.node) for it in rt.items]
            routes.append((rt.path, _or(items) if rt.kind == "any" else _and(items)))

    if v.qualified is not None:
        q_sql = atom(v.qualified.node)
    else:
        parts = [atom(cd.node) for cd in v.conditions]
        if routes:
            parts.append(_or([r for _p, r in routes]))
        q_sql = _and(parts)

    if routes:
        path_sql = (
            "CASE "
            + " ".join(f"WHEN {r} THEN {_lit(p)}" for p, r in routes)
            + f" ELSE {_lit(v.qualified_path)} END"
        )
    else:
        path_sql = _lit(v.qualified_path)

    if v.levels:
        lw = " ".join(
            f"WHEN {atom(lv.item.node)} THEN {_lit(lv.level)} WHEN {atom(lv.item.node)} IS NULL THEN ''"
            for lv in v.levels
        )
        default = _lit(v.default_level) if v.default_level is not None else "''"
        level = f"CASE {lw} ELSE {default} END"
    else:
        level = "''"

    score = "''"
    text = d.type("VARCHAR")
    if v.score_output:
        if v.score_node is None and v.indicators and int_points:
            # INTEGER points: the text of the integer (what FLOOR/BIGINT would give)
            tl, th = total(lo, all_ids), total(hi, all_ids)
            score = f"CASE WHEN {tl} = {th} THEN CAST({tl} AS {text}) ELSE '' END"
        else:
            if v.score_node is not None:
                s = atom(v.score_node)
            elif v.indicators:
                tl, th = total(lo, all_ids), total(hi, all_ids)
                s = col(c.add(f"CASE WHEN {tl} = {th} THEN {tl} ELSE NULL END"))
            else:  # pragma: no cover - the loader refuses score_output without a score
                s = "NULL"
            score = (
                f"CASE WHEN {s} IS NULL THEN '' "
                f"WHEN {s} = FLOOR({s}) THEN CAST(CAST(FLOOR({s}) AS BIGINT) AS {text}) "
                f"ELSE TRIM(TRAILING '0' FROM CAST(CAST({s} AS DECIMAL(18,4)) AS {text})) END"
            )
    return _Out(key=key, qualified=q_sql, path=path_sql, level=level, score=score, edition=v.edition)


def output_values(packs: Packs, standards: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Every text a closed contract column can hold ('' included): the verdicts, and the paths,
    levels and editions the packs name. Scores are open (any number) and not listed.

    Why: DuckDB writes a column typed ENUM of these values to Parquet about four times faster than
    free text (dictionary pages without hashing), and the file still reads back as text."""
    wanted, _forced = check_standards(standards, None)
    out: dict[str, list[str]] = {}
    for std in (s for s in STANDARDS if s in wanted and packs.editions.get(s)):
        paths: set[str] = set()
        levels: set[str] = set()
        editions: set[str] = set()
        for e in packs.editions[std]:
            editions.add(e.edition)
            for v in e.variants.values():
                paths.add(v.qualified_path)
                paths.update(rt.path for rt in v.routes)
                levels.update(lv.level for lv in v.levels)
                if v.default_level is not None:
                    levels.add(v.default_level)
        out[f"{std}__qualified"] = ["", "true", "false", "unknown"]
        out[f"{std}__path"] = ["", *sorted(paths)]
        out[f"{std}__level"] = ["", *sorted(levels)]
        out[f"{std}__edition"] = ["", *sorted(editions)]
    return out


# ---------------------------------------------------------------------------------------------
# runners


def _stringify(row: Mapping[str, Any], names: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for n in names:
        v = row.get(n)
        out[n] = "" if v is None else str(v)
    return out


def duckdb_relation(
    packs: Packs,
    source: Any,
    *,
    con: Any = None,
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Any:
    """A DuckDB relation computing the contract columns over `source`.

    `source`: a path to a .parquet/.csv/.json(l) file, a DuckDB relation, or a table/view name.
    CSV files are read as text and cast to the registry types (an empty cell is NULL).
    """
    import duckdb

    con = con if con is not None else duckdb.connect()
    if isinstance(source, str | Path) and (
        Path(source).suffix.lower() in (".parquet", ".csv", ".json", ".jsonl", ".ndjson", ".tsv")
    ):
        p = str(source).replace("'", "''")
        suffix = Path(source).suffix.lower()
        if suffix == ".parquet":
            rel = con.sql(f"SELECT * FROM read_parquet('{p}')")
        elif suffix in (".csv", ".tsv"):
            rel = con.sql(f"SELECT * FROM read_csv('{p}', all_varchar = true, header = true)")
        else:
            rel = con.sql(f"SELECT * FROM read_json_auto('{p}')")
    elif isinstance(source, str):
        rel = con.table(source)
    else:
        rel = source
    view = "__tidu_src"
    con.register(view, rel)
    sql = compile_sql(
        packs,
        dialect="duckdb",
        table=view,
        standards=standards,
        editions=editions,
        today=today,
        columns=rel.columns,
    )
    return con.sql(sql)


def run_duckdb(
    packs: Packs,
    source: Any,
    *,
    con: Any = None,
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> list[dict[str, str]]:
    """Evaluate every row of `source` in DuckDB; rows of contract columns as strings."""
    rel = duckdb_relation(packs, source, con=con, standards=standards, editions=editions, today=today)
    names = list(rel.columns)
    return [_stringify(dict(zip(names, r, strict=True)), names) for r in rel.fetchall()]


def run_postgres(
    packs: Packs,
    connection: Any,
    table: str,
    *,
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> list[dict[str, str]]:
    """Evaluate `table` inside PostgreSQL (a psycopg connection or cursor)."""
    cur = connection.cursor() if hasattr(connection, "cursor") else connection
    d = Dialect("postgres")
    cur.execute(f"SELECT * FROM {d.table(table)} LIMIT 0")
    cols = [c.name if hasattr(c, "name") else c[0] for c in cur.description]
    sql = compile_sql(
        packs,
        dialect="postgres",
        table=table,
        standards=standards,
        editions=editions,
        today=today,
        columns=cols,
    )
    cur.execute(sql)
    names = [c.name if hasattr(c, "name") else c[0] for c in cur.description]
    return [_stringify(dict(zip(names, r, strict=True)), names) for r in cur.fetchall()]


def run_spark(
    packs: Packs,
    spark: Any,
    source: Any,
    *,
    standards: Iterable[str] | None = None,
    editions: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Any:
    """A Spark DataFrame of the contract columns over a DataFrame or a table name."""
    df = spark.table(source) if isinstance(source, str) else source
    view = "__tidu_src"
    df.createOrReplaceTempView(view)
    sql = compile_sql(
        packs,
        dialect="spark",
        table=view,
        standards=standards,
        editions=editions,
        today=today,
        columns=df.columns,
    )
    return spark.sql(sql)


__all__ = [
    "DIALECTS",
    "Plan",
    "compile_plan",
    "compile_sql",
    "contract_columns",
    "duckdb_relation",
    "output_values",
    "run_duckdb",
    "run_postgres",
    "run_spark",
]
