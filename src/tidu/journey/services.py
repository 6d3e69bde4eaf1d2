"""Every state change of the journey: each service checks permission, owns its transaction and writes
an audit event. Views, the API and seed_demo call these and nothing else.

Applications move with optimistic locking: a change names the `version` the actor saw, and a
conditional UPDATE lets exactly one of two simultaneous officials through; the other gets CONFLICT.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import organisation_of, require
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.provenance import FROZEN_MARKS_KEY
from tidu.enterprises.selectors import evaluation_record_with_marks, own_enterprise
from tidu.journey import assessment, storage
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
    Objection,
    ObjectionStatus,
    Publicity,
    PublicitySetting,
    PublicityStatus,
    Recognition,
    ReReview,
    ReReviewStatus,
    ReReviewStep,
    ReviewAction,
    ReviewStep,
    RoundStatus,
    Tier,
)
from tidu.journey.notify import notify_firm, notify_firm_of_rereview, notify_officials, notify_review_queue
from tidu.journey.prescreen import prescreen
from tidu.journey.selectors import rereview_windows, window_for
from tidu.journey.workdays import calendar_overrides, working_period
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


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def _move_versioned(obj: Application | ReReview, conflict: JourneyCode, *, to: str,
                    expected_version: int | None, **extra: Any) -> None:
    """Change status if nobody changed `obj` since the actor saw `expected_version` (one
    conditional UPDATE: of two simultaneous actors exactly one gets through, the other `conflict`)."""
    version = obj.version if expected_version is None else expected_version
    now = timezone.now()
    model = type(obj)
    updated = model.objects.filter(pk=obj.pk, version=version).update(
        status=to, version=F("version") + 1, status_changed_at=now, updated_at=now, **extra
    )
    if updated == 0:
        current = model.objects.get(pk=obj.pk)
        raise JourneyError(conflict, status=current.get_status_display())
    obj.refresh_from_db()


def _move(app: Application, *, to: str, expected_version: int | None, **extra: Any) -> None:
    _move_versioned(app, JourneyCode.CONFLICT, to=to, expected_version=expected_version, **extra)


def _check_version(app: Application, expected_version: int | None) -> None:
    """A page showing an older state gets CONFLICT (with the new state) before any other verdict."""
    if expected_version is not None and expected_version != app.version:
        raise JourneyError(JourneyCode.CONFLICT, status=app.get_status_display())


# ---- rounds ---------------------------------------------------------------------------------------


def round_open(
    *, actor: Any, name: str, tier: str, region_code: str | None, opens_on: dt.date, deadline: dt.date
) -> ApplicationRound:
    """Open a call for applications for a region (a province; None = national) and a tier."""
    require(can_manage_round(actor, region_code=region_code or ""))
    if tier not in Tier.values:
        raise TiduError(ErrorCode.VALIDATION, field="tier", detail="梯度层级")
    if deadline < opens_on:
        raise JourneyError(JourneyCode.DATES_INVALID, field="deadline", detail="截止日期早于开始日期")
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


def application_submit(
    *, actor: Any, application: Application, commitment: bool, expected_version: int | None = None,
    today: dt.date | None = None,
) -> Application:
    """Sign the commitment, freeze figures and assessment with the pack edition, send to the county."""
    app = application
    if actor is not None:
        require(can_view_application(actor, app), not_found=True)
    _check_version(app, expected_version)
    _require_editable(actor, app)
    if not commitment:
        raise JourneyError(JourneyCode.COMMITMENT_REQUIRED, field="commitment")
    day = _today(today)
    if app.status == AppStatus.DRAFT and not app.round.accepts_on(day):
        raise JourneyError(JourneyCode.ROUND_NOT_OPEN, opens_on=app.round.opens_on, deadline=app.round.deadline)
    if not EnterpriseYear.objects.filter(enterprise=app.enterprise, fiscal_year=app.fiscal_year).exists():
        raise JourneyError(JourneyCode.NO_FIGURES, year=app.fiscal_year)
    record, marks = evaluation_record_with_marks(app.enterprise, app.evaluation_year)
    figures = _jsonable(record)
    figures[FROZEN_MARKS_KEY] = _jsonable(marks)  # each figure's provenance travels with the application
    result = _jsonable(assessment.assess(record, tier=app.tier, as_of=day))
    result["prescreen_flags"] = prescreen(figures)
    now = timezone.now()
    before = app.status
    with transaction.atomic():
        _move(app, to=AppStatus.COUNTY, expected_version=expected_version, frozen_figures=figures,
              frozen_assessment=result, pack_edition=str(result.get("pack_edition") or ""),
              commitment_text=COMMITMENT_TEXT, commitment_signed_by=actor, commitment_signed_at=now,
              submitted_at=now)
        audit_record(actor=actor, action="journey.application.submit", target=app,
                     data={"status": [before, app.status], "pack_edition": app.pack_edition,
                           "fiscal_year": app.fiscal_year})
        notify_review_queue(app)  # the county officials of the firm's region
    return app


def attachment_add(*, actor: Any, application: Application, name: str, data: bytes) -> Attachment:
    _require_editable(actor, application)
    checked = storage.check_upload(name, data)
    stored = storage.write_file(checked.data)
    with transaction.atomic():
        att = Attachment.objects.create(
            application=application, original_name=checked.name, stored_name=stored,
            content_type=checked.content_type, size=len(checked.data), sha256=checked.sha256, uploaded_by=actor,
        )
        audit_record(actor=actor, action="journey.attachment.add", target=application,
                     data={"attachment": att.pk, "name": att.original_name, "sha256": att.sha256})
    return att


def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    _require_editable(actor, attachment.application)
    with transaction.atomic():
        audit_record(actor=actor, action="journey.attachment.delete", target=attachment.application,
                     data={"attachment": attachment.pk, "name": attachment.original_name, "sha256": attachment.sha256})
        stored = attachment.stored_name
        attachment.delete()
    path = storage.path_of(stored)
    path.unlink(missing_ok=True)


# ---- review (officials) --------------------------------------------------------------------------


def application_review(
    *, actor: Any, application: Application, action: str, comment: str = "", expected_version: int | None = None
) -> Application:
    """Approve (to the next level), return for revision, or reject, at the actor's own level."""
    app = application
    require(can_view_application(actor, app), not_found=True)
    _check_version(app, expected_version)
    if not can_review(actor, app):
        if gov_level_of(actor) is None:
            raise TiduError(ErrorCode.PERMISSION_DENIED)
        raise JourneyError(JourneyCode.NOT_AT_YOUR_STEP, status=app.get_status_display())
    if action not in ReviewAction.values:
        raise TiduError(ErrorCode.VALIDATION, field="action", detail="审核结果")
    comment = comment.strip()
    if action in (ReviewAction.RETURN, ReviewAction.REJECT) and not comment:
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="comment", what="退回或不予通过的理由")
    level = app.status
    if action == ReviewAction.APPROVE:
        to = NEXT_LEVEL[level]
        if level == AppStatus.PROVINCE and app.tier == Tier.LITTLE_GIANT:
            to = AppStatus.NATIONAL
    else:
        to = AppStatus.RETURNED if action == ReviewAction.RETURN else AppStatus.REJECTED
    org = organisation_of(actor)
    org_label = org.name if org is not None else ""
    with transaction.atomic():
        _move(app, to=to, expected_version=expected_version)
        step = ReviewStep.objects.create(application=app, level=level, official=actor, official_label=org_label,
                                         action=action, comment=comment)
        audit_record(actor=actor, action=f"journey.review.{action}", target=app,
                     data={"status": [level, to], "comment": comment, "step": step.pk})
        if to in (AppStatus.RETURNED, AppStatus.REJECTED, AppStatus.APPROVED):
            notify_firm(app, subject=f"申报{app.get_status_display()}",
                        body=f"{org_label or '主管部门'}的审核意见：{comment or '同意'}")
        elif to in (AppStatus.CITY, AppStatus.PROVINCE, AppStatus.NATIONAL):
            notify_review_queue(app)  # the next level's officials
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


def publicity_publish(
    *, actor: Any, rnd: ApplicationRound, starts_on: dt.date | None = None, title: str = ""
) -> Publicity:
    """Put every approved application of the round on a publicity list for N working days."""
    require(can_publish(actor, rnd))
    apps = list(rnd.applications.select_related("enterprise").filter(status=AppStatus.APPROVED))
    if not apps:
        raise JourneyError(JourneyCode.NOTHING_TO_PUBLISH)
    start = _today(starts_on)
    days = publicity_working_days(rnd)
    period = working_period(start, days, calendar_overrides(start))
    with transaction.atomic():
        pub = Publicity.objects.create(
            round=rnd, title=title or f"{rnd.name}拟认定名单公示", starts_on=start, ends_on=period.ends_on,
            working_days=days, end_provisional=period.provisional, published_by=actor,
        )
        for app in apps:
            _move(app, to=AppStatus.PUBLICITY, expected_version=app.version)
        pub.applications.set(apps)
        audit_record(actor=actor, action="journey.publicity.publish", target=pub,
                     data={"applications": [a.pk for a in apps], "starts_on": start, "ends_on": period.ends_on,
                           "working_days": days, "provisional": period.provisional})
    return pub


def objection_lodge(
    *, actor: Any, publicity: Publicity, application: Application, contact: str, text: str,
    today: dt.date | None = None,
) -> Objection:
    """Anyone, logged in or not, may object to a listed firm while publicity runs."""
    if publicity.status != PublicityStatus.OPEN or _today(today) > publicity.ends_on:
        raise JourneyError(JourneyCode.PUBLICITY_CLOSED)
    if not publicity.applications.filter(pk=application.pk).exists():
        raise TiduError(ErrorCode.NOT_FOUND)
    if not contact.strip():
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="contact", what="提出人姓名及联系方式")
    if not text.strip():
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="text", what="异议内容")
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        obj = Objection.objects.create(publicity=publicity, application=application, lodged_by=user,
                                       contact=contact.strip()[:200], text=text.strip())
        audit_record(actor=user, action="journey.objection.lodge", target=application,
                     data={"objection": obj.pk, "publicity": publicity.pk})
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
    _move_versioned(rr, JourneyCode.REREVIEW_CONFLICT, to=to, expected_version=expected_version, **extra)


def _rr_check_version(rr: ReReview, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != rr.version:
        raise JourneyError(JourneyCode.REREVIEW_CONFLICT, status=rr.get_status_display())


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
    ent = rr.recognition.enterprise
    if not EnterpriseYear.objects.filter(enterprise=ent, fiscal_year=year).exists():
        raise JourneyError(JourneyCode.NO_FIGURES, year=year)
    day = _today(today)
    record, marks = evaluation_record_with_marks(ent, year + 1)
    figures = _jsonable(record)
    figures[FROZEN_MARKS_KEY] = _jsonable(marks)  # each figure's provenance travels with the re-review
    result = _jsonable(assessment.assess(record, tier=rr.tier, as_of=day, is_review=True))
    result["prescreen_flags"] = prescreen(figures)
    now = timezone.now()
    before = rr.status
    with transaction.atomic():
        _rr_move(rr, to=ReReviewStatus.COUNTY, expected_version=expected_version, fiscal_year=year,
                 frozen_figures=figures, frozen_assessment=result, pack_edition=str(result.get("pack_edition") or ""),
                 commitment_text=COMMITMENT_TEXT, commitment_signed_by=actor, commitment_signed_at=now,
                 submitted_at=now)
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
    _rr_check_version(rr, expected_version)
    if not can_review_rereview(actor, rr):
        if gov_level_of(actor) is None:
            raise TiduError(ErrorCode.PERMISSION_DENIED)
        raise JourneyError(JourneyCode.NOT_AT_YOUR_STEP, status=rr.get_status_display())
    if action not in ReviewAction.values:
        raise TiduError(ErrorCode.VALIDATION, field="action", detail="审核结果")
    comment = comment.strip()
    if action in (ReviewAction.RETURN, ReviewAction.REJECT) and not comment:
        raise JourneyError(JourneyCode.REASON_REQUIRED, field="comment", what="退回或不予通过的理由")
    rec = rr.recognition
    level = rr.status
    extra: dict[str, Any] = {}
    if action == ReviewAction.APPROVE:
        to = str(NEXT_LEVEL[AppStatus(level)])
        if level == ReReviewStatus.PROVINCE and rr.tier == Tier.LITTLE_GIANT:
            to = ReReviewStatus.NATIONAL
        if to == AppStatus.APPROVED:
            to = ReReviewStatus.PASSED
    else:
        to = ReReviewStatus.RETURNED if action == ReviewAction.RETURN else ReReviewStatus.FAILED
    now = timezone.now()
    if to == ReReviewStatus.PASSED:
        extra = {"new_valid_until": add_years(rec.valid_until, VALIDITY_YEARS[rec.tier])}
    if to in (ReReviewStatus.PASSED, ReReviewStatus.FAILED):
        extra |= {"decided_by": actor, "decided_at": now, "decision_reason": comment}
    org = organisation_of(actor)
    org_label = org.name if org is not None else ""
    with transaction.atomic():
        _rr_move(rr, to=to, expected_version=expected_version, **extra)
        step = ReReviewStep.objects.create(rereview=rr, level=level, official=actor, official_label=org_label,
                                           action=action, comment=comment)
        audit_record(actor=actor, action=f"journey.rereview.{action}", target=rr,
                     data={"status": [level, to], "comment": comment, "step": step.pk})
        if to == ReReviewStatus.PASSED:
            assert rr.new_valid_until is not None
            old = rec.valid_until
            Recognition.objects.filter(pk=rec.pk).update(valid_until=rr.new_valid_until, updated_at=now)
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
    return rr

