"""`tidu synth`: deterministic for a seed, valid under fields.md §16, and calibrated so that the
evaluated tier shares are close to the published pyramid (MISSION.md: ~1% 科技型/创新型, 0.23%
专精特新, 0.03% 小巨人 of all SMEs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
from cli_support import TODAY

from tidu.cli.synth import generate
from tidu.rules.credit_code import is_valid
from tidu.rules.fields import FIELDS, coerce_record


def test_same_seed_same_register_other_seed_other_register(tidu: Any, tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.parquet", "b.parquet", "c.parquet"))
    assert tidu("synth", "--firms", "500", "--seed", "3", "--years", "3", "-o", str(a)).status == 0
    tidu("synth", "--firms", "500", "--seed", "3", "--years", "3", "-o", str(b))
    tidu("synth", "--firms", "500", "--seed", "4", "--years", "3", "-o", str(c))
    ta, tb, tc = (pq.read_table(p) for p in (a, b, c))
    assert ta.num_rows == 1500 and ta.equals(tb)
    assert not ta.equals(tc)
    assert ta.column_names == list(FIELDS)


def test_rows_are_valid_and_years_are_consistent() -> None:
    rows = generate(400, seed=9, years=3).to_pylist()
    codes = set()
    for r in rows:
        _rec, errors, _warnings = coerce_record(r, today=TODAY)
        assert errors == [], (r["credit_code"], errors)
        assert is_valid(r["credit_code"])
        codes.add(r["credit_code"])
    assert len(codes) == 400  # one code per firm, the same in each of its years
    for first, second in zip(rows[::3], rows[1::3], strict=True):
        assert first["credit_code"] == second["credit_code"] and second["year"] == first["year"] + 1
        # the y1 of one evaluation year is the y2 of the next: one revenue path per firm
        assert second["revenue_y2"] == first["revenue_y1"] and second["revenue_y3"] == first["revenue_y2"]
        assert second["main_rev_y2"] == first["main_rev_y1"] and second["rd_y2"] == first["rd_y1"]
        assert second["equity_fin_y2"] == first["equity_fin_y1"]


def test_industry_and_region_mix_is_realistic() -> None:
    t = generate(20000, seed=5)
    con = duckdb.connect()
    con.register("t", t)
    sections = dict(con.execute("SELECT substr(industry_code, 1, 1), count(*) FROM t GROUP BY 1").fetchall())
    assert sections["F"] > sections["C"] > sections["M"] > 0  # trade is the most common SME activity
    provinces = dict(con.execute("SELECT substr(region_code, 1, 2), count(*) FROM t GROUP BY 1").fetchall())
    assert len(provinces) >= 25 and provinces["44"] > provinces["62"]  # Guangdong far above Gansu
    big = con.execute("SELECT corr(ln(revenue_y1 + 1), ln(employees_y1)) FROM t").fetchone()[0]
    assert big > 0.5  # revenue grows with staff


def test_tier_shares_are_near_the_published_pyramid(tidu: Any, tmp_path: Path) -> None:
    src, out = tmp_path / "reg.parquet", tmp_path / "out.parquet"
    assert tidu("synth", "--firms", "100000", "--seed", "1", "-o", str(src)).status == 0
    res = tidu("evaluate", str(src), "-o", str(out), "--today", TODAY.isoformat(), "--progress", "never")
    assert res.status == 0, res.stderr
    con = duckdb.connect()
    share = dict(zip(
        ("ladder_entry", "specialized", "little_giant", "sme"),
        con.execute(
            f"SELECT avg((tech_sme__qualified = 'true' OR innovative_sme__qualified = 'true')::INT), "
            f"avg((specialized_sme__qualified = 'true')::INT), avg((little_giant__qualified = 'true')::INT), "
            f"avg((size_class__qualified = 'true')::INT) FROM '{out}'"
        ).fetchone(),
        strict=True,
    ))
    assert 0.0080 <= share["ladder_entry"] <= 0.0125  # target ~1%
    assert 0.0018 <= share["specialized"] <= 0.0029  # target 0.23%
    assert 0.00012 <= share["little_giant"] <= 0.00050  # target 0.03% (about 30 firms here)
    assert share["sme"] > 0.999  # SMEs are 99.9% of firms
