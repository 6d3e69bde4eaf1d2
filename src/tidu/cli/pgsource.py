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
from typing import TYPE_CHECKING

from tidu.rules.fields import FIELDS

if TYPE_CHECKING:
    from tidu.cli.evaluate import Options, Outcome

ENTERPRISE_TABLE = "enterprises_enterprise"
YEAR_TABLE = "enterprises_enterpriseyear"
RECOGNITION_TABLE = "journey_recognition"
# Recognition tier -> the title field it decides (科技型 is not recognised on the platform).
TITLE_FIELDS = {
    "innovative_sme": "cert_innovative_valid",
    "specialized_sme": "cert_specialized_valid",
    "little_giant": "cert_little_giant_valid",
}
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
    valid = (
        f"r.valid_from <= {as_of} AND r.valid_until >= {as_of} AND (r.revoked_at IS NULL OR "
        f"CAST(r.revoked_at AT TIME ZONE '{TIME_ZONE}' AS DATE) > {as_of})"
    )
    return (
        f"CASE WHEN EXISTS (SELECT 1 {of_tier}) THEN EXISTS (SELECT 1 {of_tier} AND {valid}) "
        f"ELSE y1.{field} END"
    )


def register_columns(today: dt.date | None = None) -> dict[str, str]:
    """Registry field -> SQL expression over the register tables (NULL where the register has none).
    With `today`, the titles held come from the recognition records (`title_column`)."""
    out: dict[str, str] = {
        "credit_code": "e.credit_code",
        "year": "y1.fiscal_year + 1",
        "region_code": "e.region_id",
        "industry_code": "e.industry_code",
    }
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


def evaluate_register(opts: Options, today: dt.date, columns: Sequence[str], out: Outcome) -> None:
    """Evaluate the platform register in the database (INPUT `db:` or `db:<year>`)."""
    from tidu.cli.evaluate import UsageError, load_cli_packs
    from tidu.cli.io import TableWriter
    from tidu.rules.batch import Selection, postgres_view_rows

    spec = opts.input[3:].strip()
    if spec and not spec.isdigit():
        raise UsageError(f"INPUT 应为 db: 或 db:<评价年度>，而不是“{opts.input}”")
    packs = load_cli_packs(opts)
    selection = Selection(tuple(opts.standards), dict(opts.editions), today)
    view = register_view_sql(int(spec) if spec else None, today)
    writer = TableWriter(opts.output, columns)
    out.path = "database"
    n = 0
    try:
        for chunk in postgres_view_rows(packs, database_url(opts), view, selection):
            writer.write_rows(chunk)
            n += len(chunk)
    finally:
        writer.close()
    out.rows_in = out.rows_ok = n
