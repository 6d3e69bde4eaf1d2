"""Python `explain().to_row()` and the compiled SQL agree on every row, in every engine.

Records are drawn by hypothesis from the field registry's types, biased towards the values where
engines disagree if anything is wrong: exact thresholds of the packs and ±1 yuan / ±0.000001 around
them, ratios landing exactly on a band boundary, zero and negative denominators, unknown inputs,
dates on edition boundaries. DuckDB always runs; PostgreSQL runs when TIDU_DATABASE_URL is set (and
fails, never skips, if that database cannot be reached); Spark runs in local mode.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidu.rules import Packs, contract_columns, load_packs
from tidu.rules import expr as E
from tidu.rules.fields import FIELDS, SQL_TYPES
from tidu.rules.sql import run_duckdb, run_postgres, run_spark

TODAY = dt.date(2026, 11, 30)
PACKS = load_packs()
COLUMNS = list(PACKS.fields)  # registry fields plus overlay-declared inputs


def _constants() -> tuple[list[int], list[Fraction]]:
    """Every numeric literal of the compiled packs: the thresholds worth probing."""
    ints: set[int] = set()
    fracs: set[Fraction] = set()

    def walk(n: E.Node) -> None:
        if isinstance(n, E.Lit) and not isinstance(n.value, bool):
            if isinstance(n.value, int):
                ints.add(n.value)
            elif isinstance(n.value, Fraction):
                fracs.add(n.value)
        for c in E.children(n):
            walk(c)

    for eds in PACKS.editions.values():
        for ed in eds:
            for v in ed.variants.values():
                items = [
                    *v.conditions,
                    *(i for r in v.routes for i in r.items),
                    *(lv.item for lv in v.levels),
                ]
                for it in items:
                    walk(it.node)
                for ind in v.indicators:
                    for b in ind.bands:
                        walk(b.node)
    return sorted(ints), sorted(fracs)


INTS, FRACS = _constants()
RATIOS = sorted({f for f in FRACS if 0 <= f <= 1} | {Fraction(0), Fraction(1, 20)})
MONEY_EDGES = sorted({v + d for v in INTS if v >= 0 for d in (-1, 0, 1) if v + d >= 0} | {0, 10**13})
INDUSTRY = [
    "A0111", "B0610", "C3441", "C3911", "D4411", "E4811", "F5179", "F5211", "G5431", "G5910", "G5920", "G6010",
    "H6110", "H6210", "I6311", "I6513", "K7010", "K7020", "K7040", "L7212", "M7320", "J6620", "Q8411", "S9221", "C",
]  # fmt: skip
DAYS = [
    dt.date(2022, 7, 31), dt.date(2022, 8, 1), dt.date(2022, 11, 9), dt.date(2024, 8, 31), dt.date(2024, 9, 1),
    dt.date(2025, 6, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 6, 30), dt.date(2026, 12, 31),
]  # fmt: skip


def _maybe(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


def _fraction_value() -> st.SearchStrategy[Decimal]:
    edge = st.sampled_from(RATIOS).flatmap(
        lambda f: st.sampled_from([f - Fraction(1, 10**6), f, f + Fraction(1, 10**6)])
    )
    any_ = st.integers(0, 10**6).map(lambda n: Fraction(n, 10**6))
    return (
        st.one_of(edge, any_)
        .filter(lambda f: 0 <= f <= 1)
        .map(lambda f: Decimal(f.numerator) / Decimal(f.denominator))
    )


def _field(name: str) -> st.SearchStrategy[Any]:
    info = PACKS.fields[name]
    spec = FIELDS.get(name)
    t = info.type
    if name == "year":
        return st.integers(2021, 2027)
    if name == "as_of":
        return _maybe(st.sampled_from(DAYS))
    if name == "industry_code":
        return _maybe(st.sampled_from(INDUSTRY))
    if name == "region_code":
        return _maybe(st.sampled_from(["510104", "110108", "440305"]))
    if t == "bool":
        return _maybe(st.booleans())
    if t == "money":
        low = -(10**9) if spec is not None and spec.signed else 0
        return _maybe(st.one_of(st.sampled_from(MONEY_EDGES), st.integers(low, 10**10)))
    if t == "count":
        return _maybe(
            st.one_of(
                st.sampled_from([0, 1, 2, 3, 4, 5, 10, 20, 50, 99, 100, 300, 500, 1000]), st.integers(0, 3000)
            )
        )
    if t == "rank":
        return _maybe(st.integers(1, 8))
    if t == "int":
        return _maybe(st.integers(0, 4))
    if t == "fraction":
        return _maybe(_fraction_value())
    if t == "decimal":
        edges = [
            Decimal(v) + d
            for v in (0, 7, 15, 20, 40, 50, 60, 80)
            for d in (Decimal("-0.0001"), 0, Decimal("0.0001"))
        ]
        return _maybe(st.one_of(st.sampled_from([e for e in edges if e >= 0]), st.decimals(0, 100, places=4)))
    if t == "date":
        return _maybe(
            st.dates(dt.date(2000, 1, 1), dt.date(2026, 12, 31)).flatmap(
                lambda d: st.sampled_from([d, dt.date(d.year, 1, 1)])
            )
        )
    if t == "enum":
        values = spec.values if spec is not None else ()
        return _maybe(st.sampled_from(values)) if values else st.none()
    return st.none()  # free text (name, main_product_name …) is not read by the packs


def _read_by_packs() -> list[str]:
    """The columns some pack expression reads (the rest stay unknown: fewer draws per record)."""
    names = {"year", "as_of", "region_code", "industry_code"}
    for eds in PACKS.editions.values():
        for ed in eds:
            for test in [
                ed.select_when,
                *(a.applies for a in ed.amendments),
                *(o.applies for o in ed.overlays),
            ]:
                if test is not None:
                    names.update(test.fields)
            for v in ed.variants.values():
                for it in [
                    *v.conditions,
                    *(i for r in v.routes for i in r.items),
                    *(lv.item for lv in v.levels),
                ]:
                    names.update(it.fields)
                for ind in v.indicators:
                    names.update(ind.fields)
                if v.score_node is not None:
                    names.update(E.columns(v.score_node))
    return sorted(names & set(COLUMNS))


READ = _read_by_packs()
STRATEGIES = {name: _field(name) for name in READ}


def _case_records() -> list[dict[str, Any]]:
    """The records of the hand-worked cases (packs/cases), typed like the pack tests type them."""
    import importlib.util

    import yaml

    support_path = Path(__file__).parent / "packs" / "packs_support.py"
    spec = importlib.util.spec_from_file_location("_tidu_packs_support", support_path)
    assert spec is not None and spec.loader is not None
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    out = []
    for path in sorted(support.CASES_DIR.rglob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            out.append(support.make_record(case["record"]))
    return out


CASE_RECORDS = _case_records()


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    rec = {name: draw(STRATEGIES[name]) for name in READ}
    # correlated values: ratios exactly on (or one unit off) a band boundary, zero denominators
    for num, den in (("rd_y1", "revenue_y1"), ("main_rev_y1", "revenue_y1"), ("total_liabilities_y1", "total_assets_y1"),
                     ("net_profit_y1", "revenue_y1"), ("rd_y2", "revenue_y2"), ("rd_y1", "cost_expense_y1"),
                     ("tech_staff_y1", "staff_total_y1"), ("rd_staff_y1", "staff_total_y1"),
                     ("main_rev_y2", "main_rev_y3"), ("main_rev_y1", "main_rev_y2"), ("revenue_y1", "revenue_y3")):  # fmt: skip
        if draw(st.integers(0, 2)) == 0:
            base = draw(st.sampled_from([0, 100, 10_000, 20_000_000, 123_456_789]))
            ratio = draw(st.sampled_from([*RATIOS, Fraction(11025, 10000), Fraction(11, 10), Fraction(6, 5)]))
            value = int(base * ratio) + draw(st.sampled_from([-1, 0, 0, 1]))
            rec[den] = base if FIELDS[den].type != "count" else min(base, 3000)
            rec[num] = max(value, 0) if FIELDS[num].type == "count" else value
            if FIELDS[num].type == "count":
                rec[num] = min(rec[num], rec[den]) if rec[den] else 0
            if FIELDS[num].type == "money" and not FIELDS[num].signed:
                rec[num] = max(rec[num], 0)
    return rec


def _rows(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "credit_code": f"R{i:05d}"} for i, r in enumerate(recs)]


def _python(packs: Packs, recs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {r["credit_code"]: packs.explain(r, today=TODAY).to_row() for r in recs}


def _compare(expected: dict[str, dict[str, str]], got: list[dict[str, str]], engine: str) -> None:
    assert len(got) == len(expected)
    cols = contract_columns()
    for row in got:
        want = expected[row["credit_code"]]
        diff = {c: (want[c], row[c]) for c in cols if want[c] != row[c]}
        assert not diff, f"{engine} differs from Python for {row['credit_code']}: {diff}"


def _ddl_type(name: str) -> str:
    return SQL_TYPES[PACKS.fields[name].type]


# ---------------------------------------------------------------------------------------------
# DuckDB


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(records(), min_size=1, max_size=40))
def test_duckdb_matches_python(recs: list[dict[str, Any]]) -> None:
    rows = _rows(recs)
    con = _duckdb_table(rows)
    got = run_duckdb(PACKS, "firm_years", con=con, today=TODAY)
    _compare(_python(PACKS, rows), got, "DuckDB")


def _duckdb_table(rows: list[dict[str, Any]]) -> Any:
    """An in-memory DuckDB connection holding `rows` as the typed table firm_years."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE firm_years (" + ", ".join(f'"{c}" {_ddl_type(c)}' for c in COLUMNS) + ")")
    con.executemany(
        f"INSERT INTO firm_years VALUES ({', '.join('?' for _ in COLUMNS)})",
        [[r.get(c) for c in COLUMNS] for r in rows],
    )
    return con


def test_duckdb_matches_python_on_the_hand_worked_cases() -> None:
    rows = _rows(CASE_RECORDS)
    con = _duckdb_table(rows)
    _compare(_python(PACKS, rows), run_duckdb(PACKS, "firm_years", con=con, today=TODAY), "DuckDB")


def _variant_rows() -> list[dict[str, Any]]:
    """The hand-worked records spread over the editions, amendments and the Sichuan overlay."""
    settings_ = [
        {"year": 2023, "as_of": dt.date(2023, 6, 30), "region_code": "110108"},
        {"year": 2025, "as_of": dt.date(2025, 6, 30), "region_code": "510104", "digital_edition": "2024",
         "sc_industry_system": True, "sc_heritage_gi_first": False, "sc_local_feature": True},
        {"year": 2026, "as_of": dt.date(2025, 12, 31), "region_code": "440305"},
        {"year": 2026, "as_of": dt.date(2026, 6, 30), "region_code": "510104", "digital_edition": "2022"},
        {"year": 2027, "as_of": None, "region_code": None},
    ]  # fmt: skip
    rows = _rows([{**r, **s} for r in CASE_RECORDS[:60] for s in settings_])
    reached = {
        (s.standard, s.edition, tuple(s.amendments), s.overlay)
        for r in rows
        for s in PACKS.explain(r, today=TODAY).standards.values()
    }
    for want in (
        ("innovative_sme", "2022", ("2026",), None),
        ("specialized_sme", "2022", (), "510000"),
        ("specialized_sme", "2026", (), None),
        ("little_giant", "2022", ("2025",), None),
        ("little_giant", "2022", ("2026",), None),
        ("little_giant", "2026", ("2026",), None),
        ("digital_level", "2024", (), None),
    ):
        assert want in reached
    return rows


def test_duckdb_matches_python_in_every_variant_it_reaches() -> None:
    """The compiled SQL picks each row's variant of each standard (computing only that variant's
    outputs) and gives exactly the Python result there."""
    rows = _variant_rows()
    con = _duckdb_table(rows)
    _compare(_python(PACKS, rows), run_duckdb(PACKS, "firm_years", con=con, today=TODAY), "DuckDB")


def test_duckdb_forced_editions_and_a_subset_of_standards() -> None:
    rows = _rows(CASE_RECORDS[:80])
    con = _duckdb_table(rows)
    standards = ["specialized_sme", "little_giant"]
    editions = {"specialized_sme": "2022", "little_giant": "2022"}
    got = run_duckdb(PACKS, "firm_years", con=con, today=TODAY, standards=standards, editions=editions)
    cols = contract_columns(standards)
    assert list(got[0]) == cols
    for row in got:
        rec = next(r for r in rows if r["credit_code"] == row["credit_code"])
        want = PACKS.explain(rec, standards=standards, editions=editions, today=TODAY).to_row()
        assert want == row
        assert row["little_giant__edition"] == "2022"


def test_duckdb_reads_typed_parquet(tmp_path: Any) -> None:
    rows = _rows(CASE_RECORDS[:60])
    con = _duckdb_table(rows)
    path = tmp_path / "firms.parquet"
    con.execute(f"COPY firm_years TO '{path}' (FORMAT parquet)")
    _compare(_python(PACKS, rows), run_duckdb(PACKS, path, today=TODAY), "DuckDB Parquet")


def test_duckdb_reads_csv_with_missing_columns(tmp_path: Any) -> None:
    """A CSV with only some columns: absent columns are unknown, empty cells are unknown."""
    path = tmp_path / "firms.csv"
    path.write_text(
        "credit_code,year,industry_code,employees_y1,revenue_y1,as_of\n"
        "A,2025,C3441,250,180000000,2025-06-30\n"
        "B,2025,C3441,,,2025-06-30\n",
        encoding="utf-8",
    )
    got = run_duckdb(PACKS, path, today=TODAY)
    recs = [
        {
            "credit_code": "A",
            "year": 2025,
            "industry_code": "C3441",
            "employees_y1": 250,
            "revenue_y1": 180_000_000,
            "as_of": dt.date(2025, 6, 30),
        },
        {"credit_code": "B", "year": 2025, "industry_code": "C3441", "as_of": dt.date(2025, 6, 30)},
    ]
    _compare(_python(PACKS, recs), got, "DuckDB CSV")
    assert {r["credit_code"]: r["size_class__level"] for r in got} == {"A": "small", "B": ""}


# ---------------------------------------------------------------------------------------------
# PostgreSQL (only with TIDU_DATABASE_URL; a configured but unreachable database fails the test)

DATABASE_URL = os.environ.get("TIDU_DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not DATABASE_URL, reason="TIDU_DATABASE_URL is not set (PostgreSQL parity)"
)


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        yield conn


@needs_postgres
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(recs=st.lists(records(), min_size=1, max_size=40))
def test_postgres_matches_python(pg: Any, recs: list[dict[str, Any]]) -> None:
    rows = _rows(recs + CASE_RECORDS)
    with pg.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp.tidu_parity")
        cur.execute(
            "CREATE TEMP TABLE tidu_parity (" + ", ".join(f'"{c}" {_ddl_type(c)}' for c in COLUMNS) + ")"
        )
        cur.executemany(
            f"INSERT INTO tidu_parity VALUES ({', '.join('%s' for _ in COLUMNS)})",
            [[r.get(c) for c in COLUMNS] for r in rows],
        )
        got = run_postgres(PACKS, cur, "tidu_parity", today=TODAY)
    _compare(_python(PACKS, rows), got, "PostgreSQL")


@needs_postgres
def test_postgres_matches_python_in_every_variant_it_reaches(pg: Any) -> None:
    rows = _variant_rows()
    with pg.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS pg_temp.tidu_parity_variants")
        cur.execute(
            "CREATE TEMP TABLE tidu_parity_variants ("
            + ", ".join(f'"{c}" {_ddl_type(c)}' for c in COLUMNS)
            + ")"
        )
        cur.executemany(
            f"INSERT INTO tidu_parity_variants VALUES ({', '.join('%s' for _ in COLUMNS)})",
            [[r.get(c) for c in COLUMNS] for r in rows],
        )
        got = run_postgres(PACKS, cur, "tidu_parity_variants", today=TODAY)
    _compare(_python(PACKS, rows), got, "PostgreSQL")


# ---------------------------------------------------------------------------------------------
# Spark (local mode, one session for the test session)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    # py4j logs "Closing down clientserver connection" at exit, after pytest closed its captured stderr
    logging.getLogger("py4j").setLevel(logging.ERROR)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("tidu-parity")
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
    yield session  # stopped when the test process exits (stopping here logs to pytest's closed stderr)


def _spark_schema() -> Any:
    from pyspark.sql import types as T

    kinds = {
        "BIGINT": T.LongType(),
        "INTEGER": T.IntegerType(),
        "DECIMAL(18,6)": T.DecimalType(18, 6),
        "DECIMAL(18,4)": T.DecimalType(18, 4),
        "BOOLEAN": T.BooleanType(),
        "DATE": T.DateType(),
        "VARCHAR": T.StringType(),
    }
    return T.StructType([T.StructField(c, kinds[_ddl_type(c)]) for c in COLUMNS])


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
@settings(
    max_examples=1,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
@given(recs=st.lists(records(), min_size=10, max_size=25))
def test_spark_matches_python(spark: Any, recs: list[dict[str, Any]]) -> None:
    rows = _rows(recs + CASE_RECORDS)
    df = spark.createDataFrame([tuple(r.get(c) for c in COLUMNS) for r in rows], _spark_schema())
    got = [
        {k: "" if v is None else str(v) for k, v in row.asDict().items()}
        for row in run_spark(PACKS, spark, df, today=TODAY).collect()
    ]
    _compare(_python(PACKS, rows), got, "Spark")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_matches_python_in_every_variant_it_reaches(spark: Any) -> None:
    rows = _variant_rows()
    df = spark.createDataFrame([tuple(r.get(c) for c in COLUMNS) for r in rows], _spark_schema())
    got = [
        {k: "" if v is None else str(v) for k, v in row.asDict().items()}
        for row in run_spark(PACKS, spark, df, today=TODAY).collect()
    ]
    _compare(_python(PACKS, rows), got, "Spark")
