"""The row validation of `tidu.rules.fields.coerce_record`, written as DuckDB SQL for typed files.

Why: Python validation runs at tens of thousands of rows a second; a national register has tens of
millions. For Parquet files whose columns already carry types (integers, decimals, booleans,
dates, strings), every rule of fields.md §16 that `coerce_record` applies is expressed here as a
vectorised SQL expression, so validation runs inside the same DuckDB scan that evaluates the
packs. Rows the SQL flags are re-validated with `coerce_record` to word the error report, so the
report reads the same on every path; tests/cli check that both flag the same rows and fields.

A column whose type this module cannot judge exactly as `coerce_record` would (for example
numbers stored as text, which may carry thousands separators or a % sign) makes `plan_checks`
return None and the caller falls back to Python validation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from tidu.rules.credit_code import CHARSET, WEIGHTS
from tidu.rules.fields import (
    DATE_FIELDS,
    DECIMAL_PLACES,
    FIELDS,
    FRACTION_PLACES,
    IMPLICATIONS,
    INT_CAP,
    MONEY_CAP,
    SECTION_DIVISIONS,
    SUBTOTALS,
    Code,
    FieldSpec,
)

INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
WS = "' \t\n\r\f\v'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _kind(sql_type: str) -> str:
    t = sql_type.upper()
    if t in INTEGER_TYPES:
        return "int"
    if t in FLOAT_TYPES:
        return "float"
    if t.startswith("DECIMAL") or t.startswith("NUMERIC"):
        return "decimal"
    if t == "BOOLEAN":
        return "bool"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "VARCHAR":
        return "str"
    if t == '"NULL"' or t == "NULL":
        return "null"
    return "other"


def _scale(sql_type: str) -> int:
    t = sql_type.upper()
    if "," in t:
        return int(t.split(",")[1].rstrip(") "))
    return 0


@dataclass(frozen=True)
class FieldPlan:
    name: str
    value: str  # SQL expression: the parsed, typed value (NULL when empty or invalid)
    error: str  # SQL expression: the issue code (VARCHAR) or NULL


def _numeric_error(spec: FieldSpec, src: str, kind: str, scale: int, wide: bool = False) -> str:
    """CASE giving the first issue code coerce_record would raise for a numeric cell."""
    c = Code
    steps: list[tuple[str, str]] = []
    x = f"CAST({src} AS DOUBLE)" if kind == "float" else src
    if kind == "float":  # NaN is an empty cell (unknown) for coerce_record; infinities are errors
        steps.append((f"isnan({src})", ""))
        steps.append((f"isinf({src})", c.NOT_A_NUMBER))
    t = spec.type
    big = f"CAST({src} AS HUGEINT)" if kind == "int" and wide else x
    if t in ("money", "count", "rank", "int"):
        if kind != "int":
            steps.append((f"{x} <> floor({x})", c.NOT_AN_INTEGER))
        if t == "money":
            if not spec.signed:
                steps.append((f"{big} < 0", c.NEGATIVE))
            steps.append((f"abs({big}) > {MONEY_CAP}", c.TOO_LARGE))
        else:
            if t == "count":
                steps.append((f"{big} < 0", c.NEGATIVE))
            if t == "rank":
                steps.append((f"{big} < 1", c.OUT_OF_RANGE))
            steps.append((f"{big} > {INT_CAP}", c.TOO_LARGE))
            steps.extend(_range_steps(spec, big))
    elif t == "fraction":
        steps.append((f"{x} < 0 OR {x} > 1", c.OUT_OF_RANGE))
        if kind == "float" or scale > FRACTION_PLACES:
            steps.append((f"round({x}, {FRACTION_PLACES}) <> {x}", c.TOO_PRECISE))
    elif t == "decimal":
        steps.extend(_range_steps(spec, x))
        if kind == "float" or scale > DECIMAL_PLACES:
            steps.append((f"round({x}, {DECIMAL_PLACES}) <> {x}", c.TOO_PRECISE))
        steps.append((f"abs({x}) >= 1e14", c.TOO_LARGE))
    whens = " ".join(f"WHEN {cond} THEN " + (f"'{code}'" if code else "NULL") for cond, code in steps)
    return f"CASE WHEN {src} IS NULL THEN NULL {whens} ELSE NULL END" if steps else "NULL"


def _range_steps(spec: FieldSpec, x: str) -> list[tuple[str, str]]:
    conds = []
    if spec.min is not None:
        conds.append(f"{x} < {spec.min}")
    if spec.max is not None:
        conds.append(f"{x} > {spec.max}")
    return [(" OR ".join(conds), Code.OUT_OF_RANGE)] if conds else []


def _field_plan(spec: FieldSpec, column: str | None, sql_type: str | None) -> FieldPlan | None:
    """Value and error expressions for one field, or None when the column type is not handled."""
    name = spec.name
    target = spec.sql_type
    if column is None:
        return FieldPlan(name, f"CAST(NULL AS {target})", "NULL")
    src = _q(column)
    kind = _kind(sql_type or "")
    if kind == "null":
        return FieldPlan(name, f"CAST(NULL AS {target})", "NULL")
    t = spec.type
    if t in ("money", "count", "rank", "int", "fraction", "decimal"):
        if kind not in ("int", "float", "decimal"):
            return None
        wide = (sql_type or "").upper() in ("UBIGINT", "HUGEINT", "UHUGEINT")
        err = _numeric_error(spec, src, kind, _scale(sql_type or ""), wide)
        # `__e_<field>` is computed one projection below (checked_sql), so the error CASE runs once.
        same = (sql_type or "").upper() == target
        cast = src if same else f"TRY_CAST({src} AS {target})"
        return FieldPlan(name, f"CASE WHEN {_q('__e_' + name)} IS NULL THEN {cast} END", err)
    if t == "bool":
        if kind == "bool":
            return FieldPlan(name, src, "NULL")
        if kind in ("int", "float", "decimal"):
            nan = f" AND NOT isnan({src})" if kind == "float" else ""
            err = f"CASE WHEN {src} IS NOT NULL{nan} AND {src} NOT IN (0, 1) THEN '{Code.NOT_A_BOOL}' END"
            return FieldPlan(name, f"CASE WHEN {src} IN (0, 1) THEN {src} = 1 END", err)
        return None
    if t == "date":
        if kind in ("date", "timestamp"):
            return FieldPlan(name, f"CAST({src} AS DATE)", "NULL")
        return None
    # str / enum: the common case (already clean text) is tested first, without trimming
    if kind == "str":
        clean = f"(ascii({src}) > 32 AND ascii(right({src}, 1)) > 32)"
        text = f"CASE WHEN {clean} THEN {src} ELSE NULLIF(trim({src}, {WS}), '') END"
    elif kind == "int":
        clean = "TRUE"
        text = f"CAST({src} AS VARCHAR)"
    else:
        return None
    if t == "enum":
        values = ", ".join(_lit(v) for v in spec.values)
        slow = f"CASE WHEN ({text}) IN ({values}) THEN ({text}) WHEN lower({text}) IN ({values}) THEN lower({text}) END"
        value = f"CASE WHEN {src} IS NULL THEN NULL WHEN ({text}) IN ({values}) THEN ({text}) ELSE {slow} END"
        err = (
            f"CASE WHEN {src} IS NULL OR ({text}) IN ({values}) THEN NULL "
            f"WHEN ({text}) IS NOT NULL AND ({slow}) IS NULL THEN '{Code.NOT_IN_LIST}' END"
        )
        return FieldPlan(name, value, err)
    if name == "credit_code":
        text = (
            f"CASE WHEN regexp_full_match(CAST({src} AS VARCHAR), '[0-9A-Z]+') THEN CAST({src} AS VARCHAR) "
            f"ELSE NULLIF(upper(regexp_replace(CAST({src} AS VARCHAR), '\\s', '', 'g')), '') END"
        )
    elif name == "industry_code":
        text = f"upper({text})"
    return FieldPlan(name, text, "NULL")


def _credit_code_bad(v: str) -> str:
    """SQL: TRUE when the normalised code fails GB 32100 (length, characters, check character)."""
    terms = " + ".join(
        f"(instr('{CHARSET}', substr({v}, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(WEIGHTS)
    )
    check = f"substr('{CHARSET}', ((31 - ({terms}) % 31) % 31) + 1, 1)"
    return (
        f"(length({v}) <> 18 OR NOT regexp_full_match({v}, '[{CHARSET}]{{18}}') "
        f"OR {check} <> substr({v}, 18, 1))"
    )


def _industry_bad(v: str) -> str:
    cases = " ".join(
        f"WHEN '{sec}' THEN TRY_CAST(substr({v}, 2, 2) AS INTEGER) NOT BETWEEN {lo} AND {hi}"
        for sec, (lo, hi) in SECTION_DIVISIONS.items()
    )
    shape = f"NOT regexp_full_match({v}, '[A-T]([0-9]{{2}}([0-9]{{1,2}})?)?')"
    return f"({shape} OR (length({v}) > 1 AND CASE substr({v}, 1, 1) {cases} ELSE FALSE END))"


@dataclass(frozen=True)
class CheckPlan:
    values: dict[str, str]  # field -> typed value expression over the source (NULL where invalid)
    columns: tuple[str, ...]  # source columns read
    field_errors: dict[str, str]  # field -> issue-code expression over the source cell
    record_checks: list[tuple[str, str]]  # (field, issue-code expression over the parsed values)


def plan_checks(
    schema: Mapping[str, str], mapping: Mapping[str, str], *, today: dt.date
) -> CheckPlan | None:
    """Build the validation for a table with `schema` (column -> DuckDB type) whose columns map to
    fields by `mapping` (column -> field). None when a column's type needs Python parsing."""
    by_field = {f: c for c, f in mapping.items()}
    plans: dict[str, FieldPlan] = {}
    for name, spec in FIELDS.items():
        column = by_field.get(name)
        plan = _field_plan(spec, column, schema.get(column) if column else None)
        if plan is None:
            return None
        plans[name] = plan
    values = {n: p.value for n, p in plans.items()}
    field_errors = {n: p.error for n, p in plans.items() if p.error != "NULL"}

    # Whole-record rules read the parsed values, where an invalid cell is already NULL (as in
    # coerce_record); `__e_<field>` is the field's own error.
    v = _q
    checks: list[tuple[str, str]] = []
    for key in ("credit_code", "year"):
        own = f" AND {v('__e_' + key)} IS NULL" if key in field_errors else ""
        checks.append((key, f"CASE WHEN {v(key)} IS NULL{own} THEN '{Code.REQUIRED}' END"))
    checks.append((
        "credit_code",
        f"CASE WHEN {v('credit_code')} IS NOT NULL AND {_credit_code_bad(v('credit_code'))} "
        f"THEN '{Code.CREDIT_CODE_INVALID}' END",
    ))
    checks.append((
        "region_code",
        f"CASE WHEN {v('region_code')} IS NOT NULL AND NOT regexp_full_match({v('region_code')}, '[0-9]{{6}}') "
        f"THEN '{Code.REGION_CODE_INVALID}' END",
    ))
    ind = v("industry_code")
    checks.append((
        "industry_code",
        f"CASE WHEN {ind} IS NOT NULL AND NOT regexp_full_match({ind}, '[A-T]([0-9]{{2}}([0-9]{{1,2}})?)?') "
        f"THEN '{Code.INDUSTRY_CODE_INVALID}' WHEN {ind} IS NOT NULL AND {_industry_bad(ind)} "
        f"THEN '{Code.INDUSTRY_CODE_UNKNOWN}' END",
    ))
    for part, total in SUBTOTALS:
        checks.append((part, f"CASE WHEN {v(part)} > {v(total)} THEN '{Code.SUBTOTAL_EXCEEDS_TOTAL}' END"))
    for premise, conclusion in IMPLICATIONS:
        checks.append((
            premise,
            f"CASE WHEN {v(premise)} IS TRUE AND {v(conclusion)} IS FALSE THEN '{Code.IMPLICATION_BROKEN}' END",
        ))
    today_sql = f"DATE '{today.isoformat()}'"
    as_of = (
        f"COALESCE({v('as_of')}, CASE WHEN {v('year')} IS NOT NULL THEN "
        f"least({today_sql}, make_date(CAST({v('year')} AS INTEGER), 12, 31)) ELSE {today_sql} END)"
    )
    for name in DATE_FIELDS:
        checks.append((name, f"CASE WHEN {v(name)} > {as_of} THEN '{Code.DATE_AFTER_AS_OF}' END"))
    return CheckPlan(values, tuple(by_field.values()), field_errors, checks)


def values_sql(plan: CheckPlan, source: str, where: str = "") -> str:
    """The typed fields of `source` rows already known to pass `checked_sql` (`where` keeps only
    those): the same value expressions, without running the checks a second time. Their field
    errors are NULL by definition, so the value expressions that consult them see NULL."""
    sources = sorted(plan.columns)
    no_errors = [f"CAST(NULL AS VARCHAR) AS {_q('__e_' + f)}" for f in plan.field_errors]
    first = f"SELECT {', '.join([*(_q(c) for c in sources), *no_errors])} FROM {source}"
    if where:
        first += f" WHERE {where}"
    return f"SELECT {', '.join(f'{expr} AS {_q(n)}' for n, expr in plan.values.items())} FROM ({first})"


def checked_sql(plan: CheckPlan, source: str, extra: tuple[str, ...] = (), issues: bool = False) -> str:
    """A SELECT over `source` giving the typed fields, `__bad` (any error) and the pass-through
    `extra` columns; with `issues`, also `__issues` = 'field:code' items joined by ';'.

    Two projections: the inner one parses every cell (value + field error), the outer applies the
    whole-record rules to the parsed values.
    """
    sources = sorted({c for c in plan.columns} | set(extra))
    errs = [f"{e} AS {_q('__e_' + f)}" for f, e in plan.field_errors.items()]
    first = f"SELECT {', '.join([*(_q(c) for c in sources), *errs])} FROM {source}"
    inner_cols = [f"{expr} AS {_q(n)}" for n, expr in plan.values.items()]
    inner_cols += [_q("__e_" + f) for f in plan.field_errors]
    inner_cols += [_q(c) for c in extra]
    inner = f"SELECT {', '.join(inner_cols)} FROM ({first})"
    bad = [f"{_q('__e_' + f)} IS NOT NULL" for f in plan.field_errors]
    bad += [f"({e}) IS NOT NULL" for _f, e in plan.record_checks]
    outer_cols = [_q(n) for n in plan.values] + [_q(c) for c in extra]
    outer_cols.append(f"({' OR '.join(bad)}) AS __bad")
    if issues:
        parts = [f"'{f}:' || {_q('__e_' + f)}" for f in plan.field_errors]
        parts += [f"'{f}:' || ({e})" for f, e in plan.record_checks]
        outer_cols.append(f"concat_ws(';', {', '.join(parts)}) AS __issues")
    return f"SELECT {', '.join(outer_cols)} FROM ({inner})"
