"""Demo policies (the 22 of data/policies.yaml) with batches around today, and money in every state:
pushed firms, awards granted / partly paid / paid / revoked, a double claim flagged. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from tidu.ladder.assessment import today_shanghai
from tidu.policies import services
from tidu.policies.models import Award, Policy, PolicyBatch, PolicyRoute, PolicyStatus
from tidu.regions.models import Region

DATA = Path(__file__).with_name("data") / "policies.yaml"
ACTOR_BY_REGION = {
    None: "demo-national",
    "440000": "demo-province",
    "440300": "demo-city",
    "440305": "demo-county",
}


@cache
def policy_data() -> list[dict[str, Any]]:
    """The sample policies as typed in data/policies.yaml."""
    data: list[dict[str, Any]] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


def load_policies(actor_for: Callable[[dict[str, Any]], Any], today: dt.date | None = None) -> list[Policy]:
    """Write every policy of the data file through the services (skips codes already present)."""
    day = today or today_shanghai()
    out = []
    for item in policy_data():
        if Policy.objects.filter(code=item["code"]).exists():
            continue
        actor = actor_for(item)
        region = Region.objects.get(code=item["region"]) if item.get("region") else None
        policy = services.policy_save(
            actor=actor,
            code=item["code"],
            title=item["title"],
            issuer=item["issuer"],
            document_number=item.get("document_number", ""),
            level=item["level"],
            region=region,
            in_force_from=item["in_force_from"],
            in_force_to=item.get("in_force_to"),
            category=item["category"],
            purpose=item["purpose"],
            route=item["route"],
            interpretation=item["interpretation"].strip(),
            original_text=item["original_text"].strip(),
            materials="\n".join(item.get("materials") or []),
            source_url=item.get("source_url", ""),
            reading_notes=(item.get("reading_notes") or "").strip(),
            is_sample=bool(item["sample"]),
        )
        for ed in item["editions"]:
            services.edition_add(
                actor=actor,
                policy=policy,
                effective_on=ed["effective_on"],
                conditions=ed["conditions"],
                amount_expr=ed.get("amount_expr", ""),
                amount_cap_yuan=ed.get("amount_cap_yuan"),
                amount_clause=ed.get("amount_clause", ""),
                basis=ed["basis"],
            )
        for b in item.get("batches") or []:
            services.batch_add(
                actor=actor,
                policy=policy,
                name=b["name"],
                opens_on=day + dt.timedelta(days=b["opens_in_days"]),
                closes_on=day + dt.timedelta(days=b["closes_in_days"]),
                budget_yuan=b.get("budget_yuan"),
            )
        status = item.get("status", PolicyStatus.PUBLISHED)
        if status in {PolicyStatus.PUBLISHED, PolicyStatus.WITHDRAWN}:
            services.policy_publish(actor=actor, policy=policy, today=day)
        if status == PolicyStatus.WITHDRAWN:
            services.policy_withdraw(actor=actor, policy=policy, reason="示例：政策到期后不再执行")
        out.append(policy)
    return out


def _demo_actor(users: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    def actor_for(item: dict[str, Any]) -> Any:
        return users.get(ACTOR_BY_REGION.get(item.get("region"), "demo-admin")) or users["demo-admin"]

    return actor_for


def _open_batch(code: str, day: dt.date) -> PolicyBatch:
    return next(
        b for b in PolicyBatch.objects.filter(policy__code=code).order_by("opens_on") if b.open_on(day)
    )


@transaction.atomic
def seed_policies(*, demo_firm: Any = None, today: dt.date | None = None) -> dict[str, int]:
    """The demo policies, then the money: pushes and awards in every state (once)."""
    if Policy.objects.filter(code=policy_data()[0]["code"]).exists():
        return {}
    day = today or today_shanghai()
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    if "demo-admin" not in users:
        return {}
    policies = load_policies(_demo_actor(users), day)
    county, city = users.get("demo-county"), users.get("demo-city")
    if county is None or city is None:
        return {"policies": len(policies)}
    from tidu.policies.sandbox import push_list

    counts = {"policies": len(policies), "pushed": 0, "awards": 0}
    # 免申即享: the county pushes its high-growth and innovative rewards, the city its R&D subsidy.
    granted: list[Award] = []
    for code, actor, take in (
        ("ns-innovative-reward", county, 3),
        ("ns-high-growth", county, 2),
        ("sz-rd-subsidy", city, 3),
    ):
        batch = _open_batch(code, day)
        counts["pushed"] += services.push_send(actor=actor, batch=batch)
        rows = push_list(user=actor, batch=batch, today=day)
        rows.sort(
            key=lambda r: (demo_firm is None or r.enterprise.pk != demo_firm.pk, r.enterprise.credit_code)
        )
        for row in rows[:take]:
            granted.append(
                services.award_grant(
                    actor=actor,
                    policy_batch=batch,
                    enterprise=row.enterprise,
                    amount_yuan=row.amount_yuan or 1,
                    route=PolicyRoute.AUTOMATIC,
                    basis="免申即享：按核实的年度数据直接兑现",
                    evidence=row.evidence,
                )
            )

    # Money in every state: paid in full, partly paid, still to pay, revoked.
    def payer(award: Award) -> Any:
        return county if award.policy.level == "county" else city

    if len(granted) >= 4:
        services.payout_record(
            actor=payer(granted[0]),
            award=granted[0],
            amount_yuan=granted[0].amount_yuan,
            paid_on=day - dt.timedelta(days=3),
            reference="NS-ZF-2026-0001",
        )
        half = max(granted[1].amount_yuan // 2, 1)
        if half < granted[1].amount_yuan:
            services.payout_record(
                actor=payer(granted[1]),
                award=granted[1],
                amount_yuan=half,
                paid_on=day - dt.timedelta(days=2),
                reference="NS-ZF-2026-0002",
            )
        services.award_revoke(actor=payer(granted[-1]), award=granted[-1], reason="示例：企业主动放弃")
    # A double claim: a firm already subsidised by the city for R&D is granted the provincial R&D subsidy too.
    rd_city = [a for a in granted if a.policy.code == "sz-rd-subsidy" and a.status != "revoked"]
    if rd_city and "demo-province" in users:
        services.award_grant(
            actor=users["demo-province"],
            policy_batch=_open_batch("gd-rd-post-subsidy", day),
            enterprise=rd_city[0].enterprise,
            amount_yuan=300_000,
            route=PolicyRoute.APPLICATION,
            basis="示例：申报审核通过",
            filing_ref="示例申报",
        )
    counts["awards"] = Award.objects.count()
    return counts
