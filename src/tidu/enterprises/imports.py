"""Import of firms and firm-years from the official's Excel template (or CSV): all or nothing.

`enterprises_import` reads the file, checks every cell and every row with the shared rules
(credit code, region, industry code, money in 万元, the model's field validators and
`validation.year_problems`), and either writes every row in ONE transaction or writes nothing and
returns the complete list of problems (row, column header, value, reason in Chinese). Rows are
upserted on credit code + fiscal year, so a corrected file updates the same firm-years. Only firms
inside the official's jurisdiction may be imported. Uploads from the web and the API always run as
a background job (`enterprises_import_submit`), small or large: one path, one progress page.

Hostile files never crash it (docs/decisions/0081-imports-that-explain-exports-as-jobs.md): every
cell is measured before it is parsed (a text column against its field's length, any other column
against `MAX_CELL_CHARS`), names that a spreadsheet would run as formulas are refused, control
characters are refused in text, the sheet is read at most `MAX_ROWS` rows by `MAX_COLUMNS` columns,
and every problem names its row, column and reason ("第3行「企业名称」超过200个字符").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.credit_code import credit_code_problem, normalize_credit_code
from tidu.core.errors import ErrorCode, TiduError, error_message
from tidu.core.permissions import (
    can_import_enterprises,
    enterprises_visible_to,
    is_official,
    region_in_jurisdiction,
    require,
)
from tidu.core.text import neutralise_cell, validate_no_formula_prefix
from tidu.enterprises import provenance
from tidu.enterprises.industries import check_industry_code, normalize_industry_code
from tidu.enterprises.io_columns import (
    CellError,
    Column,
    cell_text,
    columns,
    is_blank,
    normalize_header,
    parse_cell,
)
from tidu.enterprises.models import Enterprise, EnterpriseSource, EnterpriseYear
from tidu.enterprises.signals import figures_imported
from tidu.enterprises.validation import year_problems
from tidu.regions.models import Region
from tidu.regions.selectors import registration_region_get
from tidu.xlsx import unsaved_formulas

DATA_SHEET = "企业年度数据"
HELP_SHEET = "填表说明"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
PROBLEMS_SHOWN = 200  # on the job page; the downloadable report has them all
PROGRESS_EVERY = 200  # rows between progress updates
BATCH = 500
FISCAL_YEAR_LOW = 2000
MAX_ROWS = 200_000  # data rows of one file (a province's register over three years fits)
MAX_COLUMNS = 300  # the template has fewer than 100; more is not a template
MAX_CELL_CHARS = 255  # any non-text cell (numbers, dates, codes, choices) is far shorter
# An .xlsx is a zip: what it may unpack to (200,000 rows × 100 columns of template data is ~600 MB of sheet XML
# at ~10:1; Excel's own files compress 5–20 times, a "zip bomb" thousands of times).
MAX_XLSX_SHEET_BYTES = 1024 << 20
MAX_XLSX_PART_BYTES = 256 << 20
MAX_XLSX_UNPACKED_BYTES = 1536 << 20
MAX_XLSX_RATIO = 200
XLSX_RATIO_FLOOR_BYTES = 16 << 20  # small members (styles, a short sheet) may compress as tightly as they like
MAX_XLSX_MEMBERS = 10_000
SHOWN_VALUE_CHARS = 60  # a value quoted back in a problem is cut to this
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what neither XML nor PostgreSQL text may hold
_TEXT_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")  # in a name: no line breaks or tabs either

logger = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]


def shown(text: Any, limit: int = SHOWN_VALUE_CHARS) -> str:
    """A cell quoted back to the user: control characters dropped, a long one cut with its length."""
    clean = _CONTROL_RE.sub("", "" if text is None else str(text))
    if len(clean) <= limit:
        return clean
    return f"{clean[:limit]}…（共{len(clean)}个字符）"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (spreadsheet row, column header), what, and why.

    The value and column are cut and cleaned on the way in: a hostile cell (200,000 characters, NUL
    bytes) must not make the problem list itself unstorable (PostgreSQL JSON) or unwritable (xlsx)."""

    row: int | None
    column: str
    value: str
    message: str
    code: str = str(ErrorCode.VALIDATION)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", shown(self.value))
        object.__setattr__(self, "column", shown(self.column, 80))

    @property
    def text(self) -> str:
        """The problem as one sentence: 第3行「企业名称」超过200个字符（…）."""
        where = (f"第{self.row}行" if self.row else "") + (f"「{self.column}」" if self.column else "")
        return f"{where}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message, "code": self.code,
                "text": self.text}


@dataclass
class ImportResult:
    ok: bool
    rows: int = 0
    enterprises_created: int = 0
    enterprises_updated: int = 0
    years_created: int = 0
    years_updated: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)  # firms whose record or figures were created or changed
    followups: list[str] = field(default_factory=list)  # what other apps did after it (signals.figures_imported)

    def summary(self) -> list[list[Any]]:
        """(label, value) pairs for the job page."""
        lines: list[list[Any]] = [["数据行数", self.rows]]
        if self.ok:
            lines += [
                ["新增企业", self.enterprises_created],
                ["更新企业", self.enterprises_updated],
                ["新增年度数据", self.years_created],
                ["更新年度数据", self.years_updated],
            ]
        else:
            lines += [["问题数", len(self.problems)], ["写入", "无（全部未写入）"]]
        if self.warnings:
            lines.append(["提示（不影响导入）", len(self.warnings)])
        lines += [["后续处理", text] for text in self.followups]
        return lines

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "enterprises_created": self.enterprises_created,
            "enterprises_updated": self.enterprises_updated,
            "years_created": self.years_created,
            "years_updated": self.years_updated,
            "problems": len(self.problems),
            "warnings": len(self.warnings),
        }


# ---------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class Table:
    headers: list[Any]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells), blank rows left out
    merged: list[tuple[str, int, int]] = field(default_factory=list)  # (range, first row, last row)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is Chinese."""


class UnsavedFormula:
    """A cell holding a formula whose result the file does not carry (a workbook written by a program and never
    opened and saved in Excel). openpyxl reads such a cell as None, which every importer took for a blank cell
    and reported as "必填"; `read_table` puts this marker there instead, and importers report
    `formula_problem` for it."""

    def __repr__(self) -> str:
        return "<formula without a saved value>"


UNSAVED_FORMULA = UnsavedFormula()
FORMULA_WITHOUT_VALUE = "formula_without_value"


def formula_problem(row: int, column: str) -> Problem:
    """第3行「企业名称」是公式，但文件中没有保存计算结果…"""
    return Problem(row, column, "", "是公式，但文件中没有保存它的计算结果（文件可能由程序生成、未在 Excel 中打开保存过）："
                   "请在 Excel 中打开并保存，或把公式改为数值后重新上传", FORMULA_WITHOUT_VALUE)


def without_blank_reports_for_formulas(problems: list[Problem]) -> list[Problem]:
    """Drop any other problem (such as 必填) reported for a cell already reported as a formula without a value."""
    formulas = {(p.row, p.column) for p in problems if p.code == FORMULA_WITHOUT_VALUE}
    if not formulas:
        return problems
    return [p for p in problems if p.code == FORMULA_WITHOUT_VALUE or (p.row, p.column) not in formulas]


_MERGE_RE = re.compile(r'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def read_table(content: bytes, filename: str) -> Table:
    """The data sheet of an .xlsx (the one named 企业年度数据, else the first) or a CSV file."""
    name = filename.lower()
    if not content:
        raise FileProblem("上传的文件是空的。")
    if name.endswith(".csv"):
        return _read_csv(content)
    if name.endswith(".xls") and not content.startswith(b"PK"):
        raise FileProblem("不支持旧版 .xls 文件，请在 Excel 中“另存为”.xlsx 格式后上传。")
    if name.endswith((".xlsx", ".xlsm")) or content.startswith(b"PK"):
        return _read_xlsx(content)
    raise FileProblem("只支持 Excel（.xlsx）或 CSV 文件，请使用平台提供的导入模板。")


def _refuse_zip_bomb(content: bytes) -> None:
    """Refuse a workbook that would unpack to far more than it weighs, from its directory alone, before any
    member is decompressed: openpyxl holds the shared strings and styles in memory, and an .xlsx is a zip
    whose members may declare gigabytes. Python's zipfile never unpacks past the declared size (a member
    that lies fails its checksum), so the declared sizes bound what is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise FileProblem("无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式。") from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise FileProblem(f"该 Excel 文件包含 {len(members):,} 个部件（上限 {MAX_XLSX_MEMBERS:,}），不是正常的工作簿，已拒绝。")
    advice = "请在 Excel 中打开、另存为 .xlsx，或拆分成几个文件后重新上传。"
    total = 0
    for member in members:
        total += member.file_size
        # worksheets are read as a stream; every other part (shared strings, styles) is held in memory
        limit = MAX_XLSX_SHEET_BYTES if member.filename.startswith("xl/worksheets/") else MAX_XLSX_PART_BYTES
        name, megabytes = shown(member.filename, 40), member.file_size >> 20
        if member.file_size > limit or total > MAX_XLSX_UNPACKED_BYTES:
            raise FileProblem(f"该 Excel 文件解压后过大：部件“{name}”解压后 {megabytes:,} MB（单个部件上限 {limit >> 20} MB，"
                              f"全部上限 {MAX_XLSX_UNPACKED_BYTES >> 20} MB），未读取。{advice}")
        if member.file_size > XLSX_RATIO_FLOOR_BYTES and member.file_size > MAX_XLSX_RATIO * max(member.compress_size, 1):
            raise FileProblem(f"该 Excel 文件的部件“{name}”压缩比超过 {MAX_XLSX_RATIO} 倍（解压后 {megabytes:,} MB），"
                              f"像是“压缩炸弹”，未读取。{advice}")


def _read_xlsx(content: bytes) -> Table:
    import openpyxl

    _refuse_zip_bomb(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileProblem("无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式。") from None
    try:
        if not workbook.worksheets:
            raise FileProblem("该 Excel 文件中没有工作表。")
        sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
        sheet_path = getattr(sheet, "_worksheet_path", "")
        unsaved = unsaved_formulas(io.BytesIO(content), sheet_path)
        # one column past the limit shows that there are too many; beyond it nothing is read
        rows: Iterable[tuple[int, Iterable[Any]]] = enumerate(
            sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1)
        if unsaved:
            rows = ((number, [UNSAVED_FORMULA if value is None and (number, position) in unsaved else value
                              for position, value in enumerate(cells)] if number > 1 else cells)
                    for number, cells in rows)
        table = _limited_table(rows)
        table.merged = _merged_ranges(content, sheet_path)
    except FileProblem:
        raise
    except Exception:  # a damaged sheet fails while it is read, not only when it is opened
        logger.warning("unreadable worksheet", exc_info=True)
        raise FileProblem("无法读取该 Excel 文件的工作表，文件可能已损坏。请在 Excel 中打开并另存为 .xlsx 后重新上传。") from None
    finally:
        workbook.close()
    return table


def _limited_table(numbered_rows: Iterable[tuple[int, Iterable[Any]]]) -> Table:
    """Header and non-blank data rows, refusing a file past `MAX_ROWS` rows or `MAX_COLUMNS` columns."""
    headers: list[Any] = []
    rows: list[tuple[int, list[Any]]] = []
    for number, values in numbered_rows:
        cells = list(values)
        if len(cells) > MAX_COLUMNS and any(not is_blank(v) for v in cells[MAX_COLUMNS:]):
            raise FileProblem(f"第{number}行超过 {MAX_COLUMNS} 列：导入模板只有 {len(columns())} 列，请删去多余的列。")
        cells = cells[:MAX_COLUMNS]
        if number == 1:
            headers = cells
        elif any(not is_blank(v) for v in cells):
            if len(rows) == MAX_ROWS:
                raise FileProblem(f"数据超过 {MAX_ROWS:,} 行（第{number}行起），请拆分成几个文件分批导入。")
            rows.append((number, cells))
    return Table(headers=headers, rows=rows)


def _merged_ranges(content: bytes, sheet_path: str) -> list[tuple[str, int, int]]:
    """Merged-cell ranges of the sheet (read-only openpyxl does not expose them; the XML does)."""
    if not sheet_path:
        return []
    found: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        try:
            handle = archive.open(sheet_path.lstrip("/"))
        except KeyError:
            return []
        with handle:  # streamed: a sheet that unpacks to gigabytes is never held in memory
            tail = ""
            while chunk := handle.read(1 << 20):
                text = tail + chunk.decode("utf-8", errors="replace")
                for match in _MERGE_RE.finditer(text):
                    col1, row1, col2, row2 = match.groups()
                    ref = f"{col1}{row1}:{col2}{row2}" if col2 else f"{col1}{row1}"
                    if ref not in seen:
                        seen.add(ref)
                        found.append((ref, int(row1), int(row2 or row1)))
                tail = text[-200:]  # a tag cut by the chunk boundary is found in the next round
    return found


def _read_csv(content: bytes) -> Table:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode 文本" (tab-separated UTF-16)
        raise FileProblem("该文件是 UTF-16 编码（Excel 的“Unicode 文本”格式），不是 CSV。请在 Excel 中另存为“CSV UTF-8”后上传。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("无法识别 CSV 文件的编码（既不是 UTF-8 也不是 GBK/GB18030），请在 Excel 中另存为“CSV UTF-8”后上传。")
    # The default limit (128 KB a field) would stop the reader with an error naming no cell; a long cell
    # is read and then refused by its row and column like any other.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_UPLOAD_BYTES))
    reader = csv.reader(io.StringIO(text))
    try:
        return _limited_table(enumerate(reader, start=1))
    except csv.Error as exc:
        raise FileProblem(f"CSV 文件第{reader.line_num}行格式有误（{exc}），请检查引号是否成对。") from None


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass
class _FirmDraft:
    row: int
    values: dict[str, Any]
    origin: dict[str, int]  # attribute -> row it came from (to explain conflicts)
    existing: Enterprise | None = None


@dataclass
class _YearDraft:
    row: int
    credit_code: str
    fiscal_year: int
    values: dict[str, Any]


@dataclass
class Plan:
    firms: dict[str, _FirmDraft]
    years: list[_YearDraft]
    firm_columns: list[Column]
    year_columns: list[Column]
    existing_years: dict[tuple[str, int], EnterpriseYear]


def _column_index(headers: list[Any]) -> tuple[dict[int, Column], list[Problem], list[Problem]]:
    """Map header cells to columns; report duplicate, unknown and missing columns."""
    lookup: dict[str, Column] = {}
    for column in columns():
        for spelling in column.accepted_headers:
            lookup.setdefault(spelling, column)
    index: dict[int, Column] = {}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for position, raw in enumerate(headers):
        key = normalize_header(raw)
        if not key:
            continue
        found = lookup.get(key)
        if found is None:
            warnings.append(Problem(1, cell_text(raw), "", "无法识别的列，已忽略（请使用导入模板中的列名）"))
            continue
        column = found
        if column.key in seen:
            problems.append(
                Problem(1, column.header, cell_text(raw), f"列重复：与第 {_col_letter(seen[column.key])} 列相同", "column_duplicate")
            )
            continue
        seen[column.key] = position
        index[position] = column
    for column in columns():
        if column.required and column.key not in seen:
            problems.append(Problem(1, column.header, "", f"缺少必需的列“{column.header}”", "column_missing"))
    return index, problems, warnings


def _col_letter(position: int) -> str:
    letters = ""
    number = position + 1
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _structure_problems(table: Table) -> list[Problem]:
    problems: list[Problem] = []
    if not any(not is_blank(h) for h in table.headers):
        problems.append(Problem(None, "", "", "工作表为空：第1行应为列名（请使用导入模板）", "sheet_empty"))
        return problems
    for ref, first, _last in table.merged:
        if first == 1:
            problems.append(
                Problem(1, ref, "", f"表头有合并单元格（{ref}）：每一列须有自己的列名，请取消合并", "header_merged")
            )
        else:
            problems.append(
                Problem(first, ref, "", f"合并单元格（{ref}）：请取消合并，并在每一行分别填写", "cell_merged")
            )
    if not table.rows:
        problems.append(Problem(None, "", "", "没有数据行：第2行起应逐行填写企业年度数据", "sheet_empty"))
    # a header cell left empty above filled data usually means merged or missing column names
    headerless = {
        i for _, cells in table.rows for i, v in enumerate(cells) if not is_blank(v) and (
            i >= len(table.headers) or is_blank(table.headers[i]))
    }
    merged_header_cols = {c for ref, first, _ in table.merged if first == 1 for c in _cols_of(ref)}
    for i in sorted(headerless - merged_header_cols):
        problems.append(Problem(1, f"第 {_col_letter(i)} 列", "", "该列有数据但没有列名", "header_missing"))
    return problems


def _cols_of(ref: str) -> range:
    match = re.match(r"([A-Z]+)\d+(?::([A-Z]+)\d+)?", ref)
    if not match:
        return range(0)

    def number(letters: str) -> int:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return n - 1

    first = number(match.group(1))
    last = number(match.group(2) or match.group(1))
    return range(first, last + 1)


def check_table(
    *, user: Any, table: Table, progress: ProgressFn | None = None
) -> tuple[Plan | None, list[Problem], list[Problem]]:
    """Check the whole table against the shared rules; returns the write plan or the problems.

    Database reads are done once per file (existing firms and years, each distinct region), never
    per row.
    """
    problems = _structure_problems(table)
    if any(p.code == "sheet_empty" for p in problems):
        return None, problems, []
    index, header_problems, warnings = _column_index(table.headers)
    problems += header_problems
    present = set(index.values())
    firm_columns = [c for c in columns() if c.target == "enterprise" and c in present]
    year_columns = [c for c in columns() if c.target == "year" and c in present and c.key != "fiscal_year"]
    by_key = {c.key: c for c in present}
    total = len(table.rows)
    today = timezone.localdate()

    # 1. cells → values, row by row (pure: no database)
    parsed: list[tuple[int, dict[str, Any]]] = []
    for done, (row, cells) in enumerate(table.rows):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total, f"正在检查第 {row} 行")
        values: dict[str, Any] = {}
        for position, column in index.items():
            raw = cells[position] if position < len(cells) else None
            if raw is UNSAVED_FORMULA:
                problems.append(formula_problem(row, column.header))
                continue
            refused = _cell_refused(column, raw)
            if refused is not None:
                problems.append(Problem(row, column.header, str(raw), *refused))
                continue
            try:
                values[column.key] = parse_cell(column, raw)
            except CellError as exc:
                problems.append(Problem(row, column.header, cell_text(raw), exc.message, exc.code))
        parsed.append((row, values))

    # 2. the key, the firm, the region (each distinct code looked up once)
    codes = {v["credit_code"] for _, v in parsed if v.get("credit_code")}
    codes_norm = {normalize_credit_code(c) for c in codes}
    visible = enterprises_visible_to(user)
    existing_firms: dict[str, Enterprise] = {}
    existing_anywhere: dict[str, str] = {}
    for chunk in _chunks(sorted(codes_norm), BATCH):
        existing_anywhere.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", "region_id"))
        for firm in visible.filter(credit_code__in=chunk):
            existing_firms[firm.credit_code] = firm
    region_cache: dict[str, Region | Problem] = {}
    firms: dict[str, _FirmDraft] = {}
    years: list[_YearDraft] = []
    first_row_of: dict[tuple[str, int], int] = {}
    for row, values in parsed:
        code = _check_credit_code(row, values, by_key, problems)
        fiscal_year = _check_fiscal_year(row, values, by_key, problems, today)
        region = _check_region(user, row, values, by_key, problems, region_cache)
        _check_industry(row, values, by_key, problems)
        _check_firm_fields(row, values, by_key, problems)
        if code is None:
            continue
        if code in existing_anywhere and code not in existing_firms:
            problems.append(Problem(
                row, by_key["credit_code"].header, code,
                "该企业已在您辖区以外登记，不能通过本次导入修改", str(ErrorCode.PERMISSION_DENIED),
            ))
            continue
        firm_values = {c.key: values[c.key] for c in firm_columns if c.key in values and c.key != "region"}
        if region is not None:
            firm_values["region"] = region
        firm_values["credit_code"] = code
        _merge_firm(firms, code, row, firm_values, existing_firms.get(code), by_key, problems)
        if fiscal_year is None:
            if values.get("fiscal_year") is None and "fiscal_year" in values and any(
                values.get(c.key) not in (None, "") for c in year_columns
            ):
                problems.append(Problem(
                    row, by_key["fiscal_year"].header, "", "填写了年度数据，但没有填写会计年度（如 2024）",
                    str(ErrorCode.FISCAL_YEAR_INVALID),
                ))
            continue
        pair = (code, fiscal_year)
        if pair in first_row_of:
            problems.append(Problem(
                row, by_key["fiscal_year"].header, str(fiscal_year),
                f"与第 {first_row_of[pair]} 行重复：同一企业（{code}）同一会计年度只能有一行", "duplicate_row",
            ))
            continue
        first_row_of[pair] = row
        years.append(_YearDraft(row, code, fiscal_year, {c.key: values[c.key] for c in year_columns if c.key in values}))

    # 3. yearly rows: the model's field validators and the cross-field rules, on the row as it will
    #    be stored (the file's columns over the stored row's other fields)
    existing_years = _existing_years(existing_firms, {(y.credit_code, y.fiscal_year) for y in years})
    year_keys = [c.key for c in columns() if c.target == "year" and c.key != "fiscal_year"]
    for year in years:
        stored = existing_years.get((year.credit_code, year.fiscal_year))
        final = {k: getattr(stored, k) for k in year_keys} if stored else {}
        final.update(year.values)
        reported: set[str] = set()
        for p in year_problems(final):  # the shared row rules first: their messages name both fields
            column = _column_of(p.field)
            if not p.warning:
                reported.add(p.field)
            (warnings if p.warning else problems).append(
                Problem(year.row, column.header, cell_text(final.get(p.field)), p.message, str(p.code))
            )
        for attr, messages in _field_errors(EnterpriseYear(fiscal_year=year.fiscal_year, **final)).items():
            if attr not in reported:
                column = _column_of(attr)
                problems.append(Problem(year.row, column.header, cell_text(final.get(attr)), "；".join(messages)))
    for draft in firms.values():
        for attr, messages in _field_errors(_firm_instance(draft)).items():
            column = _column_of(attr)
            problems.append(Problem(draft.row, column.header, cell_text(draft.values.get(attr)), "；".join(messages)))
    if progress:
        progress(total, total, "检查完成")
    problems = without_blank_reports_for_formulas(problems)
    problems.sort(key=lambda p: (p.row or 0,))
    if problems:
        return None, problems, warnings
    return Plan(firms, years, firm_columns, year_columns, existing_years), [], warnings


@cache
def _text_limit(column: Column) -> int:
    """The most characters a cell of `column` may hold: its text field's length, else `MAX_CELL_CHARS`."""
    if column.type != "str":
        return MAX_CELL_CHARS
    model = Enterprise if column.target == "enterprise" else EnterpriseYear
    try:
        max_length = getattr(model._meta.get_field(column.key), "max_length", None)
    except Exception:  # keys that are not model fields
        return MAX_CELL_CHARS
    return int(max_length or MAX_CELL_CHARS)


def _cell_refused(column: Column, raw: Any) -> tuple[str, str] | None:
    """(reason, code) for a cell refused before it is parsed: too long, control characters in text, or
    text a spreadsheet would run as a formula (=, +, -, @ first). None for a cell to parse."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    limit = _text_limit(column)
    if len(text) > limit:
        return f"超过{limit}个字符（该单元格有{len(text)}个字符）", "cell_too_long"
    if column.type != "str":
        return None
    if _TEXT_CONTROL_RE.search(text):
        return "含有换行、制表符等不可见的控制字符，请删去后重新填写", "control_characters"
    if text != "-":  # a lone dash is how many people write "none"; it cannot run as a formula
        try:
            validate_no_formula_prefix(text)
        except ValidationError as exc:
            return exc.messages[0], "formula_prefix"
    return None


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _column_of(attr: str) -> Column:
    return _columns_by_key().get(attr) or Column(attr, "year", attr, attr, "str", False, "")


@cache
def _columns_by_key() -> dict[str, Column]:
    return {c.key: c for c in columns()}


def _check_credit_code(row: int, values: dict[str, Any], by_key: dict[str, Column], problems: list[Problem]) -> str | None:
    raw = values.get("credit_code")
    column = by_key.get("credit_code")
    if column is None or "credit_code" not in values:  # no column, or its cell already refused
        return None
    if not raw:
        problems.append(Problem(row, column.header, "", "必填：请填写统一社会信用代码", str(ErrorCode.CREDIT_CODE_INVALID)))
        return None
    reason = credit_code_problem(raw)
    if reason:
        problems.append(Problem(
            row, column.header, raw,
            error_message(ErrorCode.CREDIT_CODE_INVALID, value=raw, reason=reason), str(ErrorCode.CREDIT_CODE_INVALID),
        ))
        return None
    return normalize_credit_code(raw)


def _check_fiscal_year(
    row: int, values: dict[str, Any], by_key: dict[str, Column], problems: list[Problem], today: dt.date
) -> int | None:
    column = by_key.get("fiscal_year")
    if column is None or "fiscal_year" not in values:
        return None
    value = values["fiscal_year"]
    if value is None:  # a firm-only row (an export lists firms without yearly data this way)
        return None
    if not FISCAL_YEAR_LOW <= value <= today.year:
        problems.append(Problem(
            row, column.header, str(value),
            error_message(ErrorCode.FISCAL_YEAR_INVALID, value=value, low=FISCAL_YEAR_LOW, high=today.year),
            str(ErrorCode.FISCAL_YEAR_INVALID),
        ))
        return None
    return int(value)


def _check_region(
    user: Any,
    row: int,
    values: dict[str, Any],
    by_key: dict[str, Column],
    problems: list[Problem],
    cache: dict[str, Region | Problem],
) -> Region | None:
    column = by_key.get("region")
    if column is None or "region" not in values:
        return None
    raw = str(values.get("region") or "").strip()
    if not raw:
        problems.append(Problem(row, column.header, "", "必填：请填写6位县级行政区划代码", str(ErrorCode.REGION_UNKNOWN)))
        return None
    if raw not in cache:
        try:
            region = registration_region_get(raw)
        except TiduError as exc:
            cache[raw] = Problem(0, column.header, raw, exc.message, str(exc.code))
        else:
            if region_in_jurisdiction(user, region.code):
                cache[raw] = region
            else:
                cache[raw] = Problem(
                    0, column.header, raw, f"{region}不在您的辖区内，不能导入该地区的企业", str(ErrorCode.PERMISSION_DENIED)
                )
    found = cache[raw]
    if isinstance(found, Problem):
        problems.append(Problem(row, found.column, found.value, found.message, found.code))
        return None
    return found


def _check_industry(row: int, values: dict[str, Any], by_key: dict[str, Column], problems: list[Problem]) -> None:
    if "industry_code" not in by_key:
        return
    raw = values.get("industry_code")
    if not raw:
        if "industry_code" in values:
            problems.append(Problem(row, by_key["industry_code"].header, "", "必填：请填写国民经济行业代码，如 C3911"))
        return
    check = check_industry_code(raw)
    if not check.ok:
        problems.append(Problem(
            row, by_key["industry_code"].header, raw,
            error_message(ErrorCode.INDUSTRY_CODE_UNKNOWN, value=raw, reason=check.reason), str(ErrorCode.INDUSTRY_CODE_UNKNOWN),
        ))
        values.pop("industry_code")
    else:
        values["industry_code"] = normalize_industry_code(raw)


def _check_firm_fields(row: int, values: dict[str, Any], by_key: dict[str, Column], problems: list[Problem]) -> None:
    if "name" in values and not values["name"]:  # absent: no column, or its cell already refused
        problems.append(Problem(row, by_key["name"].header, "", "必填：请填写企业名称"))
    today = timezone.localdate()
    for attr in ("founded_on", "niche_start_on"):
        value = values.get(attr)
        if isinstance(value, dt.date) and value > today:
            problems.append(Problem(
                row, by_key[attr].header, value.isoformat(),
                error_message(ErrorCode.DATE_IN_FUTURE, label=by_key[attr].label), str(ErrorCode.DATE_IN_FUTURE),
            ))


def _merge_firm(
    firms: dict[str, _FirmDraft],
    code: str,
    row: int,
    values: dict[str, Any],
    existing: Enterprise | None,
    by_key: dict[str, Column],
    problems: list[Problem],
) -> None:
    """Rows of the same firm must agree on its firm-level cells (blank cells defer to filled ones)."""
    draft = firms.get(code)
    if draft is None:
        firms[code] = _FirmDraft(row, dict(values), {k: row for k in values}, existing)
        return
    for attr, value in values.items():
        if value in (None, ""):
            continue
        before = draft.values.get(attr)
        if before in (None, ""):
            draft.values[attr] = value
            draft.origin[attr] = row
        elif before != value:
            column = by_key.get(attr) or _column_of(attr)
            problems.append(Problem(
                row, column.header, cell_text(value if attr != "region" else value.code),
                f"与第 {draft.origin[attr]} 行同一企业的“{column.label}”不一致", "firm_conflict",
            ))


def _existing_years(firms: dict[str, Enterprise], pairs: set[tuple[str, int]]) -> dict[tuple[str, int], EnterpriseYear]:
    ids = {f.pk: code for code, f in firms.items()}
    found: dict[tuple[str, int], EnterpriseYear] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), BATCH):
        for year in EnterpriseYear.objects.filter(enterprise_id__in=id_list[start : start + BATCH]):
            key = (ids[year.enterprise_id], year.fiscal_year)
            if key in pairs:
                found[key] = year
    return found


def _field_errors(instance: Any) -> dict[str, list[str]]:
    """The model's own field validators (ranges, lengths, choices), without database queries."""
    # checked above with their own messages (and the region/enterprise links need queries)
    exclude = ["enterprise", "region", "credit_code", "name", "industry_code", "fiscal_year"]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {}


def _firm_instance(firm: _FirmDraft) -> Enterprise:
    base = firm.existing
    values = {k: v for k, v in firm.values.items() if k != "region"}
    if base is None:
        instance = Enterprise(**values)
    else:
        instance = Enterprise(**{f.attname: getattr(base, f.attname) for f in Enterprise._meta.concrete_fields})
        for k, v in values.items():
            setattr(instance, k, v)
    return instance


# ---------------------------------------------------------------------------------------------
# Writing


def _marks_after(
    stored: dict[str, Any] | None, values: dict[str, Any], differing: set[str], source: str, user: Any,
    now: dt.datetime,
) -> dict[str, Any]:
    """Provenance after an import: with a declared source every imported figure that has a value is
    marked as from that source; without one, changed figures go back to self-declared."""
    if not source:
        return provenance.without(stored, differing)
    marks = provenance.without(stored, [k for k, v in values.items() if not provenance.has_value(v)])
    for k, v in values.items():
        if provenance.has_value(v):
            marks[k] = provenance.source_mark(source=source, actor=user, value=v, at=now)
    return marks


def _apply(*, user: Any, plan: Plan, result: ImportResult, audit_data: dict[str, Any], source: str = "") -> None:
    """Upsert every firm and firm-year of the plan, in the caller's transaction."""
    now = timezone.now()
    new_firms: list[Enterprise] = []
    changed_firms: list[tuple[Enterprise, set[str]]] = []
    for _code, draft in plan.firms.items():
        values = {k: ("" if v is None and k in {"name", "industry_code"} else v) for k, v in draft.values.items()}
        if draft.existing is None:
            new_firms.append(Enterprise(**values, source=EnterpriseSource.IMPORTED, created_at=now, updated_at=now))
        else:
            firm = draft.existing
            differing = {k for k, v in values.items() if k != "credit_code" and getattr(firm, k) != v}
            if differing:
                for k in differing:
                    setattr(firm, k, values[k])
                changed_firms.append((firm, differing))
    Enterprise.objects.bulk_create(new_firms, batch_size=BATCH)
    for firm, differing in changed_firms:  # one UPDATE per changed firm (see the years below)
        Enterprise.objects.filter(pk=firm.pk).update(updated_at=now, **{k: getattr(firm, k) for k in differing})
    result.enterprises_created = len(new_firms)
    result.enterprises_updated = len(changed_firms)

    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(plan.firms), BATCH):
        ids.update(Enterprise.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk"))
    new_years: list[EnterpriseYear] = []
    changed_years: list[tuple[EnterpriseYear, set[str]]] = []
    for draft_year in plan.years:
        stored = plan.existing_years.get((draft_year.credit_code, draft_year.fiscal_year))
        values = {k: ("" if v is None and _column_of(k).type in {"str", "enum"} else v) for k, v in draft_year.values.items()}
        if stored is None:
            new_years.append(EnterpriseYear(
                enterprise_id=ids[draft_year.credit_code], fiscal_year=draft_year.fiscal_year,
                created_at=now, updated_at=now, figure_marks=_marks_after(None, values, set(values), source, user, now),
                **values,
            ))
            continue
        differing = {k for k, v in values.items() if getattr(stored, k) != v}
        marks = _marks_after(stored.figure_marks, values, differing, source, user, now)
        if marks != (stored.figure_marks or {}):
            stored.figure_marks = marks
            differing.add("figure_marks")
        if differing:
            for k in differing - {"figure_marks"}:
                setattr(stored, k, values[k])
            changed_years.append((stored, differing))
    EnterpriseYear.objects.bulk_create(new_years, batch_size=BATCH)
    for stored, differing in changed_years:
        # One UPDATE per changed row with just its changed columns: measured faster than
        # bulk_update, whose CASE WHEN statements grow with rows × columns (benchmarks/import.py).
        EnterpriseYear.objects.filter(pk=stored.pk).update(
            updated_at=now, **{k: getattr(stored, k) for k in differing}
        )
    result.years_created = len(new_years)
    result.years_updated = len(changed_years)
    result.changed_ids = sorted(
        {ids[f.credit_code] for f in new_firms} | {f.pk for f, _d in changed_firms}
        | {y.enterprise_id for y in new_years} | {y.enterprise_id for y, _d in changed_years})
    audit_record(actor=user, action="enterprise.import", data={**audit_data, **result.counts()})


def import_source_check(user: Any, source: str) -> str:
    """A declared official data source ('' = none): a known one, declared by an official only."""
    if not source:
        return ""
    if source not in provenance.DataSource.values:
        raise TiduError(ErrorCode.VALIDATION, field="source", detail=f"未知的数据来源“{source}”")
    require(is_official(user))
    return source


def enterprises_import(
    *, user: Any, content: bytes, filename: str, progress: ProgressFn | None = None, job_id: str = "",
    source: str = "",
) -> ImportResult:
    """Check the whole file; write all of it in one transaction, or nothing with every problem listed.

    `source` declares the file an official data set (provenance.DataSource, e.g. "tax"): its figures
    are then marked as from that source. One audit event records the outcome with its counts.
    """
    require(can_import_enterprises(user))
    source = import_source_check(user, source)
    audit_data = {"file": filename, "job": job_id, **({"source": source} if source else {})}
    try:
        table = read_table(content, filename)
    except FileProblem as exc:
        result = ImportResult(ok=False, problems=[Problem(None, "", filename, str(exc), "file_unreadable")])
        audit_record(actor=user, action="enterprise.import_rejected", data={**audit_data, **result.counts()})
        return result
    plan, problems, warnings = check_table(user=user, table=table, progress=progress)
    result = ImportResult(ok=plan is not None, rows=len(table.rows), problems=problems, warnings=warnings)
    if plan is None:
        audit_record(actor=user, action="enterprise.import_rejected", data={**audit_data, **result.counts()})
        return result
    if progress:
        progress(len(table.rows), len(table.rows), "正在写入数据库")
    try:
        with transaction.atomic():
            _apply(user=user, plan=plan, result=result, audit_data=audit_data, source=source)
    except DatabaseError:
        # Every value was checked above, so this is a fault of ours (or the database's), not the file's:
        # logged in full for the administrators; the official learns that nothing was written.
        logger.exception("import of %s by %s failed while writing", filename, getattr(user, "pk", None))
        result = ImportResult(ok=False, rows=len(table.rows), warnings=warnings, problems=[Problem(
            None, "", "", "写入数据库时出错，本次导入未写入任何数据。请稍后重试；如仍出错，请联系平台管理员并提供任务编号。",
            "database_error")])
        audit_record(actor=user, action="enterprise.import_rejected", data={**audit_data, **result.counts()})
        return result
    if result.changed_ids:
        _tell_others(user=user, result=result, job_id=job_id)
    return result


def _tell_others(*, user: Any, result: ImportResult, job_id: str) -> None:
    """After the commit: other apps learn which firms changed (the dashboard queues their refresh)."""
    for receiver, answer in figures_imported.send_robust(
            sender=enterprises_import, actor=user, enterprise_ids=result.changed_ids, job_id=job_id):
        if isinstance(answer, Exception):
            logger.error("after the import %s, %s failed", job_id, receiver, exc_info=answer)
            result.followups.append("部分后续处理未能提交（已记录），数据已导入；如看板未更新，请手动刷新。")
        elif answer:
            result.followups.append(str(answer))


# ---------------------------------------------------------------------------------------------
# Background job


def enterprises_import_submit(*, user: Any, upload: UploadedFile, source: str = "") -> Any:
    """Queue an uploaded file for import (every size takes this path); returns the job.

    `source`: the official data set the file comes from ('' = figures as the firms declared them)."""
    from tidu.jobs.services import job_submit

    require(can_import_enterprises(user))
    source = import_source_check(user, source)
    name = upload.name or "import.xlsx"
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise TiduError(ErrorCode.VALIDATION, detail=f"文件过大（上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB），请分批导入。")
    if not name.lower().endswith((".xlsx", ".xlsm", ".csv")):
        raise TiduError(ErrorCode.VALIDATION, detail="只支持 Excel（.xlsx）或 CSV 文件，请使用平台提供的导入模板。")
    return job_submit(owner=user, kind="enterprise_import", upload=upload, input_name=name,
                      params={"source": source} if source else None)


def import_job_handler(job: Any) -> Any:
    """Runs in the worker: import the job's file, store the summary, the problems and a report."""
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    def progress(done: int, total: int, stage: str) -> None:
        job_progress(job_id=job.pk, done=done, total=total, stage=stage)

    with job.input_file.open("rb") as handle:
        content = handle.read()
    result = enterprises_import(
        user=job.owner, content=content, filename=job.input_name or job.input_file.name, progress=progress,
        job_id=str(job.pk), source=str((job.params or {}).get("source") or ""),
    )
    listed = result.problems or result.warnings
    payload = {
        "summary": result.summary(),
        "counts": result.counts(),
        "problems": [p.as_dict() for p in listed[:PROBLEMS_SHOWN]],
        "problems_total": len(listed),
        "problems_are_warnings": not result.problems,
    }
    report = None
    if result.problems or result.warnings:
        report = problems_workbook(result.problems, result.warnings)
    if result.ok:
        stage = (f"导入完成：新增企业 {result.enterprises_created} 家、更新 {result.enterprises_updated} 家；"
                 f"新增年度数据 {result.years_created} 条、更新 {result.years_updated} 条")
    else:
        stage = f"发现 {len(result.problems)} 个问题（如：{result.problems[0].text}），请按问题清单修改后重新上传"
    return JobOutcome(
        status=JobStatus.SUCCEEDED if result.ok else JobStatus.REJECTED,
        result=payload,
        stage=stage,
        report_name=("导入问题清单.xlsx" if result.problems else "导入提示.xlsx") if report else "",
        report_content=report,
    )


def problems_workbook(problems: list[Problem], warnings: list[Problem]) -> bytes:
    """The complete problem list as .xlsx: 行号, 列, 填写的值, 问题说明, 代码 (and warnings apart)."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook(write_only=True)
    for title, items in (("问题清单", problems), ("提示", warnings)):
        if not items and title == "提示":
            continue
        sheet = workbook.create_sheet(title)
        sheet.column_dimensions["B"].width = 28
        sheet.column_dimensions["C"].width = 24
        sheet.column_dimensions["D"].width = 70
        header = []
        for text in ("行号", "列", "填写的值", "问题说明", "代码"):
            cell = openpyxl.cell.WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for p in items:
            sheet.append([neutralise_cell(v) for v in (p.row, p.column, p.value, p.message, p.code)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
