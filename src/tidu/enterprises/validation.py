"""Range and cross-field checks of one yearly row (the web forms, the services and the importer).

Works on a plain dict of model field names → values, so the importer can check a row before
anything is written. Errors block the save; warnings are shown but do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tidu.core.errors import ErrorCode, error_message
from tidu.enterprises.models import MONEY_FIELDS, REGISTRY_NAME
from tidu.enterprises.money import MAX_YUAN, yuan_to_wan_text
from tidu.enterprises.registry import label


@dataclass(frozen=True)
class Problem:
    field: str
    code: ErrorCode
    message: str
    warning: bool = False


def _label(f: str) -> str:
    return label(REGISTRY_NAME.get(f, f))


def _shown(f: str, v: Any) -> str:
    """A value as the user typed it: money in 万元 (stored in yuan), counts as they are."""
    return f"{yuan_to_wan_text(v)}万元" if f in MONEY_FIELDS else str(v)


SUBTOTALS = [  # (part, total): the part may not exceed the total
    ("main_rev", "revenue"),
    ("main_product_rev", "revenue"),
    ("tech_staff", "staff_total"),
    ("rd_staff", "staff_total"),
    ("ip_c1_self_count", "ip_c1_count"),
    ("ip_c1_hv_count", "ip_c1_count"),
]
RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "market_share_domestic": (Decimal(0), Decimal(1)),
    "market_share_intl": (Decimal(0), Decimal(1)),
    "digital_level": (Decimal(0), Decimal(4)),
    "digital_score": (Decimal(0), Decimal(100)),
    "distinctive_score": (Decimal(0), Decimal(15)),
    "zjtx_dev_score": (Decimal(0), Decimal(100)),
}
RANKS = ["market_rank_domestic", "award_natl_best_rank_3y", "award_natl_best_rank_5y",
         "award_prov_best_rank_3y", "award_prov_minist_best_rank_3y"]


def year_problems(values: dict[str, Any]) -> list[Problem]:
    """Every problem with one yearly row; empty values are unknown and never compared."""
    problems: list[Problem] = []
    for f in MONEY_FIELDS:
        v = values.get(f)
        if v is None:
            continue
        if v < 0 and f != "net_profit":
            problems.append(Problem(f, ErrorCode.MONEY_NEGATIVE, f"{_label(f)}：" + error_message(ErrorCode.MONEY_NEGATIVE)))
        if abs(v) > MAX_YUAN:
            problems.append(Problem(f, ErrorCode.MONEY_TOO_LARGE, f"{_label(f)}：" + error_message(
                ErrorCode.MONEY_TOO_LARGE, value=_shown(f, v))))
    for f, (low, high) in RANGES.items():
        v = values.get(f)
        if v is not None and not (low <= Decimal(str(v)) <= high):
            problems.append(Problem(f, ErrorCode.VALUE_OUT_OF_RANGE, error_message(
                ErrorCode.VALUE_OUT_OF_RANGE, label=_label(f), value=v, low=low, high=high)))
    for f in RANKS:
        v = values.get(f)
        if v is not None and v < 1:
            problems.append(Problem(f, ErrorCode.VALUE_OUT_OF_RANGE, error_message(
                ErrorCode.VALUE_OUT_OF_RANGE, label=_label(f), value=v, low=1, high="")))
    for part, total in SUBTOTALS:
        p, t = values.get(part), values.get(total)
        if p is not None and t is not None and p > t:
            problems.append(Problem(part, ErrorCode.SUBTOTAL_EXCEEDS_TOTAL, error_message(
                ErrorCode.SUBTOTAL_EXCEEDS_TOTAL, part_label=_label(part), part=_shown(part, p), total_label=_label(total),
                total=_shown(total, t))))
    if values.get("maker_china_top50_3y") is True and values.get("maker_china_top500_3y") is False:
        problems.append(Problem("maker_china_top500_3y", ErrorCode.IMPLICATION_BROKEN, error_message(
            ErrorCode.IMPLICATION_BROKEN, premise_label=_label("maker_china_top50_3y"),
            conclusion_label=_label("maker_china_top500_3y"))))
    emp, staff = values.get("employees"), values.get("staff_total")
    if emp and staff and (emp > 2 * staff or staff > 2 * emp):
        problems.append(Problem("staff_total", ErrorCode.VALIDATION,
                                f"{_label('employees')}（{emp}）与{_label('staff_total')}（{staff}）相差超过一倍，请核对。",
                                warning=True))
    return problems


def year_errors(values: dict[str, Any]) -> list[Problem]:
    return [p for p in year_problems(values) if not p.warning]
