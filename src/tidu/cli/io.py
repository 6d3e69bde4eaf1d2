"""Reading firm-year files (CSV, Excel, Parquet, JSON Lines) and writing result tables.

The format follows the file extension. Headers may be field names or their Chinese labels
(`tidu.rules.fields.header_to_field`); columns that name no field are dropped with one warning.
Readers hand out raw cells (strings for CSV, typed cells for Excel/JSONL/Parquet) so that
`coerce_record` applies the same validation to every format.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tidu.rules.fields import FIELDS, header_to_field
from tidu.xlsx import unsaved_formulas

if TYPE_CHECKING:
    import pyarrow as pa

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


# The prefixes of tidu.core.text.FORMULA_PREFIXES (that module imports Django; this one may not).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def spreadsheet_text(value: Any) -> Any:
    """A text cell as a spreadsheet shows it literally: an apostrophe before one that Excel or WPS would
    run as a formula. Plain numbers written as text ("-12.5") are left alone: they run as nothing.

    >>> spreadsheet_text("=HYPERLINK(1)"), spreadsheet_text("-12.5"), spreadsheet_text("-1+2")
    ("'=HYPERLINK(1)", '-12.5', "'-1+2")
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


# A row's key listing its cells that hold a formula without a saved result: [(field, column letters)].
# openpyxl reads such a cell as None; `tidu.cli.evaluate` reports it as a formula, not as a blank cell.
UNSAVED_FORMULAS = "__unsaved_formulas__"


class InputError(Exception):
    """A file that cannot be read at all (as opposed to rows that fail validation)."""


def file_format(path: str | Path) -> str:
    """csv | xlsx | parquet | jsonl, from the extension (`-` is CSV on stdin/stdout)."""
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"无法识别的文件类型“{suffix or path}”：支持 .csv .xlsx .parquet .jsonl "
            f"(unsupported file type; use .csv, .xlsx, .parquet or .jsonl)"
        )
    return FORMATS[suffix]


@dataclass
class Columns:
    """How a file's headers map onto fields."""

    mapping: dict[str, str] = field(default_factory=dict)  # header -> field name
    unknown: list[str] = field(default_factory=list)  # headers naming no field (ignored)
    duplicates: list[str] = field(default_factory=list)  # second header naming an already-mapped field

    @classmethod
    def from_headers(cls, headers: Sequence[object]) -> Columns:
        cols = cls()
        seen: set[str] = set()
        for raw in headers:
            header = "" if raw is None else str(raw)
            name = header_to_field(header) if header.strip() else None
            if name is None:
                if header.strip():
                    cols.unknown.append(header)
            elif name in seen:
                cols.duplicates.append(header)
            else:
                seen.add(name)
                cols.mapping[header] = name
        return cols


@dataclass
class RawRows:
    """Rows of raw cells keyed by field name, with the row number a user sees in the file."""

    columns: Columns
    rows: Iterator[tuple[int, dict[str, object]]]
    total: int | None  # known row count (for the progress bar), None when streaming


def _csv_text(path: Path) -> str:
    data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: 无法识别文件编码，请另存为 UTF-8 (cannot decode; save as UTF-8)")


def read_raw(path: str | Path) -> RawRows:
    """Open INPUT and yield (row number, {field: raw cell}) in file order.

    Row numbers are what a person sees: the spreadsheet row for CSV/Excel (header = row 1, so the
    first record is row 2), the line for JSON Lines, the 1-based record index for Parquet.
    """
    path = Path(path)
    fmt = file_format(path)
    if str(path) != "-" and not path.exists():
        raise InputError(f"{path}: 文件不存在 (no such file)")
    if fmt == "csv":
        return _read_csv(path)
    if fmt == "xlsx":
        return _read_xlsx(path)
    if fmt == "jsonl":
        return _read_jsonl(path)
    return _read_parquet(path)


def _read_csv(path: Path) -> RawRows:
    text = _csv_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
    except StopIteration:
        raise InputError(f"{path}: 文件为空 (empty file)") from None
    cols = Columns.from_headers(headers)
    index = [(i, cols.mapping[h]) for i, h in enumerate(headers) if h in cols.mapping]
    lines = list(reader)

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for n, cells in enumerate(lines, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank line
            yield n, {name: (cells[i] if i < len(cells) else None) for i, name in index}

    return RawRows(cols, rows(), len(lines))


def _read_xlsx(path: Path) -> RawRows:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"{path}: 无法读取 Excel 文件 (cannot read workbook: {exc})") from exc
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        headers = list(next(it))
    except StopIteration:
        raise InputError(f"{path}: 工作表为空 (empty sheet)") from None
    cols = Columns.from_headers(headers)
    index = [(i, cols.mapping[str(h)]) for i, h in enumerate(headers) if h is not None and str(h) in cols.mapping]
    total = max(0, (sheet.max_row or 1) - 1)
    try:
        unsaved = unsaved_formulas(path, getattr(sheet, "_worksheet_path", ""))
    except Exception as exc:  # the same damaged-file causes as load_workbook's
        book.close()
        raise InputError(f"{path}: 无法读取 Excel 文件 (cannot read workbook: {exc})") from exc
    mapped = dict(index)
    unsaved_by_row: dict[int, list[tuple[str, str]]] = {}
    for row, position in sorted(unsaved):
        if row > 1 and position in mapped:
            unsaved_by_row.setdefault(row, []).append((mapped[position], get_column_letter(position + 1)))

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        try:
            for n, cells in enumerate(it, start=2):
                formulas = unsaved_by_row.get(n)
                if not formulas and all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                    continue
                record: dict[str, object] = {name: (cells[i] if i < len(cells) else None) for i, name in index}
                if formulas:
                    record[UNSAVED_FORMULAS] = formulas
                yield n, record
        finally:
            book.close()

    return RawRows(cols, rows(), total)


def _read_jsonl(path: Path) -> RawRows:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    headers: dict[str, None] = {}
    parsed: list[tuple[int, dict[str, Any] | None]] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if obj is not None and not isinstance(obj, dict):
            obj = None
        if obj is not None:
            headers.update(dict.fromkeys(obj))
        parsed.append((n, obj))
    cols = Columns.from_headers(list(headers))

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        for n, obj in parsed:
            if obj is None:
                yield n, {"__json_error__": True}
                continue
            yield n, {cols.mapping[k]: v for k, v in obj.items() if k in cols.mapping}

    return RawRows(cols, rows(), len(parsed))


def parquet_columns(path: Path) -> tuple[Columns, pa.Schema]:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:
        raise InputError(f"{path}: 无法读取 Parquet 文件 (cannot read Parquet: {exc})") from exc
    return Columns.from_headers(schema.names), schema


def _read_parquet(path: Path) -> RawRows:
    import pyarrow.parquet as pq

    cols, _schema = parquet_columns(path)
    pf = pq.ParquetFile(path)
    headers = list(cols.mapping)

    def rows() -> Iterator[tuple[int, dict[str, object]]]:
        n = 0
        for batch in pf.iter_batches(batch_size=65536, columns=headers):
            data = batch.to_pydict()
            for i in range(batch.num_rows):
                n += 1
                yield n, {cols.mapping[h]: data[h][i] for h in headers}

    return RawRows(cols, rows(), pf.metadata.num_rows)


SMALL_SCAN_BYTES = 4 << 20  # text files up to this size are counted line by line
SMALL_XLSX_BYTES = 256 << 10  # a workbook this small holds a few hundred rows at most


def estimated_rows(path: str | Path, limit: int) -> int | None:
    """The input's row count when it is cheap to know and at most about `limit`, else None (large,
    stdin or unreadable: the caller treats it as large). Parquet: the footer's count; CSV and JSON
    Lines: lines of a small file; Excel: a small file counts as `limit`."""
    path = Path(path)
    if str(path) == "-":
        return None
    try:
        fmt = file_format(path)
        size = path.stat().st_size
    except (InputError, OSError):
        return None
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            n = int(pq.read_metadata(path).num_rows)
        except Exception:
            return None
        return n if n <= limit else None
    if fmt == "xlsx":
        return limit if size <= SMALL_XLSX_BYTES else None
    if size > SMALL_SCAN_BYTES:
        return None
    data = path.read_bytes()
    n = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1) - (1 if fmt == "csv" else 0)
    return n if n <= limit else None


# ---------------------------------------------------------------------------------------------
# Arrow types of the typed record (tidu.rules.fields SQL types)


@functools.cache
def arrow_types() -> dict[str, pa.DataType]:
    """Field type → Arrow type (a function: pyarrow is imported only when a file needs it)."""
    import pyarrow as pa

    return {
        "money": pa.int64(),
        "count": pa.int32(),
        "rank": pa.int32(),
        "int": pa.int32(),
        "fraction": pa.decimal128(18, 6),
        "decimal": pa.decimal128(18, 4),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "str": pa.string(),
        "enum": pa.string(),
    }


def arrow_schema(names: Sequence[str] | None = None) -> pa.Schema:
    import pyarrow as pa

    names = list(FIELDS) if names is None else names
    types = arrow_types()
    return pa.schema([pa.field(n, types[FIELDS[n].type]) for n in names])


def records_to_arrow(records: Sequence[dict[str, Any]], names: Sequence[str] | None = None) -> pa.Table:
    """Typed records (coerce_record output) → an Arrow table with the SQL column types."""
    import pyarrow as pa

    schema = arrow_schema(names)
    arrays = [pa.array([r[f.name] for r in records], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


# ---------------------------------------------------------------------------------------------
# Writing result tables


def output_format(path: str | None) -> str:
    return "csv" if path in (None, "-") else file_format(path)


def text_array(values: Sequence[str]) -> pa.Array:
    """An Arrow string array of `values`, built from its buffers.

    Why not `pa.array`: with pandas installed, pyarrow imports it on the first `pa.array` call (0.3–0.4 s,
    most of a small file's `tidu evaluate`); `from_buffers` does not."""
    import pyarrow as pa

    encoded = [v.encode() for v in values]
    offsets = array("i", accumulate((len(b) for b in encoded), initial=0))
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


class TableWriter:
    """Writes batches of rows (lists of strings or None) to CSV, Excel, Parquet or JSON Lines."""

    def __init__(self, path: str | None, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = list(columns)
        self.format = output_format(path)
        self._stream: Any = None
        self._writer: Any = None
        self._book: Any = None
        if self.format == "csv":
            if path in (None, "-"):
                self._stream = sys.stdout
            else:
                self._stream = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._stream, lineterminator="\n")
            self._writer.writerow(self.columns)
        elif self.format == "jsonl":
            self._stream = open(path, "w", encoding="utf-8")  # type: ignore[arg-type]  # noqa: SIM115
        elif self.format == "xlsx":
            import openpyxl

            self._book = openpyxl.Workbook(write_only=True)
            self._sheet = self._book.create_sheet("结果")
            self._sheet.append(self.columns)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = pa.schema([pa.field(c, pa.string()) for c in self.columns])
            self._writer = pq.ParquetWriter(path, schema)

    def write_rows(self, rows: Sequence[Sequence[str | None]]) -> None:
        """Rows of text; in CSV and Excel each cell that would run as a formula is neutralised (the
        Arrow fast path below carries computed columns only: codes, verdicts, scores)."""
        if self.format == "csv":
            self._writer.writerows([["" if v is None else spreadsheet_text(v) for v in r] for r in rows])
        elif self.format == "jsonl":
            for r in rows:
                obj = {c: ("" if v is None else v) for c, v in zip(self.columns, r, strict=True)}
                self._stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
        elif self.format == "xlsx":
            for r in rows:
                self._sheet.append(["" if v is None else spreadsheet_text(v) for v in r])
        else:
            import pyarrow as pa

            cols = list(zip(*rows, strict=True)) if rows else [() for _ in self.columns]
            arrays = [text_array(["" if v is None else v for v in col]) for col in cols]
            self._writer.write_table(pa.Table.from_arrays(arrays, names=self.columns))

    def write_arrow(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Fast path: an Arrow batch of string columns (NULL = blank)."""
        import pyarrow as pa

        if self.format == "parquet":
            table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            table = table.rename_columns(self.columns)
            import pyarrow.compute as pc

            table = pa.Table.from_arrays(
                [pc.fill_null(table.column(i).cast(pa.string()), "") for i in range(table.num_columns)],
                names=self.columns,
            )
            self._writer.write_table(table)
        elif self.format == "csv" and self._stream is not sys.stdout:
            import pyarrow.csv as pacsv

            self._stream.flush()
            table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            table = table.rename_columns(self.columns)
            sink = self._stream.buffer
            pacsv.write_csv(
                table,
                sink,
                write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"),
            )
        else:
            data = batch.to_pydict()
            names = list(data)
            n = batch.num_rows
            self.write_rows([[data[c][i] for c in names] for i in range(n)])

    def close(self) -> None:
        if self.format in ("csv", "jsonl"):
            if self._stream is sys.stdout:
                self._stream.flush()
            else:
                self._stream.close()
        elif self.format == "xlsx":
            self._book.save(self.path)
        else:
            self._writer.close()
