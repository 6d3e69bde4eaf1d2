"""PostgreSQL for `tidu evaluate --engine postgres`: in-database evaluation with psycopg (no Django).

Two sources:
- a file: its validated rows are COPYed into a temporary table, the compiled SQL runs over it;
- `db:` (optionally `db:2025` for one evaluation year): the platform's register itself. The
  view below flattens `EnterpriseYear` rows exactly as `enterprises.selectors.evaluation_record`
  does: the row of fiscal year F gives the _y1 figures (and the declared state) for evaluation
  year F + 1, rows F − 1 and F − 2 give the _y2 and _y3 figures, and `zjtx_dev_score_prev` is the
  platform score stored with row F − 1. The titles held (cert_innovative_valid, cert_specialized_valid,
  cert_little_giant_valid) come from the platform's recognition records (`journey_recognition`) valid
  on the evaluation date wherever the firm has a record of that tier, else from the declared value, as
  `enterprises.titles` does (docs/decisions/0077). Table and column names follow `enterprises.models`
  and `journey.models` (Django's default `enterprises_enterprise` / `enterprises_enterpriseyear` /
  `journey_recognition`); the CLI may not import Django (import contract), so they are written out here
  and a test keeps them in step.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tidu.rules.fields import FIELDS

if TYPE_CHECKING:
    from tidu.cli.evaluate import Options, Outcome
    from tidu.cli.io import TableWriter

ENTERPRISE_TABLE = "enterprises_enterprise"
YEAR_TABLE = "enterprises_enterpriseyear"
RECOGNITION_TABLE = "journey_recognition"
# Recognition tier -> the title field it decides (科技型 is not recognised on the platform).
TITLE_FIELDS = {"innovative_sme": "cert_innovative_valid", "specialized_sme": "cert_specialized_valid",
                "little_giant": "cert_little_giant_valid"}
TIME_ZONE = "Asia/Shanghai"  # settings.TIME_ZONE: a revocation counts from its Beijing date
# Registry field -> SQL over the aliases e (enterprise), y1/y2/y3 (rows F, F-1, F-2).
ENTERPRISE_COLUMNS = (
    "name", "founded_on", "registered_in_mainland", "independent_legal_person", "resident_enterprise",
    "tax_audit_collection", "listed", "niche_start_on",
)  # fmt: skip
SUFFIXED = (
    "employees", "staff_total", "tech_staff", "rd_staff", "revenue", "main_rev", "net_profit", "total_assets",
    "total_liabilities", "rd", "cost_expense", "equity_fin", "main_product_rev",
)  # fmt: skip
Y2_COLUMNS = ("revenue", "main_rev", "rd", "equity_fin")
Y3_COLUMNS = ("revenue", "main_rev", "equity_fin")
YEAR_COLUMNS = (
    "ip_c1_count", "ip_c1_self_count", "ip_c1_hv_count", "ip_c2_count", "ip_c1_applied_count",
    "ip_c1_applied_own_count", "ip_c1_ts_count", "ip_c2_ts_count", "invention_patent_count",
    "main_product_name", "market_share_domestic", "market_share_intl", "market_rank_domestic",
    "market_position_ok", "market_reputation_ok", "own_brand", "product_sei_code", "product_chain_gap_results",
    "product_six_foundations", "product_laozihao", "product_serves_chain_leader", "product_ten_fields_code",
    "product_cyber_field", "product_industry_type_2026", "chain_key_link", "quality_award_prov_plus",
    "qms_certified", "std_participated", "mgmt_system_certified", "product_cert_developed",
    "core_biz_it_supported", "lg_refined_qualitative_ok", "digital_level", "digital_score", "digital_edition",
    "digital_category", "digital_assessed_on", "rd_inst_level", "rd_inst_minist_plus", "rd_inst_any",
    "award_natl_best_rank_3y", "award_natl_best_rank_5y", "award_prov_best_rank_3y",
    "award_prov_minist_best_rank_3y", "maker_china_top500_3y", "maker_china_top50_3y", "std_led_5y", "hte_valid",
    "natl_tech_innov_demo_valid", "ip_adv_or_demo_valid", "single_champion", "cert_tech_sme_valid",
    "cert_innovative_valid", "cert_specialized_valid", "cert_little_giant_valid", "related_little_giant",
    "abnormal_list", "serious_dishonest_list", "prohibited_product", "major_incident_3y", "tax_violation_3y",
    "data_fraud_found", "incident_prev_cur_year", "sci_misconduct_prev_cur_year", "distinctive_score",
    "zjtx_dev_score",
)  # fmt: skip


def title_column(field: str, tier: str, today: dt.date) -> str:
    """The platform's answer for one title on the evaluation date (today capped at 31 December of the
    evaluation year, like the engine's as_of) when the firm has a record of that tier, else the declared value."""
    as_of = f"LEAST(DATE '{today.isoformat()}', make_date(y1.fiscal_year + 1, 12, 31))"
    of_tier = f"FROM {RECOGNITION_TABLE} r WHERE r.enterprise_id = e.id AND r.tier = '{tier}'"
    valid = (f"r.valid_from <= {as_of} AND r.valid_until >= {as_of} AND (r.revoked_at IS NULL OR "
             f"CAST(r.revoked_at AT TIME ZONE '{TIME_ZONE}' AS DATE) > {as_of})")
    return (f"CASE WHEN EXISTS (SELECT 1 {of_tier}) THEN EXISTS (SELECT 1 {of_tier} AND {valid}) "
            f"ELSE y1.{field} END")


def register_columns(today: dt.date | None = None) -> dict[str, str]:
    """Registry field -> SQL expression over the register tables (NULL where the register has none).
    With `today`, the titles held come from the recognition records (`title_column`)."""
    out: dict[str, str] = {"credit_code": "e.credit_code", "year": "y1.fiscal_year + 1",
                           "region_code": "e.region_id", "industry_code": "e.industry_code"}
    out.update({f: f"e.{f}" for f in ENTERPRISE_COLUMNS})
    out.update({f"{f}_y1": f"y1.{f}" for f in SUFFIXED})
    for f in YEAR_COLUMNS:
        is_text = FIELDS[f].type in ("enum", "str")
        out[f] = f"NULLIF(y1.{f}, '')" if is_text else f"y1.{f}"  # an empty enum is "none"
    out.update({f"{f}_y2": f"y2.{f}" for f in Y2_COLUMNS})
    out.update({f"{f}_y3": f"y3.{f}" for f in Y3_COLUMNS})
    out["zjtx_dev_score_prev"] = "y2.zjtx_dev_score"
    if today is not None:
        out.update({field: title_column(field, tier, today) for tier, field in TITLE_FIELDS.items()})
    return out


def register_view_sql(year: int | None = None, today: dt.date | None = None) -> str:
    """SELECT of firm-year records (fields.yaml names and SQL types) from the platform register; with
    `today` (the evaluation's clock) the titles held come from the platform's recognition records."""
    mapped = register_columns(today)
    cols = []
    for name, spec in FIELDS.items():
        expr = mapped.get(name, "NULL")
        cols.append(f"CAST({expr} AS {spec.sql_type}) AS {name}")
    where = f" WHERE y1.fiscal_year = {int(year) - 1}" if year is not None else ""
    return (
        f"SELECT {', '.join(cols)} FROM {YEAR_TABLE} y1 "
        f"JOIN {ENTERPRISE_TABLE} e ON e.id = y1.enterprise_id "
        f"LEFT JOIN {YEAR_TABLE} y2 ON y2.enterprise_id = y1.enterprise_id AND y2.fiscal_year = y1.fiscal_year - 1 "
        f"LEFT JOIN {YEAR_TABLE} y3 ON y3.enterprise_id = y1.enterprise_id AND y3.fiscal_year = y1.fiscal_year - 2"
        f"{where}"
    )


def database_url(opts: Options) -> str:
    url = opts.database_url or os.environ.get("TIDU_DATABASE_URL")
    if not url:
        from tidu.cli.evaluate import UsageError

        raise UsageError("--engine postgres 需要 --database-url 或环境变量 TIDU_DATABASE_URL")
    return url


def _fetch_to_writer(cur: Any, sql: str, writer: TableWriter, size: int = 100_000) -> int:
    cur.execute(sql)
    n = 0
    while True:
        rows = cur.fetchmany(size)
        if not rows:
            return n
        writer.write_rows([list(r) for r in rows])
        n += len(rows)


def create_typed_table(cur: Any, table: str, temporary: bool = True) -> None:
    cols = ", ".join(f"{n} {s.sql_type}" for n, s in FIELDS.items())
    temp = "TEMP " if temporary else ""
    cur.execute(f"CREATE {temp}TABLE {table} ({cols})")


def copy_parquet(cur: Any, table: str, typed_parquet: str) -> int:
    """COPY a typed Parquet file (fields.yaml columns) into `table` (binary-free text COPY)."""
    import pyarrow.parquet as pq

    names = list(FIELDS)
    n = 0
    pf = pq.ParquetFile(typed_parquet)
    with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for batch in pf.iter_batches(batch_size=50_000, columns=names):
            data = batch.to_pydict()
            cols = [data[c] for c in names]
            for row in zip(*cols, strict=True):
                copy.write_row(row)
            n += batch.num_rows
    return n


def run_postgres_file(opts: Options, typed_parquet: str, sql: str, writer: TableWriter) -> None:
    import psycopg

    with psycopg.connect(database_url(opts)) as conn, conn.cursor() as cur:
        create_typed_table(cur, "tidu_firm_years")
        copy_parquet(cur, "tidu_firm_years", typed_parquet)
        cur.execute("ANALYZE tidu_firm_years")
        _fetch_to_writer(cur, sql, writer)


def evaluate_register(opts: Options, today: dt.date, columns: Sequence[str], out: Outcome) -> None:
    """Evaluate the platform register in the database (INPUT `db:` or `db:<year>`)."""
    import psycopg

    from tidu.cli.evaluate import UsageError, _compile, _load_packs, _string_select
    from tidu.cli.io import TableWriter

    spec = opts.input[3:].strip()
    if spec and not spec.isdigit():
        raise UsageError(f"INPUT 应为 db: 或 db:<评价年度>，而不是“{opts.input}”")
    packs = _load_packs(opts)
    sql = _string_select(_compile(packs, "postgres", "tidu_firm_years", opts, today), columns, "postgres")
    writer = TableWriter(opts.output, columns)
    out.path = "database"
    try:
        with psycopg.connect(database_url(opts)) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE TEMP VIEW tidu_firm_years AS {register_view_sql(int(spec) if spec else None, today)}")
            n = _fetch_to_writer(cur, sql, writer)
    finally:
        writer.close()
    out.rows_in = out.rows_ok = n
