"""Filled import files of plausible firms, for the tests, the import benchmark and trying the importer.

Deterministic for a given seed; every row passes the import rules (valid credit codes, current
county codes, sub-totals within totals, money in 万元 with at most 4 decimals).
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tidu.core.credit_code import make_credit_code
from tidu.enterprises.imports import DATA_SHEET
from tidu.enterprises.io_columns import columns

SAMPLE_INDUSTRIES = ["C3911", "C3562", "C2710", "C4011", "I6513", "M7320", "C3824", "C2922"]


def sample_rows(
    *, firms: int, years: Sequence[int], region_codes: Sequence[str], seed: int = 2026, body_offset: int = 0
) -> list[dict[str, Any]]:
    """`firms` × `years` rows keyed by column key (money in 万元 as Decimal, flags as 是/否)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(firms):
        region = region_codes[i % len(region_codes)]
        code = make_credit_code(region, f"{body_offset + i + 1:08d}")
        firm: dict[str, Any] = {
            "credit_code": code,
            "name": f"示例科技有限公司{body_offset + i + 1:05d}",
            "region": region,
            "industry_code": SAMPLE_INDUSTRIES[i % len(SAMPLE_INDUSTRIES)],
            "founded_on": f"{rng.randint(1998, 2018)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "independent_legal_person": "是",
            "registered_in_mainland": "是",
        }
        revenue = Decimal(rng.randint(800_00, 80_000_00)) / 100  # 万元, 2 decimals
        staff = rng.randint(20, 900)
        for year in years:
            revenue = (revenue * Decimal(rng.randint(90, 125)) / 100).quantize(Decimal("0.0001"))
            main_rev = (revenue * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.0001"))
            staff = max(10, staff + rng.randint(-15, 40))
            row: dict[str, Any] = dict(firm)
            row.update(
                fiscal_year=year,
                employees=staff + rng.randint(0, 20),
                staff_total=staff,
                tech_staff=staff * rng.randint(10, 45) // 100,
                rd_staff=staff * rng.randint(5, 30) // 100,
                revenue=revenue,
                main_rev=main_rev,
                net_profit=(revenue * Decimal(rng.randint(-8, 18)) / 100).quantize(Decimal("0.0001")),
                total_assets=(revenue * Decimal(rng.randint(60, 200)) / 100).quantize(Decimal("0.0001")),
                total_liabilities=(revenue * Decimal(rng.randint(10, 50)) / 100).quantize(Decimal("0.0001")),
                rd=(revenue * Decimal(rng.randint(2, 12)) / 100).quantize(Decimal("0.0001")),
                ip_c1_count=rng.randint(0, 12),
                own_brand=rng.choice(["是", "否"]),
                rd_inst_level=rng.choice(["无", "市级", "省级"]),
                market_share_domestic=Decimal(rng.randint(1, 300)) / 1000,
                hte_valid=rng.choice(["是", "否", ""]),
            )
            row["ip_c1_self_count"] = rng.randint(0, row["ip_c1_count"])
            rows.append(row)
    return rows


def rows_to_xlsx(rows: Sequence[dict[str, Any]], *, headers: Sequence[str] | None = None) -> bytes:
    """An .xlsx laid out like the template: the template's headers, then one row per dict."""
    import openpyxl

    cols = columns()
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.append(list(headers) if headers is not None else [c.header for c in cols])
    for row in rows:
        sheet.append([_cell(row.get(c.key)) for c in cols])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_to_csv(rows: Sequence[dict[str, Any]], *, encoding: str = "utf-8-sig") -> bytes:
    import csv

    cols = columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in cols])
    for row in rows:
        value = [row.get(c.key) for c in cols]
        writer.writerow(["" if v is None else str(v) for v in value])
    return buffer.getvalue().encode(encoding)


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        # a number cell, as Excel stores it, whenever the double keeps the exact value
        return float(value) if Decimal(repr(float(value))) == value else str(value)
    return value
