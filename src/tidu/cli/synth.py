"""`tidu synth`: a synthetic register of firm-years for tests and benchmarks (docs/synth.md).

Every firm gets a latent rung (ordinary SME, innovative, specialised, little giant) drawn with
probabilities calibrated so that evaluating the register reproduces the published pyramid
(MISSION.md: 60 million SMEs, 600,000 科技型/创新型, 140,000 专精特新, 17,600 小巨人, i.e. about
1%, 0.23% and 0.03%). Figures follow the rung with realistic spread: heavy-tailed (lognormal)
revenue, staff, R&D and patents correlated with size; industries (GB/T 4754) and counties
(6-digit codes, weighted by province) in realistic proportions; several consecutive years per
firm whose y1/y2/y3 figures come from one revenue path. Vectorised with numpy, written in chunks of
a million firms (10M firm-years took 12 minutes on the shared 2-core machine), deterministic for
a seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from tidu.cli.io import arrow_types, file_format
from tidu.rules.credit_code import CHARSET, WEIGHTS
from tidu.rules.fields import FIELDS

# Latent rung probabilities (calibrated; measured shares in docs/synth.md).
RUNGS = {"little_giant": 0.0004, "specialized": 0.0016, "innovative": 0.0035}

# GB/T 4754-2017 classes with weights for ordinary SMEs and for innovative firms (manufacturing,
# software and R&D services dominate the ladder).
INDUSTRIES: list[tuple[str, float, float]] = [
    ("F5124", 8, 0.5), ("F5137", 6, 0.5), ("F5261", 8, 0.2), ("F5271", 6, 0.2), ("F5191", 5, 0.5),
    ("L7212", 5, 0.5), ("L7281", 4, 0.3), ("L7251", 3, 0.3), ("H6210", 5, 0.1), ("H6110", 2, 0.1),
    ("E4790", 3, 0.3), ("E4813", 2, 0.3), ("G5430", 3, 0.2), ("G5810", 2, 0.2), ("K7010", 2, 0.1),
    ("A0111", 2, 0.3), ("O8010", 3, 0.1), ("R8710", 1, 0.2), ("N7723", 1, 0.5), ("D4411", 0.5, 0.5),
    ("B0610", 0.3, 0.2),
    ("C3484", 1.5, 6), ("C3911", 1, 6), ("C2665", 1, 5), ("C3311", 1.5, 3), ("C1713", 1, 1),
    ("C2438", 0.8, 1), ("C3562", 1, 5), ("C3825", 1, 5), ("C3971", 0.8, 7), ("C2710", 0.5, 6),
    ("C4190", 0.5, 1), ("C3360", 1, 3), ("C2927", 1, 3), ("C3670", 0.8, 5), ("C3879", 0.6, 4),
    ("I6513", 3, 8), ("I6421", 1.5, 4), ("I6531", 2, 5), ("I6550", 1, 3),
    ("M7320", 1, 6), ("M7520", 2, 5), ("M7491", 1, 2), ("M7484", 1, 2),
]  # fmt: skip

# Province weights (roughly the share of registered enterprises).
PROVINCES = {
    "44": 14, "32": 10, "33": 9, "37": 8, "35": 4, "41": 5, "42": 4, "43": 3, "51": 4.5, "50": 2.5,
    "11": 3, "31": 3.5, "12": 1.2, "13": 4, "34": 3.5, "36": 2.5, "21": 2.5, "22": 1.2, "23": 1.3,
    "14": 1.8, "15": 1.2, "45": 2, "46": 0.8, "52": 1.8, "53": 2.2, "54": 0.2, "61": 2.5, "62": 1,
    "63": 0.3, "64": 0.4, "65": 1.2,
}  # fmt: skip
FALLBACK_COUNTIES = ["110105", "310115", "320505", "330106", "440305", "440106", "510107", "370202",
                     "420111", "350203"]  # fmt: skip


def _counties() -> tuple[np.ndarray, np.ndarray]:
    """County codes from data/regions.csv with a weight per county (province weight spread evenly)."""
    path = Path(__file__).resolve().parents[3] / "data" / "regions.csv"
    codes: list[str] = []
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if (
                    row.get("level") == "county"
                    and row.get("active", "1") == "1"
                    and row["code"][:2] in PROVINCES
                ):
                    codes.append(row["code"])
    if not codes:
        codes = FALLBACK_COUNTIES
    codes.sort()
    arr = np.array(codes)
    prov = np.array([c[:2] for c in codes])
    counts = {p: int((prov == p).sum()) for p in set(prov.tolist())}
    w = np.array([PROVINCES.get(p, 0.5) / counts[p] for p in prov])
    return arr, w / w.sum()


def credit_codes(index: np.ndarray, regions: np.ndarray, seed: int) -> np.ndarray:
    """Valid 统一社会信用代码 (GB 32100 check character and GB 11714 organisation check), unique per index."""
    n = len(index)
    body = (index.astype(np.int64) * 7919 + (seed % 9973) * 104729) % 10**8  # bijective on 0..10^8-1
    digits = np.zeros((n, 17), dtype=np.int64)
    digits[:, 0], digits[:, 1] = 9, 1
    reg_int = regions.astype(np.int64)
    for k in range(6):
        digits[:, 2 + k] = (reg_int // 10 ** (5 - k)) % 10
    for k in range(8):
        digits[:, 8 + k] = (body // 10 ** (7 - k)) % 10
    org_w = np.array([3, 7, 9, 10, 5, 8, 4, 2])
    c9 = 11 - (digits[:, 8:16] * org_w).sum(axis=1) % 11  # 1..11; 10 -> 'X', 11 -> '0'
    x_value = CHARSET.index("X")
    digits[:, 16] = np.where(c9 == 11, 0, np.where(c9 == 10, x_value, c9))
    total = (digits * np.array(WEIGHTS)).sum(axis=1) % 31
    check = (31 - total) % 31
    chars = np.array(list(CHARSET))
    matrix = np.ascontiguousarray(chars[np.concatenate([digits, check[:, None]], axis=1)])
    return matrix.view("<U18").reshape(n)


def _lognormal(rng: np.random.Generator, median: np.ndarray | float, sigma: float, n: int) -> np.ndarray:
    return np.exp(np.log(median) + sigma * rng.standard_normal(n))


def generate(
    firms: int, seed: int = 0, years: int = 1, first_year: int = 2024, latent: bool = False
) -> pa.Table:
    """The register as an Arrow table with the fields.yaml columns and SQL types (firm-major order).

    With `latent`, a last column `latent_rung` (0 ordinary … 3 little giant) shows the rung each
    firm was drawn for (calibration only; not a field, so `tidu evaluate` ignores it)."""
    rng = np.random.default_rng(seed)
    n = firms
    u = rng.random(n)
    lg = RUNGS["little_giant"]
    sp = lg + RUNGS["specialized"]
    inn = sp + RUNGS["innovative"]
    rung = np.where(u < lg, 3, np.where(u < sp, 2, np.where(u < inn, 1, 0)))
    hi = rung >= 1

    # Industry and region
    codes = np.array([c for c, _, _ in INDUSTRIES])
    w0 = np.array([a for _, a, _ in INDUSTRIES], dtype=float)
    w1 = np.array([b for _, _, b in INDUSTRIES], dtype=float)
    ind = np.where(hi, rng.choice(len(codes), n, p=w1 / w1.sum()), rng.choice(len(codes), n, p=w0 / w0.sum()))
    industry = codes[ind]
    counties, cw = _counties()
    region = counties[rng.choice(len(counties), n, p=cw)]
    ccode = credit_codes(np.arange(n), region, seed)

    # Size: staff and revenue (yuan) at the first fiscal year of the path, by rung
    staff_median = np.array([6.0, 30.0, 110.0, 260.0])[rung]
    staff_sigma = np.array([1.1, 0.8, 0.6, 0.5])[rung]
    staff0 = np.clip(np.exp(np.log(staff_median) + staff_sigma * rng.standard_normal(n)), 1, 20000)
    rev_per_head = _lognormal(rng, np.array([4e5, 4.5e5, 7e5, 9e5])[rung], 0.6, n)
    revenue0 = np.clip(staff0 * rev_per_head, 1e4, 5e11)
    # Growth path: K + 2 fiscal years (y3, y2, y1 of the first evaluation year, then one per later year)
    fy = years + 2
    g_mu = np.array([0.03, 0.12, 0.14, 0.16])[rung]
    g_sd = np.array([0.18, 0.08, 0.05, 0.04])[rung]
    growth = g_mu[:, None] + g_sd[:, None] * rng.standard_normal((n, fy - 1))
    growth = np.clip(growth, -0.6, 1.5)
    path = np.empty((n, fy))
    path[:, 0] = revenue0
    for k in range(1, fy):
        path[:, k] = path[:, k - 1] * (1 + growth[:, k - 1])
    main_ratio = np.where(hi, rng.uniform(0.86, 1.0, n), rng.uniform(0.45, 1.0, n))
    main_ratio = np.where(rung == 3, rng.uniform(0.93, 1.0, n), main_ratio)
    rd_ratio = np.where(
        rung == 0,
        np.where(rng.random(n) < 0.8, 0.0, np.clip(_lognormal(rng, 0.005, 0.9, n), 0, 0.3)),
        np.array([0, 0.045, 0.06, 0.07])[rung] * _lognormal(rng, 1.0, 0.3, n),
    )
    rd_ratio = np.clip(rd_ratio, 0, 0.4)
    margin = np.clip(rng.normal(np.array([0.03, 0.08, 0.10, 0.12])[rung], 0.06), -0.5, 0.5)
    asset_turn = rng.uniform(0.6, 1.6, n)
    debt = np.clip(np.where(hi, rng.uniform(0.15, 0.6, n), rng.beta(3, 3, n)), 0.01, 0.99)
    tech_share = np.where(hi, rng.uniform(0.15, 0.45, n), rng.beta(1, 12, n))
    rd_share = tech_share * rng.uniform(0.4, 0.9, n)
    founded_age = np.where(hi, rng.uniform(5, 25, n), rng.uniform(1, 30, n))
    niche_lag = np.where(rung >= 2, rng.uniform(0, 2, n), rng.uniform(0, 8, n))

    # Intellectual property (counts grow a little each year)
    c1 = np.where(rung == 0, rng.poisson(0.05, n), rng.poisson(np.array([0, 3, 8, 22])[rung]))
    c1 = np.where(hi, np.maximum(c1, 1), c1)
    self_c1 = np.minimum(c1, rng.binomial(c1, 0.8))
    hv_c1 = np.minimum(c1, rng.binomial(c1, np.array([0.05, 0.2, 0.3, 0.4])[rung]))
    c2 = rng.poisson(np.array([0.2, 6, 15, 35])[rung])
    applied = c1 + rng.poisson(np.array([0.1, 2, 5, 12])[rung])

    def flag(p_by_rung: list[float]) -> np.ndarray:
        return rng.random(n) < np.array(p_by_rung)[rung]

    flags = {
        "registered_in_mainland": np.ones(n, bool),
        "independent_legal_person": rng.random(n) < 0.995,
        "resident_enterprise": np.ones(n, bool),
        "tax_audit_collection": flag([0.6, 0.95, 1, 1]),
        "listed": flag([0.0001, 0.002, 0.02, 0.08]),
        "market_position_ok": flag([0.02, 0.5, 0.9, 1]),
        "market_reputation_ok": flag([0.05, 0.6, 0.95, 1]),
        "own_brand": flag([0.2, 0.8, 0.95, 1]),
        "product_chain_gap_results": flag([0.001, 0.03, 0.5, 0.8]),
        "product_six_foundations": flag([0.01, 0.1, 0.5, 0.7]),
        "product_laozihao": flag([0.001, 0.01, 0.02, 0.02]),
        "product_serves_chain_leader": flag([0.01, 0.3, 0.6, 0.9]),
        "chain_key_link": flag([0.005, 0.2, 0.6, 0.85]),
        "quality_award_prov_plus": flag([0.001, 0.02, 0.2, 0.5]),
        "qms_certified": flag([0.1, 0.8, 0.95, 1]),
        "std_participated": flag([0.005, 0.1, 0.6, 0.9]),
        "mgmt_system_certified": flag([0.1, 0.7, 0.95, 1]),
        "product_cert_developed": flag([0.02, 0.3, 0.5, 0.7]),
        "core_biz_it_supported": flag([0.2, 0.8, 0.95, 1]),
        "lg_refined_qualitative_ok": flag([0.01, 0.3, 0.8, 1]),
        "rd_inst_any": flag([0.01, 0.5, 0.9, 1]),
        "maker_china_top500_3y": flag([0.00002, 0.005, 0.02, 0.05]),
        "std_led_5y": flag([0.001, 0.05, 0.2, 0.5]),
        "hte_valid": flag([0.001, 0.4, 0.7, 0.9]),
        "natl_tech_innov_demo_valid": flag([0, 0.005, 0.02, 0.1]),
        "ip_adv_or_demo_valid": flag([0.0002, 0.03, 0.1, 0.3]),
        "single_champion": flag([0, 0, 0, 0.01]),
        "cert_tech_sme_valid": flag([0.002, 0.7, 0.8, 0.8]),
        "cert_innovative_valid": flag([0.0005, 0.5, 0.9, 0.9]),
        "cert_specialized_valid": flag([0, 0, 0.6, 1]),
        "cert_little_giant_valid": flag([0, 0, 0, 0.3]),
        "related_little_giant": flag([0.00005, 0.001, 0.005, 0]),
        "abnormal_list": flag([0.03, 0.002, 0, 0]),
        "serious_dishonest_list": flag([0.005, 0, 0, 0]),
        "prohibited_product": flag([0.002, 0, 0, 0]),
        "major_incident_3y": flag([0.002, 0.001, 0, 0]),
        "tax_violation_3y": flag([0.004, 0.001, 0, 0]),
        "data_fraud_found": flag([0.0005, 0, 0, 0]),
        "incident_prev_cur_year": flag([0.002, 0.001, 0, 0]),
        "sci_misconduct_prev_cur_year": flag([0.0002, 0, 0, 0]),
    }
    flags["maker_china_top50_3y"] = flags["maker_china_top500_3y"] & (rng.random(n) < 0.1)
    rd_level_p = np.array([[0.99, 0.005, 0.004, 0.001, 0.0],
                           [0.6, 0.2, 0.17, 0.03, 0.0],
                           [0.1, 0.1, 0.4, 0.35, 0.05],
                           [0.0, 0.0, 0.2, 0.6, 0.2]])  # fmt: skip
    levels = np.array(["none", "below_city", "city", "provincial", "national"])
    cum = rd_level_p.cumsum(axis=1)[rung]
    rd_level = levels[(rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 4)]
    flags["rd_inst_any"] = flags["rd_inst_any"] | (rd_level != "none")
    flags["rd_inst_minist_plus"] = np.isin(rd_level, ["provincial", "national"])

    def optional_rank(p_by_rung: list[float], top: int) -> np.ndarray:
        has = flag(p_by_rung)
        return np.where(has, rng.integers(1, top + 1, n), -1)

    ranks = {
        "award_natl_best_rank_3y": optional_rank([0, 0.002, 0.01, 0.05], 10),
        "award_prov_best_rank_3y": optional_rank([0.0002, 0.03, 0.1, 0.3], 10),
        "award_prov_minist_best_rank_3y": optional_rank([0.0002, 0.03, 0.12, 0.35], 10),
    }
    ranks["award_natl_best_rank_5y"] = np.where(
        ranks["award_natl_best_rank_3y"] > 0,
        ranks["award_natl_best_rank_3y"],
        optional_rank([0, 0.001, 0.01, 0.05], 10),
    )
    share_dom = np.where(
        rung == 3, rng.uniform(0.11, 0.45, n), np.where(rung == 2, rng.beta(1.2, 14, n), rng.beta(0.5, 60, n))
    )
    share_intl = share_dom * rng.uniform(0.05, 0.6, n)
    rank_dom = np.clip(np.where(rung == 3, rng.integers(1, 6, n), rng.integers(2, 200, n)), 1, None)
    digital_score = np.clip(rng.normal(np.array([32.0, 42, 60, 70])[rung], 12), 0, 100).round(1)
    digital_level = np.select(
        [digital_score >= 80, digital_score >= 60, digital_score >= 40, digital_score >= 20], [4, 3, 2, 1], 0
    )
    assessed = flag([0.3, 0.8, 0.95, 1])
    sei = np.where(flag([0.1, 0.6, 0.8, 0.9]), rng.integers(1, 10, n), 0)
    ten = np.where(flag([0.05, 0.4, 0.6, 0.8]), rng.integers(1, 11, n), 0)
    cyber = np.where(flag([0.005, 0.05, 0.1, 0.1]), rng.integers(0, 4, n), -1)
    cyber_names = np.array(["info_infrastructure", "key_core_tech", "cyber_security", "digital_economy"])
    type26 = rng.integers(0, 3, n)
    type26_names = np.array(["traditional_upgrade", "emerging", "future"])
    distinctive = np.where(rung >= 2, rng.uniform(6, 15, n), rng.uniform(0, 8, n)).round(1)
    zjtx = np.clip(rng.normal(np.array([35.0, 55, 68, 80])[rung], 8), 0, 100).round(1)
    zjtx_prev = np.clip(zjtx - rng.normal(3, 4, n), 0, 100).round(1)
    eq_p = np.array([0.002, 0.08, 0.2, 0.35])[rung]
    eq_size = np.array([1e6, 8e6, 3e7, 6e7])[rung]

    # Per fiscal year paths, so that y2/y3 of a later evaluation year repeat y1/y2 of an earlier one.
    main_path = np.round(path * main_ratio[:, None] * rng.uniform(0.99, 1.0, (n, fy))).astype(np.int64)
    rd_path = np.round(path * rd_ratio[:, None] * rng.uniform(0.85, 1.1, (n, fy))).astype(np.int64)
    eq_path = np.where(
        rng.random((n, fy)) < eq_p[:, None],
        np.round(_lognormal(rng, np.repeat(eq_size, fy), 0.8, n * fy)).reshape(n, fy),
        0,
    )
    eq_path = eq_path.astype(np.int64)
    rev_path = np.round(path).astype(np.int64)

    cols: dict[str, list[np.ndarray]] = {name: [] for name in FIELDS}
    firm_id = np.arange(n)
    for j in range(years):
        year = first_year + j
        y1 = path[:, j + 2]
        growth_staff = (y1 / revenue0) ** 0.5
        employees = np.maximum(1, np.round(staff0 * growth_staff)).astype(np.int64)
        staff_total = np.maximum(1, np.round(employees * rng.uniform(0.9, 1.05, n))).astype(np.int64)
        tech = np.minimum(staff_total, np.round(staff_total * tech_share)).astype(np.int64)
        rdst = np.minimum(staff_total, np.round(staff_total * rd_share)).astype(np.int64)
        rev1, rev2, rev3 = rev_path[:, j + 2], rev_path[:, j + 1], rev_path[:, j]
        main1, main2, main3 = main_path[:, j + 2], main_path[:, j + 1], main_path[:, j]
        rd1, rd2 = rd_path[:, j + 2], rd_path[:, j + 1]
        assets = np.round(y1 * asset_turn).astype(np.int64)
        liab = np.round(assets * debt).astype(np.int64)
        profit = np.round(y1 * margin).astype(np.int64)
        cost = np.round(y1 * np.clip(1 - margin, 0.3, 1.5)).astype(np.int64)
        as_of = dt.date(year, 6, 30)
        founded = _days_before(as_of, founded_age)
        niche = _days_before(as_of, np.maximum(founded_age - niche_lag, 0.1))
        assessed_on = _days_before(as_of, rng.uniform(0.05, 1.2, n))
        grow_ip = j
        values: dict[str, Any] = {
            "credit_code": ccode,
            "year": np.full(n, year),
            "as_of": np.full(n, np.datetime64(as_of.isoformat(), "D")),
            "is_review": np.zeros(n, bool),
            "name": np.char.add(np.char.add("合成企业", (firm_id + 1).astype(str)), "有限公司"),
            "region_code": region,
            "industry_code": industry,
            "founded_on": founded,
            "employees_y1": employees,
            "staff_total_y1": staff_total,
            "tech_staff_y1": tech,
            "rd_staff_y1": rdst,
            "revenue_y1": rev1,
            "revenue_y2": rev2,
            "revenue_y3": rev3,
            "main_rev_y1": main1,
            "main_rev_y2": main2,
            "main_rev_y3": main3,
            "net_profit_y1": profit,
            "total_assets_y1": assets,
            "total_liabilities_y1": liab,
            "rd_y1": rd1,
            "rd_y2": rd2,
            "cost_expense_y1": cost,
            "ip_c1_count": c1 + (hi * grow_ip),
            "ip_c1_self_count": self_c1 + (hi * grow_ip),
            "ip_c1_hv_count": hv_c1,
            "ip_c2_count": c2 + grow_ip * (c2 > 0),
            "ip_c1_applied_count": applied + (hi * grow_ip),
            "ip_c1_applied_own_count": np.minimum(
                applied, self_c1 + rng.poisson(np.array([0, 1, 3, 8])[rung])
            )
            + (hi * grow_ip),
            "ip_c1_ts_count": c1 + (hi * grow_ip),
            "ip_c2_ts_count": c2 + grow_ip * (c2 > 0),
            "invention_patent_count": c1 + (hi * grow_ip),
            "equity_fin_y1": eq_path[:, j + 2],
            "equity_fin_y2": eq_path[:, j + 1],
            "equity_fin_y3": eq_path[:, j],
            "niche_start_on": niche,
            "main_product_name": _opt(hi, np.full(n, "主导产品")),
            "main_product_rev_y1": np.round(main1 * rng.uniform(0.5, 1.0, n)).astype(np.int64),
            "market_share_domestic": share_dom.round(6),
            "market_share_intl": share_intl.round(6),
            "market_rank_domestic": rank_dom,
            "product_sei_code": _opt(sei > 0, sei.astype(str)),
            "product_ten_fields_code": _opt(ten > 0, ten.astype(str)),
            "product_cyber_field": _opt(cyber >= 0, cyber_names[cyber.clip(0)]),
            "product_industry_type_2026": type26_names[type26],
            "digital_level": np.where(assessed, digital_level, -1),
            "digital_score": np.where(assessed, digital_score, np.nan),
            "digital_edition": _opt(assessed, np.full(n, "2024" if year >= 2025 else "2022")),
            "digital_category": _opt(
                assessed, np.where(np.char.startswith(industry, "C"), "manufacturing", "producer_services")
            ),
            "digital_assessed_on": np.where(assessed, assessed_on, np.datetime64("NaT", "D")),
            "rd_inst_level": rd_level,
            "distinctive_score": distinctive,
            "zjtx_dev_score": zjtx,
            "zjtx_dev_score_prev": zjtx_prev,
        }
        values.update(flags)
        values.update(ranks)
        for name in FIELDS:
            cols[name].append(values.get(name, np.full(n, None)))
    table = _to_arrow(cols, firms=n, years=years)
    if latent:
        table = table.append_column("latent_rung", pa.array(np.repeat(rung, years).astype(np.int8)))
    return table


def _opt(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` where `mask`, else None (an empty cell)."""
    out = np.full(len(values), None, dtype=object)
    out[mask] = values[mask]
    return out


def _days_before(day: dt.date, years_before: np.ndarray) -> np.ndarray:
    base = np.datetime64(day.isoformat(), "D")
    return base - (years_before * 365.25).astype("timedelta64[D]")


def _to_arrow(cols: dict[str, list[np.ndarray]], *, firms: int, years: int) -> pa.Table:
    """Firm-major order (a firm's years together), typed as fields.yaml says."""
    order = np.arange(firms * years).reshape(years, firms).T.reshape(-1)
    arrays = []
    for name, parts in cols.items():
        spec = FIELDS[name]
        data = np.concatenate(parts)[order]
        arrays.append(_column(data, spec.type))
    return pa.Table.from_arrays(
        arrays, schema=pa.schema([pa.field(n, arrow_types()[FIELDS[n].type]) for n in cols])
    )


def _column(data: np.ndarray, kind: str) -> pa.Array:
    typ = arrow_types()[kind]
    if kind in ("money", "count", "rank", "int"):
        ints = data.astype(np.int64)
        mask = ints < 0 if kind in ("rank", "int") else None
        return pa.array(ints, mask=mask).cast(typ)
    if kind in ("fraction", "decimal"):
        places = 6 if kind == "fraction" else 4
        return pa.array(data.astype(float).round(places), from_pandas=True).cast(typ)
    if kind == "bool":
        return pa.array(data.astype(bool))
    if kind == "date":
        return pa.array(data.astype("datetime64[D]"), type=pa.date32())
    if data.dtype == object:
        return pa.array([None if v is None else str(v) for v in data], type=pa.string())
    return pa.array(data.astype(str), type=pa.string())


def write_synth(
    path: str, *, firms: int, seed: int = 0, years: int = 1, first_year: int = 2024, latent: bool = False
) -> int:
    """Generate and write; returns the number of firm-years. Large registers go in chunks of firms.
    `latent`: keep the `latent_rung` column (calibration and benchmarks; see `generate`)."""
    fmt = file_format(path)
    chunk = 1_000_000
    if fmt == "parquet":
        import pyarrow.parquet as pq

        writer = None
        done = 0
        part = 0
        try:
            while done < firms:
                k = min(chunk, firms - done)
                table = generate(
                    k, seed=seed * 1000 + part, years=years, first_year=first_year, latent=latent
                )
                table = _offset_codes(table, done, seed) if part else table
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table, row_group_size=256 * 1024)
                done += k
                part += 1
        finally:
            if writer is not None:
                writer.close()
        return firms * years
    table = generate(firms, seed=seed, years=years, first_year=first_year, latent=latent)
    write_table(table, path)
    return table.num_rows


def _offset_codes(table: pa.Table, offset: int, seed: int) -> pa.Table:
    """Chunks after the first get credit codes numbered from `offset` (unique across chunks)."""
    regions = np.array(table.column("region_code").to_pylist())
    years = len(set(table.column("year").to_pylist()))
    idx = offset + np.repeat(np.arange(table.num_rows // years), years)
    codes = credit_codes(idx, regions, seed)
    names = np.char.add(np.char.add("合成企业", (idx + 1).astype(str)), "有限公司")
    table = table.set_column(table.schema.get_field_index("credit_code"), "credit_code", pa.array(codes))
    return table.set_column(table.schema.get_field_index("name"), "name", pa.array(names))


def write_table(table: pa.Table, path: str) -> None:
    """Write a typed table as CSV, Excel, Parquet or JSON Lines (by extension)."""
    fmt = file_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path)
    elif fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(table.column_names)
            for row in table.to_pylist():
                w.writerow([_cell_text(v) for v in row.values()])
    elif fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for row in table.to_pylist():
                fh.write(json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
    else:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("企业年度数据")
        sheet.append(table.column_names)
        for row in table.to_pylist():
            sheet.append([_xlsx_value(v) for v in row.values()])
        book.save(path)


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def _json_value(v: object) -> object:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _xlsx_value(v: object) -> object:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")  # text keeps exact decimals; coerce_record parses it
    return v
