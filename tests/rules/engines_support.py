"""The same records through the Python path and each compiled engine, compared column by column.

Shared by the parity, bounds and review-flag tests: load rows into DuckDB, PostgreSQL or Spark typed as
the field registry says, run the compiled packs there, and assert every contract column equals Python's.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tidu.rules import Packs, contract_columns
from tidu.rules.fields import SQL_TYPES
from tidu.rules.sql import run_duckdb, run_postgres, run_spark

PG_URL = os.environ.get("TIDU_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


def columns(packs: Packs) -> list[str]:
    """Registry fields plus overlay-declared inputs, in the packs' order."""
    return list(packs.fields)


def ddl(packs: Packs) -> str:
    return ", ".join(f'"{c}" {SQL_TYPES[packs.fields[c].type]}' for c in columns(packs))


def python_rows(packs: Packs, rows: list[dict[str, Any]], today: dt.date) -> dict[str, dict[str, str]]:
    return {r["credit_code"]: packs.explain(r, today=today).to_row() for r in rows}


def assert_same_as_python(expected: dict[str, dict[str, str]], got: list[dict[str, str]], engine: str) -> None:
    assert len(got) == len(expected)
    cols = contract_columns()
    for row in got:
        want = expected[row["credit_code"]]
        diff = {c: (want[c], row[c]) for c in cols if want[c] != row[c]}
        assert not diff, f"{engine} differs from Python for {row['credit_code']}: {diff}"


def duckdb_table(packs: Packs, rows: list[dict[str, Any]]) -> Any:
    """An in-memory DuckDB connection holding `rows` as the typed table firm_years."""
    import duckdb

    cols = columns(packs)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE firm_years ({ddl(packs)})")
    con.executemany(f"INSERT INTO firm_years VALUES ({', '.join('?' for _ in cols)})",
                    [[r.get(c) for c in cols] for r in rows])
    return con


def duckdb_rows(packs: Packs, rows: list[dict[str, Any]], today: dt.date) -> list[dict[str, str]]:
    return run_duckdb(packs, "firm_years", con=duckdb_table(packs, rows), today=today)


def postgres_rows(packs: Packs, conn: Any, rows: list[dict[str, Any]], table: str,
                  today: dt.date) -> list[dict[str, str]]:
    """`rows` in a temporary table of `conn`, evaluated there."""
    cols = columns(packs)
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
        cur.execute(f"CREATE TEMP TABLE {table} ({ddl(packs)})")
        cur.executemany(f"INSERT INTO {table} VALUES ({', '.join('%s' for _ in cols)})",
                        [[r.get(c) for c in cols] for r in rows])
        return run_postgres(packs, cur, table, today=today)


def spark_rows(packs: Packs, spark: Any, rows: list[dict[str, Any]], today: dt.date) -> list[dict[str, str]]:
    from pyspark.sql import types as T

    kinds = {
        "BIGINT": T.LongType(), "INTEGER": T.IntegerType(), "DECIMAL(18,6)": T.DecimalType(18, 6),
        "DECIMAL(18,4)": T.DecimalType(18, 4), "BOOLEAN": T.BooleanType(), "DATE": T.DateType(),
        "VARCHAR": T.StringType(),
    }
    cols = columns(packs)
    schema = T.StructType([T.StructField(c, kinds[SQL_TYPES[packs.fields[c].type]]) for c in cols])
    df = spark.createDataFrame([tuple(r.get(c) for c in cols) for r in rows], schema)
    return [{k: "" if v is None else str(v) for k, v in row.asDict().items()}
            for row in run_spark(packs, spark, df, today=today).collect()]


def postgres_connection() -> Iterator[Any]:
    """A connection to the PostgreSQL the suite can reach; skipped when none answers, a failure when
    TIDU_DATABASE_URL names one that does not."""
    import psycopg

    try:
        conn = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("TIDU_DATABASE_URL"):
            raise
        pytest.skip("PostgreSQL not reachable")
    with conn:
        yield conn


def spark_local() -> Any:
    from pyspark.sql import SparkSession

    # py4j logs "Closing down clientserver connection" at exit, after pytest closed its captured stderr
    logging.getLogger("py4j").setLevel(logging.ERROR)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("tidu-rules-tests")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        # Interpreted expressions: compiling Java for a few hundred test rows costs more than it saves
        # (halves the run on this machine); the SQL and its results are the same either way.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        # a short-lived JVM: the quick JIT tier only (starts and plans faster here)
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session  # stopped when the test process exits (stopping here logs to pytest's closed stderr)
