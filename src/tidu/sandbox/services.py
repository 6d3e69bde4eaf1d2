"""Writes of the threshold sandbox: check the edits, record the run, queue the job; the job evaluates
the register of the owner's jurisdiction with the packs in force and with an edited copy (never
writing the packs in force) and keeps the answer on the run."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduValidationError
from tidu.core.permissions import enterprises_visible_to, require
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import evaluation_records
from tidu.rules.fields import FIELDS, effective_as_of, today_shanghai
from tidu.rules.packs import default_packs, load_packs, repo_packs_dir
from tidu.sandbox import engine as E
from tidu.sandbox.models import SandboxRun
from tidu.sandbox.selectors import can_use_sandbox, scope_prefix

EXPORT_CHUNK = 2000  # firms read from the database per step of the progress bar
LIST_CAP = 5000  # firms kept per list (entering, dropping out); the counts are always exact


def _shown(t: E.Threshold, value: Any) -> str:
    return format(E.to_shown(t.unit, value), "f")


def check_edits(standard: str, raw: Mapping[str, str], today: dt.date) -> tuple[str, list[dict[str, Any]]]:
    """The edition in force and the edits that change something, each checked; Chinese refusals."""
    try:
        found = {t.id: t for t in E.thresholds(repo_packs_dir(), standard, today)}
        edition = E.edition_in_force(repo_packs_dir(), standard, today)
    except E.SandboxInputError as exc:
        raise TiduValidationError([("standard", ErrorCode.VALIDATION, str(exc))]) from None
    problems: list[tuple[str | None, ErrorCode, str]] = []
    edits: list[dict[str, Any]] = []
    for tid, text in raw.items():
        if not str(text or "").strip():
            continue
        t = found.get(tid)
        if t is None:
            problems.append((tid, ErrorCode.VALIDATION, "门槛不存在，请重新打开沙盘。"))
            continue
        try:
            value = E.check_edit(t, str(text))
        except E.SandboxInputError as exc:
            problems.append((tid, ErrorCode.VALIDATION, str(exc)))
            continue
        if value == t.value:
            continue
        edits.append(
            {
                "id": t.id,
                "condition": t.condition_label,
                "clause": t.clause,
                "document": t.document,
                "field": t.field_label,
                "op": t.op_label,
                "unit": t.unit_label,
                "old": _shown(t, t.value),
                "new": _shown(t, value),
                "value": format(value, "f"),
            }
        )
    if problems:
        raise TiduValidationError(problems)
    if not edits:
        raise TiduValidationError(
            [(None, ErrorCode.VALIDATION, "请至少修改一项门槛（新值与现行值相同的不计）。")]
        )
    return edition, edits


def start_run(*, user: Any, standard: str, edits: Mapping[str, str]) -> SandboxRun:
    """Record a sandbox run and queue it (officials, over their own jurisdiction only)."""
    from tidu.jobs.services import job_submit

    require(can_use_sandbox(user))
    today = today_shanghai()
    edition, checked = check_edits(standard, edits, today)
    with transaction.atomic():
        run = SandboxRun.objects.create(
            owner=user,
            scope_prefix=scope_prefix(user),
            standard=standard,
            edition=edition,
            edits=checked,
            pack_digest=default_packs().digest,
        )
        audit_record(
            actor=user,
            action="sandbox.run",
            target=run,
            data={"standard": standard, "edits": {e["id"]: [e["old"], e["new"]] for e in checked}},
        )
        # In the same transaction: a server killed mid-request leaves no run without its job (decision 0107).
        job = job_submit(
            owner=user,
            kind="threshold_sandbox",
            params={"run": run.pk},
            input_name=f"门槛沙盘：{E.STANDARDS[standard]}",
        )
        SandboxRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def register_records(
    firms: Any, today: dt.date, progress: Any = None
) -> tuple[list[dict[str, Any]], dict[str, int], int]:
    """Each firm's record on its latest fiscal year (as the ladder reads it), the credit code -> firm
    id map, and how many firms have no figures yet."""
    latest = dict(
        EnterpriseYear.objects.filter(enterprise__in=firms)
        .values("enterprise_id")
        .annotate(y=Max("fiscal_year"))
        .values_list("enterprise_id", "y")
    )
    ids = sorted(firms.values_list("pk", flat=True))
    by_year: dict[int, list[int]] = defaultdict(list)
    for pk in ids:
        if pk in latest:
            by_year[latest[pk]].append(pk)
    records: list[dict[str, Any]] = []
    codes: dict[str, int] = {}
    done = 0
    for fy, pks in sorted(by_year.items()):
        as_of = effective_as_of({"year": fy + 1}, today) or today
        for i in range(0, len(pks), EXPORT_CHUNK):
            chunk = pks[i : i + EXPORT_CHUNK]
            ents = Enterprise.objects.filter(pk__in=chunk).order_by("pk")
            for e, rec in zip(ents, evaluation_records(ents, fy + 1, as_of=as_of), strict=True):
                records.append(rec)
                codes[e.credit_code] = e.pk
            done += len(chunk)
            if progress is not None:
                progress(done)
    return records, codes, len(ids) - len(latest)


def evaluate(
    records: list[dict[str, Any]], standard: str, edition: str, values: Mapping[str, str], today: dt.date
) -> E.Comparison:
    """The register under the packs in force and under the edited copy, in DuckDB (tidu.rules.batch)."""
    from tidu.rules.batch import duckdb_connection

    names = list(FIELDS)
    table = E.arrow_table(records, names)
    changed = {k: E.Decimal(v) for k, v in values.items()}
    with E.edited_tree(repo_packs_dir(), changed) as copy:
        edited = load_packs(copy, cache=False)
    found = {t.id: t for t in E.thresholds(repo_packs_dir(), standard, today)}
    edits = [(found[k], v) for k, v in changed.items() if k in found]
    con = duckdb_connection(threads=2)
    try:
        con.register("sandbox_register", table)
        return E.run_compare(
            con, default_packs(), edited, standard, edition, "sandbox_register", names, today, edits=edits
        )
    finally:
        con.close()


def _region_key(code: str, prefix: str) -> str:
    """The division one level below the jurisdiction a firm's county code falls in."""
    if len(prefix) < 2:
        return code[:2] + "0000"
    if len(prefix) < 4:
        return code[:4] + "00"
    return code


def summarise(cmp: E.Comparison, codes: Mapping[str, int], prefix: str, no_figures: int) -> dict[str, Any]:
    """What the run page shows: totals, by region and by industry section, the two lists (firm ids)."""
    from tidu.enterprises.industries import industry_name
    from tidu.regions.models import Region

    by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    by_section: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    entering: list[int] = []
    leaving: list[int] = []
    for g in cmp.groups:
        for table, key in ((by_region, _region_key(g.region_code, prefix)), (by_section, g.section)):
            row = table[key]
            row[0] += g.firms
            row[1] += g.before
            row[2] += g.after
            row[3] += len(g.entering)
            row[4] += len(g.leaving)
        entering += [codes[c] for c in g.entering if c in codes]
        leaving += [codes[c] for c in g.leaving if c in codes]
    names = dict(Region.objects.filter(code__in=list(by_region)).values_list("code", "name"))

    def section_name(s: str) -> str:
        try:
            return f"{s} {industry_name(s)}" if s else "未填写行业"
        except Exception:  # an unknown letter: show it as it is
            return s

    return {
        "firms": cmp.firms,
        "no_figures": no_figures,
        "before": cmp.before,
        "after": cmp.after,
        "entering": cmp.entering,
        "leaving": cmp.leaving,
        "by_region": [[k, names.get(k, k), *v] for k, v in sorted(by_region.items())],
        "by_industry": [[k, section_name(k), *v] for k, v in sorted(by_section.items())],
        "entering_ids": sorted(entering)[:LIST_CAP],
        "leaving_ids": sorted(leaving)[:LIST_CAP],
    }


def run_job_handler(job: Any) -> Any:
    """Runs in the worker: export the jurisdiction's register (progress by firm), evaluate, keep."""
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    run = SandboxRun.objects.select_related("owner").get(pk=(job.params or {})["run"])
    started = time.perf_counter()
    today = today_shanghai()
    firms = enterprises_visible_to(run.owner)
    if run.scope_prefix:
        firms = firms.filter(region__code__startswith=run.scope_prefix)
    total = firms.count()
    job_progress(job_id=job.pk, done=0, total=total, stage="正在读取辖区企业的最新年度数据")

    def progress(done: int) -> None:
        job_progress(job_id=job.pk, done=done)

    records, codes, no_figures = register_records(firms, today, progress)
    job_progress(job_id=job.pk, done=total, stage="正在由批量引擎按现行规则和修改后的规则分别计算")
    cmp = evaluate(records, run.standard, run.edition, {e["id"]: e["value"] for e in run.edits}, today)
    result = summarise(cmp, codes, run.scope_prefix, no_figures)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["as_of"] = today.isoformat()
    SandboxRun.objects.filter(pk=run.pk).update(result=result)
    return JobOutcome(
        status=JobStatus.SUCCEEDED,
        stage=f"试算完成：现行 {cmp.before} 家，修改后 {cmp.after} 家",
        result={
            "summary": [
                ["辖区企业数", cmp.firms],
                ["现行规则下符合（家）", cmp.before],
                ["修改后符合（家）", cmp.after],
                ["新进入（家）", cmp.entering],
                ["将退出（家）", cmp.leaving],
                ["用时（秒）", f"{result['seconds']:.2f}"],
            ],
            "run": run.pk,
        },
    )
