"""The sandbox (before publishing: how many firms of the jurisdiction would qualify, total amount) and the
push list (which firms qualify now, with the evidence per firm), both run by the batch engine over an
export of the jurisdiction's firm-years (tidu.policies.batch)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from tidu.core.permissions import enterprises_visible_to
from tidu.enterprises.models import Enterprise
from tidu.ladder.assessment import today_shanghai
from tidu.policies import batch as B
from tidu.policies import conditions as C
from tidu.policies import selectors as S
from tidu.policies.models import Award, AwardStatus, Policy, PolicyBatch, PolicyEdition, PushNotice
from tidu.policies.records import firm_records


def firms_in_reach(user: Any, policy: Policy) -> QuerySet[Enterprise]:
    """Firms both in the policy's region and in what the user may see."""
    qs = enterprises_visible_to(user)
    prefix = policy.region_prefix
    return qs.filter(region__code__startswith=prefix) if prefix else qs


@dataclass
class SandboxResult:
    outcome: B.BatchOutcome
    by_region: list[tuple[str, int, int]] = field(default_factory=list)  # (region name, qualify, amount yuan)


def sandbox_run(
    *,
    user: Any,
    policy: Policy,
    conditions: list[dict[str, Any]],
    amount_expr: str,
    amount_cap_yuan: int | None,
    today: dt.date | None = None,
) -> SandboxResult:
    """Run a (draft) edition over the firms of the user's jurisdiction in the policy's region; nothing is saved."""
    from tidu.core.permissions import require

    require(S.can_manage_policy(user, policy))
    specs = C.check_conditions(conditions)
    amount = C.check_amount(amount_expr)
    day = today or today_shanghai()
    started = time.perf_counter()
    firms = firms_in_reach(user, policy).select_related("region")
    records = firm_records(firms, day)
    outcome = B.run(specs, amount, amount_cap_yuan, records, today=day)
    outcome.seconds = time.perf_counter() - started  # the export from the database included
    regions = dict(firms.values_list("pk", "region__name"))
    tally: dict[str, list[int]] = {}
    for row in outcome.rows:
        if row["verdict"] == "qualify":
            t = tally.setdefault(regions.get(row["enterprise_id"], ""), [0, 0])
            t[0] += 1
            t[1] += int(row["amount_yuan"] or 0)
    by_region = sorted(((k, v[0], v[1]) for k, v in tally.items()), key=lambda x: (-x[1], x[0]))
    return SandboxResult(outcome, by_region)


# Above this many firms the sandbox runs in the background (tidu.jobs) and its page shows progress.
SANDBOX_JOB_THRESHOLD = 3000


def sandbox_in_background(*, user: Any, policy: Policy) -> bool:
    return firms_in_reach(user, policy).count() > SANDBOX_JOB_THRESHOLD


def sandbox_submit(
    *,
    user: Any,
    policy: Policy,
    conditions: list[dict[str, Any]],
    amount_expr: str,
    amount_cap_yuan: int | None,
) -> Any:
    """Queue the sandbox for the worker (checked first, so a bad condition is refused at once)."""
    from tidu.core.permissions import require
    from tidu.jobs.services import job_submit

    require(S.can_manage_policy(user, policy))
    C.check_conditions(conditions)
    C.check_amount(amount_expr)
    return job_submit(
        owner=user,
        kind="policy_sandbox",
        input_name=f"政策沙盘：{policy.title}",
        params={
            "policy": policy.pk,
            "conditions": conditions,
            "amount_expr": amount_expr,
            "amount_cap_yuan": amount_cap_yuan,
        },
    )


def sandbox_job_handler(job: Any) -> Any:
    """Runs in the worker: the same sandbox, with progress, its figures kept as the job's result."""
    from tidu.enterprises.money import yuan_to_wan_text
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    params = job.params or {}
    policy = Policy.objects.select_related("region").get(pk=params["policy"])
    total = firms_in_reach(job.owner, policy).count()
    job_progress(job_id=job.pk, done=0, total=total, stage="正在导出辖区企业的年度数据并由批量引擎计算")
    result = sandbox_run(
        user=job.owner,
        policy=policy,
        conditions=params["conditions"],
        amount_expr=params.get("amount_expr") or "",
        amount_cap_yuan=params.get("amount_cap_yuan"),
    )
    o = result.outcome
    return JobOutcome(
        status=JobStatus.SUCCEEDED,
        stage=f"沙盘完成：符合条件 {o.qualify} 家",
        result={
            "summary": [
                ["政策", policy.title],
                ["辖区企业数", o.firms],
                ["符合条件（家）", o.qualify],
                ["缺少数据无法判断（家）", o.unknown],
                ["预计金额合计（万元）", yuan_to_wan_text(o.amount_yuan)],
                ["需人工判断的条件", "；".join(o.text_conditions) or "无"],
                ["用时（秒）", f"{o.seconds:.2f}"],
            ],
            "counts": {"qualify": o.qualify, "unknown": o.unknown, "fail": o.fail},
        },
    )


@dataclass
class PushRow:
    enterprise: Enterprise
    amount_yuan: int | None
    evidence: dict[str, Any]
    pushed: bool = False
    award: Award | None = None
    double_claim: str = ""


def push_list(*, user: Any, batch: PolicyBatch, today: dt.date | None = None) -> list[PushRow]:
    """The firms in the user's jurisdiction that the engine finds eligible for the batch's policy now, each
    with the figures its verdict rests on and the record each came from; already pushed or awarded marked;
    a firm already paid for the same purpose under another policy flagged."""
    policy = batch.policy
    day = today or today_shanghai()
    edition = S.edition_in_force(policy, day)
    if edition is None:
        return []
    specs = C.check_conditions(edition.conditions)
    amount = C.check_amount(edition.amount_expr)
    firms = firms_in_reach(user, policy)
    records = firm_records(firms, day)
    by_id = {r["enterprise_id"]: r for r in records}
    outcome = B.run(specs, amount, edition.amount_cap_yuan, records, today=day)
    eligible = [r for r in outcome.rows if r["verdict"] == "qualify"]
    ents = Enterprise.objects.in_bulk([r["enterprise_id"] for r in eligible])
    pushed = set(PushNotice.objects.filter(batch=batch).values_list("enterprise_id", flat=True))
    awards = {
        a.enterprise_id: a for a in Award.objects.filter(batch=batch).exclude(status=AwardStatus.REVOKED)
    }
    same_purpose: dict[int, list[Award]] = {}
    for a in (
        Award.objects.filter(enterprise_id__in=list(ents), policy__purpose=policy.purpose)
        .exclude(policy=policy)
        .exclude(status=AwardStatus.REVOKED)
        .select_related("policy")
    ):
        same_purpose.setdefault(a.enterprise_id, []).append(a)
    out = []
    for r in eligible:
        pk = r["enterprise_id"]
        out.append(
            PushRow(
                enterprise=ents[pk],
                amount_yuan=r["amount_yuan"],
                evidence=evidence_of(specs, by_id[pk], edition),
                pushed=pk in pushed,
                award=awards.get(pk),
                double_claim="；".join(
                    f"已获“{a.policy.title}”{a.get_status_display()}" for a in same_purpose.get(pk, [])
                ),
            )
        )
    out.sort(key=lambda p: (p.enterprise.region_id, p.enterprise.name))
    return out


REGISTER_FIELDS = frozenset(
    {
        "region_code",
        "industry_code",
        "listed",
        "founded_on",
        "name",
        "niche_start_on",
        "registered_in_mainland",
        "independent_legal_person",
        "resident_enterprise",
        "tax_audit_collection",
    }
)


def source_of(field: str, year: int | None) -> str:
    """The stored record a figure comes from: the firm-year row (Y−1, Y−2, Y−3) or the register."""
    if field in REGISTER_FIELDS or field in C.EXTRA_FIELDS or not year:
        return "企业登记信息"
    back = 3 if field.endswith("_y3") else 2 if field.endswith("_y2") or field == "zjtx_dev_score_prev" else 1
    return f"{year - back} 年度企业数据"


def evidence_of(
    specs: list[C.ConditionSpec], record: dict[str, Any], edition: PolicyEdition
) -> dict[str, Any]:
    """Which figure, which record: per condition the values read, the fiscal year row and title records."""
    year = record.get("year")
    titles = record.get("_title_records") or {}
    items = []
    for s in specs:
        if s.kind != "machine":
            continue
        figs = []
        for f in C.compile_expr(s.expr).columns:
            v = record.get(f)
            src = titles.get(f) or source_of(f, year)
            figs.append({"field": f, "label": C.field_label(f), "value": S._plain(v), "source": src})
        items.append({"condition": s.label, "clause": s.clause, "figures": figs})
    return {
        "edition": edition.effective_on.isoformat(),
        "fiscal_year": (year - 1) if year else None,
        "conditions": items,
    }
