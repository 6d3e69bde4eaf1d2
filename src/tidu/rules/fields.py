"""The canonical input record: field registry, SQL column types, and row coercion + validation.

One firm-year = one record keyed by field name (shared/domain/fields.md). Files, the API and SQL use
the same names. `coerce_record` turns what users hand us (CSV strings, Excel cells, JSON values)
into the typed values the engine evaluates — int, Decimal, bool, date, str or None — and applies
every validation rule of fields.md §16. Empty always means *unknown* (None), never zero.

Pure Python, no Django: the CLI, the importer and the web forms share it.

>>> record, errors, warnings = coerce_record({"credit_code": "91110108123456788E", "year": "2025",
...                                           "revenue_y1": "87300000", "rd_y1": ""})
>>> record["year"], record["revenue_y1"], record["rd_y1"], errors
(2025, 87300000, None, [])
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tidu.rules.credit_code import credit_code_problem, credit_code_problem_en, normalize, org_code_ok
from tidu.rules.fieldinfo import SQL_TYPES as SQL_TYPES
from tidu.rules.fieldinfo import FieldSpec, field_infos
from tidu.rules.fieldinfo import FieldType as FieldType  # re-exported: the registry lives in fieldinfo
from tidu.rules.fieldinfo import Improve as Improve

MONEY_CAP = 10**13  # yuan; keeps every cross-multiplied product inside DECIMAL(38,0) (rules-spec-draft)
INT_CAP = 2**31 - 1  # SQL INTEGER
FRACTION_PLACES = 6  # DECIMAL(18,6)
DECIMAL_PLACES = 4  # DECIMAL(18,4)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def load_fields() -> dict[str, FieldSpec]:
    """The registry (data/fields.yaml, read once by `tidu.rules.fieldinfo`), ordered as in fields.md."""
    return field_infos()


FIELDS: dict[str, FieldSpec] = load_fields()
FIELD_NAMES: tuple[str, ...] = tuple(FIELDS)
# Chinese label → field name, so Excel sheets with Chinese headers are accepted. Labels that several
# fields share (营业收入 y1/y2/y3) are resolved by `header_to_field` with the year suffix.
LABELS: dict[str, str] = {}
for _s in FIELDS.values():
    LABELS.setdefault(_s.label, _s.name)
KEY_FIELDS = ("credit_code", "year")


def sql_type(name: str) -> str:
    """SQL column type of a field: money BIGINT, counts INTEGER, fractions DECIMAL(18,6) …"""
    return FIELDS[name].sql_type


def header_to_field(header: object) -> str | None:
    """The field a column header names: the field name itself (any case), or its Chinese label,
    optionally followed by a year suffix like `营业收入（总额）_y2` or `营业收入（总额）(y2)`."""
    text = str(header).strip().lstrip("\ufeff")
    if text in FIELDS:
        return text
    low = text.lower()
    if low in FIELDS:
        return low
    if text in LABELS and sum(1 for s in FIELDS.values() if s.label == text) == 1:
        return LABELS[text]
    m = re.match(r"^(.*?)\s*[_（(\[]?\s*(y[123])\s*[)）\]]?$", text, re.IGNORECASE)
    if m:
        label, suffix = m.group(1), m.group(2).lower()
        for s in FIELDS.values():
            if s.label == label and s.name.endswith("_" + suffix):
                return s.name
    return None


# ---------------------------------------------------------------------------------------------
# Issues


class Code(StrEnum):
    """Validation issue codes (errors reject the row, warnings do not)."""

    REQUIRED = "required"
    CREDIT_CODE_INVALID = "credit_code_invalid"
    REGION_CODE_INVALID = "region_code_invalid"
    INDUSTRY_CODE_INVALID = "industry_code_invalid"
    INDUSTRY_CODE_UNKNOWN = "industry_code_unknown"
    NOT_A_NUMBER = "not_a_number"
    NOT_AN_INTEGER = "not_an_integer"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    OUT_OF_RANGE = "out_of_range"
    TOO_PRECISE = "too_precise"
    NOT_A_BOOL = "not_a_bool"
    NOT_A_DATE = "not_a_date"
    NOT_IN_LIST = "not_in_list"
    SUBTOTAL_EXCEEDS_TOTAL = "subtotal_exceeds_total"
    IMPLICATION_BROKEN = "implication_broken"
    DATE_AFTER_AS_OF = "date_after_as_of"
    FORMULA_WITHOUT_VALUE = "formula_without_value"  # set by the file readers (tidu.cli.io), not coerce_record
    # warnings
    MAIN_REV_EXCEEDS_REVENUE = "main_rev_exceeds_revenue"
    STAFF_COUNTS_DIFFER = "staff_counts_differ"
    DIGITAL_ASSESSMENT_OLD = "digital_assessment_old"
    NICHE_BEFORE_FOUNDED = "niche_before_founded"
    ORG_CODE_CHECK = "org_code_check"
    UNKNOWN_COLUMNS = "unknown_columns"


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem with one field of one row: code for programs, Chinese message for people."""

    field: str
    code: Code
    message: str  # Chinese, for the user
    message_en: str
    value: str = ""  # the raw value as given
    severity: Severity = "error"

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": str(self.code),
            "severity": self.severity,
            "value": self.value,
            "message": self.message,
            "message_en": self.message_en,
        }


class FieldValueError(ValueError):
    """Raised by the per-field parsers; carries the issue code and both messages."""

    def __init__(self, code: Code, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def _label(name: str) -> str:
    spec = FIELDS.get(name)
    return f"{spec.label}（{name}）" if spec else name


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------------------------
# Parsing one cell


def is_empty(value: object) -> bool:
    """None, blank strings, NaN, pandas NA/NaT are all 'unknown'."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return True
    try:
        return bool(value != value)  # numpy NaN
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> object:
    """numpy scalars → Python scalars."""
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        return item()
    return value


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,，]\d{3})+(\.\d*)?$")


def _to_decimal(value: object) -> Decimal:
    value = _plain(value)
    if isinstance(value, bool):
        raise FieldValueError(Code.NOT_A_NUMBER, "应为数字，不是是/否", "must be a number, not true/false")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise FieldValueError(Code.NOT_A_NUMBER, "应为有限的数字", "must be a finite number")
        d = Decimal(repr(value))
    else:
        text = str(value).strip().replace(" ", "")
        if _THOUSANDS.match(text):
            text = text.replace(",", "").replace("，", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise FieldValueError(Code.NOT_A_NUMBER, "不是有效的数字", "is not a number") from None
    if not d.is_finite():
        raise FieldValueError(Code.NOT_A_NUMBER, "应为有限的数字", "must be a finite number")
    return d


def _places(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def _to_int(value: object) -> int:
    d = _to_decimal(value)
    if d != d.to_integral_value():
        raise FieldValueError(Code.NOT_AN_INTEGER, "应为整数", "must be a whole number")
    return int(d)


_TRUE = {"true", "t", "yes", "y", "1", "是", "有", "对", "√", "✓", "真"}
_FALSE = {"false", "f", "no", "n", "0", "否", "无", "没有", "不是", "×", "✗", "假"}


def _to_bool(value: object) -> bool:
    value = _plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldValueError(Code.NOT_A_BOOL, "应为“是”或“否”（true/false）", "must be true or false")


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def _to_date(value: object) -> dt.date:
    value = _plain(value)
    if isinstance(value, dt.datetime):  # pandas Timestamp and openpyxl cells are datetimes
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) > 10 and text[10] in "T ":  # ISO datetime: keep the date part
        text = text[:10]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldValueError(
        Code.NOT_A_DATE, "不是有效的日期，请写成 2025-03-18", "is not a date (write 2025-03-18)"
    )


def _to_enum(spec: FieldSpec, value: object) -> str:
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text not in spec.values and text.lower() in spec.values:
        text = text.lower()
    if text not in spec.values:
        allowed = "、".join(spec.values)
        raise FieldValueError(
            Code.NOT_IN_LIST, f"不在可选值中（可选：{allowed}）", f"is not one of: {', '.join(spec.values)}"
        )
    return text


def parse_value(spec: FieldSpec, value: object) -> object:
    """Convert one cell to the field's Python type and check the field's own range.

    Raises FieldValueError; returns None for an empty cell.
    """
    if is_empty(value):
        return None
    t = spec.type
    if t == "str":
        return str(_plain(value)).strip()
    if t == "enum":
        return _to_enum(spec, value)
    if t == "bool":
        return _to_bool(value)
    if t == "date":
        return _to_date(value)
    if t in ("money", "count", "rank", "int"):
        n = _to_int(value)
        if t == "money":
            if n < 0 and not spec.signed:
                raise FieldValueError(
                    Code.NEGATIVE,
                    "金额不能为负数（只有净利润可以为负）",
                    "money cannot be negative (only net profit may be)",
                )
            if abs(n) > MONEY_CAP:
                raise FieldValueError(
                    Code.TOO_LARGE,
                    "金额过大（超过10万亿元），请检查单位是否为元",
                    "amount too large (over 10^13 yuan); is the unit yuan?",
                )
            return n
        if t == "count" and n < 0:
            raise FieldValueError(Code.NEGATIVE, "人数、件数不能为负数", "counts cannot be negative")
        if t == "rank" and n < 1:
            raise FieldValueError(Code.OUT_OF_RANGE, "排名应为1或更大的整数（1=第一）", "ranks start at 1")
        if n > INT_CAP:
            raise FieldValueError(Code.TOO_LARGE, "数值过大", "number too large")
        _check_range(spec, Decimal(n))
        return n
    if t == "fraction":
        text = str(value).strip() if isinstance(value, str) else None
        d = _to_decimal(text[:-1]) / 100 if text and text.endswith(("%", "％")) else _to_decimal(value)
        if d < 0 or d > 1:
            raise FieldValueError(
                Code.OUT_OF_RANGE,
                "比例应在0～1之间（18% 请填 0.18）",
                "fractions lie in [0, 1] (write 18% as 0.18)",
            )
        if _places(d) > FRACTION_PLACES:
            raise FieldValueError(Code.TOO_PRECISE, "比例最多保留6位小数", "at most 6 decimal places")
        return d.normalize() if d else Decimal(0)
    if t == "decimal":
        d = _to_decimal(value)
        _check_range(spec, d)
        if _places(d) > DECIMAL_PLACES:
            raise FieldValueError(Code.TOO_PRECISE, "最多保留4位小数", "at most 4 decimal places")
        if abs(d) >= Decimal(10) ** 14:
            raise FieldValueError(Code.TOO_LARGE, "数值过大", "number too large")
        return d
    raise AssertionError(f"unknown field type {t}")  # pragma: no cover - fields.yaml is schema-checked


def _check_range(spec: FieldSpec, d: Decimal) -> None:
    if (spec.min is not None and d < spec.min) or (spec.max is not None and d > spec.max):
        lo = "" if spec.min is None else _show(spec.min)
        hi = "" if spec.max is None else _show(spec.max)
        raise FieldValueError(Code.OUT_OF_RANGE, f"应在 {lo}～{hi} 之间", f"must lie between {lo} and {hi}")


# ---------------------------------------------------------------------------------------------
# Whole-record rules (fields.md §16)

REGION_RE = re.compile(r"^\d{6}$")
INDUSTRY_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")
# GB/T 4754-2017 divisions per section (taxonomies.md §6): a code's division must lie in its section.
SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}  # fmt: skip

SUBTOTALS: tuple[tuple[str, str], ...] = (
    ("ip_c1_self_count", "ip_c1_count"),
    ("ip_c1_hv_count", "ip_c1_count"),
    ("tech_staff_y1", "staff_total_y1"),
    ("rd_staff_y1", "staff_total_y1"),
)
IMPLICATIONS: tuple[tuple[str, str], ...] = (("maker_china_top50_3y", "maker_china_top500_3y"),)
DATE_FIELDS = tuple(n for n, s in FIELDS.items() if s.type == "date" and n != "as_of")


def industry_code_problem(code: str) -> tuple[Code, str, str] | None:
    """Shape (`^[A-T](\\d{2}(\\d{1,2})?)?$`) and section/division agreement of a GB/T 4754 code."""
    if not INDUSTRY_RE.match(code):
        return (
            Code.INDUSTRY_CODE_INVALID,
            "格式不对：应为门类字母加2～4位数字，如 C3911",
            "must be a section letter and 2-4 digits, e.g. C3911",
        )
    if len(code) > 1:
        lo, hi = SECTION_DIVISIONS[code[0]]
        if not lo <= int(code[1:3]) <= hi:
            return (
                Code.INDUSTRY_CODE_UNKNOWN,
                f"大类{code[1:3]}不属于门类{code[0]}（{code[0]}门类为{lo:02d}～{hi:02d}）",
                f"division {code[1:3]} is not in section {code[0]} ({lo:02d}-{hi:02d})",
            )
    return None


def today_shanghai() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def effective_as_of(record: Mapping[str, Any], today: dt.date | None = None) -> dt.date | None:
    """`as_of`, or the day the evaluation runs capped at 31 Dec of `year` (fields.md §1)."""
    as_of = record.get("as_of")
    if isinstance(as_of, dt.date):
        return as_of
    year = record.get("year")
    day = today or today_shanghai()
    if isinstance(year, int):
        return min(day, dt.date(year, 12, 31))
    return day


@dataclass
class _Collector:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, name: str, code: Code, zh: str, en: str, value: object = None) -> None:
        self.errors.append(Issue(name, code, zh, en, _show(value), "error"))

    def warn(self, name: str, code: Code, zh: str, en: str, value: object = None) -> None:
        self.warnings.append(Issue(name, code, zh, en, _show(value), "warning"))


def coerce_record(
    raw: Mapping[str, object],
    *,
    today: dt.date | None = None,
    require_key: bool = True,
) -> tuple[dict[str, Any], list[Issue], list[Issue]]:
    """Typed record (every field present, None = unknown), errors, warnings.

    Unknown keys are ignored (the file readers warn once per file). With `require_key`, an empty
    `credit_code` or `year` is an error: results are reported per firm-year.
    """
    out = _Collector()
    record: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        value = raw.get(name)
        try:
            if name == "credit_code" and not is_empty(value):
                record[name] = normalize(value)
            else:
                record[name] = parse_value(spec, value)
        except FieldValueError as exc:
            record[name] = None
            out.error(
                name,
                exc.code,
                f"{_label(name)}“{_show(value)}”{exc.zh}",
                f"{name} {_show(value)!r} {exc.en}",
                value,
            )
    _check_record(record, raw, out, today=today, require_key=require_key)
    return record, out.errors, out.warnings


def _check_record(
    rec: dict[str, Any],
    raw: Mapping[str, object],
    out: _Collector,
    *,
    today: dt.date | None,
    require_key: bool,
) -> None:
    if require_key:
        for key in KEY_FIELDS:
            if rec[key] is None and not any(e.field == key for e in out.errors):
                out.error(key, Code.REQUIRED, f"{_label(key)}不能为空", f"{key} is required")

    code = rec["credit_code"]
    if code is not None:
        problem = credit_code_problem(code)
        if problem:
            out.error(
                "credit_code",
                Code.CREDIT_CODE_INVALID,
                f"统一社会信用代码“{raw.get('credit_code')}”无效：{problem}",
                f"credit_code {raw.get('credit_code')!r} is invalid: {credit_code_problem_en(code)}",
                raw.get("credit_code"),
            )
            rec["credit_code"] = None
        elif not org_code_ok(code):
            out.warn(
                "credit_code",
                Code.ORG_CODE_CHECK,
                f"统一社会信用代码“{code}”第9～17位的组织机构代码校验位不符（仅提示）",
                f"credit_code {code}: the embedded organisation-code check (positions 9-17) does not match",
                code,
            )

    region = rec["region_code"]
    if region is not None and not REGION_RE.match(region):
        out.error(
            "region_code",
            Code.REGION_CODE_INVALID,
            f"行政区划代码“{region}”应为6位数字（如 440305）",
            f"region_code {region!r} must be 6 digits",
            region,
        )
        rec["region_code"] = None

    industry = rec["industry_code"]
    if industry is not None:
        industry = industry.upper()
        rec["industry_code"] = industry
        bad = industry_code_problem(industry)
        if bad:
            out.error(
                "industry_code",
                bad[0],
                f"国民经济行业代码“{industry}”{bad[1]}",
                f"industry_code {industry!r} {bad[2]}",
                industry,
            )
            rec["industry_code"] = None

    for part, total in SUBTOTALS:
        p, t = rec[part], rec[total]
        if p is not None and t is not None and p > t:
            out.error(
                part,
                Code.SUBTOTAL_EXCEEDS_TOTAL,
                f"{_label(part)}（{p}）不能大于{_label(total)}（{t}）",
                f"{part} ({p}) exceeds {total} ({t})",
                p,
            )

    for premise, conclusion in IMPLICATIONS:
        if rec[premise] is True and rec[conclusion] is False:
            out.error(
                premise,
                Code.IMPLICATION_BROKEN,
                f"已填“{FIELDS[premise].label}”为是，则“{FIELDS[conclusion].label}”也应为是",
                f"{premise} is true, so {conclusion} must be true too",
                True,
            )

    as_of = effective_as_of(rec, today)
    if as_of is not None:
        for name in DATE_FIELDS:
            d = rec[name]
            if d is not None and d > as_of:
                out.error(
                    name,
                    Code.DATE_AFTER_AS_OF,
                    f"{_label(name)}“{d.isoformat()}”不能晚于评价基准日 {as_of.isoformat()}",
                    f"{name} {d.isoformat()} is after as_of {as_of.isoformat()}",
                    d.isoformat(),
                )

    # Warn-only rules
    for n in (1, 2, 3):
        main, rev = rec[f"main_rev_y{n}"], rec[f"revenue_y{n}"]
        if main is not None and rev is not None and main > rev:
            out.warn(
                f"main_rev_y{n}",
                Code.MAIN_REV_EXCEEDS_REVENUE,
                f"主营业务收入（{main}元）大于营业收入（{rev}元），请核对（仅提示）",
                f"main_rev_y{n} ({main}) exceeds revenue_y{n} ({rev})",
                main,
            )
    emp, staff = rec["employees_y1"], rec["staff_total_y1"]
    if emp is not None and staff is not None and (emp > 2 * staff or staff > 2 * emp):
        out.warn(
            "staff_total_y1",
            Code.STAFF_COUNTS_DIFFER,
            f"职工总数（{staff}）与从业人员数（{emp}）相差一倍以上，请核对（仅提示）",
            f"staff_total_y1 ({staff}) and employees_y1 ({emp}) differ by more than a factor of two",
            staff,
        )
    assessed, year = rec["digital_assessed_on"], rec["year"]
    if assessed is not None and year is not None and assessed.year < year - 1:
        out.warn(
            "digital_assessed_on",
            Code.DIGITAL_ASSESSMENT_OLD,
            f"数字化水平评测日期 {assessed.isoformat()} 早于 {year - 1} 年，结果可能已过时（仅提示）",
            f"digital_assessed_on {assessed.isoformat()} is before {year - 1}",
            assessed.isoformat(),
        )
    niche, founded = rec["niche_start_on"], rec["founded_on"]
    if niche is not None and founded is not None and niche < founded:
        out.warn(
            "niche_start_on",
            Code.NICHE_BEFORE_FOUNDED,
            f"从事细分市场起始日期 {niche.isoformat()} 早于成立日期 {founded.isoformat()}（如企业改制可忽略）",
            f"niche_start_on {niche.isoformat()} is before founded_on {founded.isoformat()}",
            niche.isoformat(),
        )


def empty_record() -> dict[str, Any]:
    """A record with every field unknown."""
    return dict.fromkeys(FIELDS)


def fields_used_by(tag: str) -> list[str]:
    """Fields whose `used_by` mentions `tag` (e.g. 'SP22')."""
    return [n for n, s in FIELDS.items() if tag in s.used_by]


def unknown_columns(columns: Iterable[str]) -> list[str]:
    """Headers that name no field (ignored with one warning by the readers)."""
    return [c for c in columns if header_to_field(c) is None]
