"""The refresh: the register through the batch engine into standings, then the cells summed from them.

`standings_refresh` is the one write path (the job handler and the demo call it). It reads the register
in chunks of firms (load once, then compute), evaluates every firm-year of a chunk with
`tidu.rules.batch.evaluate_arrow` (DuckDB, the same compiled SQL as `tidu evaluate`), asks the Python
explainer for the gaps only of firms close to their next rung, and rewrites those firms' standings and
the cells of their counties. See docs/decisions/0097.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from tidu.core.audit import audit_record
from tidu.core.permissions import is_platform_admin, jurisdiction_prefix_of, require
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import default_as_of, evaluation_records
from tidu.insights.models import Cell, Dim, Refresh, Rung, Standing
from tidu.journey.models import Recognition
from tidu.ladder.assessment import packs, today_shanghai

CHUNK = 2000  # firms per read of the register
STANDARDS = ("size_class", "tech_sme", "innovative_sme", "specialized_sme", "little_giant")
NEXT_STANDARD = {Rung.SME: "innovative_sme", Rung.TECH_INNOVATIVE: "specialized_sme",
                 Rung.SPECIALIZED: "little_giant"}
NEAR_POINTS = Decimal(50)  # a scored next rung is worth asking for gaps from this many points up
EXPIRING_DAYS = 365
Progress = Callable[[int, int, str], None]  # (done, total, what is being done, in Chinese)
MAX_CHANGES = 3  # "one step": the engine's smallest qualifying gap changes at most this many figures


def _arrow_table(records: Sequence[dict[str, Any]]) -> Any:
    """Records of the register → an Arrow table with the registry's SQL types (what the batch reads)."""
    import pyarrow as pa

    from tidu.rules.fields import FIELDS

    types = {"money": pa.int64(), "count": pa.int32(), "rank": pa.int32(), "int": pa.int32(),
             "fraction": pa.decimal128(18, 6), "decimal": pa.decimal128(18, 4), "bool": pa.bool_(),
             "date": pa.date32(), "str": pa.string(), "enum": pa.string()}
    schema = pa.schema([pa.field(n, types[s.type]) for n, s in FIELDS.items()])
    arrays = [pa.array([r.get(f.name) for r in records], type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def evaluate_records(records: Sequence[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """The contract columns (text) of each record, in order, from the batch engine."""
    from tidu.rules.batch import Selection, duckdb_connection, evaluate_arrow

    if not records:
        return []
    con = duckdb_connection(threads=1)
    out: list[dict[str, Any]] = []
    for batch in evaluate_arrow(packs(), _arrow_table(records), Selection(STANDARDS, today=today), con):
        cols = batch.schema.names
        for values in zip(*(c.to_pylist() for c in batch.columns), strict=True):
            out.append(dict(zip(cols, values, strict=True)))
    con.close()
    return out


def rung_of(*, tech: bool, innovative: bool, specialized: bool, little_giant: bool) -> int:
    if little_giant:
        return Rung.LITTLE_GIANT
    if specialized:
        return Rung.SPECIALIZED
    return Rung.TECH_INNOVATIVE if tech or innovative else Rung.SME


def _score(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text not in (None, "") else None
    except ArithmeticError:
        return None


def _step(record: dict[str, Any], standard: str, today: dt.date) -> list[dict[str, Any]]:
    """The smallest change set (at most MAX_CHANGES figures) that makes the firm qualify for `standard`,
    from the engine's gaps (empty: none)."""
    from tidu.rules.fields import FIELDS

    result = packs().explain(record, standards=[standard], today=today, gaps=True).standards[standard]
    for gap in sorted(result.gaps, key=lambda g: g.size):
        if gap.makes_qualified and len(gap.changes) <= MAX_CHANGES:
            return [{"field": c.field, "label": FIELDS[c.field].label if c.field in FIELDS else c.field,
                     "old": _text(c.old), "new": _text(c.new), "effect": gap.effect_zh, "standard": standard}
                    for c in gap.changes]
    return []


def _text(v: Any) -> str | None:
    from tidu.rules.model import format_number

    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int | Decimal):
        return format_number(v)
    return str(v)


def _expiries(ids: Sequence[int]) -> dict[int, list[Recognition]]:
    out: dict[int, list[Recognition]] = defaultdict(list)
    for rec in Recognition.objects.filter(enterprise__in=ids, revoked_at__isnull=True):
        out[rec.enterprise_id].append(rec)
    return out


def _standings_of_chunk(firms: list[Enterprise], today: dt.date) -> list[Standing]:
    ids = [e.pk for e in firms]
    by_id = {e.pk: e for e in firms}
    years: dict[int, list[int]] = defaultdict(list)  # evaluation year → firm ids with figures for it
    for ent_id, fy in EnterpriseYear.objects.filter(enterprise__in=ids).values_list("enterprise_id", "fiscal_year"):
        years[fy + 1].append(ent_id)
    recs = _expiries(ids)
    latest: dict[int, int] = {}
    for year, firm_ids in years.items():
        for i in firm_ids:
            latest[i] = max(latest.get(i, 0), year)
    rows: dict[tuple[int, int], Standing] = {}
    for year in sorted(years):
        chosen = [by_id[i] for i in sorted(set(years[year]))]
        as_of = default_as_of(year)
        records = evaluation_records(Enterprise.objects.filter(pk__in=[e.pk for e in chosen]), year, as_of=as_of)
        by_code = {r["credit_code"]: r for r in records}
        ents = {e.credit_code: e for e in chosen}
        for res in evaluate_records(records, today):
            record, ent = by_code[res["credit_code"]], ents[res["credit_code"]]
            rows[(ent.pk, year)] = _standing(ent, year, record, res, recs.get(ent.pk, []), as_of,
                                             latest=latest[ent.pk] == year, today=today)
    for (ent_id, year), s in rows.items():
        prev = rows.get((ent_id, year - 1))
        s.moved = None if prev is None else (s.rung_held > prev.rung_held) - (s.rung_held < prev.rung_held)
    return list(rows.values())


def _standing(ent: Enterprise, year: int, record: dict[str, Any], res: dict[str, Any], recs: list[Recognition],
              as_of: dt.date, *, latest: bool, today: dt.date) -> Standing:
    held = {k: record.get(f"cert_{k}_valid") is True
            for k in ("tech_sme", "innovative", "specialized", "little_giant")}
    v = {s: res.get(f"{s}__qualified") or "" for s in STANDARDS}
    rung = rung_of(tech=held["tech_sme"], innovative=held["innovative"], specialized=held["specialized"],
                   little_giant=held["little_giant"])
    reach = rung_of(tech=v["tech_sme"] == "true", innovative=v["innovative_sme"] == "true",
                    specialized=v["specialized_sme"] == "true", little_giant=v["little_giant"] == "true")
    top = {Rung.LITTLE_GIANT: "little_giant", Rung.SPECIALIZED: "specialized_sme",
           Rung.TECH_INNOVATIVE: "innovative_sme" if held["innovative"] else "tech_sme"}.get(Rung(rung))
    valid = [r.valid_until for r in recs if r.valid_from <= as_of <= r.valid_until]
    expires = min(valid) if valid else None
    s = Standing(
        enterprise=ent, year=year, region_code=ent.region_id, industry=(ent.industry_code or "")[:1],
        field=record.get("product_industry_type_2026") or "",
        held_tech=held["tech_sme"], held_innovative=held["innovative"], held_specialized=held["specialized"],
        held_little_giant=held["little_giant"], rung_held=rung, rung_reachable=reach, can_rise=reach > rung,
        v_size_class=v["size_class"], v_tech_sme=v["tech_sme"], v_innovative_sme=v["innovative_sme"],
        v_specialized_sme=v["specialized_sme"], v_little_giant=v["little_giant"],
        at_risk=top is not None and v[top] == "false", expires_on=expires,
        expiring=expires is not None and expires <= as_of + dt.timedelta(days=EXPIRING_DAYS),
        rd=record.get("rd_y1"), revenue=record.get("revenue_y1"), invention_patents=record.get("invention_patent_count"),
        supplies_large=record.get("product_serves_chain_leader") is True,
    )
    nxt = NEXT_STANDARD.get(Rung(rung))
    if latest and nxt and reach <= rung and v[nxt] in ("false", "unknown"):
        score = _score(res.get(f"{nxt}__score"))
        if score is None or score >= NEAR_POINTS:
            s.step = _step(record, nxt, today)
            s.one_step = bool(s.step)
    return s


COUNTERS = ("firms", "reachable", "at_risk", "one_step", "expiring", "moved_up", "moved_down", "rd", "revenue",
            "invention_patents", "supplies_large")
# Each counter of a county cell, as SQL over the standings (portable: SQLite and PostgreSQL).
FROM_STANDINGS = (
    "COUNT(*)", "SUM(CASE WHEN rung_reachable > rung_held THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN at_risk THEN 1 ELSE 0 END)", "SUM(CASE WHEN one_step THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN expiring THEN 1 ELSE 0 END)", "SUM(CASE WHEN moved > 0 THEN 1 ELSE 0 END)",
    "SUM(CASE WHEN moved < 0 THEN 1 ELSE 0 END)",
    "COALESCE(SUM(CASE WHEN rd IS NOT NULL AND revenue > 0 THEN rd END), 0)",
    "COALESCE(SUM(CASE WHEN rd IS NOT NULL AND revenue > 0 THEN revenue END), 0)",
    "COALESCE(SUM(invention_patents), 0)", "SUM(CASE WHEN supplies_large THEN 1 ELSE 0 END)",
)
CELL_COLUMNS = "year, node, dim, key, rung, " + ", ".join(COUNTERS)


def _in(column: str, values: Iterable[str] | None) -> tuple[str, list[str]]:
    """` AND column IN (…)` with its parameters (nothing for None: every row)."""
    if values is None:
        return "", []
    vals = sorted(values)
    return (f" AND {column} IN ({', '.join(['%s'] * len(vals))})", vals) if vals else (" AND 1 = 0", [])


def _cells(counties: set[str] | None) -> None:
    """Rewrite the cells of the given counties and of every node above them (None: all cells), in SQL.

    County nodes are summed from the standings (by county, industry section, field); a node of length
    0/2/4 from its children's cells: their industry rows give its region dimension (one row per child),
    and their industry and field rows add up to its own.
    """
    cell, standing = Cell._meta.db_table, Standing._meta.db_table
    sums = ", ".join(FROM_STANDINGS)
    with connection.cursor() as cur:
        for length in (6, 4, 2, 0):
            nodes = None if counties is None else {c[:length] for c in counties}
            cond, params = _in("node", nodes)
            cur.execute(f"DELETE FROM {cell} WHERE LENGTH(node) = %s{cond}", [length, *params])
            if length == 6:
                cond, params = _in("region_code", counties)
                for dim, key in ((Dim.REGION, "region_code"), (Dim.INDUSTRY, "industry"), (Dim.FIELD, "field")):
                    cur.execute(
                        f"INSERT INTO {cell} ({CELL_COLUMNS}) SELECT year, region_code, %s, {key}, rung_held, {sums} "
                        f"FROM {standing} WHERE 1 = 1{cond} GROUP BY year, region_code, {key}, rung_held",
                        [dim.value, *params])
                continue
            child = {0: 2, 2: 4, 4: 6}[length]
            parent = f"SUBSTR(node, 1, {length})" if length else "''"
            cond, params = _in(parent, nodes if length else None)
            added = ", ".join(f"SUM({c})" for c in COUNTERS)
            for dim, source, key in ((Dim.REGION, Dim.INDUSTRY, "node"), (Dim.INDUSTRY, Dim.INDUSTRY, "key"),
                                     (Dim.FIELD, Dim.FIELD, "key")):
                cur.execute(
                    f"INSERT INTO {cell} ({CELL_COLUMNS}) SELECT year, {parent}, %s, {key}, rung, {added} "
                    f"FROM {cell} WHERE LENGTH(node) = {child} AND dim = %s{cond} "
                    f"GROUP BY year, {parent + ', ' if length else ''}{key}, rung",
                    [dim.value, source.value, *params])


# ---------------------------------------------------------------------------------------------
# PostgreSQL: the same standings computed inside the database (the compiled packs over the register's view)

def _rung_sql(tech: str, innovative: str, specialized: str, little_giant: str) -> str:
    return (f"CASE WHEN {little_giant} THEN 3 WHEN {specialized} THEN 2 "
            f"WHEN {tech} OR {innovative} THEN 1 ELSE 0 END")


def _refresh_in_postgres(ids: Sequence[int] | None, today: dt.date, phases: dict[str, Any]
                         ) -> tuple[int, set[tuple[int, str]], list[tuple[int, int, int, int]]]:
    """Rewrite the standings of `ids` (None: every firm) with SQL only; return the firm-years written, the
    (year, county) touched and every standing close to its next rung (id, firm, year, rung held), closest
    first, for the explainer's steps (decision 0114: no cap)."""
    from tidu.cli.pgsource import register_view_sql
    from tidu.rules.batch import Selection

    view = register_view_sql(today=today)
    compiled = Selection(STANDARDS, today=today).compiled(packs(), "postgres", "ins_firm_years")
    as_of = f"LEAST(DATE '{today.isoformat()}', make_date(v.year, 12, 31))"
    held = {k: f"COALESCE(v.cert_{k}_valid, false)" for k in ("tech_sme", "innovative", "specialized", "little_giant")}
    q = {st: f"COALESCE(ev.{st}__qualified, '')" for st in STANDARDS}
    t = {st: f"({q[st]} = 'true')" for st in STANDARDS}
    rung = _rung_sql(held["tech_sme"], held["innovative"], held["specialized"], held["little_giant"])
    reach = _rung_sql(t["tech_sme"], t["innovative_sme"], t["specialized_sme"], t["little_giant"])
    top_false = (f"CASE WHEN {held['little_giant']} THEN {q['little_giant']} = 'false' "
                 f"WHEN {held['specialized']} THEN {q['specialized_sme']} = 'false' "
                 f"WHEN {held['innovative']} THEN {q['innovative_sme']} = 'false' "
                 f"WHEN {held['tech_sme']} THEN {q['tech_sme']} = 'false' ELSE false END")
    expires = ("(SELECT MIN(r.valid_until) FROM journey_recognition r WHERE r.enterprise_id = e.id "
               f"AND r.revoked_at IS NULL AND r.valid_from <= {as_of} AND r.valid_until >= {as_of})")
    touched: set[tuple[int, str]] = set()
    started = time.perf_counter()
    with connection.cursor() as cur, transaction.atomic():
        cur.execute("DROP TABLE IF EXISTS ins_ids; CREATE TEMP TABLE ins_ids (id bigint PRIMARY KEY)")
        if ids is not None:
            for start in range(0, len(ids), 10_000):
                part = ids[start:start + 10_000]
                cur.execute("INSERT INTO ins_ids SELECT unnest(%s::bigint[])", [list(part)])
        only = "" if ids is None else " AND e.id IN (SELECT id FROM ins_ids)"
        where = " WHERE " + only[5:] if only else ""
        # A table, not a view: the compiled SQL reads its source in several layers, and PostgreSQL would
        # recompute the register's joins for each (measured: 9,000 firm-years 33 s over the view, 2 s here).
        cur.execute(f"DROP TABLE IF EXISTS ins_firm_years; CREATE TEMP TABLE ins_firm_years AS {view}{where}")
        cur.execute("ANALYZE ins_firm_years")
        cur.execute(f"DROP TABLE IF EXISTS ins_ev; CREATE TEMP TABLE ins_ev AS {compiled}")
        cur.execute("CREATE INDEX ON ins_ev (credit_code, year)")
        cur.execute("SELECT DISTINCT year, region_code FROM insights_standing s"
                    + ("" if ids is None else " WHERE s.enterprise_id IN (SELECT id FROM ins_ids)"))
        touched.update(cur.fetchall())
        cur.execute("DELETE FROM insights_standing" + ("" if ids is None else
                                                       " WHERE enterprise_id IN (SELECT id FROM ins_ids)"))
        cur.execute(f"""
            INSERT INTO insights_standing (enterprise_id, year, region_code, industry, field, held_tech,
                held_innovative, held_specialized, held_little_giant, rung_held, rung_reachable, can_rise, v_size_class,
                v_tech_sme, v_innovative_sme, v_specialized_sme, v_little_giant, at_risk, moved, expires_on,
                expiring, one_step, step, rd, revenue, invention_patents, supplies_large, refreshed_at)
            SELECT e.id, v.year, e.region_id, LEFT(e.industry_code, 1), COALESCE(v.product_industry_type_2026, ''),
                {held['tech_sme']}, {held['innovative']}, {held['specialized']}, {held['little_giant']},
                {rung}, {reach}, ({reach}) > ({rung}), {q['size_class']}, {q['tech_sme']}, {q['innovative_sme']}, {q['specialized_sme']},
                {q['little_giant']}, {top_false}, NULL, x.expires,
                COALESCE(x.expires <= {as_of} + {EXPIRING_DAYS}, false), false, '[]'::jsonb,
                v.rd_y1, v.revenue_y1, v.invention_patent_count, COALESCE(v.product_serves_chain_leader, false), now()
            FROM (SELECT credit_code, year, cert_tech_sme_valid, cert_innovative_valid, cert_specialized_valid,
                         cert_little_giant_valid, product_industry_type_2026, rd_y1, revenue_y1,
                         invention_patent_count, product_serves_chain_leader FROM ins_firm_years) v
            JOIN enterprises_enterprise e ON e.credit_code = v.credit_code
            JOIN ins_ev ev ON ev.credit_code = v.credit_code AND ev.year::int = v.year
            CROSS JOIN LATERAL (SELECT {expires} AS expires) x
        """)
        firm_years = cur.rowcount
        scope = "" if ids is None else " AND s.enterprise_id IN (SELECT id FROM ins_ids)"
        cur.execute("UPDATE insights_standing s SET moved = SIGN(s.rung_held - p.rung_held) "
                    "FROM insights_standing p WHERE p.enterprise_id = s.enterprise_id AND p.year = s.year - 1"
                    + scope)
        cur.execute("SELECT DISTINCT year, region_code FROM insights_standing s"
                    + ("" if ids is None else " WHERE s.enterprise_id IN (SELECT id FROM ins_ids)"))
        touched.update(cur.fetchall())
        # Firms close to their next rung: latest year, next rung not met, its score (if any) near the pass.
        nxt = ("CASE s.rung_held WHEN 0 THEN ev.innovative_sme__{p} WHEN 1 THEN ev.specialized_sme__{p} "
               "WHEN 2 THEN ev.little_giant__{p} END")
        cur.execute(f"""
            SELECT s.id, s.enterprise_id, s.year, s.rung_held FROM insights_standing s
            JOIN enterprises_enterprise e ON e.id = s.enterprise_id
            JOIN ins_ev ev ON ev.credit_code = e.credit_code AND ev.year::int = s.year
            WHERE s.rung_held < 3 AND s.rung_reachable <= s.rung_held {scope}
              AND s.year = (SELECT MAX(year) FROM insights_standing l WHERE l.enterprise_id = s.enterprise_id)
              AND {nxt.format(p="qualified")} IN ('false', 'unknown')
              AND COALESCE(CAST(NULLIF({nxt.format(p="score")}, '') AS numeric), {NEAR_POINTS}) >= {NEAR_POINTS}
            ORDER BY CAST(NULLIF({nxt.format(p="score")}, '') AS numeric) DESC NULLS LAST, s.id
        """)
        candidates = cur.fetchall()
        cur.execute("DROP TABLE ins_firm_years; DROP TABLE ins_ev; DROP TABLE ins_ids")
    phases["standings"] = round(time.perf_counter() - started, 3)
    return firm_years, touched, list(candidates)


def _fill_steps(candidates: Sequence[tuple[int, int, int, int]], today: dt.date,
                progress: Progress | None = None) -> int:
    """The engine's smallest qualifying gap for each candidate standing (id, firm, year, rung held), in
    chunks, each written as it ends (the closest firms first); returns how many firms got a step."""
    done = stepped = 0
    by_year: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for sid, ent_id, year, rung in candidates:
        by_year[year].append((sid, ent_id, rung))
    for year, rows in by_year.items():
        for start in range(0, len(rows), CHUNK):
            part = rows[start:start + CHUNK]
            records = {r["credit_code"]: r for r in evaluation_records(
                Enterprise.objects.filter(pk__in=[e for _s, e, _r in part]), year, as_of=default_as_of(year))}
            codes = dict(Enterprise.objects.filter(pk__in=[e for _s, e, _r in part]).values_list("pk", "credit_code"))
            changed = []
            for sid, ent_id, rung in part:
                step = _step(records[codes[ent_id]], NEXT_STANDARD[Rung(rung)], today)
                if step:
                    changed.append(Standing(pk=sid, step=step, one_step=True))
            Standing.objects.bulk_update(changed, ["step", "one_step"], batch_size=1000)
            stepped += len(changed)
            done += len(part)
            if progress:
                progress(done, len(candidates), f"正在计算差距（一步之遥）：{done} / {len(candidates)} 家企业")
    return stepped


def refresh_standings(*, prefix: str = "", enterprise_ids: Sequence[int] | None = None,
                      today: dt.date | None = None,
                      progress: Progress | None = None) -> Refresh:
    """Recompute the standings of the firms in `prefix` (or only `enterprise_ids`) and their cells.

    No permission check: the caller (job handler, demo, benchmark) has decided who may refresh what.
    """
    with _one_refresh_at_a_time():
        return _refresh(prefix=prefix, enterprise_ids=enterprise_ids, today=today, progress=progress)


REFRESH_LOCK = 0x7469_6475_0013  # PostgreSQL advisory lock key of the refresh ("tidu", issue 13)


@contextmanager
def _one_refresh_at_a_time() -> Iterator[None]:
    """Refreshes run one after another on PostgreSQL: an import's refresh beside a full one would both
    delete a node's cells, then both insert theirs (twice the firms). SQLite writes one at a time anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s)", [REFRESH_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])


def _refresh(*, prefix: str, enterprise_ids: Sequence[int] | None, today: dt.date | None,
             progress: Progress | None) -> Refresh:
    started = time.perf_counter()
    today = today or today_shanghai()
    firms = Enterprise.objects.order_by("pk")
    if prefix:
        firms = firms.filter(region__code__startswith=prefix)
    if enterprise_ids is not None:
        firms = firms.filter(pk__in=list(enterprise_ids))
    ids = list(firms.values_list("pk", flat=True))
    total, firm_years = len(ids), 0
    touched: set[tuple[int, str]] = set()
    phases: dict[str, Any] = {}
    candidates: list[tuple[int, int, int, int]] = []
    if connection.vendor == "postgresql":
        if progress:
            progress(0, total, f"正在评估 {total} 家企业")
        firm_years, touched, candidates = _refresh_in_postgres(
            None if not prefix and enterprise_ids is None else ids, today, phases)
    for start in range(0, total if connection.vendor != "postgresql" else 0, CHUNK):
        chunk_ids = ids[start:start + CHUNK]
        chunk = list(Enterprise.objects.filter(pk__in=chunk_ids))
        rows = _standings_of_chunk(chunk, today)
        with transaction.atomic():
            old = Standing.objects.filter(enterprise__in=chunk_ids)
            touched.update(old.values_list("year", "region_code").distinct())
            old.delete()
            Standing.objects.bulk_create(rows, batch_size=2000)
        touched.update((s.year, s.region_code) for s in rows)
        firm_years += len(rows)
        if progress:
            progress(min(start + CHUNK, total), total, f"已评估 {min(start + CHUNK, total)} / {total} 家企业")
    phases.setdefault("standings", round(time.perf_counter() - started, 3))
    counties = None if (not prefix and enterprise_ids is None) else {r for _y, r in touched}
    cells_started = time.perf_counter()
    with transaction.atomic():
        _cells(counties)
        phases["cells"] = round(time.perf_counter() - cells_started, 3)
    if candidates:
        # PostgreSQL: the explainer's steps after the cells, so the new counts show while it works through
        # every candidate (closest first); then the cells again for their "一步之遥" counts.
        steps_started = time.perf_counter()
        if progress:
            progress(0, len(candidates), f"正在计算差距（一步之遥）：0 / {len(candidates)} 家企业")
        stepped = _fill_steps(candidates, today, progress)
        phases.update(steps=round(time.perf_counter() - steps_started, 3), step_candidates=len(candidates),
                      stepped=stepped)
        if stepped:
            cells_started = time.perf_counter()
            with transaction.atomic():
                _cells(counties)
            phases["cells_after_steps"] = round(time.perf_counter() - cells_started, 3)
    return Refresh.objects.create(scope=prefix, firms=total, firm_years=firm_years, phases=phases,
                                  seconds=round(time.perf_counter() - started, 3))


def refresh_submit(*, actor: Any) -> Any:
    """Queue a refresh of the actor's jurisdiction (platform admins: everything); audited."""
    from tidu.jobs.services import job_submit

    prefix = "" if is_platform_admin(actor) else jurisdiction_prefix_of(actor)
    require(prefix is not None)
    with transaction.atomic():  # the job and its audit event together, or neither (decision 0107)
        job = job_submit(owner=actor, kind="insights_refresh", params={"prefix": prefix})
        audit_record(actor=actor, action="insights.refresh_submit", target=job, data={"prefix": prefix})
    return job


def refresh_after_import(*, actor: Any, enterprise_ids: Sequence[int], job_id: str = "") -> str:
    """Queue a refresh of the firms an import created or changed (their standings, the cells of their
    counties and of every region above); audited as the importer's. Returns the sentence for the
    import's job page. Called by the register's `figures_imported` signal (tidu.insights.apps)."""
    from tidu.jobs.services import job_submit

    ids = sorted({int(i) for i in enterprise_ids})
    with transaction.atomic():  # the job and its audit event together, or neither (decision 0107)
        job = job_submit(owner=actor, kind="insights_refresh", params={"enterprise_ids": ids, "import_job": job_id})
        audit_record(actor=actor, action="insights.refresh_after_import", target=job,
                     data={"firms": len(ids), "import_job": job_id})
    return f"已自动提交梯度看板刷新（{len(ids)} 家企业，任务编号 {job.pk}）"


def on_figures_imported(sender: Any, *, actor: Any, enterprise_ids: Sequence[int], job_id: str = "",
                        **_kwargs: Any) -> str:
    return refresh_after_import(actor=actor, enterprise_ids=enterprise_ids, job_id=job_id)


def refresh_job_handler(job: Any) -> Any:
    """Runs in the worker: refresh the job's region prefix, reporting progress."""
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    params = job.params or {}
    prefix = params.get("prefix", "")
    ids = params.get("enterprise_ids")  # after an import: only the firms it created or changed

    def progress(done: int, total: int, stage: str) -> None:
        job_progress(job_id=job.pk, done=done, total=total, stage=stage)

    job_progress(job_id=job.pk, done=0, stage="正在读取企业名录" if ids is None else "正在读取导入的企业")
    done = refresh_standings(prefix=prefix, enterprise_ids=None if ids is None else [int(i) for i in ids],
                             progress=progress)
    return JobOutcome(status=JobStatus.SUCCEEDED, stage=f"刷新完成：{done.firms} 家企业，{done.firm_years} 个企业年度",
                      result={"summary": [["企业数", done.firms], ["企业年度数", done.firm_years],
                                          ["用时（秒）", done.seconds]]})
