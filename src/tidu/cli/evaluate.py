"""`tidu evaluate`: validate a file of firm-years and evaluate every standard on one of four engines.

Validation is always `coerce_record`'s (fields.md §16): rows that fail go to the error report
(row, field, code, reason) and never stop the good rows; the exit status is 1 when any row failed.
Engines:
- `python`: `packs.explain(record).to_row()` per row — the reference.
- `duckdb` (default): the SQL compiled from the same packs, run in-process; typed Parquet input is
  validated inside the same DuckDB scan that evaluates it, so tens of millions of rows stream through.
- `postgres`: the compiled SQL inside PostgreSQL, over the file's rows (COPY into a temporary
  table) or over the platform's own register (INPUT `db:`, see `pgsource`).
- `spark`: the SQL transpiled for Spark SQL, local[*] or `--spark-master`.
The engines themselves are `tidu.rules.batch`; this module reads and writes the files around them.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from tidu.cli.io import (
    UNSAVED_FORMULAS,
    Columns,
    InputError,
    RawRows,
    TableWriter,
    estimated_rows,
    file_format,
    parquet_columns,
    read_raw,
    spreadsheet_text,
)
from tidu.rules import batch
from tidu.rules.batch import Selection, output_columns
from tidu.rules.fields import FIELDS, Code, Issue, coerce_record, today_shanghai
from tidu.rules.model import STANDARDS

if TYPE_CHECKING:
    import pyarrow as pa

CHUNK = 50_000  # rows validated and evaluated together on the Python-validation path
PROGRESS_MIN_ROWS = 10_000  # `--progress auto` shows a bar from this many rows
# `--engine auto` (the default) evaluates inputs up to this many rows in Python: DuckDB's import and
# set-up (~0.4 s) cost more than explaining a thousand rows one by one, and both give the same output.
SMALL_INPUT_ROWS = 1_000
ENGINES = ("auto", "duckdb", "python", "postgres", "spark")


class UsageError(Exception):
    """Bad options (exit status 2)."""


def parse_standards(text: str | None) -> list[str]:
    if not text:
        return list(STANDARDS)
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in wanted if s not in STANDARDS]
    if bad:
        raise UsageError(f"未知的标准：{', '.join(bad)}（可选：{', '.join(STANDARDS)}）")
    return [s for s in STANDARDS if s in wanted]  # contract order


def parse_editions(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        sid, sep, ed = item.partition("=")
        if not sep or sid.strip() not in STANDARDS or not ed.strip():
            raise UsageError(f"--edition 应写成 标准=版本，如 specialized_sme=2022，而不是“{item}”")
        out[sid.strip()] = ed.strip()
    return out


@dataclass
class RowError:
    row: int
    credit_code: str
    year: str
    issue: Issue


@dataclass
class Options:
    input: str
    output: str | None = None
    standards: list[str] = field(default_factory=lambda: list(STANDARDS))
    engine: str = "duckdb"  # or "auto": python for small files, duckdb otherwise (`choose_engine`)
    editions: dict[str, str] = field(default_factory=dict)
    errors: str | None = None
    today: dt.date | None = None
    packs_dir: str | None = None
    progress: str = "auto"  # auto | always | never
    spark_master: str = "local[*]"
    database_url: str | None = None
    threads: int | None = None
    memory_limit: str = "2GB"  # DuckDB's buffer limit; beyond it, it spills to temporary files


@dataclass
class Outcome:
    rows_in: int = 0
    rows_ok: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_rows: int = 0
    warnings: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    path: str = ""  # which validation path ran: sql | python


def _say(message: str) -> None:
    print(message, file=sys.stderr)


class Progress:
    """tqdm on stderr for large inputs (never on stdout, which may carry the CSV output)."""

    def __init__(self, total: int | None, mode: str, desc: str) -> None:
        from tqdm import tqdm

        show = mode == "always" or (mode == "auto" and (total or 0) >= PROGRESS_MIN_ROWS)
        self.shown = show
        self.bar = tqdm(
            total=total,
            file=sys.stderr,
            disable=not show,
            unit="行",
            unit_scale=True,
            desc=desc,
            mininterval=0.5,
            dynamic_ncols=True,
        )

    def update(self, n: int) -> None:
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


# ---------------------------------------------------------------------------------------------
# Validation


def validate_chunks(raw: RawRows, today: dt.date, out: Outcome) -> Iterator[list[dict[str, Any]]]:
    """coerce_record over the rows, in chunks of typed records; errors are collected in `out`."""
    chunk: list[dict[str, Any]] = []
    for n, cells in raw.rows:
        out.rows_in += 1
        if "__json_error__" in cells:
            issue = Issue(
                "", cast(Code, "invalid_json"), "该行不是有效的 JSON 对象", "line is not a JSON object", ""
            )
            out.errors.append(RowError(n, "", "", issue))
            out.error_rows += 1
            continue
        formulas = cast("list[tuple[str, str]]", cells.pop(UNSAVED_FORMULAS, []))
        record, errors, warnings = coerce_record(cells, today=today)
        if formulas:  # the formula is the problem of that cell, not the "required" its None gave
            errors = [formula_issue(name, f"{letters}{n}") for name, letters in formulas] + [
                e for e in errors if e.field not in {name for name, _letters in formulas}
            ]
        out.warnings += len(warnings)
        if errors:
            out.error_rows += 1
            code = "" if cells.get("credit_code") is None else str(cells.get("credit_code"))
            year = "" if cells.get("year") is None else str(cells.get("year"))
            out.errors.extend(RowError(n, code, year, e) for e in errors)
            continue
        out.rows_ok += 1
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def formula_issue(name: str, cell: str) -> Issue:
    """A cell holding a formula whose result the workbook does not carry (written by a program, never saved in
    Excel): the words of the platform's imports (`formula_without_value`), with the cell's address."""
    label = FIELDS[name].label if name in FIELDS else name
    return Issue(
        name,
        Code.FORMULA_WITHOUT_VALUE,
        f"{cell} 单元格（「{label}」）是公式，但文件中没有保存它的计算结果（文件可能由程序生成、未在 Excel 中打开保存过）："
        "请在 Excel 中打开并保存，或把公式改为数值",
        f"cell {cell} holds a formula without a saved result (written by a program, never saved in Excel): "
        "open and save the file in Excel, or replace the formula by its value",
    )


def write_error_report(path: str, errors: Sequence[RowError]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens it as UTF-8
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["row", "credit_code", "year", "field", "code", "value", "message", "message_en"])
        for e in errors:
            i = e.issue
            # the value (and a bad credit code) are the input's own text: neutralised for Excel
            w.writerow(
                [
                    e.row,
                    spreadsheet_text(e.credit_code),
                    e.year,
                    i.field,
                    str(i.code),
                    spreadsheet_text(i.value),
                    i.message,
                    i.message_en,
                ]
            )


def default_errors_path(opts: Options) -> str:
    if opts.errors:
        return opts.errors
    if opts.output and opts.output != "-":
        out = Path(opts.output)
        return str(out.with_name(out.stem + ".errors.csv"))
    stem = Path(opts.input).stem if opts.input not in ("-", "") else "input"
    return f"{stem}.errors.csv"


# ---------------------------------------------------------------------------------------------
# Engines


def load_cli_packs(opts: Options) -> Any:
    """The packs of `--packs DIR`, else the repository's."""
    from tidu.rules import load_packs

    return load_packs(opts.packs_dir) if opts.packs_dir else load_packs()


def _python_rows(
    packs: Any, records: Sequence[dict[str, Any]], opts: Options, today: dt.date, columns: Sequence[str]
) -> list[list[str | None]]:
    rows = []
    for rec in records:
        res = packs.explain(
            rec, standards=opts.standards, editions=opts.editions or None, today=today, gaps=False
        )
        row = res.to_row()
        row.setdefault("credit_code", rec["credit_code"])
        row.setdefault("year", str(rec["year"]))
        rows.append([_text(row.get(c)) for c in columns])
    return rows


def _text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _selection(opts: Options, today: dt.date) -> Selection:
    return Selection(tuple(opts.standards), dict(opts.editions), today)


def choose_engine(opts: Options) -> str:
    """The engine `auto` stands for: python when the input is known to be small, else duckdb."""
    if opts.engine != "auto":
        return opts.engine
    if opts.input.startswith("db:"):
        return "duckdb"  # refused below: the register needs --engine postgres
    return "python" if estimated_rows(opts.input, SMALL_INPUT_ROWS) is not None else "duckdb"


def evaluate(opts: Options) -> Outcome:
    """Run one `tidu evaluate`; returns what happened (the caller picks the exit status)."""
    today = opts.today or today_shanghai()
    columns = output_columns(opts.standards)
    out = Outcome()
    if opts.engine not in ENGINES:
        raise UsageError(f"未知的引擎：{opts.engine}（可选：auto、duckdb、python、postgres、spark）")
    opts = replace(opts, engine=choose_engine(opts))
    if opts.memory_limit and not batch.valid_memory_limit(opts.memory_limit):
        raise UsageError(f"--memory-limit 格式不对：{opts.memory_limit!r}（例如 2GB、500MB）")
    if opts.output and opts.output != "-":
        file_format(opts.output)  # fail before the work on an unknown output type
    if opts.input.startswith("db:"):
        if opts.engine != "postgres":
            raise UsageError("INPUT db: 只能与 --engine postgres 一起使用（evaluates the platform register）")
        from tidu.cli.pgsource import evaluate_register

        evaluate_register(opts, today, columns, out)
        return out
    packs = load_cli_packs(opts)
    fmt = file_format(opts.input)
    sql_engine = opts.engine in ("duckdb", "spark", "postgres")
    if sql_engine and fmt == "parquet" and _evaluate_parquet_sql(opts, packs, today, columns, out):
        return out
    raw = read_raw(opts.input)
    _warn_columns(raw.columns, out)
    out.path = "python"
    writer = TableWriter(opts.output, columns)
    bar = Progress(raw.total, opts.progress, "评价")
    try:
        chunks = validate_chunks(raw, today, out)
        if opts.engine == "python":
            for chunk in chunks:
                writer.write_rows(_python_rows(packs, chunk, opts, today, columns))
                bar.update(len(chunk))
        elif opts.engine == "duckdb":
            con = batch.duckdb_connection(opts.threads, opts.memory_limit)
            for chunk in chunks:
                for rows in batch.evaluate_arrow(packs, _records_table(chunk), _selection(opts, today), con):
                    writer.write_arrow(rows)
                bar.update(len(chunk))
        else:
            with tempfile.TemporaryDirectory(prefix="tidu-") as tmp:
                typed = os.path.join(tmp, "firm_years.parquet")
                _write_typed_parquet(chunks, typed)
                bar.update(out.rows_ok)
                _run_external(opts, packs, today, typed, writer)
    finally:
        bar.close()
        writer.close()
    return out


def _records_table(records: Sequence[dict[str, Any]]) -> pa.Table:
    from tidu.cli.io import records_to_arrow

    return records_to_arrow(records)


def _write_typed_parquet(chunks: Iterator[list[dict[str, Any]]], path: str) -> None:
    import pyarrow.parquet as pq

    from tidu.cli.io import arrow_schema

    with pq.ParquetWriter(path, arrow_schema()) as w:
        for chunk in chunks:
            w.write_table(_records_table(chunk))


def _warn_columns(cols: Columns, out: Outcome) -> None:
    out.unknown_columns = list(cols.unknown)
    if cols.unknown:
        shown = "、".join(cols.unknown[:10]) + ("……" if len(cols.unknown) > 10 else "")
        _say(
            f"警告：忽略 {len(cols.unknown)} 个无法识别的列：{shown}"
            f" (warning: {len(cols.unknown)} unknown column(s) ignored)"
        )
    if cols.duplicates:
        _say(f"警告：重复的列已忽略：{'、'.join(cols.duplicates)} (warning: duplicate columns ignored)")


def _evaluate_parquet_sql(
    opts: Options, packs: Any, today: dt.date, columns: Sequence[str], out: Outcome
) -> bool:
    """The fast path: validate and evaluate typed Parquet inside DuckDB (`tidu.rules.batch`). False
    when the file's column types need Python parsing (then the caller validates row by row)."""
    cols, _schema = parquet_columns(Path(opts.input))
    job = batch.ParquetBatch(
        packs,
        opts.input,
        cols.mapping,
        _selection(opts, today),
        threads=opts.threads,
        memory_limit=opts.memory_limit,
    )
    if job.plan is None:
        return False
    _warn_columns(cols, out)
    out.path = "sql"
    writer = TableWriter(opts.output, columns)
    bar = Progress(job.rows_in, opts.progress, "评价")
    try:
        if opts.engine == "duckdb" and writer.format == "parquet" and opts.output:
            # Straight from DuckDB to the file, validation fused into the same scan.
            writer.close()
            if bar.shown:  # DuckDB's own bar follows the COPY; ours can only jump to 100 % after it
                job.con.execute("SET enable_progress_bar = true")
            res = job.write_parquet(opts.output)
            bar.update(res.rows_ok)
        elif opts.engine == "duckdb":
            res, batches = job.batches()
            for rows in batches:
                writer.write_arrow(rows)
                bar.update(rows.num_rows)
        else:
            with tempfile.TemporaryDirectory(prefix="tidu-") as tmp:
                typed = os.path.join(tmp, "firm_years.parquet")
                res = job.write_typed(typed)
                bar.update(res.rows_ok)
                _run_external(opts, packs, today, typed, writer)
        out.rows_in, out.rows_ok = res.rows_in, res.rows_ok
        _report_bad_parquet_rows(job.con, job.file, cols, res.bad_rows, today, out)
    finally:
        bar.close()
        writer.close()
    return True


def _report_bad_parquet_rows(
    con: Any, src: str, cols: Columns, rows: Sequence[int], today: dt.date, out: Outcome
) -> None:
    """Word the errors of the rows the SQL flagged with coerce_record (same report as Python).

    Only the flagged rows are read back (a semi-join on the Parquet row number), so a few bad rows
    in a 10-million-row file cost next to nothing."""
    if not rows:
        return
    out.error_rows = len(rows)
    flagged = batch.row_numbers_table(con, "__bad_rows", rows)
    select = ", ".join(f'"{h}"' for h in cols.mapping)
    reader = con.sql(
        f"SELECT file_row_number, {select} FROM {src} WHERE {flagged} ORDER BY file_row_number"
    ).to_arrow_reader(65536)
    for rows_read in reader:
        for raw in rows_read.to_pylist():
            n = int(raw.pop("file_row_number"))
            cells = {cols.mapping[h]: v for h, v in raw.items()}
            _record, errors, _w = coerce_record(cells, today=today)
            code = "" if cells.get("credit_code") is None else str(cells.get("credit_code"))
            year = "" if cells.get("year") is None else str(cells.get("year"))
            if not errors:  # the SQL and Python rules disagree: say so rather than drop the row silently
                errors = [
                    Issue(
                        "", Code.OUT_OF_RANGE, "数据校验未通过（SQL 校验）", "row failed SQL validation", ""
                    )
                ]
            out.errors.extend(RowError(n + 1, code, year, e) for e in errors)
    con.execute("DROP TABLE __bad_rows")


def _run_external(opts: Options, packs: Any, today: dt.date, typed_parquet: str, writer: TableWriter) -> None:
    if opts.engine == "spark":
        for rows in batch.spark_batches(packs, typed_parquet, _selection(opts, today), opts.spark_master):
            writer.write_arrow(rows)
    else:
        from tidu.cli.pgsource import database_url

        for chunk in batch.postgres_rows(packs, database_url(opts), typed_parquet, _selection(opts, today)):
            writer.write_rows(chunk)


def run(opts: Options) -> int:
    """Evaluate, write the error report, print a summary on stderr; the exit status."""
    try:
        out = evaluate(opts)
    except (InputError, UsageError) as exc:
        _say(f"错误：{exc}")
        return 2
    summary = f"共 {out.rows_in} 行：{out.rows_ok} 行已评价"
    if out.error_rows:
        path = default_errors_path(opts)
        write_error_report(path, out.errors)
        summary += f"，{out.error_rows} 行未通过校验（错误清单：{path}）"
    _say(summary + f" ({out.rows_ok}/{out.rows_in} rows evaluated; validation: {out.path or 'python'})")
    return 1 if out.error_rows else 0
