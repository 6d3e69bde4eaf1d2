"""The columns of the import template and the exports: one list, so an export re-imports as is.

Each column knows its Chinese header (label and unit, money in 万元), the model attribute it fills,
and how to turn a spreadsheet cell into that attribute's value. Cell parsing reuses the shared
rules: money through `tidu.enterprises.money.wan_to_yuan`, everything else through the field
registry's coercion (`tidu.rules.fields`), with Chinese messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from django.db import models

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.vocabulary import used_by_text
from tidu.enterprises.models import REGISTRY_NAME, YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.money import wan_to_yuan, yuan_to_wan
from tidu.enterprises.registry import FieldSpec, spec

Target = Literal["enterprise", "year"]

UNIT_WORDS = {"persons": "人", "items": "项", "year": "年", "level": "级"}


@dataclass(frozen=True)
class Column:
    key: str  # model attribute (region for the region code; fiscal_year)
    target: Target
    header: str  # the Chinese header of the template, e.g. 营业收入（总额）（万元）
    label: str
    type: str  # registry type: str int date bool money count rank fraction decimal enum
    required: bool
    help: str  # Chinese explanation for the 填表说明 sheet
    registry_name: str = ""  # name in fields.md (revenue_y1 for EnterpriseYear.revenue)
    choices: tuple[tuple[str, str], ...] = ()
    signed: bool = False

    @property
    def accepted_headers(self) -> set[str]:
        """Spellings accepted in an uploaded header row: the header, the bare label, the field names."""
        names = {self.header, self.label, self.key, self.registry_name}
        if self.key == "region":
            names.add("region_code")
        return {normalize_header(n) for n in names if n}


def normalize_header(text: Any) -> str:
    """Compare headers ignoring spaces, case, full/half-width brackets and a required-mark asterisk."""
    value = "" if text is None else str(text)
    value = value.replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", value).lower()


def _unit_suffix(s: FieldSpec) -> str:
    if s.type == "money":
        return "（万元）"
    if s.type == "fraction":
        return "（0～1小数）"
    if s.type == "bool":
        return "（是/否）"
    if s.type == "date":
        return "（日期）"
    if s.type == "rank":
        return "（名次）"
    word = UNIT_WORDS.get(s.unit)
    return f"（{word}）" if word else ""


def used_by_zh(used_by: str) -> str:
    """The registry's "used by" abbreviations as Chinese standard names (unknown text dropped)."""
    return used_by_text(used_by)


def _help(s: FieldSpec, choices: tuple[tuple[str, str], ...]) -> str:
    """A Chinese explanation of one column: what it is, how to fill it, which criteria read it."""
    from tidu.enterprises.registry import TYPE_WORDS

    parts = [s.label]
    if s.help_zh:
        parts.append(s.help_zh)
    if s.type in TYPE_WORDS:
        parts.append(TYPE_WORDS[s.type])
    if s.type == "date":
        parts.append("日期，如 2019-06-30")
    if s.name == "net_profit_y1":
        parts.append("可以为负数（亏损）")
    if s.reviewer:
        parts.append("由评审人员判断，可先自行申报")
    if choices:
        parts.append("可选：" + "；".join(f"{code}={name}" for code, name in choices) + "（填代码或名称均可）")
    if s.min is not None or s.max is not None:
        parts.append(f"范围 {s.min if s.min is not None else ''}～{s.max if s.max is not None else ''}")
    used = used_by_zh(s.used_by)
    if used:
        parts.append(f"用于：{used}")
    parts.append("留空表示未知")
    return "；".join(parts)


def _model_choices(model: type[models.Model], attr: str) -> tuple[tuple[str, str], ...]:
    field = model._meta.get_field(attr)
    return tuple((str(c), str(n)) for c, n in (getattr(field, "choices", None) or []))


def _column(name: str, target: Target, attr: str, *, required: bool = False, header: str = "", type_: str = "") -> Column:
    s = spec(name)
    model: type[models.Model] = Enterprise if target == "enterprise" else EnterpriseYear
    choices = _model_choices(model, attr) if attr != "region" else ()
    kind = type_ or s.type
    return Column(
        key=attr,
        target=target,
        header=header or f"{s.label}{_unit_suffix(s) if not type_ else ''}",
        label=s.label,
        type=kind,
        required=required,
        help=("必填；" + KEY_HELP[name]) if name in KEY_HELP else _help(s, choices),
        registry_name=name,
        choices=choices,
        signed=name == "net_profit_y1",
    )


KEY_HELP = {
    "credit_code": "18位统一社会信用代码（GB 32100-2015），大写字母和数字，第18位为校验码；按“信用代码＋会计年度”更新已有数据",
    "name": "营业执照上的企业名称",
    "region_code": "企业注册地所在区、县（县级市）的6位行政区划代码（GB/T 2260），如 440305；须在您的辖区内",
    "industry_code": "主营业务所属国民经济行业代码（GB/T 4754-2017）：门类字母加2～4位数字，如 C3911",
}

FIRM_EXTRA = [
    "independent_legal_person",
    "registered_in_mainland",
    "resident_enterprise",
    "tax_audit_collection",
    "listed",
    "niche_start_on",
]


@cache
def columns() -> tuple[Column, ...]:
    """Template order: key and firm columns, the fiscal year, every yearly field, the other firm fields."""
    fiscal_year = Column(
        key="fiscal_year",
        target="year",
        header="会计年度",
        label="会计年度",
        type="int",
        required=True,
        help=(
            "必填列；本行数据所属的会计（财务）年度，4位数字，如 2024。申报 2025 年度的企业填 2024、2023、2022 "
            "年度各一行。只登记企业信息、不填年度数据的行可留空。"
        ),
        registry_name="fiscal_year",
    )
    result = [
        _column("credit_code", "enterprise", "credit_code", required=True),
        _column("name", "enterprise", "name", required=True),
        _column("region_code", "enterprise", "region", required=True, header="注册地行政区划代码"),
        _column("industry_code", "enterprise", "industry_code", required=True),
        _column("founded_on", "enterprise", "founded_on"),
        fiscal_year,
    ]
    result += [_column(REGISTRY_NAME[attr], "year", attr) for attr in YEAR_VALUE_FIELDS]
    result += [_column(name, "enterprise", name) for name in FIRM_EXTRA]
    return tuple(result)


def column_by_key(key: str) -> Column:
    return next(c for c in columns() if c.key == key)


# ---------------------------------------------------------------------------------------------
# Cells → values


class CellError(Exception):
    """A cell that cannot become a value; `message` is Chinese and names what is expected."""

    def __init__(self, message: str, code: str = ErrorCode.VALIDATION) -> None:
        super().__init__(message)
        self.message = message
        self.code = str(code)


TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "✗", "不是", "没有"}
UNKNOWN_WORDS = {"", "不确定", "未知", "不详", "-", "—", "/"}
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－，％", "0123456789.-,%")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
INT_MAX = 2_147_483_647  # PositiveIntegerField on every database


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def cell_text(raw: Any) -> str:
    """How a cell is shown back in a problem report."""
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float):
        return repr(raw) if abs(raw) >= 1e15 else format(Decimal(repr(raw)), "f")
    return str(raw).strip()


def _number_text(raw: Any) -> str:
    if isinstance(raw, bool):
        raise CellError("应为数字，不是是/否")
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError("应为数字")
        return format(Decimal(repr(raw)), "f")
    return str(raw).translate(_FULLWIDTH).replace(",", "").replace(" ", "").strip()


def _decimal(raw: Any) -> Decimal:
    text = _number_text(raw)
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise CellError(f"“{cell_text(raw)}”不是数字") from None
    if not value.is_finite():
        raise CellError(f"“{cell_text(raw)}”不是数字")
    return value / 100 if percent else value


def _int(raw: Any, *, low: int | None, high: int) -> int:
    value = _decimal(raw)
    if value != value.to_integral_value():
        raise CellError(f"“{cell_text(raw)}”应为整数")
    number = int(value)
    if low is not None and number < low:
        raise CellError(f"“{cell_text(raw)}”不能小于 {low}", ErrorCode.VALUE_OUT_OF_RANGE)
    if number > high:
        raise CellError(f"“{cell_text(raw)}”过大（不能超过 {high}）", ErrorCode.VALUE_OUT_OF_RANGE)
    return number


def _money(raw: Any, column: Column) -> int:
    if isinstance(raw, bool):
        raise CellError("应为金额（万元），不是是/否", ErrorCode.MONEY_INVALID)
    text = _number_text(raw) if isinstance(raw, float | int) else str(raw)
    try:
        return wan_to_yuan(text, allow_negative=column.signed, field=column.key)
    except TiduError as exc:
        raise CellError(exc.message, exc.code) from None


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).translate(_FULLWIDTH).strip()
    match = _DATE_RE.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text) if text.isdigit() else None)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise CellError(f"“{cell_text(raw)}”不是有效日期，请按 2019-06-30 的格式填写")


def _bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    if text in UNKNOWN_WORDS:
        return None
    raise CellError(f"“{cell_text(raw)}”应填“是”或“否”（不确定可留空）")


def _enum(raw: Any, column: Column) -> str:
    text = cell_text(raw)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    for code, name in column.choices:
        if text in (code, name) or text.lower() == code.lower():
            return code
    options = "、".join(f"{code}（{name}）" for code, name in column.choices)
    raise CellError(f"“{text}”不是可选值，可填：{options}")


def parse_cell(column: Column, raw: Any) -> Any:
    """The model value of one cell (None for an empty cell: unknown, never zero)."""
    if is_blank(raw):
        return "" if column.type in {"str", "enum"} else None
    kind = column.type
    if kind == "money":
        return _money(raw, column)
    if kind in {"count", "rank", "int"}:
        low = 1 if kind == "rank" else 0
        return _int(raw, low=low, high=INT_MAX)
    if kind in {"fraction", "decimal"}:
        return _decimal(raw)
    if kind == "date":
        return _date(raw)
    if kind == "bool":
        return _bool(raw)
    if kind == "enum":
        return _enum(raw, column)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return cell_text(raw)


def export_value(column: Column, value: Any) -> Any:
    """The cell written for a stored value: 万元 for money, 是/否 for booleans, codes for choices."""
    if value is None or value == "":
        return None
    if column.type == "money":
        return yuan_to_wan(value)
    if column.type == "bool":
        return "是" if value else "否"
    if column.type == "date" and isinstance(value, dt.date):
        return value
    return value
