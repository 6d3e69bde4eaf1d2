"""Reads of policies, matches, push lists and awards, narrowed to what the user may see.

`policy_match_for(enterprise, as_of)` is the one judgement of a firm against every policy in force for
its region and level; 我的政策, the application form (tidu.policy_filings) and subscriptions use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from tidu.core.permissions import is_platform_admin, jurisdiction_prefix_of, role_of
from tidu.enterprises.models import Enterprise
from tidu.enterprises.selectors import own_enterprise
from tidu.ladder.assessment import today_shanghai
from tidu.policies import conditions as C
from tidu.policies.models import Award, AwardStatus, Payout, Policy, PolicyBatch, PolicyEdition, PolicyStatus
from tidu.policies.records import FirmRecord, firm_record

ELIGIBLE, POSSIBLE, NOT_ELIGIBLE = "eligible", "possible", "not_eligible"
VERDICT_LABELS = {ELIGIBLE: _("符合条件"), POSSIBLE: _("可能符合"), NOT_ELIGIBLE: _("暂不符合")}


@dataclass
class PolicyMatch:
    """One policy judged for one firm: the verdict and why, the estimated amount and what to do next."""

    policy: Policy
    edition: PolicyEdition
    verdict: str  # eligible | possible | not_eligible
    outcomes: list[C.ConditionOutcome]
    amount_yuan: int | None
    batch: PolicyBatch | None  # the open batch, else the next one
    as_of: dt.date
    fiscal_year: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])

    @property
    def failed(self) -> list[C.ConditionOutcome]:
        return [o for o in self.outcomes if o.state == C.UNMET]

    @property
    def unknown(self) -> list[C.ConditionOutcome]:
        return [o for o in self.outcomes if o.state == C.UNKNOWN]

    @property
    def to_judge(self) -> list[C.ConditionOutcome]:
        return [o for o in self.outcomes if o.state == C.JUDGE]

    @property
    def missing_fields(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for o in self.unknown:
            for f, lab in o.missing:
                seen.setdefault(f, lab)
        return list(seen.items())

    @property
    def deadline(self) -> dt.date | None:
        return self.batch.closes_on if self.batch is not None else None

    @property
    def days_left(self) -> int | None:
        """Days until the open batch closes (0 = closes today); None when no batch is open."""
        return (
            (self.batch.closes_on - self.as_of).days if self.batch_open and self.batch is not None else None
        )

    @property
    def batch_open(self) -> bool:
        return self.batch is not None and self.batch.open_on(self.as_of)


# ---- policies --------------------------------------------------------------------------------------


def edition_in_force(policy: Policy, day: dt.date) -> PolicyEdition | None:
    """The edition in force on `day`: the latest that took effect on or before it."""
    eds = getattr(policy, "_editions", None)
    if eds is None:
        eds = list(policy.editions.order_by("-effective_on"))
    return next((e for e in eds if e.effective_on <= day), None)


def current_batch(policy: Policy, day: dt.date) -> PolicyBatch | None:
    """The batch open on `day`, else the next to open; closed batches are not offered."""
    batches = sorted(policy.batches.all(), key=lambda b: (b.opens_on, b.pk))
    open_now = [b for b in batches if b.open_on(day)]
    if open_now:
        return min(open_now, key=lambda b: b.closes_on)
    return next((b for b in batches if b.opens_on > day), None)


def _with_editions(qs: QuerySet[Policy]) -> list[Policy]:
    policies = list(qs.select_related("region").prefetch_related("batches"))
    by_policy: dict[int, list[PolicyEdition]] = {p.pk: [] for p in policies}
    for ed in PolicyEdition.objects.filter(policy__in=policies).order_by("-effective_on"):
        by_policy[ed.policy_id].append(ed)
    for p in policies:
        p._editions = by_policy[p.pk]  # type: ignore[attr-defined]
    return policies


def policies_published() -> QuerySet[Policy]:
    return Policy.objects.filter(status=PolicyStatus.PUBLISHED).select_related("region")


def policies_covering(region_code: str, day: dt.date) -> QuerySet[Policy]:
    """Published policies in force on `day` whose region covers `region_code` (national, its province,
    city, county)."""
    code = str(region_code)
    prefixes = [code[:2] + "0000", code[:4] + "00", code]
    return (
        policies_published()
        .filter(
            Q(region__isnull=True, level="national") | Q(region__code__in=prefixes),
            in_force_from__lte=day,
        )
        .filter(Q(in_force_to__isnull=True) | Q(in_force_to__gte=day))
    )


def policy_get(*, code: str, user: Any = None) -> Policy:
    """A published policy for anyone; a draft only for those who may manage it."""
    from tidu.core.errors import ErrorCode, TiduError

    policy = Policy.objects.select_related("region").filter(code=code).first()
    if policy is None or (policy.status == PolicyStatus.DRAFT and not can_manage_policy(user, policy)):
        raise TiduError(ErrorCode.NOT_FOUND)
    return policy


def can_manage_policy(user: Any, policy: Policy) -> bool:
    """Officials write and pay the policies of their own jurisdiction (a national policy: national office)."""
    if is_platform_admin(user):
        return True
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return False
    return prefix == "" or (policy.region is not None and policy.region_prefix.startswith(prefix))


def can_author_policies(user: Any) -> bool:
    return is_platform_admin(user) or jurisdiction_prefix_of(user) is not None


def policies_managed_by(user: Any) -> QuerySet[Policy]:
    qs = Policy.objects.select_related("region")
    if is_platform_admin(user):
        return qs
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(region__code__startswith=prefix)


def policies_with_push_lists_for(user: Any) -> QuerySet[Policy]:
    """免申即享 policies whose push list this official may see: those covering any of their firms."""
    qs = policies_published().filter(route="automatic")
    if is_platform_admin(user):
        return qs
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return qs.none()
    if prefix == "":
        return qs
    ups = {prefix[:2] + "0000", prefix[:4] + "00" if len(prefix) >= 4 else "", prefix.ljust(6, "0")}
    return qs.filter(Q(region__isnull=True) | Q(region__code__startswith=prefix) | Q(region__code__in=ups))


# ---- matching one firm -----------------------------------------------------------------------------


def judge(policy: Policy, edition: PolicyEdition, fr: FirmRecord, day: dt.date) -> PolicyMatch:
    """The verdict of one edition for one firm record (no query beyond the policy's batches)."""
    specs = C.check_conditions(edition.conditions)
    outcomes = [C.evaluate_condition(s, fr.record, fr.self_declared) for s in specs]
    states = {o.state for o in outcomes}
    if C.UNMET in states:
        verdict = NOT_ELIGIBLE
    elif states & {C.UNKNOWN, C.JUDGE}:
        verdict = POSSIBLE
    else:
        verdict = ELIGIBLE
    amount = C.evaluate_amount(C.check_amount(edition.amount_expr), edition.amount_cap_yuan, fr.record)
    evidence = {
        "fiscal_year": fr.fiscal_year,
        "as_of": fr.as_of.isoformat(),
        "figures": {f: _plain(v) for o in outcomes for f, _lab, v in o.values},
        "sources": {f: fr.marks.get(f) for o in outcomes for f, _lab, _v in o.values if fr.marks.get(f)},
    }
    return PolicyMatch(
        policy, edition, verdict, outcomes, amount, current_batch(policy, day), day, fr.fiscal_year, evidence
    )


def _plain(v: Any) -> Any:
    from fractions import Fraction

    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{float(v):.6g}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


ORDER = {ELIGIBLE: 0, POSSIBLE: 1, NOT_ELIGIBLE: 2}


def policy_match_for(enterprise: Enterprise, as_of: dt.date | None = None) -> list[PolicyMatch]:
    """Every published policy in force on `as_of` for the firm's region and level, judged from its stored,
    dated figures and platform recognitions; eligible first, then possibly eligible, then not eligible.

    The caller has checked that the user may see the firm.
    """
    day = as_of or today_shanghai()
    fr = firm_record(enterprise, day)
    out: list[PolicyMatch] = []
    for policy in _with_editions(policies_covering(enterprise.region_id, day)):
        edition = edition_in_force(policy, day)
        if edition is None:
            continue
        out.append(judge(policy, edition, fr, day))
    out.sort(
        key=lambda m: (ORDER[m.verdict], m.deadline or dt.date.max, -(m.amount_yuan or 0), m.policy.code)
    )
    return out


def match_one(enterprise: Enterprise, policy: Policy, as_of: dt.date | None = None) -> PolicyMatch | None:
    """The judgement of one policy for one firm (None when no edition is in force)."""
    day = as_of or today_shanghai()
    [p] = _with_editions(Policy.objects.filter(pk=policy.pk))
    edition = edition_in_force(p, day)
    return judge(p, edition, firm_record(enterprise, day), day) if edition is not None else None


def my_matches(user: Any, as_of: dt.date | None = None) -> tuple[Enterprise | None, list[PolicyMatch]]:
    """我的政策: the user's own firm only (firm staff); nobody else gets a firm's matches here."""
    ent = own_enterprise(user)
    if ent is None:
        return None, []
    return ent, policy_match_for(ent, as_of)


# ---- awards and payouts ----------------------------------------------------------------------------


def awards_visible_to(user: Any) -> QuerySet[Award]:
    """A firm its own awards; an official those of firms in their jurisdiction; platform admins all."""
    qs = Award.objects.select_related("enterprise", "policy", "batch", "edition")
    role = role_of(user)
    if role == "platform":
        return qs
    if role == "enterprise":
        ent = own_enterprise(user)
        return qs.filter(enterprise=ent) if ent is not None else qs.none()
    prefix = jurisdiction_prefix_of(user)
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(enterprise__region__code__startswith=prefix)


def payouts_visible_to(user: Any) -> QuerySet[Payout]:
    return Payout.objects.filter(award__in=awards_visible_to(user)).select_related(
        "award__enterprise", "award__policy"
    )


def paid_yuan(award: Award) -> int:
    return int(award.payouts.aggregate(s=Sum("amount_yuan"))["s"] or 0)


def awards_public(*, q: str = "", policy: str = "", year: int | None = None) -> QuerySet[Award]:
    """The public award list: every decision not revoked (firm name, policy, clause, amount, date)."""
    qs = Award.objects.exclude(status=AwardStatus.REVOKED).select_related("enterprise", "policy")
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(policy__title__icontains=q))
    if policy:
        qs = qs.filter(policy__code=policy)
    if year:
        qs = qs.filter(decided_at__year=year)
    return qs.order_by("-decided_at", "-id")


def other_awards_same_purpose(enterprise: Enterprise, policy: Policy) -> QuerySet[Award]:
    """Awards of the same firm for the same purpose under other policies (the double-claim check)."""
    return (
        Award.objects.filter(enterprise=enterprise, policy__purpose=policy.purpose)
        .exclude(policy=policy)
        .exclude(status=AwardStatus.REVOKED)
        .select_related("policy")
    )
