"""The 创新型中小企业 evaluation (63号 附件1) written as an OpenFisca tax-benefit system: the peer that
`tidu evaluate --standards innovative_sme` is measured against (issue 14).

    make bench-peers                                   # a separate venv (.venv-peers) with openfisca-core
    .venv-peers/bin/python benchmarks/peers/openfisca_innovative.py IN.parquet -o OUT.parquet \
        [--today 2026-11-30] [--compare TIDU_OUT.parquet]

End to end, as a team would write it with OpenFisca: read the columns the standard needs from the
Parquet file into numpy arrays (one firm-year = one OpenFisca person entity, one period), compute the
variables below (vectorised formulas), write credit_code, year and the verdict, score and path to
Parquet. The rules are typed from ../shared/domain/tiers.md §3–4 and size-classes.md §4–5, not from
the packs. With --compare, the verdicts are checked against tidu's output row by row.

Where the two differ by design (rows left out of the comparison, and counted):
- OpenFisca has no unknown value: an empty cell is read as its default (0, False, ""), where tidu
  answers "unknown" (or decides from the other inputs). Only rows whose every input of this standard
  is filled are compared (the award ranks and the strategic-emerging code are empty by meaning and do
  count as filled).
- OpenFisca's `float` value type is 32-bit: money is stored as float32, so a ratio within float32
  rounding of a band edge (e.g. R&D exactly 3.00% of revenue) may score differently from tidu's exact
  integer cross-multiplication. Such rows are reported as disagreements, never hidden.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from openfisca_core.entities import build_entity
from openfisca_core.periods import YEAR
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Firm = build_entity(key="firm", plural="firms", label="企业年度（一行）", is_person=True)

MONEY = (
    "revenue_y1",
    "main_rev_y1",
    "main_rev_y2",
    "rd_y1",
    "total_assets_y1",
    "total_liabilities_y1",
    "equity_fin_y1",
    "equity_fin_y2",
    "equity_fin_y3",
)
COUNTS = ("employees_y1", "ip_c1_hv_count", "ip_c1_self_count", "ip_c1_count", "ip_c2_count")
FLAGS = (
    "registered_in_mainland",
    "independent_legal_person",
    "abnormal_list",
    "serious_dishonest_list",
    "prohibited_product",
    "major_incident_3y",
    "tax_violation_3y",
    "cert_specialized_valid",
    "cert_little_giant_valid",
    "hte_valid",
    "natl_tech_innov_demo_valid",
    "ip_adv_or_demo_valid",
    "rd_inst_minist_plus",
    "data_fraud_found",
)
OPTIONAL = ("award_natl_best_rank_3y", "award_prov_best_rank_3y", "product_sei_code")  # empty = none
INPUTS = (*MONEY, *COUNTS, *FLAGS, *OPTIONAL, "industry_code", "year", "as_of")

# 300号 size groups (size-classes.md §4, yuan and persons): the thresholds of "large"; an SME is any
# firm below one of them. Prefixes: GB/T 4754-2017, longest match (§5); excluded codes count as "other".
LARGE = {
    "agri": {"Y": 200_000_000},
    "industry": {"X": 1000, "Y": 400_000_000},
    "construction": {"Y": 800_000_000, "Z": 800_000_000},
    "wholesale": {"X": 200, "Y": 400_000_000},
    "retail": {"X": 300, "Y": 200_000_000},
    "transport": {"X": 1000, "Y": 300_000_000},
    "warehousing": {"X": 200, "Y": 300_000_000},
    "postal": {"X": 1000, "Y": 300_000_000},
    "accommodation": {"X": 300, "Y": 100_000_000},
    "catering": {"X": 300, "Y": 100_000_000},
    "info_transmission": {"X": 2000, "Y": 1_000_000_000},
    "software_it": {"X": 300, "Y": 100_000_000},
    "real_estate_dev": {"Y": 2_000_000_000, "Z": 100_000_000},
    "property_mgmt": {"X": 1000, "Y": 50_000_000},
    "leasing_business": {"X": 300, "Z": 1_200_000_000},
    "other": {"X": 300},
}
PREFIXES = {
    "A": "agri",
    "B": "industry",
    "C": "industry",
    "D": "industry",
    "E": "construction",
    "F51": "wholesale",
    "F52": "retail",
    "G54": "transport",
    "G55": "transport",
    "G56": "transport",
    "G57": "transport",
    "G58": "transport",
    "G591": "transport",
    **{f"G59{d}": "warehousing" for d in range(2, 10)},
    "G60": "postal",
    "H61": "accommodation",
    "H62": "catering",
    "I63": "info_transmission",
    "I64": "info_transmission",
    "I65": "software_it",
    "K701": "real_estate_dev",
    "K702": "property_mgmt",
    "L71": "leasing_business",
    "L72": "leasing_business",
}  # everything else (M, N, O, Q85, R, K703, K709 and the excluded J, P, Q84, S, T, G53, K704): "other"
AMENDMENT_2026 = np.datetime64("2026-04-01")  # 2号: data falsification also excludes (tiers.md §3)


def _input(name: str, kind: type, label: str) -> type[Variable]:
    return type(
        name, (Variable,), {"value_type": kind, "entity": Firm, "definition_period": YEAR, "label": label}
    )


class size_group(Variable):
    value_type = str
    entity = Firm
    definition_period = YEAR
    label = "划型行业（300号）"

    def formula(firm, period):
        codes = firm("industry_code", period).astype(str)
        out = np.full(len(codes), "other", dtype=object)
        done = np.zeros(len(codes), dtype=bool)
        for width in (4, 3, 1):
            heads = codes.astype(f"U{width}")
            for prefix, group in PREFIXES.items():
                if len(prefix) == width:
                    hit = ~done & (heads == prefix)
                    out[hit] = group
                    done |= hit
        return out


class is_sme(Variable):
    value_type = bool
    entity = Firm
    definition_period = YEAR
    label = "中小企业（非大型）"

    def formula(firm, period):
        group = firm("size_group", period)
        x = firm("employees_y1", period)
        y = firm("revenue_y1", period)
        z = firm("total_assets_y1", period)
        values = {"X": x, "Y": y, "Z": z}
        large = np.zeros(len(group), dtype=bool)
        for g, limits in LARGE.items():
            rows = group == g
            big = rows.copy()
            for ind, limit in limits.items():
                big &= values[ind] >= limit
            large |= big
        return ~large


class basic_conditions(Variable):
    value_type = bool
    entity = Firm
    definition_period = YEAR
    label = "参评基本条件 G1–G5 与已获专精特新/小巨人称号的排除"

    def formula(firm, period):
        ok = firm("registered_in_mainland", period) & firm("independent_legal_person", period)
        ok &= firm("is_sme", period)
        ok &= ~firm("abnormal_list", period) & ~firm("serious_dishonest_list", period)
        ok &= ~firm("prohibited_product", period)
        ok &= ~firm("major_incident_3y", period) & ~firm("tax_violation_3y", period)
        ok &= ~firm("cert_specialized_valid", period) & ~firm("cert_little_giant_valid", period)
        late = firm("as_of_day", period) >= (AMENDMENT_2026 - np.datetime64("1970-01-01")).astype(int)
        return ok & ~(late & firm("data_fraud_found", period))


def _bands(
    x: np.ndarray, edges: tuple[float, ...], points: tuple[int, ...], higher_better: bool = True
) -> np.ndarray:
    out = np.zeros(len(x), dtype=np.int32)
    for edge, pts in reversed(list(zip(edges, points, strict=True))):
        out = np.where(x >= edge if higher_better else x <= edge, pts, out)
    return out


class points_ip(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "与主导产品相关的有效知识产权"

    def formula(firm, period):
        hv, own = firm("ip_c1_hv_count", period), firm("ip_c1_self_count", period)
        c1, c2 = firm("ip_c1_count", period), firm("ip_c2_count", period)
        return np.select([hv >= 1, own >= 1, c1 >= 1, c2 >= 1], [20, 15, 10, 5], 0)


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """num / den in float64 where den > 0 (a band then scores; otherwise 0 points)."""
    num, den = num.astype(np.float64), den.astype(np.float64)
    ok = den > 0
    return np.divide(num, den, out=np.zeros_like(num), where=ok), ok


class points_rd(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "研发费用占营业收入比重"

    def formula(firm, period):
        r, ok = _ratio(firm("rd_y1", period), firm("revenue_y1", period))
        return np.where(ok, _bands(r, (0.05, 0.03, 0.02, 0.01), (20, 15, 10, 5)), 0)


class points_growth(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "主营业务收入增长率"

    def formula(firm, period):
        m1, m2 = firm("main_rev_y1", period).astype(np.float64), firm("main_rev_y2", period)
        g, ok = _ratio(m1 - m2, m2)
        return np.where(ok, _bands(g, (0.15, 0.10, 0.05, 0.0), (20, 15, 10, 5)), 0)


class points_debt(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "资产负债率"

    def formula(firm, period):
        d, ok = _ratio(firm("total_liabilities_y1", period), firm("total_assets_y1", period))
        return np.where(ok, _bands(d, (0.55, 0.75), (10, 5), higher_better=False), 0)


class points_field(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "主导产品所属领域"

    def formula(firm, period):
        return np.where(firm("product_sei_code", period).astype(str) != "", 10, 5)


class points_main_biz(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "主营业务收入占营业收入比重"

    def formula(firm, period):
        r, ok = _ratio(firm("main_rev_y1", period), firm("revenue_y1", period))
        return np.where(ok, _bands(r, (0.70, 0.60, 0.55, 0.50), (20, 15, 10, 5)), 0)


class score(Variable):
    value_type = int
    entity = Firm
    definition_period = YEAR
    label = "评价得分"

    def formula(firm, period):
        return sum(
            firm(v, period)
            for v in (
                "points_ip",
                "points_rd",
                "points_growth",
                "points_debt",
                "points_field",
                "points_main_biz",
            )
        )


class score_route(Variable):
    value_type = bool
    entity = Firm
    definition_period = YEAR
    label = "得分≥60 且创新能力≥20、成长性≥15、专业化≥15"

    def formula(firm, period):
        innovation = firm("points_ip", period) + firm("points_rd", period)
        growth = firm("points_growth", period) + firm("points_debt", period)
        special = firm("points_field", period) + firm("points_main_biz", period)
        return (firm("score", period) >= 60) & (innovation >= 20) & (growth >= 15) & (special >= 15)


class direct_route(Variable):
    value_type = bool
    entity = Firm
    definition_period = YEAR
    label = "直通条件 D1–D4"

    def formula(firm, period):
        award = (firm("award_natl_best_rank_3y", period) > 0) | (firm("award_prov_best_rank_3y", period) > 0)
        honours = (
            firm("hte_valid", period)
            | firm("natl_tech_innov_demo_valid", period)
            | firm("ip_adv_or_demo_valid", period)
        )
        equity = sum(firm(f"equity_fin_y{i}", period).astype(np.float64) for i in (1, 2, 3))
        return award | honours | firm("rd_inst_minist_plus", period) | (equity >= 5_000_000)


class qualified(Variable):
    value_type = bool
    entity = Firm
    definition_period = YEAR
    label = "评价为创新型中小企业"

    def formula(firm, period):
        return firm("basic_conditions", period) & (firm("score_route", period) | firm("direct_route", period))


def tax_benefit_system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Firm])
    for name in MONEY:
        tbs.add_variable(_input(name, float, name))
    for name in (*COUNTS, "award_natl_best_rank_3y", "award_prov_best_rank_3y", "as_of_day"):
        tbs.add_variable(_input(name, int, name))
    for name in FLAGS:
        tbs.add_variable(_input(name, bool, name))
    for name in ("industry_code", "product_sei_code"):
        tbs.add_variable(_input(name, str, name))
    for var in (
        size_group,
        is_sme,
        basic_conditions,
        points_ip,
        points_rd,
        points_growth,
        points_debt,
        points_field,
        points_main_biz,
        score,
        score_route,
        direct_route,
        qualified,
    ):
        tbs.add_variable(var)
    return tbs


def _as_of_days(table: pa.Table, today: dt.date) -> np.ndarray:
    """The evaluation date (days since 1970): as_of, else 31 December of the year capped at today."""
    year = table.column("year").to_numpy(zero_copy_only=False).astype(np.int64)
    dec31 = np.array([f"{y}-12-31" for y in range(1990, 2101)], dtype="datetime64[D]")
    default = np.minimum(dec31[np.clip(year - 1990, 0, len(dec31) - 1)], np.datetime64(today.isoformat()))
    given = pc.fill_null(table.column("as_of").cast(pa.date32()), pa.scalar(None, pa.date32()))
    days = given.cast(pa.int32()).to_numpy(zero_copy_only=False)
    days = np.where(np.isnan(days.astype(np.float64)), default.astype(np.int64), days)
    return days.astype(np.int32)


def run(src: str, out: str | None, today: dt.date) -> tuple[pa.Table, np.ndarray, dict[str, float]]:
    times: dict[str, float] = {}
    t = time.perf_counter()
    table = pq.read_table(src, columns=[c for c in ("credit_code", *INPUTS)])
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    n = table.num_rows
    complete = np.ones(n, dtype=bool)
    tbs = tax_benefit_system()
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("firm", [str(i) for i in range(n)])
    sim = builder.build(tbs)
    period = "2025"
    for name in (*MONEY, *COUNTS, *FLAGS, "industry_code"):
        col = table.column(name)
        complete &= ~col.is_null().to_numpy(zero_copy_only=False)
        default: object = False if name in FLAGS else ("" if name == "industry_code" else 0)
        values = pc.fill_null(col, default).to_numpy(zero_copy_only=False)
        sim.set_input(name, period, values.astype(np.float32) if name in MONEY else values)
    for name in ("award_natl_best_rank_3y", "award_prov_best_rank_3y"):
        sim.set_input(name, period, pc.fill_null(table.column(name), 0).to_numpy(zero_copy_only=False))
    sim.set_input(
        "product_sei_code",
        period,
        pc.fill_null(table.column("product_sei_code"), "").to_numpy(zero_copy_only=False),
    )
    sim.set_input("as_of_day", period, _as_of_days(table, today))
    ok = sim.calculate("qualified", period)
    pts = sim.calculate("score", period)
    by_score = sim.calculate("score_route", period)
    times["compute"] = time.perf_counter() - t
    t = time.perf_counter()
    path = np.where(ok, np.where(by_score, "score", "direct"), "")
    result = pa.table(
        {
            "credit_code": table.column("credit_code"),
            "year": table.column("year").cast(pa.string()),
            "innovative_sme__qualified": pa.array(np.where(ok, "true", "false")),
            "innovative_sme__score": pa.array(pts.astype(str)),
            "innovative_sme__path": pa.array(path),
        }
    )
    if out:
        pq.write_table(result, out)
    times["write"] = time.perf_counter() - t
    return result, complete, times


def compare(result: pa.Table, complete: np.ndarray, tidu_path: str) -> dict[str, int]:
    """Rows where both read the same inputs (every input filled) and whether the verdicts agree."""
    theirs = pq.read_table(
        tidu_path,
        columns=[
            "credit_code",
            "year",
            "innovative_sme__qualified",
            "innovative_sme__score",
            "innovative_sme__path",
        ],
    )
    if theirs.num_rows != result.num_rows:
        raise SystemExit(f"tidu's output has {theirs.num_rows} rows, the input {result.num_rows}")
    same_key = np.asarray(
        pc.and_(
            pc.equal(theirs.column("credit_code"), result.column("credit_code")),
            pc.equal(theirs.column("year"), result.column("year")),
        )
    )
    if not same_key.all():
        raise SystemExit("the rows of tidu's output are not those of the input, in order")
    counts = {
        "rows": result.num_rows,
        "compared": int(complete.sum()),
        "left_out_unknown_inputs": int((~complete).sum()),
    }
    for part in ("qualified", "score", "path"):
        a = np.asarray(theirs.column(f"innovative_sme__{part}").to_numpy(zero_copy_only=False), dtype=object)
        b = np.asarray(result.column(f"innovative_sme__{part}").to_numpy(zero_copy_only=False), dtype=object)
        counts[f"{part}_disagree"] = int(((a != b) & complete).sum())
    counts["qualified_true"] = int((np.asarray(result.column("innovative_sme__qualified")) == "true").sum())
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("-o", "--output")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 30))
    ap.add_argument(
        "--compare", metavar="TIDU_OUT", help="tidu evaluate --standards innovative_sme output (Parquet)"
    )
    args = ap.parse_args()
    t = time.perf_counter()
    result, complete, times = run(args.input, args.output, args.today)
    total = time.perf_counter() - t
    print(
        f"openfisca: {result.num_rows} rows, {total:.2f} s in-process ({', '.join(f'{k} {v:.2f} s' for k, v in times.items())})",
        file=sys.stderr,
    )
    if args.compare:
        counts = compare(result, complete, args.compare)
        print(" ".join(f"{k}={v}" for k, v in counts.items()))
        if counts["qualified_disagree"]:
            sys.exit(1)


if __name__ == "__main__":
    main()
