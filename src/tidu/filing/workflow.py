"""The moves every filing makes, whatever its kind: freeze, sign, submit, climb the review steps.

Each kind (application, re-review, policy application) passes a `Flow` naming its own statuses, step
model, conflict error and audit prefix; the sequence — check the version the actor saw, check the step,
require a reason for a return or a rejection, one conditional UPDATE, one append-only step, one audit
event, then the kind's own follow-up (notifications, extending a title, granting an award) inside the
same transaction — is written once here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import gov_level_of, jurisdiction_prefix_of, organisation_of
from tidu.enterprises.provenance import FROZEN_MARKS_KEY
from tidu.filing.models import DecisionStep, Filing, ReviewAction

# The review ladder, bottom up (tidu.core.permissions government levels).
LEVELS: tuple[str, ...] = ("county", "city", "province", "national")


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals as JSON text, so the frozen record reads back exactly as it was stored."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def frozen_figures(record: dict[str, Any], marks: dict[str, Any]) -> dict[str, Any]:
    """The firm's figures as frozen: each figure's provenance mark travels with the filing."""
    figures = jsonable(record)
    figures[FROZEN_MARKS_KEY] = jsonable(marks)
    return figures


def commitment_fields(actor: Any, text: str, at: dt.datetime | None = None) -> dict[str, Any]:
    """The commitment signed by `actor` (None: the system acting for the firm) at `at` (default now)."""
    return {
        "commitment_text": text,
        "commitment_signed_by": actor,
        "commitment_signed_at": at or timezone.now(),
    }


@dataclass(frozen=True)
class Flow:
    """How one kind of filing is named in the shared moves."""

    audit_prefix: str  # "journey.review" → audit actions journey.review.approve, …
    step_model: type[DecisionStep]
    step_field: str  # the step's foreign key to the filing
    approved: str  # the status after the last level approves
    returned: str
    rejected: str
    conflict: Callable[[str], TiduError]  # built with the current status's label
    not_at_step: Callable[[str], TiduError]
    reason_required: Callable[[], TiduError]


def check_version(filing: Any, expected_version: int | None, flow: Flow) -> None:
    """A page showing an older state gets the conflict (with the new state) before any other verdict."""
    if expected_version is not None and expected_version != filing.version:
        raise flow.conflict(filing.get_status_display())


def move(
    filing: Filing,
    *,
    to: str,
    expected_version: int | None,
    conflict: Callable[[str], TiduError],
    **extra: Any,
) -> None:
    """Change status if nobody changed `filing` since the actor saw `expected_version` (one conditional
    UPDATE: of two simultaneous actors exactly one gets through, the other the conflict)."""
    version = filing.version if expected_version is None else expected_version
    now = timezone.now()
    model = type(filing)
    updated = model.objects.filter(pk=filing.pk, version=version).update(  # type: ignore[attr-defined]
        status=to, version=F("version") + 1, status_changed_at=now, updated_at=now, **extra
    )
    if updated == 0:
        current = model.objects.get(pk=filing.pk)  # type: ignore[attr-defined]
        raise conflict(current.get_status_display())
    filing.refresh_from_db()


def save_versioned(
    filing: Filing, *, expected_version: int | None, conflict: Callable[[str], TiduError], **fields: Any
) -> None:
    """Change fields other than the status under the same optimistic lock as `move`."""
    version = filing.version if expected_version is None else expected_version
    model = type(filing)
    updated = model.objects.filter(pk=filing.pk, version=version).update(  # type: ignore[attr-defined]
        version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated == 0:
        current = model.objects.get(pk=filing.pk)  # type: ignore[attr-defined]
        raise conflict(current.get_status_display())
    filing.refresh_from_db()


def review_path(top: str) -> tuple[str, ...]:
    """The levels a filing climbs, county first, up to and including `top`."""
    return LEVELS[: LEVELS.index(top) + 1]


def official_at_step(user: Any, status: str, region_code: str) -> bool:
    """An official of the filing's current level whose jurisdiction holds the firm's region."""
    level = gov_level_of(user)
    if level is None or status not in LEVELS or level != status:
        return False
    prefix = jurisdiction_prefix_of(user)
    return prefix is not None and region_code.startswith(prefix)


def next_status(level: str, action: str, *, path: Sequence[str], flow: Flow) -> str:
    """Approve: the next level of `path`, or `flow.approved` after its last; else returned / rejected."""
    if action == ReviewAction.APPROVE:
        i = path.index(level)
        return path[i + 1] if i + 1 < len(path) else flow.approved
    return flow.returned if action == ReviewAction.RETURN else flow.rejected


@dataclass(frozen=True)
class Decision:
    level: str
    to: str
    step: DecisionStep
    org_label: str
    comment: str


def review_decide(
    *,
    actor: Any,
    filing: Filing,
    action: str,
    comment: str,
    expected_version: int | None,
    may_review: bool,
    path: Sequence[str],
    flow: Flow,
    extra: Callable[[str], dict[str, Any]] | None = None,
    after: Callable[[Decision], None] | None = None,
) -> Decision:
    """An official's decision at the filing's current level (the caller has checked it may see it).

    `extra(to)` adds fields to the move (e.g. unlock on return); `after(decision)` runs in the same
    transaction once the step and its audit event are written (notifications, follow-up records)."""
    check_version(filing, expected_version, flow)
    status = filing.status  # type: ignore[attr-defined]
    if not may_review:
        if gov_level_of(actor) is None:
            raise TiduError(ErrorCode.PERMISSION_DENIED)
        raise flow.not_at_step(filing.get_status_display())  # type: ignore[attr-defined]
    if action not in ReviewAction.values:
        raise TiduError(ErrorCode.VALIDATION, field="action", detail="审核结果")
    comment = comment.strip()
    if action in (ReviewAction.RETURN, ReviewAction.REJECT) and not comment:
        raise flow.reason_required()
    level = str(status)
    to = next_status(level, action, path=path, flow=flow)
    org = organisation_of(actor)
    org_label = org.name if org is not None else ""
    with transaction.atomic():
        move(
            filing,
            to=to,
            expected_version=expected_version,
            conflict=flow.conflict,
            **(extra(to) if extra is not None else {}),
        )
        step = flow.step_model.objects.create(  # type: ignore[attr-defined]
            **{flow.step_field: filing},
            level=level,
            official=actor,
            official_label=org_label,
            action=action,
            comment=comment,
        )
        audit_record(
            actor=actor,
            action=f"{flow.audit_prefix}.{action}",
            target=filing,
            data={"status": [level, to], "comment": comment, "step": step.pk},
        )
        decision = Decision(level=level, to=to, step=step, org_label=org_label, comment=comment)
        if after is not None:
            after(decision)
    return decision
