"""Helpers for the `tidu` command tests: inputs in every format, the contract sample."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from tidu.rules.fields import coerce_record

REPO = Path(__file__).resolve().parents[2]
# Two firm-years of our own with exactly the columns of the contract sample (shared/contract/).
CONTRACT = Path(__file__).resolve().parent / "data" / "contract-sample.csv"
TODAY = dt.date(2026, 11, 30)  # fixed evaluation day: outputs do not depend on the calendar


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def contract_rows() -> list[dict[str, str]]:
    return read_csv(CONTRACT)


def typed(rows: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for raw in rows:
        record, errors, _ = coerce_record(raw, today=TODAY)
        assert not errors, errors
        out.append({k: record[k] for k in raw if k in record})
    return out


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    headers = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(headers)
        for r in rows:
            w.writerow(["" if r.get(h) is None else r.get(h) for h in headers])
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Excel with typed cells (numbers, dates, booleans), as a spreadsheet user would save it."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    headers = list(rows[0])
    sheet.append(headers)
    for r in rows:
        cells = []
        for h in headers:
            v = r.get(h)
            cells.append(float(v) if isinstance(v, Decimal) else v)
        sheet.append(cells)
    book.save(path)
    return path


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    def plain(v: object) -> object:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: plain(v) for k, v in r.items()}, ensure_ascii=False) + "\n")
    return path


def write_parquet(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Parquet with the SQL column types of fields.yaml (the fast, SQL-validated path)."""
    import pyarrow.parquet as pq

    from tidu.cli.io import records_to_arrow

    names = list(rows[0])
    full = [{n: r.get(n) for n in names} for r in rows]
    pq.write_table(records_to_arrow(full, names), path)
    return path
