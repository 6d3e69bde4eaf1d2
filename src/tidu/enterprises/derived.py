"""Derived quantities of fields.md §15, computed from the flat record (never typed in).

Ratios are Decimals at 28 significant digits for display and statistics; the rules engine
compares thresholds exactly by cross-multiplication itself. A zero/negative or missing
denominator gives None (unknown).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext
from typing import Any


def _ratio(a: Any, b: Any) -> Decimal | None:
    if a is None or b is None or b <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return Decimal(a) / Decimal(b)


def _growth(new: Any, old: Any) -> Decimal | None:
    if new is None or old is None or old <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return (Decimal(new) - Decimal(old)) / Decimal(old)


def _sum(*values: Any) -> int | None:
    return None if any(v is None for v in values) else sum(values)


def _full_years(start: dt.date | None, year: int) -> int | None:
    if start is None:
        return None
    return max(0, year - start.year - (1 if (start.month, start.day) > (1, 1) else 0))


def derived_quantities(r: dict[str, Any]) -> dict[str, Any]:
    """The derived values for one flat evaluation record `r`."""
    year = r["year"]
    g1 = _growth(r.get("main_rev_y1"), r.get("main_rev_y2"))
    g2 = _growth(r.get("main_rev_y2"), r.get("main_rev_y3"))
    cagr = None
    if r.get("revenue_y1") is not None and r.get("revenue_y3") and r["revenue_y3"] > 0:
        with localcontext() as ctx:
            ctx.prec = 28
            cagr = (Decimal(r["revenue_y1"]) / Decimal(r["revenue_y3"])).sqrt() - 1
    ranks = [x for x in (r.get("award_natl_best_rank_3y"), r.get("award_prov_minist_best_rank_3y")) if x is not None]
    region = r.get("region_code") or ""
    tech, innov = r.get("cert_tech_sme_valid"), r.get("cert_innovative_valid")
    return {
        "province_code": region[:2] + "0000" if region else None,
        "prefecture_code": region[:4] + "00" if region else None,
        "firm_age_years": _full_years(r.get("founded_on"), year),
        "niche_years": _full_years(r.get("niche_start_on"), year),
        "rd_ratio_y1": _ratio(r.get("rd_y1"), r.get("revenue_y1")),
        "rd_ratio_y2": _ratio(r.get("rd_y2"), r.get("revenue_y2")),
        "rd_to_sales_y1": _ratio(r.get("rd_y1"), r.get("revenue_y1")),
        "rd_to_cost_y1": _ratio(r.get("rd_y1"), r.get("cost_expense_y1")),
        "rd_sum_2y": _sum(r.get("rd_y1"), r.get("rd_y2")),
        "main_biz_ratio_y1": _ratio(r.get("main_rev_y1"), r.get("revenue_y1")),
        "main_growth_y1": g1,
        "main_growth_y2": g2,
        "main_growth_avg_2y": (g1 + g2) / 2 if g1 is not None and g2 is not None else None,
        "revenue_cagr_2y": cagr,
        "debt_ratio_y1": _ratio(r.get("total_liabilities_y1"), r.get("total_assets_y1")),
        "net_margin_y1": _ratio(r.get("net_profit_y1"), r.get("revenue_y1")),
        "tech_staff_ratio_y1": _ratio(r.get("tech_staff_y1"), r.get("staff_total_y1")),
        "rd_staff_ratio_y1": _ratio(r.get("rd_staff_y1"), r.get("staff_total_y1")),
        "equity_fin_2y": _sum(r.get("equity_fin_y1"), r.get("equity_fin_y2")),
        "equity_fin_3y": _sum(r.get("equity_fin_y1"), r.get("equity_fin_y2"), r.get("equity_fin_y3")),
        "main_product_share_y1": _ratio(r.get("main_product_rev_y1"), r.get("revenue_y1")),
        "award_prov_plus_best_rank_3y": min(ranks) if ranks else None,
        "cert_tech_or_innovative_valid": (
            True if (tech is True or innov is True) else None if (tech is None or innov is None) else False
        ),
    }
