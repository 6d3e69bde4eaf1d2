"""Python `explain().to_row()` and the compiled SQL agree on every row, in every engine.

Records are drawn by hypothesis from the field registry's types, then pinned onto the thresholds of
the packs *as written* (`rd_ratio_y1 >= 0.03`, not its cross-multiplied rewrite): each pinned
quantity lands exactly on its number or one unit either side (1 yuan, 1 person, 1 item, 1 year,
0.000001 of a fraction, 0.0001 of a score, one day), a ratio through a drawn denominator, a growth
rate through three years of revenue, niche years through a start date. Years and as_of dates cross
the edition switches, the review flag is empty, true or false, Sichuan rows carry the overlay's
inputs, and every example holds records qualifying for every tier (asserted), each with a copy
pinned onto one of its standard's thresholds. DuckDB always runs (the compiled SELECT and the batch
API's text projection); PostgreSQL runs whenever it is reachable (TIDU_DATABASE_URL, else
postgresql://postgres@127.0.0.1:5432/test; a configured but unreachable database fails, never
skips); Spark runs in local mode (marked `spark`).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from engines_support import (
    assert_same_as_python,
    duckdb_table,
    postgres_rows,
    python_rows,
    spark_rows,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidu.rules import contract_columns, load_packs
from tidu.rules import expr as E
from tidu.rules.fields import FIELDS
from tidu.rules.sql import run_duckdb

TODAY = dt.date(2026, 11, 30)
PACKS = load_packs()
COLUMNS = list(PACKS.fields)  # registry fields plus overlay-declared inputs


def _support(name: str, path: Path) -> Any:
    """A helper module of another test folder (their folders are not packages)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


REG = _support("_tidu_regulation_support", Path(__file__).parent / "regulation" / "regulation_support.py")
THRESHOLDS = [t for t in REG.pack_thresholds(PACKS) if t.kind in ("expr", "local", "size", "date")]
SIZE_CODES = {row.group: row.industry_code for row in REG.load_size_rows()}


def _constants() -> tuple[list[int], list[Fraction]]:
    """Every number a pack compares a quantity with, as the pack writes it."""
    ints = {t.value for t in THRESHOLDS if isinstance(t.value, int)}
    fracs = {t.value for t in THRESHOLDS if isinstance(t.value, Fraction)}
    return sorted(ints), sorted(fracs)


INTS, FRACS = _constants()
RATIOS = sorted({f for f in FRACS if 0 <= f <= 1} | {Fraction(0), Fraction(1, 20)})
MONEY_EDGES = sorted({v + d for v in INTS if v >= 0 for d in (-1, 0, 1) if v + d >= 0} | {0, 10**13})
INDUSTRY = [
    "A0111", "B0610", "C3441", "C3911", "D4411", "E4811", "F5179", "F5211", "G5431", "G5910", "G5920", "G6010",
    "H6110", "H6210", "I6311", "I6513", "K7010", "K7020", "K7040", "L7212", "M7320", "J6620", "Q8411", "S9221", "C",
]  # fmt: skip
DAYS = [
    dt.date(2022, 7, 31), dt.date(2022, 8, 1), dt.date(2022, 11, 9), dt.date(2024, 8, 31), dt.date(2024, 9, 1),
    dt.date(2025, 6, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1), dt.date(2026, 4, 2), dt.date(2026, 6, 30),
    dt.date(2026, 12, 31),
]  # fmt: skip


def _maybe(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


def _fraction_value() -> st.SearchStrategy[Decimal]:
    edge = st.sampled_from(RATIOS).flatmap(
        lambda f: st.sampled_from([f - Fraction(1, 10**6), f, f + Fraction(1, 10**6)])
    )
    any_ = st.integers(0, 10**6).map(lambda n: Fraction(n, 10**6))
    return (
        st.one_of(edge, any_)
        .filter(lambda f: 0 <= f <= 1)
        .map(lambda f: Decimal(f.numerator) / Decimal(f.denominator))
    )


def _field(name: str) -> st.SearchStrategy[Any]:
    info = PACKS.fields[name]
    spec = FIELDS.get(name)
    t = info.type
    if name == "year":
        return st.integers(2021, 2027)
    if name == "as_of":
        return _maybe(st.sampled_from(DAYS))
    if name == "industry_code":
        return _maybe(st.sampled_from(INDUSTRY))
    if name == "region_code":
        return _maybe(st.sampled_from(["510104", "110108", "440305"]))
    if t == "bool":
        return _maybe(st.booleans())
    if t == "money":
        low = -(10**9) if spec is not None and spec.signed else 0
        return _maybe(st.one_of(st.sampled_from(MONEY_EDGES), st.integers(low, 10**10)))
    if t == "count":
        return _maybe(
            st.one_of(
                st.sampled_from([0, 1, 2, 3, 4, 5, 10, 20, 50, 99, 100, 300, 500, 1000]), st.integers(0, 3000)
            )
        )
    if t == "rank":
        return _maybe(st.integers(1, 8))
    if t == "int":
        return _maybe(st.integers(0, 4))
    if t == "fraction":
        return _maybe(_fraction_value())
    if t == "decimal":
        edges = [
            Decimal(v) + d
            for v in (0, 7, 15, 20, 40, 50, 60, 80)
            for d in (Decimal("-0.0001"), 0, Decimal("0.0001"))
        ]
        return _maybe(st.one_of(st.sampled_from([e for e in edges if e >= 0]), st.decimals(0, 100, places=4)))
    if t == "date":
        return _maybe(
            st.dates(dt.date(2000, 1, 1), dt.date(2026, 12, 31)).flatmap(
                lambda d: st.sampled_from([d, dt.date(d.year, 1, 1)])
            )
        )
    if t == "enum":
        values = spec.values if spec is not None else ()
        return _maybe(st.sampled_from(values)) if values else st.none()
    return st.none()  # free text (name, main_product_name …) is not read by the packs


def _read_by_packs() -> list[str]:
    """The columns some pack expression reads (the rest stay unknown: fewer draws per record)."""
    names = {"year", "as_of", "region_code", "industry_code"}
    for eds in PACKS.editions.values():
        for ed in eds:
            for test in [
                ed.select_when,
                *(a.applies for a in ed.amendments),
                *(o.applies for o in ed.overlays),
            ]:
                if test is not None:
                    names.update(test.fields)
            for v in ed.variants.values():
                for it in [
                    *v.conditions,
                    *(i for r in v.routes for i in r.items),
                    *(lv.item for lv in v.levels),
                ]:
                    names.update(it.fields)
                for ind in v.indicators:
                    names.update(ind.fields)
                if v.score_node is not None:
                    names.update(E.columns(v.score_node))
    return sorted(names & set(COLUMNS))


READ = _read_by_packs()
STRATEGIES = {name: _field(name) for name in READ}


def _case_records() -> list[dict[str, Any]]:
    """The records of the hand-worked cases (packs/cases), typed like the pack tests type them."""
    import importlib.util

    import yaml

    support_path = Path(__file__).parent / "packs" / "packs_support.py"
    spec = importlib.util.spec_from_file_location("_tidu_packs_support", support_path)
    assert spec is not None and spec.loader is not None
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    out = []
    for path in sorted(support.CASES_DIR.rglob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            out.append(support.make_record(case["record"]))
    return out


CASE_RECORDS = _case_records()


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    rec = {name: draw(STRATEGIES[name]) for name in READ}
    # correlated values: ratios exactly on (or one unit off) a band boundary, zero denominators
    for num, den in (("rd_y1", "revenue_y1"), ("main_rev_y1", "revenue_y1"), ("total_liabilities_y1", "total_assets_y1"),
                     ("net_profit_y1", "revenue_y1"), ("rd_y2", "revenue_y2"), ("rd_y1", "cost_expense_y1"),
                     ("tech_staff_y1", "staff_total_y1"), ("rd_staff_y1", "staff_total_y1"),
                     ("main_rev_y2", "main_rev_y3"), ("main_rev_y1", "main_rev_y2"), ("revenue_y1", "revenue_y3")):  # fmt: skip
        if draw(st.integers(0, 2)) == 0:
            base = draw(st.sampled_from([0, 100, 10_000, 20_000_000, 123_456_789]))
            ratio = draw(st.sampled_from([*RATIOS, Fraction(11025, 10000), Fraction(11, 10), Fraction(6, 5)]))
            value = int(base * ratio) + draw(st.sampled_from([-1, 0, 0, 1]))
            rec[den] = base if FIELDS[den].type != "count" else min(base, 3000)
            rec[num] = max(value, 0) if FIELDS[num].type == "count" else value
            if FIELDS[num].type == "count":
                rec[num] = min(rec[num], rec[den]) if rec[den] else 0
            if FIELDS[num].type == "money" and not FIELDS[num].signed:
                rec[num] = max(rec[num], 0)
    return rec


class Chooser:
    """Choices for `pin`: drawn by hypothesis, or from a seeded generator for the exhaustive sweep."""

    def __init__(self, draw: st.DrawFn | None = None, seed: int = 0) -> None:
        self.draw, self.rng = draw, random.Random(seed)

    def pick(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(options)) if self.draw else self.rng.choice(list(options))

    def between(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi)) if self.draw else self.rng.randint(lo, hi)


def _den(draw: Chooser, v: Fraction, cap: int | None = None) -> int:
    """A denominator that puts v × den on a whole number (capped for head counts)."""
    k = draw.pick([1, 2, 3, 7, 100, 12_345, 1_000_003])
    d = v.denominator * k
    if cap is not None:
        while d > cap and k > 1:
            k //= 2
            d = v.denominator * max(k, 1)
    return d


def pin(draw: Chooser, rec: dict[str, Any], t: Any, side: int) -> None:
    """Set the inputs of `rec` so that `t`'s quantity is its number moved by `side` units, exactly."""
    q, v = t.quantity, t.value
    q = REG.ALIASES.get(q, q)
    if t.kind == "size":
        rec["industry_code"] = SIZE_CODES[t.extra["group"]]
    if q in REG.RATIOS:
        num, den, _d = REG.RATIOS[q]
        v = Fraction(v)
        d = _den(draw, v, 3000 if FIELDS[den].type == "count" else None)
        rec[den] = d
        rec[num] = max(int(v * d) + side, 0) if FIELDS[num].type == "count" else int(v * d) + side
    elif q in ("main_growth_y1", "main_growth_avg_2y"):
        v = Fraction(v) * (2 if q == "main_growth_avg_2y" else 1)
        d = _den(draw, v)
        rec["main_rev_y2"] = d
        rec["main_rev_y1"] = int(d + v * d) + side
        if q == "main_growth_avg_2y":
            rec["main_rev_y3"] = d  # the second year flat: the first year carries the average
    elif q in REG.SUMS:
        parts = REG.SUMS[q]
        total = int(v) + side
        cuts = sorted(draw.between(0, max(total, 0)) for _ in parts[1:])
        amounts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        rec.update(dict(zip(parts, amounts, strict=True)))
    elif q == "niche_years":
        n = max(int(v) + side, 0)
        year = rec.get("year") or 2025
        rec["year"] = year
        late = draw.pick([False, True])  # a start after 1 January counts one year less
        rec["niche_start_on"] = dt.date(year - n - 1, 7, 1) if late else dt.date(year - n, 1, 1)
    elif q == "award_prov_plus_best_rank_3y":
        field_ = draw.pick(["award_prov_minist_best_rank_3y", "award_natl_best_rank_3y"])
        rec[field_] = max(int(v) + side, 1)
    elif q == "as_of":
        rec["as_of"] = v + dt.timedelta(days=side)
        rec["year"] = rec["as_of"].year
    elif q == "year":
        rec["year"] = int(v) + side
    elif q == "digital_score":
        rec["digital_score"] = Decimal(str(Fraction(v))) + side * Decimal("0.0001")
        rec["digital_level"] = None
        rec["digital_edition"] = "2022"
    else:
        kind = PACKS.fields[q].type
        if kind in ("money", "count", "rank", "int"):
            rec[q] = max(int(v) + side, 1 if kind == "rank" else 0)
        elif kind == "fraction":
            f = Fraction(v) + side * Fraction(1, 10**6)
            rec[q] = Decimal(f.numerator) / Decimal(f.denominator) if 0 <= f <= 1 else None
        else:
            rec[q] = Decimal(str(Fraction(v).numerator / Fraction(v).denominator)) + side * Decimal("0.0001")


@st.composite
def pinned_records(draw: st.DrawFn) -> dict[str, Any]:
    """A drawn record with one to five thresholds of the packs pinned (exactly, or one unit off)."""
    rec = draw(records())
    for t in draw(st.lists(st.sampled_from(THRESHOLDS), min_size=1, max_size=5)):
        pin(Chooser(draw), rec, t, draw(st.sampled_from([-1, 0, 0, 1])))
    return rec


TIERS = ("size_class", "tech_sme", "innovative_sme", "specialized_sme", "little_giant", "digital_level")


def _qualifying() -> dict[str, list[dict[str, Any]]]:
    """Hand-worked records that qualify, per standard (the Python path's own verdict)."""
    pool = list(CASE_RECORDS)
    for mark in REG.load_explicit():
        for _name, raw, _expect in mark.records:
            rec = {k: REG._typed(PACKS, k, v) for k, v in raw.items()}
            rec.setdefault("as_of", dt.date(int(rec["year"]), 6, 30))
            pool.append(rec)
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in TIERS}
    for rec in pool:
        for s, r in PACKS.explain(rec, today=TODAY).standards.items():
            if r.qualified.value == "true" and s in out:
                out[s].append(rec)
    assert all(out.values()), {s: len(v) for s, v in out.items()}
    return out


QUALIFYING = _qualifying()


@st.composite
def mixed_runs(draw: st.DrawFn, min_size: int = 1, max_size: int = 40) -> list[dict[str, Any]]:
    """Drawn and pinned records, plus for every tier one qualifying record and a copy of another
    pinned onto one of that standard's thresholds (often on the edge of qualifying), with the review
    flag empty, true or false."""
    recs = draw(st.lists(pinned_records(), min_size=min_size, max_size=max_size))
    for s in TIERS:
        recs.append(dict(draw(st.sampled_from(QUALIFYING[s]))))
        near = dict(draw(st.sampled_from(QUALIFYING[s])))
        own = [t for t in THRESHOLDS if t.standard == s]
        pin(Chooser(draw), near, draw(st.sampled_from(own)), draw(st.sampled_from([-1, 0, 1])))
        near["is_review"] = draw(st.sampled_from([None, True, False]))
        recs.append(near)
    return recs


def _qualifying_by_edition() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Qualifying records per edition, those with every input of the standard known first (a
    threshold moving their score or verdict shows in the output; an open score is blank)."""
    ranked: dict[tuple[str, str], list[tuple[bool, bool, int, dict[str, Any]]]] = {}
    for s, recs in QUALIFYING.items():
        for i, rec in enumerate(recs):
            r = PACKS.explain(rec, standards=[s], today=TODAY)[s]
            rank = (r.score_output and r.score is None, r.path == "direct", i, rec)
            ranked.setdefault((s, str(r.edition)), []).append(rank)
    return {k: [x[3] for x in sorted(v, key=lambda x: x[:3])] for k, v in ranked.items()}


QUALIFYING_BY_EDITION = _qualifying_by_edition()


def threshold_sweep() -> list[dict[str, Any]]:
    """Every threshold of every pack, one unit below, at and one unit above, written onto firm-years
    that qualify under that edition: the inputs of the threshold's regulation case (which make it
    decide its condition or band) or, where it has none, the threshold pinned alone. The review flag
    is empty, true or false in turn where the case leaves it open."""
    rows = {r.key: r for r in REG.load_rows()}
    size_rows = {r.key: r for r in REG.load_size_rows()}
    out = []
    for n, t in enumerate(THRESHOLDS):
        bases = QUALIFYING_BY_EDITION.get((t.standard, t.edition)) or QUALIFYING[t.standard]
        for b, base in enumerate(bases[:2]):
            for side in (-1, 0, 1):
                rec = dict(base)
                if t.key in size_rows:
                    rec.update(REG.size_record(size_rows[t.key], side))
                elif t.key in rows:
                    rec.update(REG.realize(PACKS, rows[t.key], side)[0])
                else:
                    pin(Chooser(seed=n * 10 + b * 3 + side), rec, t, side)
                if "is_review" not in rec:
                    rec["is_review"] = (None, True, False)[(n + side) % 3]
                out.append(rec)
    return out


def assert_every_tier_qualifies(expected: dict[str, dict[str, str]]) -> None:
    for s in TIERS:
        assert any(row[f"{s}__qualified"] == "true" for row in expected.values()), f"no row qualified for {s}"


def _rows(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "credit_code": f"R{i:05d}"} for i, r in enumerate(recs)]


# ---------------------------------------------------------------------------------------------
# DuckDB


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mixed_runs())
def test_duckdb_matches_python(recs: list[dict[str, Any]]) -> None:
    rows = _rows(recs)
    expected = python_rows(PACKS, rows, TODAY)
    assert_every_tier_qualifies(expected)
    con = duckdb_table(PACKS, rows)
    got = run_duckdb(PACKS, "firm_years", con=con, today=TODAY)
    assert_same_as_python(expected, got, "DuckDB")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mixed_runs())
def test_the_batch_api_matches_python(recs: list[dict[str, Any]]) -> None:
    """tidu.rules.batch (what `tidu evaluate`, the benchmarks and the jobs call) on typed records.

    The batch reads the registry's columns only (fields.md), so the Sichuan overlay's proposed
    inputs are left out of both sides."""
    from tidu.rules.batch import Selection, evaluate_arrow

    rows = [{k: v for k, v in r.items() if k in FIELDS or k == "credit_code"} for r in _rows(recs)]
    expected = python_rows(PACKS, rows, TODAY)
    assert_every_tier_qualifies(expected)
    con = duckdb_table(PACKS, rows)
    table = con.sql(
        "SELECT * EXCLUDE (" + ", ".join(f'"{c}"' for c in COLUMNS if c not in FIELDS) + ") FROM firm_years"
    ).arrow()
    got = [
        dict(zip(batch.schema.names, values, strict=True))
        for batch in evaluate_arrow(PACKS, table, Selection(today=TODAY))
        for values in zip(*(col.to_pylist() for col in batch.columns), strict=True)
    ]
    assert_same_as_python(expected, got, "DuckDB (tidu.rules.batch)")


def test_duckdb_matches_python_at_every_threshold_of_every_pack() -> None:
    rows = _rows(threshold_sweep())
    con = duckdb_table(PACKS, rows)
    assert_same_as_python(python_rows(PACKS, rows, TODAY), run_duckdb(PACKS, "firm_years", con=con, today=TODAY), "DuckDB")


def _parquet_batch(
    tmp_path: Path, name: str, rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], Any, Path]:
    """`rows` (registry fields, valid credit codes added) as a typed Parquet file and its ParquetBatch."""
    from tidu.rules.batch import ParquetBatch, Selection
    from tidu.rules.credit_code import make_credit_code

    rows = [{k: v for k, v in r.items() if k in FIELDS} for r in rows]
    for i, r in enumerate(rows):
        r["credit_code"] = make_credit_code("110108", f"{i:08d}")
    con = duckdb_table(PACKS, rows)
    src = tmp_path / f"{name}.parquet"
    fields = ", ".join(f'"{c}"' for c in FIELDS)
    con.execute(f"COPY (SELECT {fields} FROM firm_years) TO '{src}' (FORMAT parquet)")
    batch = ParquetBatch(PACKS, src, {c: c for c in FIELDS}, Selection(today=TODAY))
    assert batch.plan is not None  # typed columns: validated in SQL, not in Python
    return rows, batch, tmp_path / f"{name}.out.parquet"


def _batch_matches_python(rows: list[dict[str, Any]], batch: Any, out: Path, engine: str) -> None:
    result = batch.write_parquet(out)
    assert result.rows_ok >= 0.9 * len(rows), result
    bad = set(result.bad_rows)
    good = [r for i, r in enumerate(rows) if i not in bad]
    got = [{k: "" if v is None else str(v) for k, v in row.items()} for row in pq.read_table(out).to_pylist()]
    assert_same_as_python(python_rows(PACKS, good, TODAY), got, engine)


def test_the_parquet_batch_matches_python_at_every_threshold_of_every_pack(tmp_path: Path) -> None:
    """What `tidu evaluate` runs on a typed Parquet file: a validation scan, then the evaluation of the
    rows that pass. Rows the validation rejects (a sub-count above its total, as some sweep rows have)
    are left out."""
    rows, batch, out = _parquet_batch(tmp_path, "sweep", threshold_sweep())
    _batch_matches_python(rows, batch, out, "DuckDB (Parquet batch)")


def test_the_parquet_batch_pinned_to_one_edition_per_standard_matches_python(tmp_path: Path) -> None:
    """The specialised form: a file whose rows all select one edition of a standard is evaluated with
    that edition forced (the other editions' expressions left out). The sweep is split into files by
    the editions Python selects, the review flag and the questionnaire edition given (an empty one is
    never pinned), so each file pins every standard it can."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for rec in threshold_sweep():
        if rec.get("is_review") is None:
            rec = {**rec, "is_review": False}
        if rec.get("digital_edition") is None:  # the questionnaire edition the date would choose, given
            digital = PACKS.explain(rec, standards=["digital_level"], today=TODAY)["digital_level"]
            rec = {**rec, "digital_edition": str(digital.edition)}
        editions = tuple(str(s.edition) for s in PACKS.explain(rec, today=TODAY).standards.values())
        groups.setdefault(editions, []).append(rec)
    pinned_somewhere = set()
    for n, (_editions, recs) in enumerate(sorted(groups.items())):
        rows, batch, out = _parquet_batch(tmp_path, f"group{n}", recs)
        pins = batch.pinned_editions()
        pinned_somewhere |= {f"{s}={e}" for s, e in pins.items()}
        _batch_matches_python(rows, batch, out, f"DuckDB (Parquet batch pinned to {pins})")
    multi = {s for s, eds in PACKS.editions.items() if len(eds) > 1}
    for s in multi:  # every standard with editions to choose from was evaluated pinned, on each edition
        for ed in PACKS.editions[s]:
            assert f"{s}={ed.edition}" in pinned_somewhere, (s, ed.edition, sorted(pinned_somewhere))


def test_duckdb_matches_python_on_the_hand_worked_cases() -> None:
    rows = _rows(CASE_RECORDS)
    con = duckdb_table(PACKS, rows)
    assert_same_as_python(python_rows(PACKS, rows, TODAY), run_duckdb(PACKS, "firm_years", con=con, today=TODAY), "DuckDB")


def _variant_rows() -> list[dict[str, Any]]:
    """The hand-worked records spread over the editions, amendments and the Sichuan overlay."""
    settings_: list[dict[str, Any]] = [
        {"year": 2023, "as_of": dt.date(2023, 6, 30), "region_code": "110108"},
        {"year": 2025, "as_of": dt.date(2025, 6, 30), "region_code": "510104", "digital_edition": "2024",
         "sc_industry_system": True, "sc_heritage_gi_first": False, "sc_local_feature": True},
        {"year": 2026, "as_of": dt.date(2025, 12, 31), "region_code": "440305"},
        {"year": 2026, "as_of": dt.date(2026, 6, 30), "region_code": "510104", "digital_edition": "2022"},
        {"year": 2027, "as_of": None, "region_code": None},
    ]  # fmt: skip
    rows = _rows([{**r, **s} for r in CASE_RECORDS[:60] for s in settings_])
    reached = {
        (s.standard, s.edition, tuple(s.amendments), s.overlay)
        for r in rows
        for s in PACKS.explain(r, today=TODAY).standards.values()
    }
    for want in (
        ("innovative_sme", "2022", ("2026",), None),
        ("specialized_sme", "2022", (), "510000"),
        ("specialized_sme", "2026", (), None),
        ("little_giant", "2022", ("2025",), None),
        ("little_giant", "2022", ("2026",), None),
        ("little_giant", "2026", ("2026",), None),
        ("digital_level", "2024", (), None),
    ):
        assert want in reached
    return rows


def test_duckdb_matches_python_in_every_variant_it_reaches() -> None:
    """The compiled SQL picks each row's variant of each standard (computing only that variant's
    outputs) and gives exactly the Python result there."""
    rows = _variant_rows()
    con = duckdb_table(PACKS, rows)
    assert_same_as_python(python_rows(PACKS, rows, TODAY), run_duckdb(PACKS, "firm_years", con=con, today=TODAY), "DuckDB")


def test_duckdb_forced_editions_and_a_subset_of_standards() -> None:
    rows = _rows(CASE_RECORDS[:80])
    con = duckdb_table(PACKS, rows)
    standards = ["specialized_sme", "little_giant"]
    editions = {"specialized_sme": "2022", "little_giant": "2022"}
    got = run_duckdb(PACKS, "firm_years", con=con, today=TODAY, standards=standards, editions=editions)
    cols = contract_columns(standards)
    assert list(got[0]) == cols
    for row in got:
        rec = next(r for r in rows if r["credit_code"] == row["credit_code"])
        want = PACKS.explain(rec, standards=standards, editions=editions, today=TODAY).to_row()
        assert want == row
        assert row["little_giant__edition"] == "2022"


def test_duckdb_reads_typed_parquet(tmp_path: Any) -> None:
    rows = _rows(CASE_RECORDS[:60])
    con = duckdb_table(PACKS, rows)
    path = tmp_path / "firms.parquet"
    con.execute(f"COPY firm_years TO '{path}' (FORMAT parquet)")
    assert_same_as_python(python_rows(PACKS, rows, TODAY), run_duckdb(PACKS, path, today=TODAY), "DuckDB Parquet")


def test_duckdb_reads_csv_with_missing_columns(tmp_path: Any) -> None:
    """A CSV with only some columns: absent columns are unknown, empty cells are unknown."""
    path = tmp_path / "firms.csv"
    path.write_text(
        "credit_code,year,industry_code,employees_y1,revenue_y1,as_of\n"
        "A,2025,C3441,250,180000000,2025-06-30\n"
        "B,2025,C3441,,,2025-06-30\n",
        encoding="utf-8",
    )
    got = run_duckdb(PACKS, path, today=TODAY)
    recs = [
        {
            "credit_code": "A",
            "year": 2025,
            "industry_code": "C3441",
            "employees_y1": 250,
            "revenue_y1": 180_000_000,
            "as_of": dt.date(2025, 6, 30),
        },
        {"credit_code": "B", "year": 2025, "industry_code": "C3441", "as_of": dt.date(2025, 6, 30)},
    ]
    assert_same_as_python(python_rows(PACKS, recs, TODAY), got, "DuckDB CSV")
    assert {r["credit_code"]: r["size_class__level"] for r in got} == {"A": "small", "B": ""}


# ---------------------------------------------------------------------------------------------
# PostgreSQL: whenever it is reachable (a configured but unreachable database fails the test)

@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(recs=mixed_runs())
def test_postgres_matches_python(pg: Any, recs: list[dict[str, Any]]) -> None:
    rows = _rows(recs + CASE_RECORDS)
    expected = python_rows(PACKS, rows, TODAY)
    assert_every_tier_qualifies(expected)
    assert_same_as_python(expected, postgres_rows(PACKS, pg, rows, "tidu_parity", TODAY), "PostgreSQL")


def test_postgres_matches_python_at_every_threshold_of_every_pack(pg: Any) -> None:
    rows = _rows(threshold_sweep())
    assert_same_as_python(python_rows(PACKS, rows, TODAY), postgres_rows(PACKS, pg, rows, "tidu_parity_sweep", TODAY), "PostgreSQL")


def test_postgres_matches_python_in_every_variant_it_reaches(pg: Any) -> None:
    rows = _variant_rows()
    got = postgres_rows(PACKS, pg, rows, "tidu_parity_variants", TODAY)
    assert_same_as_python(python_rows(PACKS, rows, TODAY), got, "PostgreSQL")


# ---------------------------------------------------------------------------------------------
# Spark (local mode, one session for the test session)


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
@given(recs=mixed_runs(min_size=10, max_size=25))
def test_spark_matches_python(spark: Any, recs: list[dict[str, Any]]) -> None:
    rows = _rows(recs + CASE_RECORDS)
    expected = python_rows(PACKS, rows, TODAY)
    assert_every_tier_qualifies(expected)
    assert_same_as_python(expected, spark_rows(PACKS, spark, rows, TODAY), "Spark")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_matches_python_at_every_threshold_of_every_pack(spark: Any) -> None:
    rows = _rows(threshold_sweep())
    assert_same_as_python(python_rows(PACKS, rows, TODAY), spark_rows(PACKS, spark, rows, TODAY), "Spark")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_matches_python_in_every_variant_it_reaches(spark: Any) -> None:
    rows = _variant_rows()
    assert_same_as_python(python_rows(PACKS, rows, TODAY), spark_rows(PACKS, spark, rows, TODAY), "Spark")
