"""Test and benchmark factory: a firm whose 专精特新 verdict turns on last year's R&D expense: 60万元 fails, 300万元 passes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tidu.core.testing import make_enterprise, make_year

CLEAN = dict(abnormal_list=False, serious_dishonest_list=False, prohibited_product=False, major_incident_3y=False,
             tax_violation_3y=False, data_fraud_found=False, incident_prev_cur_year=False,
             sci_misconduct_prev_cur_year=False)


def make_climbing_firm(region: str = "440305", **kw: Any) -> Any:
    """A small Shenzhen manufacturer, innovative SME already, R&D 1% of revenue last year (2025)."""
    ent = make_enterprise(region, name=kw.pop("name", None), industry_code="C3911", founded_on=dt.date(2015, 3, 1),
                          niche_start_on=dt.date(2021, 1, 1), independent_legal_person=True,
                          registered_in_mainland=True, resident_enterprise=True)
    make_year(ent, 2025, revenue=60_000_000, main_rev=54_000_000, rd=600_000, net_profit=2_000_000,
              total_assets=40_000_000, total_liabilities=10_000_000, staff_total=100, employees=100, rd_staff=30,
              tech_staff=30, ip_c1_count=3, ip_c1_applied_own_count=2, zjtx_dev_score=Decimal("62"),
              cert_innovative_valid=True, cert_tech_sme_valid=True, cert_specialized_valid=False,
              cert_little_giant_valid=False, hte_valid=True, rd_inst_any=True, rd_inst_minist_plus=False,
              own_brand=True, market_position_ok=True, **CLEAN)
    make_year(ent, 2024, revenue=50_000_000, main_rev=45_000_000, rd=2_000_000)
    make_year(ent, 2023, revenue=40_000_000, main_rev=36_000_000)
    return ent
