"""Demo policy applications in every state (draft, at the county, at the city, returned, rejected, amount
decided, partly paid, paid), on the demo policies that need an application, for firms of the demo county
that the policies do not clearly exclude; the demo firm holds a partly paid one (and a returned one where
another demo policy fits it).
Written through the services, as the firms and the demo officials would (idempotent: once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tidu.core.errors import TiduError
from tidu.enterprises.models import Enterprise
from tidu.filing.workflow import review_path
from tidu.policies.models import Policy, PolicyRoute, PolicyStatus
from tidu.policy_filings import services
from tidu.policy_filings.access import path_of
from tidu.policy_filings.models import PolicyFiling
from tidu.policy_filings.testing import attach_required

# Policies of the demo data that need an application, lowest level first (a county policy has one step).
PREFERRED = ("ns-digital-subsidy", "sz-rd-talent", "sz-listing-reward", "sz-little-giant-reward",
             "gd-loan-interest", "ns-old-rent-subsidy")
# (state, needs two review levels, for the demo firm)
STATES = (("partly_paid", False, True), ("returned", False, True), ("draft", False, False),
          ("county", False, False), ("city", True, False), ("rejected", False, False),
          ("approved", False, False), ("paid", False, False), ("paid", True, False))
ACTIONS = {"returned": "return", "rejected": "reject"}
COMMENTS = {"returned": "请补充近一年数字化改造项目的合同和发票", "rejected": "该项目已获同类资金支持，不予重复支持"}


def _officials() -> dict[str, Any]:
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo-")}
    return {level: users.get(f"demo-{level}") for level in ("county", "city", "province", "national")}


def _policies(day: dt.date) -> list[Policy]:
    qs = Policy.objects.filter(route=PolicyRoute.APPLICATION, status=PolicyStatus.PUBLISHED).select_related("region")
    by_code = {p.code: p for p in qs}
    ordered = [by_code[c] for c in PREFERRED if c in by_code] + [p for c, p in sorted(by_code.items())
                                                                  if c not in PREFERRED]
    return [p for p in ordered if p.level != "national" and p.in_force_on(day)]


def _start(policy: Policy, firm: Enterprise, day: dt.date, n: int) -> PolicyFiling | None:
    try:
        return services.policy_filing_start(
            actor=None, enterprise=firm, policy=policy, contact_name=firm.contact_name or "演示联系人",
            contact_phone=firm.contact_phone or f"1380013{n:04d}",
            statement="示例申请：按政策所列条件和材料提出申请。", today=day)
    except TiduError:
        return None  # not eligible, outside the region, no open batch: another pair is tried


def _advance(filing: PolicyFiling, state: str, officials: dict[str, Any], day: dt.date) -> None:
    if state == "draft":
        return
    attach_required(None, filing)
    services.policy_filing_submit(actor=None, filing=filing, commitment=True, today=day)
    path = path_of(filing)
    if state == "county":
        return
    if state in ("returned", "rejected"):
        services.policy_filing_review(actor=officials[path[0]], filing=filing, action=ACTIONS[state],
                                      comment=COMMENTS[state])
        return
    levels = path[:1] if state == "city" else path
    for level in levels:
        amount = None
        if level == path[-1]:
            cap = filing.edition.amount_cap_yuan if filing.edition is not None else None
            amount = filing.estimated_yuan or min(200_000, cap or 200_000)
        services.policy_filing_review(actor=officials[level], filing=filing, action="approve",
                                      comment="材料齐全，同意", amount_yuan=amount)
    if state in ("partly_paid", "paid") and filing.award is not None:
        total = filing.award.amount_yuan
        first = total if state == "paid" else max(total // 2, 1)
        services.policy_filing_payout(actor=officials[path[-1]], filing=filing, amount_yuan=first,
                                      paid_on=day - dt.timedelta(days=1), reference=f"ZCSB-BF-{filing.pk:04d}")


@transaction.atomic
def seed_policy_filings(*, demo_firm: Enterprise | None = None, today: dt.date | None = None) -> dict[str, int]:
    if PolicyFiling.objects.exists():
        return {}
    day = today or timezone.localdate()
    officials = _officials()
    county = officials["county"]
    if county is None or demo_firm is None:
        return {}
    policies = _policies(day)
    neighbours = Enterprise.objects.filter(region_id=demo_firm.region_id).exclude(pk=demo_firm.pk)
    firms = [demo_firm, *neighbours.order_by("credit_code")[:40]]
    made: dict[str, int] = {}
    n = 0
    for state, two_levels, own in STATES:
        candidates = firms if own else firms[1:]  # the demo firm first where it may apply
        done = False
        for policy in policies:
            path = review_path(policy.level)
            if (two_levels and len(path) < 2) or any(officials.get(level) is None for level in path):
                continue
            for firm in candidates:
                n += 1
                with transaction.atomic():  # a pair that fails half-way leaves nothing behind
                    filing = _start(policy, firm, day, n)
                    if filing is None:
                        continue
                    try:
                        _advance(filing, state, officials, day)
                    except TiduError:
                        transaction.set_rollback(True)
                        continue
                made[state] = made.get(state, 0) + 1
                done = True
                break
            if done:
                break
    return made
