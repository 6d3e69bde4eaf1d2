"""The batch engine for policies: a jurisdiction's firm-years exported to DuckDB, the edition's conditions
compiled to SQL (tidu.policies.conditions, from the same trees as the Python verdict) and the size class
computed by the criteria packs' own SQL (tidu.rules `Packs.compile_sql`). Used by the sandbox (how many
firms would qualify, total amount) and the push list (which firms, with the evidence).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import duckdb
import pyarrow as pa

from tidu.policies import conditions as C

ARROW_TYPES = {
    "money": pa.int64(),
    "int": pa.int64(),
    "count": pa.int64(),
    "rank": pa.int64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "fraction": pa.decimal128(18, 6),
    "decimal": pa.decimal128(18, 4),
}
KEY = "enterprise_id"


@dataclass
class BatchOutcome:
    """Per firm: verdict of the machine conditions and the estimated amount, plus the totals."""

    rows: list[
        dict[str, Any]
    ]  # {enterprise_id, verdict: qualify|unknown|fail, amount_yuan, c_<id>: bool|None}
    firms: int = 0
    qualify: int = 0
    unknown: int = 0
    fail: int = 0
    amount_yuan: int = 0
    seconds: float = 0.0
    sql: str = ""
    text_conditions: list[str] = field(default_factory=list)


def _value(v: Any, ftype: str) -> Any:
    if v is None:
        return None
    if isinstance(v, Fraction):
        from decimal import Decimal

        return Decimal(v.numerator) / Decimal(v.denominator)
    if ftype in {"str", "enum"}:
        return str(v)
    return v


def records_table(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pa.Table:
    """An Arrow table of the records with the registry's types (unknown = NULL, never zero)."""
    fields = C.policy_fields()
    arrays: dict[str, pa.Array] = {KEY: pa.array([r.get(KEY) for r in records], pa.int64())}
    for name in columns:
        ftype = fields[name].type
        arrays[name] = pa.array(
            [_value(r.get(name), ftype) for r in records], ARROW_TYPES.get(ftype, pa.string())
        )
    return pa.table(arrays)


def needed_columns(specs: Sequence[C.ConditionSpec], amount: C.Compiled | None) -> list[str]:
    """The columns the conditions, the amount and (when asked) the size class read."""
    cols: set[str] = set(amount.columns) if amount is not None else set()
    for s in specs:
        if s.kind == "machine":
            cols.update(C.compile_expr(s.expr).columns)
    if "size_level" in cols:
        cols.discard("size_level")
        cols.update(SIZE_INPUTS)
    cols.update({"credit_code", "year"})
    return sorted(cols)


# What the size table reads (fields.md §size): industry, staff, revenue, assets.
SIZE_INPUTS = ("industry_code", "employees_y1", "revenue_y1", "total_assets_y1")


def policy_sql(
    specs: Sequence[C.ConditionSpec],
    amount: C.Compiled | None,
    cap_yuan: int | None,
    *,
    table: str,
    columns: Sequence[str],
    today: dt.date,
) -> str:
    """One SELECT: enterprise_id, one boolean per machine condition, verdict and amount."""
    conds = C.conditions_sql(specs)
    uses_size = any("size_level" in C.compile_expr(s.expr).columns for s in specs if s.kind == "machine") or (
        amount is not None and "size_level" in amount.columns
    )
    source = table
    if uses_size:
        from tidu.ladder.assessment import packs

        size = packs().compile_sql(
            dialect="duckdb",
            table=table,
            standards=["size_class"],
            today=today,
            columns=[c for c in columns if c != KEY],
        )
        source = (
            f"(SELECT t.*, CAST(z.size_class__level AS VARCHAR) AS size_level FROM {table} t "
            f"JOIN ({size}) z ON z.credit_code = t.credit_code)"
        )
    parts = [f'{sql} AS "c_{cid}"' for cid, sql in conds]
    ids = [f'"c_{cid}"' for cid, _ in conds]
    fail = " OR ".join(f"({c} IS FALSE)" for c in ids) or "FALSE"
    ok = " AND ".join(f"({c} IS TRUE)" for c in ids) or "TRUE"
    inner = f"SELECT {KEY}, {', '.join(parts) or 'TRUE AS c_none'}, {C.amount_sql(amount, cap_yuan)} AS amount_yuan FROM {source} s"
    return (
        f"SELECT *, CASE WHEN {fail} THEN 'fail' WHEN {ok} THEN 'qualify' ELSE 'unknown' END AS verdict "
        f"FROM ({inner}) q"
    )


def run(
    specs: Sequence[C.ConditionSpec],
    amount: C.Compiled | None,
    cap_yuan: int | None,
    records: Sequence[Mapping[str, Any]] | None = None,
    *,
    today: dt.date,
    con: Any = None,
    table: str = "firms",
    columns: Sequence[str] | None = None,
    keep_rows: bool = True,
) -> BatchOutcome:
    """Evaluate an edition over many firms in DuckDB: over `records` (exported here) or over `table`
    already in `con` (the benchmark's synthetic firms)."""
    started = time.perf_counter()
    if con is None:
        con = duckdb.connect()
    if records is not None:
        columns = needed_columns(specs, amount)
        con.register("firms_arrow", records_table(records, columns))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM firms_arrow")
        con.unregister("firms_arrow")
    assert columns is not None
    sql = policy_sql(specs, amount, cap_yuan, table=table, columns=columns, today=today)
    con.execute(f"CREATE OR REPLACE TEMP TABLE policy_result AS {sql}")
    firms, qualify, unknown, fail, total = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE verdict = 'qualify'), count(*) FILTER (WHERE verdict = 'unknown'), "
        "count(*) FILTER (WHERE verdict = 'fail'), coalesce(sum(amount_yuan) FILTER (WHERE verdict = 'qualify'), 0) "
        "FROM policy_result"
    ).fetchone()
    rows: list[dict[str, Any]] = []
    if keep_rows:
        cur = con.execute("SELECT * FROM policy_result WHERE verdict <> 'fail' ORDER BY enterprise_id")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return BatchOutcome(
        rows=rows,
        firms=int(firms),
        qualify=int(qualify),
        unknown=int(unknown),
        fail=int(fail),
        amount_yuan=int(total),
        seconds=time.perf_counter() - started,
        sql=sql,
        text_conditions=[s.label for s in specs if s.kind == "text"],
    )
