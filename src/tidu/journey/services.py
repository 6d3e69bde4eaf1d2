"""Every state change of the journey: each service checks permission, owns its transaction and writes
an audit event. Views, the API and seed_demo call these and nothing else.

Applications move with optimistic locking: a change names the `version` the actor saw, and a
conditional UPDATE lets exactly one of two simultaneous officials through; the other gets CONFLICT.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import is_platform_admin, organisation_of, require
from tidu.core.ratelimit import ADDRESS, duration_words, limit_for, rate_limit
from tidu.core.text import validate_no_formula_prefix
from tidu.core.validators import MOBILE_RE, email_ok, normalize_phone
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.selectors import evaluation_record_with_marks, own_enterprise
from tidu.filing import workflow
from tidu.journey import assessment, checklist, frozen, storage
from tidu.journey.access import (
    can_edit_application,
    can_edit_rereview,
    can_manage_round,
    can_open_rereview,
    can_review,
    can_review_rereview,
    can_view_application,
    can_view_recognition,
    gov_level_of,
)
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import (
    EDITABLE_STATUSES,
    REREVIEW_FIRM_STATUSES,
    Application,
    ApplicationRound,
    AppStatus,
    Attachment,
    AttachmentKind,
    CalendarDay,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicitySetting,
    PublicityStatus,
    Recognition,
    ReReview,
    ReReviewStatus,
    ReReviewStep,
    ReviewStep,
    RoundStatus,
    Tier,
)
from tidu.journey.notify import (
    notify_firm,
    notify_firm_of_rereview,
    notify_officials,
    notify_review_queue,
    officials_covering,
)
from tidu.journey.prerequisites import require_prerequisite
from tidu.journey.prescreen import prescreen
from tidu.journey.selectors import rereview_windows, window_for
from tidu.journey.workdays import (
    OVERRIDE_WINDOW_DAYS,
    calendar_overrides,
    is_workday,
    next_working_day,
    working_period,
)
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import notify_users
from tidu.regions.models import Region

COMMITMENT_TEXT = (
    "本企业郑重承诺：所填报的数据和提交的材料真实、准确、完整，无弄虚作假；如有不实，"
    "愿承担由此产生的一切责任，并接受撤销认定、三年内不得再次申请的处理。"
)
# Publicity length by tier when no province setting exists (domain/tiers.md §9: durations vary by
# province — Guangdong 创新型 5 days, provincial 专精特新 7–10 working days, MIIT little giants ~5).
DEFAULT_PUBLICITY_WORKING_DAYS: dict[str, int] = {
    Tier.INNOVATIVE_SME: 5,
    Tier.SPECIALIZED_SME: 7,
    Tier.LITTLE_GIANT: 5,
}
# domain/tiers.md §9: three years for every rung, under both the 2022 and the 2026 measures.
VALIDITY_YEARS: dict[str, int] = {Tier.INNOVATIVE_SME: 3, Tier.SPECIALIZED_SME: 3, Tier.LITTLE_GIANT: 3}
TIER_NUMBER_CODE: dict[str, str] = {Tier.INNOVATIVE_SME: "CX", Tier.SPECIALIZED_SME: "ZJTX", Tier.LITTLE_GIANT: "XJR"}
NEXT_LEVEL: dict[str, str] = {
    AppStatus.COUNTY: AppStatus.CITY,
    AppStatus.CITY: AppStatus.PROVINCE,
    AppStatus.PROVINCE: AppStatus.APPROVED,  # little giants go on to the national level
    AppStatus.NATIONAL: AppStatus.APPROVED,
}


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _conflict(status: str) -> JourneyError:
    return JourneyError(JourneyCode.CONFLICT, status=status)


def _rr_conflict(status: str) -> JourneyError:
    return JourneyError(JourneyCode.REREVIEW_CONFLICT, status=status)


def _not_at_step(status: str) -> JourneyError:
    return JourneyError(JourneyCode.NOT_AT_YOUR_STEP, status=status)


def _reason_required() -> JourneyError:
    return JourneyError(JourneyCode.REASON_REQUIRED, field="comment", what="退回或不予通过的理由")


# The two journey filings in the shared workflow's words (tidu.filing.workflow).
APPLICATION_FLOW = workflow.Flow(
    audit_prefix="journey.review", step_model=ReviewStep, step_field="application", approved=AppStatus.APPROVED,
    returned=AppStatus.RETURNED, rejected=AppStatus.REJECTED, conflict=_conflict, not_at_step=_not_at_step,
    reason_required=_reason_required,
)
REREVIEW_FLOW = workflow.Flow(
    audit_prefix="journey.rereview", step_model=ReReviewStep, step_field="rereview", approved=ReReviewStatus.PASSED,
    returned=ReReviewStatus.RETURNED, rejected=ReReviewStatus.FAILED, conflict=_rr_conflict,
    not_at_step=_not_at_step, reason_required=_reason_required,
)


def review_path(tier: str) -> tuple[str, ...]:
    """County → city → province, and on to the national level for little giants (applications and re-reviews)."""
    return workflow.review_path("national" if tier == Tier.LITTLE_GIANT else "province")


def _move(app: Application, *, to: str, expected_version: int | None, **extra: Any) -> None:
    workflow.move(app, to=to, expected_version=expected_version, conflict=_conflict, **extra)


def _check_version(app: Application, expected_version: int | None) -> None:
    """A page showing an older state gets CONFLICT (with the new state) before any other verdict."""
    workflow.check_version(app, expected_version, APPLICATION_FLOW)


def _freeze(ent: Enterprise, *, fiscal_year: int, tier: str, day: dt.date, is_review: bool = False,
            prerequisite: bool = True) -> dict[str, Any]:
    """What an application's lock and a re-review's submission freeze: the firm's figures with each one's
    provenance mark, and the engine's assessment (with pre-screen flags) under the pack edition in force
    on `day`; an application also records the title it applied on."""
    if not EnterpriseYear.objects.filter(enterprise=ent, fiscal_year=fiscal_year).exists():
        raise JourneyError(JourneyCode.NO_FIGURES, year=fiscal_year)
    record, marks = evaluation_record_with_marks(ent, fiscal_year + 1, as_of=day)
    held = (require_prerequisite(tier=tier, record=record, marks=marks, as_of=day, fiscal_year=fiscal_year)
            if prerequisite else None)
    figures = workflow.frozen_figures(record, marks)
    result = workflow.jsonable(assessment.assess(record, tier=tier, as_of=day, is_review=is_review))
    result["prescreen_flags"] = prescreen(figures)
    if prerequisite:
        result["prerequisite"] = held  # the title it applied on: platform record (number) or self-declared
    return {"frozen_figures": figures, "frozen_assessment": result,
            "pack_edition": str(result.get("pack_edition") or "")}


# ---- rounds ---------------------------------------------------------------------------------------


def round_open(
    *, actor: Any, name: str, tier: str, region_code: str | None, opens_on: dt.date, deadline: dt.date,
    today: dt.date | None = None,
) -> ApplicationRound:
    """Open a call for applications for a region (a province; None = national) and a tier.

    A round whose deadline has passed would accept nothing: refused, as is one closing before it opens.
    `today` lets the demo seed a round of past years as it was opened then."""
    require(can_manage_round(actor, region_code=region_code or ""))
    if tier not in Tier.values:
        raise TiduError(ErrorCode.VALIDATION, field="tier", detail="梯度层级")
    if deadline < opens_on:
        raise JourneyError(JourneyCode.DATES_INVALID, field="deadline",
                           detail=f"截止日期（{deadline}）早于开始受理日期（{opens_on}）")
    day = _today(today)
    if deadline < day:
        raise JourneyError(JourneyCode.ROUND_DEADLINE_PAST, field="deadline", deadline=deadline, today=day)
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region_code and region is None:
        raise TiduError(ErrorCode.REGION_UNKNOWN, field="region", value=region_code)
    with transaction.atomic():
        rnd = ApplicationRound.objects.create(
            name=name.strip() or f"{Tier(tier).label}申报", tier=tier, region=region, opens_on=opens_on,
            deadline=deadline, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="journey.round.open", target=rnd,
                     data={"tier": tier, "region": region_code, "opens_on": opens_on, "deadline": deadline})
    return rnd


def round_close(*, actor: Any, rnd: ApplicationRound) -> ApplicationRound:
    require(can_manage_round(actor, rnd))
    with transaction.atomic():
        rnd.status = RoundStatus.CLOSED
        rnd.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="journey.round.close", target=rnd, data={"status": "closed"})
    return rnd


# ---- applications (the firm) -------------------------------------------------------------------


def application_create(
    *, actor: Any, rnd: ApplicationRound, fiscal_year: int | None = None, today: dt.date | None = None,
    enterprise: Enterprise | None = None,
) -> Application:
    """Start a draft for the actor's firm in an open round (figures are frozen only at submission).

    Refused (PREREQUISITE_MISSING) when the firm does not hold, today, the title the round's tier requires
    (tidu.journey.prerequisites); the lock checks it again on its own day.
    `actor=None` is the system (seed_demo, imports of paper applications): it names the `enterprise`.
    """
    ent = own_enterprise(actor) if actor is not None else enterprise
    require(ent is not None)
    assert ent is not None
    day = _today(today)
    if not rnd.accepts_on(day):
        raise JourneyError(JourneyCode.ROUND_NOT_OPEN, opens_on=rnd.opens_on, deadline=rnd.deadline)
    if not ent.region_id.startswith(rnd.region_prefix):
        raise JourneyError(JourneyCode.ROUND_OUTSIDE_REGION, region=rnd.region.name if rnd.region else "全国")
    year = fiscal_year or (day.year - 1)
    if EnterpriseYear.objects.filter(enterprise=ent, fiscal_year=year).exists():  # else the lock checks it,
        record, marks = evaluation_record_with_marks(ent, year + 1, as_of=day)  # once the figures exist
        require_prerequisite(tier=rnd.tier, record=record, marks=marks, as_of=day, fiscal_year=year)
    try:
        with transaction.atomic():
            app = Application.objects.create(
                enterprise=ent, round=rnd, fiscal_year=year, created_by=actor if actor is not None else None,
                status_changed_at=timezone.now()
            )
            audit_record(actor=actor, action="journey.application.create", target=app,
                         data={"round": rnd.pk, "fiscal_year": year})
    except IntegrityError as exc:
        raise JourneyError(JourneyCode.ALREADY_APPLIED) from exc
    return app


def _require_editable(actor: Any, app: Application) -> None:
    if actor is not None:  # None: the system acting for the firm (seed_demo)
        require(can_view_application(actor, app), not_found=True)
        require(can_edit_application(actor, app))
    if app.status not in EDITABLE_STATUSES:
        raise JourneyError(JourneyCode.NOT_EDITABLE, status=app.get_status_display())


def _save_versioned(app: Application, *, expected_version: int | None, **fields: Any) -> None:
    """Change fields of `app` other than its status under the same optimistic lock as `_move`."""
    workflow.save_versioned(app, expected_version=expected_version, conflict=_conflict, **fields)


def _drop_attachments(atts: Iterable[Attachment]) -> list[dict[str, Any]]:
    """Delete attachment rows (inside the caller's transaction); their files go once that commits and
    no other attachment names them. Returns what was dropped, for the caller's audit event."""
    dropped = []
    for att in atts:
        dropped.append({"attachment": att.pk, "name": att.original_name, "kind": att.kind, "sha256": att.sha256,
                        "form_fingerprint": att.form_fingerprint})
        att.delete()
        transaction.on_commit(_release_later(att.stored_name))
    return dropped


def _release_later(stored: str) -> Callable[[], None]:
    return lambda: storage.release(stored, lambda: Attachment.objects.filter(stored_name=stored).exists())


def _frozen_record(app: Application, day: dt.date) -> dict[str, Any]:
    """What locking freezes (see `_freeze`), under the pack edition in force on `day`."""
    return _freeze(app.enterprise, fiscal_year=app.fiscal_year, tier=app.tier, day=day)


def application_lock(
    *, actor: Any, application: Application, commitment: bool, expected_version: int | None = None,
    today: dt.date | None = None,
) -> Application:
    """Sign the commitment and freeze figures, marks and assessment with the pack edition: the 申报书 can
    now be printed (its fingerprint names this lock), and only the stamped copy may still be attached.

    Stamped copies left from an earlier submission (a returned application) no longer match and go.
    `actor=None` is the system acting for the firm (seed_demo).
    """
    app = application
    if actor is not None:
        require(can_view_application(actor, app), not_found=True)
    _check_version(app, expected_version)
    _require_editable(actor, app)
    if app.locked_at is not None:
        raise JourneyError(JourneyCode.ALREADY_LOCKED, at=timezone.localtime(app.locked_at).strftime("%Y-%m-%d %H:%M"))
    if not commitment:
        raise JourneyError(JourneyCode.COMMITMENT_REQUIRED, field="commitment")
    day = _today(today)
    if app.status == AppStatus.DRAFT and not app.round.accepts_on(day):
        raise JourneyError(JourneyCode.ROUND_NOT_OPEN, opens_on=app.round.opens_on, deadline=app.round.deadline)
    fields = _frozen_record(app, day)
    now = timezone.now()
    with transaction.atomic():
        _save_versioned(app, expected_version=expected_version, locked_at=now,
                        **workflow.commitment_fields(actor, COMMITMENT_TEXT, now), **fields)
        dropped = _drop_attachments(app.attachments.filter(kind=AttachmentKind.STAMPED_FORM))
        audit_record(actor=actor, action="journey.application.lock", target=app,
                     data={"fingerprint": frozen.fingerprint(app), "pack_edition": app.pack_edition,
                           "fiscal_year": app.fiscal_year, "stale_stamped_removed": dropped})
    return app


def application_unlock(*, actor: Any, application: Application, expected_version: int | None = None) -> Application:
    """Back to editing: the lock's frozen record and commitment are discarded, and so are the stamped
    copies printed from it (their fingerprint will never be the application's again)."""
    app = application
    if actor is not None:
        require(can_view_application(actor, app), not_found=True)
    _check_version(app, expected_version)
    _require_editable(actor, app)
    if app.locked_at is None:
        raise JourneyError(JourneyCode.NOT_LOCKED)
    discarded = frozen.fingerprint(app)
    with transaction.atomic():
        _save_versioned(app, expected_version=expected_version, locked_at=None, frozen_figures={},
                        frozen_assessment={}, pack_edition="", commitment_text="", commitment_signed_by=None,
                        commitment_signed_at=None)
        dropped = _drop_attachments(app.attachments.filter(kind=AttachmentKind.STAMPED_FORM))
        audit_record(actor=actor, action="journey.application.unlock", target=app,
                     data={"discarded_fingerprint": discarded, "stamped_removed": dropped})
    return app


def application_submit(
    *, actor: Any, application: Application, expected_version: int | None = None, today: dt.date | None = None,
) -> Application:
    """Send the locked application to the county: its record is the one frozen when it was locked, its
    required materials (the tier's checklist) are attached, the stamped copy is of this very lock."""
    app = application
    if actor is not None:
        require(can_view_application(actor, app), not_found=True)
    _check_version(app, expected_version)
    _require_editable(actor, app)
    if app.locked_at is None:
        raise JourneyError(JourneyCode.NOT_LOCKED)
    day = _today(today)
    if app.status == AppStatus.DRAFT and not app.round.accepts_on(day):
        raise JourneyError(JourneyCode.ROUND_NOT_OPEN, opens_on=app.round.opens_on, deadline=app.round.deadline)
    missing = checklist.missing_required(app)
    if missing:
        raise JourneyError(JourneyCode.ATTACHMENTS_MISSING, field="attachments", missing="、".join(missing))
    before = app.status
    with transaction.atomic():
        _move(app, to=AppStatus.COUNTY, expected_version=expected_version, submitted_at=timezone.now())
        audit_record(actor=actor, action="journey.application.submit", target=app,
                     data={"status": [before, app.status], "pack_edition": app.pack_edition,
                           "fiscal_year": app.fiscal_year, "fingerprint": frozen.fingerprint(app)})
        notify_review_queue(app)  # the county officials of the firm's region
    return app


def attachment_add(
    *, actor: Any, application: Application, name: str, data: bytes, kind: str = AttachmentKind.OTHER,
) -> Attachment:
    """Attach a file of one of the tier's kinds. Before the lock: any kind but the stamped copy; while
    locked: the stamped copy only (recorded against this lock's fingerprint). The same file twice in
    one application is refused; the same bytes in several applications are stored once."""
    app = application
    _require_editable(actor, app)
    allowed = checklist.kinds_for(app.tier)
    if kind not in allowed:
        raise JourneyError(JourneyCode.ATTACHMENT_KIND, field="kind", tier=Tier(app.tier).label,
                           allowed="、".join(str(AttachmentKind(k).label) for k in allowed))
    fingerprint = ""
    if kind == AttachmentKind.STAMPED_FORM:
        if app.locked_at is None:
            raise JourneyError(JourneyCode.STAMPED_NEEDS_LOCK, field="kind")
        fingerprint = frozen.fingerprint(app)
    elif app.locked_at is not None:
        raise JourneyError(JourneyCode.LOCKED, field="kind")
    checked = storage.check_upload(name, data)
    _refuse_duplicate(app, checked)
    stored = storage.store(checked)
    try:
        with transaction.atomic():
            att = Attachment.objects.create(
                application=app, kind=kind, original_name=checked.name, stored_name=stored,
                content_type=checked.content_type, size=len(checked.data), sha256=checked.sha256,
                form_fingerprint=fingerprint, uploaded_by=actor,
            )
            audit_record(actor=actor, action="journey.attachment.add", target=app,
                         data={"attachment": att.pk, "name": att.original_name, "kind": kind, "sha256": att.sha256,
                               "form_fingerprint": fingerprint})
            transaction.on_commit(lambda: storage.ensure_stored(checked))
    except IntegrityError:  # the same file sent twice at the same moment
        _refuse_duplicate(app, checked)
        raise
    return att


def _refuse_duplicate(app: Application, checked: storage.CheckedFile) -> None:
    existing = Attachment.objects.filter(application=app, sha256=checked.sha256).first()
    if existing is not None:
        raise JourneyError(JourneyCode.ATTACHMENT_DUPLICATE, field="file", name=checked.name,
                           existing=existing.original_name, kind=existing.get_kind_display())


def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    """Remove an attachment (while locked: the stamped copy only); its file goes when nothing else names it."""
    app = attachment.application
    _require_editable(actor, app)
    if app.locked_at is not None and attachment.kind != AttachmentKind.STAMPED_FORM:
        raise JourneyError(JourneyCode.LOCKED)
    with transaction.atomic():
        [dropped] = _drop_attachments([attachment])
        audit_record(actor=actor, action="journey.attachment.delete", target=app, data=dropped)


# ---- review (officials) --------------------------------------------------------------------------


def application_review(
    *, actor: Any, application: Application, action: str, comment: str = "", expected_version: int | None = None
) -> Application:
    """Approve (to the next level), return for revision, or reject, at the actor's own level."""
    app = application
    require(can_view_application(actor, app), not_found=True)

    def unlock_on_return(to: str) -> dict[str, Any]:
        # A return unlocks: the firm revises, locks again (a new record, a new 申报书) and resubmits.
        return {"locked_at": None} if to == AppStatus.RETURNED else {}

    def tell(decision: workflow.Decision) -> None:
        if decision.to in (AppStatus.RETURNED, AppStatus.REJECTED, AppStatus.APPROVED):
            notify_firm(app, subject=f"申报{app.get_status_display()}",
                        body=f"{decision.org_label or '主管部门'}的审核意见：{decision.comment or '同意'}")
        else:
            notify_review_queue(app)  # the next level's officials

    workflow.review_decide(
        actor=actor, filing=app, action=action, comment=comment, expected_version=expected_version,
        may_review=can_review(actor, app), path=review_path(app.tier), flow=APPLICATION_FLOW,
        extra=unlock_on_return, after=tell,
    )
    return app


@dataclass(frozen=True)
class BatchResult:
    application_id: int
    ok: bool
    message: str


def application_review_batch(
    *, actor: Any, items: Iterable[tuple[Application, int]], action: str, comment: str = ""
) -> list[BatchResult]:
    """The same decision on several applications; each succeeds or fails on its own."""
    results = []
    for app, version in items:
        try:
            application_review(actor=actor, application=app, action=action, comment=comment,
                               expected_version=version)
        except TiduError as error:
            results.append(BatchResult(app.pk, False, error.message))
        else:
            results.append(BatchResult(app.pk, True, app.get_status_display()))
    return results


# ---- publicity, objections, decisions --------------------------------------------------------------


def can_publish(actor: Any, rnd: ApplicationRound) -> bool:
    """Provinces publish their rounds; little giants are published by the national office (MIIT)."""
    if rnd.tier == Tier.LITTLE_GIANT:
        return can_manage_round(actor, rnd) and (gov_level_of(actor) == "national" or gov_level_of(actor) is None)
    return can_manage_round(actor, rnd)


def publicity_working_days(rnd: ApplicationRound) -> int:
    """The jurisdiction's setting (province of the round, else national row), else the domain default."""
    province = f"{rnd.region_id[:2]}0000" if rnd.region_id else None
    settings_by_region = {s.region_id: s.working_days for s in PublicitySetting.objects.filter(tier=rnd.tier)}
    if province in settings_by_region:
        return settings_by_region[province]
    if None in settings_by_region:
        return settings_by_region[None]
    return DEFAULT_PUBLICITY_WORKING_DAYS[rnd.tier]


def publicity_default_start(today: dt.date | None = None) -> dt.date:
    """The start offered to an official publishing today: the next working day."""
    day = _today(today)
    return next_working_day(day, calendar_overrides(day))


def _publicity_title(rnd: ApplicationRound, title: str) -> str:
    """The official's title (refused if another notice uses it), or a free default from the round's name.

    Titles are unique across the platform (decision 0080): the public cites a notice by its title, and
    every notice is public, so naming the one that holds a title reveals nothing."""
    wanted = " ".join(title.split())
    if wanted:
        if len(wanted) > TITLE_MAX:
            raise JourneyError(JourneyCode.PUBLICITY_TITLE_INVALID, field="title",
                               detail=f"不能超过{TITLE_MAX}个字符（现为{len(wanted)}个）")
        try:
            validate_no_formula_prefix(wanted)
        except ValidationError as exc:
            raise JourneyError(JourneyCode.PUBLICITY_TITLE_INVALID, field="title", detail=exc.messages[0]) from None
        _title_free(wanted)
        return wanted
    base = f"{rnd.name}拟认定名单公示"[:TITLE_MAX - 8]
    taken = set(Publicity.objects.filter(title__startswith=base).values_list("title", flat=True))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}（第{n}次）"
    return candidate


TITLE_MAX = 200


def _title_free(title: str) -> None:
    holder = Publicity.objects.filter(title=title).first()
    if holder is not None:
        raise JourneyError(JourneyCode.PUBLICITY_TITLE_TAKEN, field="title", title=title, starts_on=holder.starts_on)


def publicity_publish(
    *, actor: Any, rnd: ApplicationRound, starts_on: dt.date | None = None, title: str = "",
    today: dt.date | None = None,
) -> Publicity:
    """Put every approved application of the round on a publicity list for N working days.

    The official chooses the first day (default: the next working day); it may not be in the past nor
    a weekend or holiday. `today` lets the demo seed a publicity of past years as it was published then."""
    require(can_publish(actor, rnd))
    apps = list(rnd.applications.select_related("enterprise").filter(status=AppStatus.APPROVED))
    if not apps:
        raise JourneyError(JourneyCode.NOTHING_TO_PUBLISH)
    day = _today(today)
    start = starts_on or publicity_default_start(day)
    if start < day:
        raise JourneyError(JourneyCode.PUBLICITY_START_PAST, field="starts_on", starts_on=start, today=day)
    overrides = calendar_overrides(start)
    if not is_workday(start, overrides)[0]:
        raise JourneyError(JourneyCode.PUBLICITY_START_NOT_WORKDAY, field="starts_on", starts_on=start,
                           suggest=next_working_day(start, overrides))
    title = _publicity_title(rnd, title)
    days = publicity_working_days(rnd)
    period = working_period(start, days, overrides)
    try:
        with transaction.atomic():
            pub = Publicity.objects.create(
                round=rnd, title=title, starts_on=start, ends_on=period.ends_on,
                working_days=days, end_provisional=period.provisional, published_by=actor,
            )
            for app in apps:
                _move(app, to=AppStatus.PUBLICITY, expected_version=app.version)
            pub.applications.set(apps)
            audit_record(actor=actor, action="journey.publicity.publish", target=pub,
                         data={"applications": [a.pk for a in apps], "title": title, "starts_on": start,
                               "ends_on": period.ends_on, "working_days": days, "provisional": period.provisional})
    except IntegrityError:  # another official took the title in the meantime: the constraint decides
        _title_free(title)
        raise
    return pub


@dataclass(frozen=True)
class PublicityMove:
    """A publicity whose end moved when the holiday calendar changed."""

    publicity: Publicity
    old_end: dt.date
    new_end: dt.date
    old_provisional: bool
    new_provisional: bool


def can_enter_calendar(actor: Any) -> bool:
    """Holidays are national (the State Council's notice): platform administrators enter them."""
    return bool(getattr(actor, "is_superuser", False)) or is_platform_admin(actor)


def calendar_day_save(*, actor: Any, entry: CalendarDay) -> list[PublicityMove]:
    """Save an administrator's holiday or adjusted working day (new or edited), then move the publicity
    ends it changes. Returns the moves (each audited, its officials notified)."""
    require(can_enter_calendar(actor))
    with transaction.atomic():
        before = CalendarDay.objects.select_for_update().filter(pk=entry.pk).first() if entry.pk else None
        entry.full_clean()
        entry.save()
        audit_record(actor=actor, action="journey.calendar.save", target=entry,
                     data={"day": entry.day, "is_workday": entry.is_workday, "note": entry.note,
                           **({"before": {"day": before.day, "is_workday": before.is_workday}} if before else {})})
        changed = {entry.day} | ({before.day} if before else set())
        return publicity_ends_recompute(actor=actor, changed=changed)


def calendar_day_set(*, actor: Any, day: dt.date, is_workday: bool, note: str = "") -> list[PublicityMove]:
    """Enter one day by its date (creating or changing the entry); see `calendar_day_save`."""
    entry = CalendarDay.objects.filter(day=day).first() or CalendarDay(day=day)
    entry.is_workday, entry.note = is_workday, note
    return calendar_day_save(actor=actor, entry=entry)


def calendar_days_delete(*, actor: Any, entries: Iterable[CalendarDay]) -> list[PublicityMove]:
    """Remove entries (the day goes back to the calendar package, or to weekends for an unknown year)."""
    require(can_enter_calendar(actor))
    with transaction.atomic():
        gone = list(CalendarDay.objects.select_for_update().filter(pk__in=[e.pk for e in entries]))
        for entry in gone:
            audit_record(actor=actor, action="journey.calendar.delete", target=entry,
                         data={"day": entry.day, "is_workday": entry.is_workday, "note": entry.note})
        CalendarDay.objects.filter(pk__in=[e.pk for e in gone]).delete()
        return publicity_ends_recompute(actor=actor, changed={e.day for e in gone})


def publicity_ends_recompute(*, actor: Any, changed: Iterable[dt.date]) -> list[PublicityMove]:
    """Count again every open publicity that the changed days can affect (an end counted by weekends
    only, for a year whose holidays were not yet known, becomes exact). Called in the caller's
    transaction; each moved end is audited (old → new) and its officials are told in the platform."""
    days = sorted(set(changed))
    if not days:
        return []
    open_pubs = list(Publicity.objects.select_related("round__region", "published_by")
                     .filter(status=PublicityStatus.OPEN, starts_on__lte=days[-1], ends_on__gte=days[0]))
    provisional = Publicity.objects.select_related("round__region", "published_by").filter(
        status=PublicityStatus.OPEN, end_provisional=True).exclude(pk__in=[p.pk for p in open_pubs])
    pubs = open_pubs + list(provisional)
    if not pubs:
        return []
    first = min(p.starts_on for p in pubs)
    overrides = calendar_overrides(first, until=max(p.starts_on for p in pubs) + dt.timedelta(
        days=OVERRIDE_WINDOW_DAYS))
    moves = []
    for pub in pubs:
        period = working_period(pub.starts_on, pub.working_days, overrides)
        if (period.ends_on, period.provisional) == (pub.ends_on, pub.end_provisional):
            continue
        move = PublicityMove(pub, pub.ends_on, period.ends_on, pub.end_provisional, period.provisional)
        Publicity.objects.filter(pk=pub.pk).update(ends_on=period.ends_on, end_provisional=period.provisional,
                                                   updated_at=timezone.now())
        pub.ends_on, pub.end_provisional = period.ends_on, period.provisional
        audit_record(actor=actor, action="journey.publicity.reschedule", target=pub,
                     data={"ends_on": {"old": move.old_end, "new": move.new_end},
                           "provisional": {"old": move.old_provisional, "new": move.new_provisional},
                           "calendar_days": days})
        _notify_publicity_moved(move)
        moves.append(move)
    return moves


def _notify_publicity_moved(move: PublicityMove) -> None:
    """Tell the official who published and the officials who may decide it."""
    pub = move.publicity
    rnd = pub.round
    national = rnd.tier == Tier.LITTLE_GIANT or rnd.region_id is None  # see can_publish
    users = {u.pk: u for u in officials_covering(rnd.region_id or "000000", "national" if national else "province")}
    if pub.published_by is not None and pub.published_by.is_active:
        users[pub.published_by.pk] = pub.published_by
    exact = "" if move.new_provisional else "（节假日安排已录入，日期已确定）"
    notify_users(
        users=list(users.values()), kind=NotificationKind.SYSTEM,
        title=f"公示截止日期调整：{pub.title}"[:200],
        body=f"节假日安排变更后重新计算，公示“{pub.title}”的截止日期由 {move.old_end} 调整为 {move.new_end}{exact}。"
             f"异议受理和认定决定以新的截止日期为准。",
        link=reverse("journey:publicity", kwargs={"pk": pub.pk}),
    )


# Anonymous objections are open to anyone, so each network address may lodge only so many: counted from the
# objections themselves (exact, shared by every web worker), per publicity and over all publicities, with
# the limits of tidu.core.ratelimit's settings (scopes "objection_publicity" and "objection", kind address).
# Per person (the signed-in user, else the contact given) the shared counter of scope "objection" applies.
def objection_limits() -> list[tuple[int, dt.timedelta, bool]]:
    """(limit, window, per publicity?) for one address, from the settings."""
    limits = []
    for scope, per_publicity in (("objection_publicity", True), ("objection", False)):
        limit = limit_for(scope, ADDRESS)
        if limit is not None:
            limits.append((limit.count, dt.timedelta(seconds=limit.seconds), per_publicity))
    return limits


OBJECTION_NAME_MAX = 30


def objection_contact_problem(*, name: str, contact: str) -> JourneyError | None:
    """A real name (2–30 characters, no digits or @) and a mainland mobile (1[3-9] + 9 digits) or an
    e-mail address the office can reach to verify the objection; else the error naming the field."""
    name = " ".join(name.split())
    if not name:
        return JourneyError(JourneyCode.REASON_REQUIRED, field="contact_name", what="提出人姓名")
    if not 2 <= len(name) <= OBJECTION_NAME_MAX or any(ch.isdigit() or ch == "@" for ch in name):
        return JourneyError(JourneyCode.OBJECTION_NAME_INVALID, field="contact_name", value=name[:40])
    value = contact.strip()
    if not value:
        return JourneyError(JourneyCode.REASON_REQUIRED, field="contact", what="联系方式（手机号码或电子邮箱）")
    if not (MOBILE_RE.match(normalize_phone(value)) or ("@" in value and email_ok(value))):
        return JourneyError(JourneyCode.OBJECTION_CONTACT_INVALID, field="contact", value=value[:60])
    return None


def _objection_throttle(*, publicity: Publicity, ip: str | None) -> None:
    if not ip:
        return
    now = timezone.now()
    for limit, window, per_publicity in objection_limits():
        recent = Objection.objects.filter(lodged_from=ip, lodged_at__gte=now - window)
        if per_publicity:
            recent = recent.filter(publicity=publicity)
        times = sorted(recent.values_list("lodged_at", flat=True))
        if len(times) >= limit:
            wait = times[len(times) - limit] + window - now  # when the oldest counted one leaves the window
            minutes = max(1, -(-int(wait.total_seconds()) // 60))
            error = JourneyError(JourneyCode.OBJECTION_THROTTLED, field="contact", limit=limit,
                                 window=duration_words(int(window.total_seconds())),
                                 scope="对同一公示" if per_publicity else "", minutes=minutes)
            error.headers["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
            raise error


def objection_lodge(
    *, actor: Any, publicity: Publicity, application: Application, name: str = "", contact: str, text: str,
    ip: str | None = None, today: dt.date | None = None,
) -> Objection:
    """Anyone, logged in or not, may object to a listed firm while publicity runs, giving a name and a
    mobile number or e-mail; each address (`ip`) and each person may lodge only so many of them."""
    if publicity.status != PublicityStatus.OPEN or _today(today) > publicity.ends_on:
        raise JourneyError(JourneyCode.PUBLICITY_CLOSED)
    if not publicity.applications.filter(pk=application.pk).exists():
        raise TiduError(ErrorCode.NOT_FOUND)
    problem = objection_contact_problem(name=name, contact=contact)
    if problem is not None:
        raise problem
    if not text.strip():
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="text", what="异议内容")
    user = actor if getattr(actor, "is_authenticated", False) else None
    value = contact.strip()
    value = value if "@" in value else normalize_phone(value)
    # Counted before the transaction: a refusal must not roll back its own count and audit event.
    rate_limit("objection", account=user.get_username() if user is not None else value, actor=user)
    with transaction.atomic():
        # Lock the publicity row: concurrent objections to it count and insert one after another.
        Publicity.objects.select_for_update().filter(pk=publicity.pk).first()
        _objection_throttle(publicity=publicity, ip=ip)
        obj = Objection.objects.create(publicity=publicity, application=application, lodged_by=user,
                                       contact_name=" ".join(name.split()), contact=value[:200],
                                       text=text.strip(), lodged_from=ip or None)
        audit_record(actor=user, action="journey.objection.lodge", target=application,
                     data={"objection": obj.pk, "publicity": publicity.pk, "ip": ip})
    return obj


def objection_resolve(*, actor: Any, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Upheld: the firm leaves the list (rejected). Dismissed: it stays."""
    require(can_publish(actor, objection.publicity.round))
    if objection.status != ObjectionStatus.OPEN:
        raise JourneyError(JourneyCode.OBJECTION_RESOLVED)
    if not resolution.strip():
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="resolution", what="处理意见")
    with transaction.atomic():
        objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        objection.resolution = resolution.strip()
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        objection.save()
        app = objection.application
        if upheld and app.status == AppStatus.PUBLICITY:
            _move(app, to=AppStatus.REJECTED, expected_version=app.version)
        audit_record(actor=actor, action="journey.objection.resolve", target=app,
                     data={"objection": objection.pk, "status": objection.status, "resolution": objection.resolution})
    return objection


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _next_number(tier: str, region_code: str | None, year: int) -> str:
    prefix = f"{(region_code or '00')[:2]}-{TIER_NUMBER_CODE[tier]}-{year}-"
    taken = Recognition.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:05d}"


def publicity_decide(*, actor: Any, publicity: Publicity, today: dt.date | None = None) -> list[Recognition]:
    """After publicity ends with every objection resolved: recognise the firms still listed."""
    rnd = publicity.round
    require(can_publish(actor, rnd))
    day = _today(today)
    if publicity.status != PublicityStatus.OPEN:
        raise JourneyError(JourneyCode.PUBLICITY_CLOSED)
    if day <= publicity.ends_on:
        raise JourneyError(JourneyCode.PUBLICITY_NOT_OVER, ends_on=publicity.ends_on)
    pending = publicity.objections.filter(status=ObjectionStatus.OPEN).count()
    if pending:
        raise JourneyError(JourneyCode.OBJECTIONS_PENDING, count=pending)
    created = []
    with transaction.atomic():
        for app in publicity.applications.select_related("enterprise").filter(status=AppStatus.PUBLICITY):
            _move(app, to=AppStatus.RECOGNISED, expected_version=app.version)
            rec = Recognition.objects.create(
                enterprise=app.enterprise, application=app, tier=rnd.tier,
                number=_next_number(rnd.tier, rnd.region_id, day.year), issuing_region=rnd.region,
                valid_from=day, valid_until=add_years(day, VALIDITY_YEARS[rnd.tier]) - dt.timedelta(days=1),
                # the name and region it is granted under (the list and certificate note later renames)
                granted_name=app.enterprise.name, granted_region_id=app.enterprise.region_id,
            )
            audit_record(actor=actor, action="journey.recognition.grant", target=rec,
                         data={"application": app.pk, "number": rec.number, "valid_until": rec.valid_until})
            notify_firm(app, subject=f"已获认定为{rec.get_tier_display()}",
                        body=f"认定编号 {rec.number}，有效期 {rec.valid_from} 至 {rec.valid_until}。")
            created.append(rec)
        publicity.status = PublicityStatus.DECIDED
        publicity.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="journey.publicity.decide", target=publicity,
                     data={"recognitions": [r.number for r in created]})
    return created


def recognition_revoke(*, actor: Any, recognition: Recognition, reason: str) -> Recognition:
    """Cancel a title with its recorded reason (incident, dishonesty, falsified data …)."""
    region = recognition.enterprise.region_id
    require(can_manage_round(actor, region_code=region))
    if recognition.revoked_at is not None:
        raise JourneyError(JourneyCode.ALREADY_REVOKED, at=timezone.localtime(recognition.revoked_at).date())
    if not reason.strip():
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="reason", what="撤销原因")
    with transaction.atomic():
        recognition.revoked_at = timezone.now()
        recognition.revoked_reason = reason.strip()
        recognition.revoked_by = actor
        recognition.save()
        audit_record(actor=actor, action="journey.recognition.revoke", target=recognition,
                     data={"reason": recognition.revoked_reason})
    return recognition


# ---- re-review (复核) of recognitions nearing expiry -----------------------------------------------
# domain/tiers.md §9: at expiry the holder is reviewed; passing extends the validity by the tier's years
# (three for every rung) from the old expiry, under the same number (docs/decisions/0071-re-review.md).
# The review climbs county → city → province (→ national for little giants) like an application.


def _rr_move(rr: ReReview, *, to: str, expected_version: int | None, **extra: Any) -> None:
    workflow.move(rr, to=to, expected_version=expected_version, conflict=_rr_conflict, **extra)


def _rr_check_version(rr: ReReview, expected_version: int | None) -> None:
    workflow.check_version(rr, expected_version, REREVIEW_FLOW)


def _rr_notify_level(rr: ReReview) -> None:
    """`rr` has just reached a review level (its status): tell that level's officials of the firm's region."""
    rec = rr.recognition
    notify_officials(
        region_code=rec.enterprise.region_id, level=rr.status,
        title=f"待复核：{rec.enterprise.name}（{rec.get_tier_display()}）",
        body=f"{rec.enterprise.name}的{rec.get_tier_display()}认定（{rec.number}，有效期至 {rec.valid_until}）"
             f"复核已进入{rr.get_status_display()}环节，请在认定复核中处理。",
        link=reverse("journey:rereview", kwargs={"pk": rr.pk}),
    )


def rereview_open(*, actor: Any, recognition: Recognition, today: dt.date | None = None) -> ReReview:
    """Open the re-review of one title within its region's re-review window; the firm is asked to submit."""
    rec = recognition
    require(can_view_recognition(actor, rec), not_found=True)
    require(can_open_rereview(actor, rec))
    if rec.revoked_at is not None:
        raise JourneyError(JourneyCode.RECOGNITION_REVOKED, number=rec.number)
    current = rec.rereviews.exclude(status__in=(ReReviewStatus.PASSED, ReReviewStatus.FAILED)).first()
    if current is not None:
        raise JourneyError(JourneyCode.REREVIEW_OPEN, number=rec.number, status=current.get_status_display())
    day = _today(today)
    window = window_for(rec.enterprise.region_id, rereview_windows())
    if (rec.valid_until - day).days > window:
        raise JourneyError(JourneyCode.REREVIEW_TOO_EARLY, number=rec.number, valid_until=rec.valid_until,
                           window=window)
    try:
        with transaction.atomic():
            rr = ReReview.objects.create(
                recognition=rec, fiscal_year=day.year - 1, old_valid_until=rec.valid_until,
                opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                status_changed_at=timezone.now(),
            )
            audit_record(actor=actor, action="journey.rereview.open", target=rr,
                         data={"recognition": rec.pk, "number": rec.number, "valid_until": rec.valid_until,
                               "status": [None, rr.status]})
            org = organisation_of(actor)
            notify_firm_of_rereview(
                rr, subject="认定复核：请确认数据并提交",
                body=f"贵企业的{rec.get_tier_display()}认定将于 {rec.valid_until} 到期，"
                     f"{org.name if org is not None else '主管部门'}已发起到期复核。请在平台确认或更新"
                     f"{rr.fiscal_year}年度数据，签署真实性承诺后提交复核材料；复核通过后认定编号不变、有效期延长。")
    except IntegrityError as exc:  # another official opened it at the same moment
        raise JourneyError(JourneyCode.REREVIEW_OPEN, number=rec.number, status="待企业提交") from exc
    return rr


@dataclass(frozen=True)
class ReReviewBatchResult:
    recognition_id: int
    ok: bool
    message: str
    rereview_id: int | None = None


def rereview_open_batch(
    *, actor: Any, recognitions: Iterable[Recognition], today: dt.date | None = None
) -> list[ReReviewBatchResult]:
    """Open re-reviews for several titles; each opens or fails on its own."""
    results = []
    for rec in recognitions:
        try:
            rr = rereview_open(actor=actor, recognition=rec, today=today)
        except TiduError as error:
            results.append(ReReviewBatchResult(rec.pk, False, error.message))
        else:
            results.append(ReReviewBatchResult(rec.pk, True, rr.get_status_display(), rr.pk))
    return results


def rereview_submit(
    *, actor: Any, rereview: ReReview, commitment: bool, fiscal_year: int | None = None,
    expected_version: int | None = None, today: dt.date | None = None,
) -> ReReview:
    """The firm confirms its latest figures: sign, freeze figures (each with its provenance mark) and the
    engine's review assessment, send to the county (also after a return).

    `actor=None` is the system acting for the firm (seed_demo), as in `application_submit`.
    """
    rr = rereview
    if actor is not None:
        require(can_view_recognition(actor, rr.recognition), not_found=True)
    _rr_check_version(rr, expected_version)
    if actor is None or not can_edit_rereview(actor, rr):
        if rr.status not in REREVIEW_FIRM_STATUSES:
            raise JourneyError(JourneyCode.NOT_EDITABLE, status=rr.get_status_display())
        if actor is not None:
            raise TiduError(ErrorCode.PERMISSION_DENIED)
    if not commitment:
        raise JourneyError(JourneyCode.COMMITMENT_REQUIRED, field="commitment")
    year = fiscal_year or rr.fiscal_year
    fields = _freeze(rr.recognition.enterprise, fiscal_year=year, tier=rr.tier, day=_today(today), is_review=True,
                     prerequisite=False)
    now = timezone.now()
    before = rr.status
    with transaction.atomic():
        _rr_move(rr, to=ReReviewStatus.COUNTY, expected_version=expected_version, fiscal_year=year,
                 **workflow.commitment_fields(actor, COMMITMENT_TEXT, now), submitted_at=now, **fields)
        audit_record(actor=actor, action="journey.rereview.submit", target=rr,
                     data={"status": [before, rr.status], "pack_edition": rr.pack_edition, "fiscal_year": year})
        _rr_notify_level(rr)
    return rr


def rereview_review(
    *, actor: Any, rereview: ReReview, action: str, comment: str = "", expected_version: int | None = None,
) -> ReReview:
    """At the actor's own level: approve (forward; at the last level, pass and extend the validity), return
    to the firm, or reject (the title is not extended and lapses at its expiry, with the reason)."""
    rr = rereview
    require(can_view_recognition(actor, rr.recognition), not_found=True)
    rec = rr.recognition

    def decided(to: str) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if to == ReReviewStatus.PASSED:
            extra = {"new_valid_until": add_years(rec.valid_until, VALIDITY_YEARS[rec.tier])}
        if to in (ReReviewStatus.PASSED, ReReviewStatus.FAILED):
            extra |= {"decided_by": actor, "decided_at": timezone.now(), "decision_reason": comment.strip()}
        return extra

    def follow_up(decision: workflow.Decision) -> None:
        to, org_label, comment = decision.to, decision.org_label, decision.comment
        if to == ReReviewStatus.PASSED:
            assert rr.new_valid_until is not None
            old = rec.valid_until
            Recognition.objects.filter(pk=rec.pk).update(valid_until=rr.new_valid_until, updated_at=timezone.now())
            rec.refresh_from_db()
            audit_record(actor=actor, action="journey.recognition.extend", target=rec,
                         data={"valid_until": [old, rec.valid_until], "rereview": rr.pk})
            notify_firm_of_rereview(
                rr, subject="认定复核通过",
                body=f"贵企业的{rec.get_tier_display()}认定复核通过，认定编号不变，"
                     f"有效期由 {rr.old_valid_until} 延长至 {rec.valid_until}。")
        elif to == ReReviewStatus.FAILED:
            audit_record(actor=actor, action="journey.recognition.not_extended", target=rec,
                         data={"valid_until": rec.valid_until, "reason": comment, "rereview": rr.pk})
            notify_firm_of_rereview(
                rr, subject="认定复核未通过",
                body=f"{org_label or '主管部门'}的复核意见：{comment}\n"
                     f"贵企业的{rec.get_tier_display()}认定不再延续，有效期至 {rec.valid_until} 届满后失效。")
        elif to == ReReviewStatus.RETURNED:
            notify_firm_of_rereview(
                rr, subject="认定复核已退回修改",
                body=f"{org_label or '主管部门'}退回了复核材料，意见：{comment}\n"
                     "请按意见更新数据或材料后重新提交复核。")
        else:
            _rr_notify_level(rr)

    workflow.review_decide(
        actor=actor, filing=rr, action=action, comment=comment, expected_version=expected_version,
        may_review=can_review_rereview(actor, rr), path=review_path(rr.tier), flow=REREVIEW_FLOW,
        extra=decided, after=follow_up,
    )
    return rr
