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
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from tidu.core.audit import audit_record
from tidu.core.permissions import is_platform_admin, jurisdiction_prefix_of, require
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import default_as_of, evaluation_records
from tidu.insights.models import Cell, Refresh, Rung, Standing
from tidu.journey.models import Recognition
from tidu.ladder.assessment import packs, today_shanghai

CHUNK = 2000  # firms per read of the register
STANDARDS = ("size_class", "tech_sme", "innovative_sme", "specialized_sme", "little_giant")
NEXT_STANDARD = {Rung.SME: "innovative_sme", Rung.TECH_INNOVATIVE: "specialized_sme",
                 Rung.SPECIALIZED: "little_giant"}
NEAR_POINTS = Decimal(50)  # a scored next rung is worth asking for gaps from this many points up
EXPIRING_DAYS = 365
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
        held_little_giant=held["little_giant"], rung_held=rung, rung_reachable=reach,
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


def _cells(year_regions: Iterable[tuple[int, str]] | None) -> int:
    """Rewrite the cells of the given (year, county) pairs from the standings (None: all of them)."""
    qs = Standing.objects.all()
    cells = Cell.objects.all()
    if year_regions is not None:
        pairs = set(year_regions)
        if not pairs:
            return 0
        by_year: dict[int, set[str]] = defaultdict(set)
        for y, r in pairs:
            by_year[y].add(r)
        cond = Q()
        for y, regions in by_year.items():
            cond |= Q(year=y, region_code__in=sorted(regions))
        qs, cells = qs.filter(cond), cells.filter(cond)
    cells.delete()
    agg = qs.values("year", "region_code", "industry", "field", "rung_held").annotate(
        n=Count("id"), reach=Count("id", filter=Q(rung_reachable__gt=F("rung_held"))),
        risk=Count("id", filter=Q(at_risk=True)), step=Count("id", filter=Q(one_step=True)),
        exp=Count("id", filter=Q(expiring=True)), up=Count("id", filter=Q(moved__gt=0)),
        down=Count("id", filter=Q(moved__lt=0)),
        rd_sum=Sum("rd", filter=Q(rd__isnull=False, revenue__gt=0)),
        rev_sum=Sum("revenue", filter=Q(rd__isnull=False, revenue__gt=0)),
        pat=Sum("invention_patents"), large=Count("id", filter=Q(supplies_large=True)),
    ).order_by()
    batch: list[Cell] = []
    n = 0
    for a in agg.iterator(chunk_size=5000):
        batch.append(Cell(year=a["year"], region_code=a["region_code"], industry=a["industry"], field=a["field"],
                          rung=a["rung_held"], firms=a["n"], reachable=a["reach"], at_risk=a["risk"],
                          one_step=a["step"], expiring=a["exp"], moved_up=a["up"], moved_down=a["down"],
                          rd=a["rd_sum"] or 0, revenue=a["rev_sum"] or 0, invention_patents=a["pat"] or 0,
                          supplies_large=a["large"]))
        if len(batch) >= 5000:
            Cell.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    Cell.objects.bulk_create(batch)
    return n + len(batch)


def refresh_standings(*, prefix: str = "", enterprise_ids: Sequence[int] | None = None,
                      today: dt.date | None = None,
                      progress: Callable[[int, int], None] | None = None) -> Refresh:
    """Recompute the standings of the firms in `prefix` (or only `enterprise_ids`) and their cells.

    No permission check: the caller (job handler, demo, benchmark) has decided who may refresh what.
    """
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
    for start in range(0, total, CHUNK):
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
            progress(min(start + CHUNK, total), total)
    with transaction.atomic():
        _cells(None if (not prefix and enterprise_ids is None) else touched)
        done = Refresh.objects.create(scope=prefix, firms=total, firm_years=firm_years,
                                      seconds=round(time.perf_counter() - started, 3))
    return done


def refresh_submit(*, actor: Any) -> Any:
    """Queue a refresh of the actor's jurisdiction (platform admins: everything); audited."""
    from tidu.jobs.services import job_submit

    prefix = "" if is_platform_admin(actor) else jurisdiction_prefix_of(actor)
    require(prefix is not None)
    job = job_submit(owner=actor, kind="insights_refresh", params={"prefix": prefix})
    audit_record(actor=actor, action="insights.refresh_submit", target=job, data={"prefix": prefix})
    return job


def refresh_job_handler(job: Any) -> Any:
    """Runs in the worker: refresh the job's region prefix, reporting progress."""
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    prefix = (job.params or {}).get("prefix", "")

    def progress(done: int, total: int) -> None:
        job_progress(job_id=job.pk, done=done, total=total, stage=f"已评估 {done} / {total} 家企业")

    job_progress(job_id=job.pk, done=0, stage="正在读取企业名录")
    done = refresh_standings(prefix=prefix, progress=progress)
    return JobOutcome(status=JobStatus.SUCCEEDED, stage=f"刷新完成：{done.firms} 家企业，{done.firm_years} 个企业年度",
                      result={"summary": [["企业数", done.firms], ["企业年度数", done.firm_years],
                                          ["用时（秒）", done.seconds]]})
