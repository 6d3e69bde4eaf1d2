"""The policy sandbox over 1 million synthetic firms: how long the batch engine takes to say how many firms
would qualify for a policy and the total amount (issue 11; target ≤ 10 s on the 2-vCPU machine).

Run: `.venv/bin/python benchmarks/policies.py [--firms 1000000] [--threads 2] [--repeat 3]`

The firms are generated inside DuckDB (seeded, no file): industry, staff, revenue two years, R&D, assets,
profit, titles held and digital level, with plausible spreads and ~5% unknown figures. Three sample
policies of src/tidu/policies/data/policies.yaml run through `tidu.policies.batch.run`, the same code the
sandbox page uses: the conditions compiled from the packs' expression language, the size class by the
criteria packs' own SQL (for the policies that test it), amount floored and capped, counts and the sum.
Timing includes the SQL compile and the per-firm result table (not the generation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidu.config.settings.test")

import django

django.setup()

import duckdb  # noqa: E402

from tidu.policies import batch as B  # noqa: E402
from tidu.policies import conditions as C  # noqa: E402
from tidu.policies.demo import policy_data  # noqa: E402

POLICIES = ("gd-rd-post-subsidy", "nat-small-low-profit-2023", "ns-high-growth")

GENERATE = """
CREATE OR REPLACE TABLE firms AS
SELECT i::BIGINT AS enterprise_id,
       'B' || lpad(i::VARCHAR, 17, '0') AS credit_code,
       2026 AS "year",
       ['C3484', 'C3911', 'I6510', 'F5211', 'C2710', 'M7320', 'C1610', 'D4411'][1 + (hash(i) % 8)::INT] AS industry_code,
       CASE WHEN hash(i, 1) % 20 = 0 THEN NULL ELSE (5 + hash(i, 2) % 1200)::INTEGER END AS employees_y1,
       CASE WHEN hash(i, 3) % 20 = 0 THEN NULL ELSE (1000000 + hash(i, 4) % 600000000)::BIGINT END AS revenue_y1,
       (1000000 + hash(i, 5) % 500000000)::BIGINT AS revenue_y2,
       CASE WHEN hash(i, 6) % 20 = 0 THEN NULL ELSE (hash(i, 7) % 30000000)::BIGINT END AS rd_y1,
       (500000 + hash(i, 8) % 200000000)::BIGINT AS total_assets_y1,
       (hash(i, 9) % 20000000)::BIGINT - 4000000 AS net_profit_y1,
       hash(i, 10) % 5 = 0 AS cert_specialized_valid,
       hash(i, 11) % 50 = 0 AS cert_little_giant_valid,
       (hash(i, 12) % 5)::INTEGER AS digital_level,
       '440305' AS region_code, '440000' AS province_code, '440300' AS city_code
FROM range(1, {n} + 1) t(i)
"""


def edition(code: str) -> dict:
    item = next(p for p in policy_data() if p["code"] == code)
    return sorted(item["editions"], key=lambda e: e["effective_on"])[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    started = time.perf_counter()
    con.execute(GENERATE.format(n=args.firms))
    print(
        f"machine: {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, threads={args.threads}"
    )
    print(f"generated {args.firms:,} firms in {time.perf_counter() - started:.1f} s")
    columns = [d[0] for d in con.execute("SELECT * FROM firms LIMIT 0").description if d[0] != B.KEY]
    today = dt.date(2026, 12, 5)
    for code in POLICIES:
        ed = edition(code)
        specs = C.check_conditions(ed["conditions"])
        amount = C.check_amount(ed.get("amount_expr", ""))
        times = []
        for _ in range(args.repeat):
            out = B.run(
                specs,
                amount,
                ed.get("amount_cap_yuan"),
                con=con,
                table="firms",
                columns=columns,
                today=today,
                keep_rows=False,
            )
            times.append(out.seconds)
        print(
            f"{code}: {out.firms:,} firms → qualify {out.qualify:,}, unknown {out.unknown:,}, "
            f"fail {out.fail:,}, total {out.amount_yuan / 10000:,.0f} 万元; "
            f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={args.repeat})"
        )


if __name__ == "__main__":
    main()
