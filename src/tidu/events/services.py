"""Every write of matchmaking events. Each function owns its transaction, its permission check and its
audit event. `actor=None` is the system (demo data): permission checks are skipped, the audit says 系统.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import organisation_of, region_in_jurisdiction, require
from tidu.events import grid as G
from tidu.events import selectors as S
from tidu.events.models import (
    EventOutcome,
    EventStatus,
    MatchEvent,
    Meeting,
    MeetingSource,
    Registration,
    Side,
    Tier,
)
from tidu.regions.models import Region

MAX_SLOTS = 24
MAX_TABLES = 500
CHECKIN_SALT = "tidu.events.checkin"
# A check-in code is good for the day of the event and a little after (late arrivals, a re-print).
CHECKIN_MAX_AGE = dt.timedelta(days=400)
SOLVE_SECONDS = 20.0


def _allowed(actor: Any, ok: bool) -> None:
    if actor is not None:
        require(ok)


def _words(value: str | list[str]) -> list[str]:
    """Keywords from a list or from text separated by commas, 、 or spaces; order kept, duplicates dropped."""
    items = value if isinstance(value, list) else value.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    out: list[str] = []
    for item in items:
        word = item.strip()[:30]
        if word and word not in out:
            out.append(word)
    return out[:20]


# ---- events ----------------------------------------------------------------------------------------


@dataclass
class EventInput:
    title: str
    region_code: str
    held_on: dt.date
    venue: str
    starts_at: dt.time
    slots: int
    tables: int
    slot_minutes: int = 20
    description: str = ""


def event_create(*, actor: Any, data: EventInput) -> MatchEvent:
    _allowed(actor, S.can_create_event(actor))
    region = Region.objects.filter(code=data.region_code).first()
    if region is None:
        raise TiduError(ErrorCode.REGION_UNKNOWN, field="region_code", value=data.region_code)
    if actor is not None:
        require(region_in_jurisdiction(actor, region.code))
    title = data.title.strip()
    if not title:
        raise TiduError(ErrorCode.REASON_REQUIRED, field="title", what="活动名称")
    if not data.venue.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="venue", what="活动地点")
    for name, label, value, high in (("slots", "时段数", data.slots, MAX_SLOTS), ("tables", "洽谈桌数", data.tables,
                                     MAX_TABLES), ("slot_minutes", "每场时长", data.slot_minutes, 240)):
        if not 1 <= value <= high:
            raise TiduError(ErrorCode.VALUE_OUT_OF_RANGE, field=name, label=label, value=value, low=1, high=high)
    with transaction.atomic():
        event = MatchEvent.objects.create(
            title=title[:200], region=region, held_on=data.held_on, venue=data.venue.strip()[:200],
            starts_at=data.starts_at, slots=data.slots, tables=data.tables, slot_minutes=data.slot_minutes,
            description=data.description.strip()[:4000], organiser=actor,
        )
        audit_record(actor=actor, action="events.event_create", target=event,
                     data={"region": region.code, "held_on": data.held_on, "slots": data.slots, "tables": data.tables})
    return event


# ---- registrations ---------------------------------------------------------------------------------


@dataclass
class RegistrationInput:
    interests: str | list[str] = ""
    fields: str | list[str] = ""
    tier: str = ""
    contact_name: str = ""
    must_meet: list[int] = field(default_factory=list)  # registration ids on the other side
    wishes: list[int] = field(default_factory=list)


def registration_submit(*, actor: Any, event: MatchEvent, data: RegistrationInput,
                        organisation: Any = None) -> Registration:
    """Register (or update the registration of) the actor's organisation; `organisation` is for the system."""
    org = organisation if actor is None else organisation_of(actor)
    side = {"enterprise": Side.SME, "large": Side.LARGE}.get(getattr(org, "kind", ""))
    if actor is not None:
        require(S.side_of(actor) is not None and S.events_visible_to(actor).filter(pk=event.pk).exists())
    if org is None or side is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    if event.status != EventStatus.OPEN:
        raise TiduError(ErrorCode.EVENT_NOT_OPEN, status=event.get_status_display(), what="报名或修改报名")
    tier = data.tier if data.tier in Tier.values and side == Side.SME else ""
    interests = _words(data.interests)
    if not interests:
        raise TiduError(ErrorCode.REASON_REQUIRED, field="interests", what="关注方向（如产品、技术、需求关键词）")
    other = Registration.objects.filter(event=event).exclude(side=side)
    must = list(other.filter(pk__in=data.must_meet))
    wishes = list(other.filter(pk__in=data.wishes))
    industry = org.enterprise.industry_code if side == Side.SME and org.enterprise is not None else ""
    with transaction.atomic():
        reg, created = Registration.objects.update_or_create(
            event=event, organisation=org,
            defaults={"side": side, "interests": interests, "fields": _words(data.fields), "tier": tier,
                      "industry_code": industry, "contact_name": data.contact_name.strip()[:50]},
        )
        reg.must_meet.set(must)
        reg.wishes.set(wishes)
        audit_record(actor=actor, action="events.registration_submit" if created else "events.registration_update",
                     target=reg, data={"event": event.pk, "side": side, "must_meet": [r.pk for r in must]})
    return reg


# ---- scheduling ------------------------------------------------------------------------------------


def schedule_submit(*, actor: Any, event: MatchEvent) -> Any:
    """Queue the optimiser for the worker; the event page links to the job's status page."""
    from tidu.jobs.services import job_submit

    require(S.can_manage_event(actor, event))
    if event.status == EventStatus.FINISHED:
        raise TiduError(ErrorCode.EVENT_NOT_OPEN, status=event.get_status_display(), what="重新排程")
    MatchEvent.objects.filter(pk=event.pk).update(solve_job=None)
    audit_record(actor=actor, action="events.schedule_submit", target=event)
    job = job_submit(owner=actor, kind="event_schedule", params={"event": event.pk},
                     input_name=f"对接活动排程：{event.title}")
    MatchEvent.objects.filter(pk=event.pk).update(solve_job=job.pk)
    event.refresh_from_db()
    return job


def schedule_job_handler(job: Any) -> Any:
    """Runs in the worker: solve, replace the grid, keep the figures on the event and the job."""
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    event = MatchEvent.objects.get(pk=(job.params or {})["event"])
    problem = S.problem_of(event)
    job_progress(job_id=job.pk, done=0, total=2, stage="正在计算洽谈安排（约需20秒）")
    result = G.solve_cpsat(problem, time_limit=float((job.params or {}).get("seconds", SOLVE_SECONDS)))
    job_progress(job_id=job.pk, done=1, stage="正在保存洽谈安排")
    report = schedule_apply(actor=job.owner, event=event, result=result)
    return JobOutcome(
        status=JobStatus.SUCCEEDED,
        stage=f"排程完成：{len(result.meetings)} 场洽谈",
        result={"summary": [
            ["活动", event.title],
            ["洽谈场次", len(result.meetings)],
            ["匹配度合计", result.total_score],
            ["有洽谈的中小企业", f"{result.smes_covered} / {result.smes_total}"],
            ["必见请求满足", f"{result.must_honoured} / {result.must_requested}"],
            ["求解结果", report["status_label"]],
            ["用时（秒）", f"{result.seconds:.1f}"],
        ]},
    )


STATUS_LABELS = {"optimal": "已证明最优", "feasible": "限时内的最好结果", "greedy": "贪心排程", "empty": "无可安排的洽谈"}


def schedule_apply(*, actor: Any, event: MatchEvent, result: G.Grid) -> dict[str, Any]:
    """Replace the event's grid with `result` (manual changes are replaced too) and store its figures."""
    names = {r.pk: r.organisation.name for r in S.registrations_of_event(event)}
    report = {
        "method": result.method,
        "status": result.status,
        "status_label": STATUS_LABELS.get(result.status, result.status),
        "meetings": len(result.meetings),
        "total_score": result.total_score,
        "smes_covered": result.smes_covered,
        "smes_total": result.smes_total,
        "must_requested": result.must_requested,
        "must_honoured": result.must_honoured,
        "must_missed": [{"large": names.get(m.large, ""), "sme": names.get(m.sme, ""), "reason": m.reason}
                        for m in result.must_missed],
        "seconds": round(result.seconds, 2),
        "at": timezone.now().isoformat(),
    }
    with transaction.atomic():
        event = MatchEvent.objects.select_for_update().get(pk=event.pk)
        Meeting.objects.filter(event=event).delete()
        Meeting.objects.bulk_create(
            Meeting(event=event, slot=m.slot, table=m.table, large_id=m.large, sme_id=m.sme, score=m.score)
            for m in result.meetings
        )
        event.solve_report = report
        if event.status == EventStatus.OPEN:
            event.status = EventStatus.SCHEDULED
        event.save(update_fields=["solve_report", "status", "updated_at"])
        audit_record(actor=actor, action="events.schedule_apply", target=event,
                     data={k: report[k] for k in ("meetings", "total_score", "must_honoured", "status")})
    return report


def _check_cell(event: MatchEvent, *, slot: int, table: int, firms: list[Registration],
                ignore: int | None = None) -> None:
    """Refuse a cell outside the grid, a taken table, or a firm already busy in that slot."""
    if not 0 <= slot < event.slots:
        raise TiduError(ErrorCode.VALUE_OUT_OF_RANGE, field="slot", label="时段", value=slot + 1, low=1,
                        high=event.slots)
    if not 1 <= table <= event.tables:
        raise TiduError(ErrorCode.VALUE_OUT_OF_RANGE, field="table", label="桌号", value=table, low=1,
                        high=event.tables)
    others = Meeting.objects.filter(event=event, slot=slot)
    if ignore is not None:
        others = others.exclude(pk=ignore)
    for reg in firms:
        if others.filter(Q(large=reg) | Q(sme=reg)).exists():
            raise TiduError(ErrorCode.EVENT_FIRM_BUSY, field="slot", name=reg.organisation.name, slot=slot + 1)
    if others.filter(table=table).exists():
        raise TiduError(ErrorCode.EVENT_TABLE_TAKEN, field="table", slot=slot + 1, table=table)


def _editable(event: MatchEvent) -> None:
    if event.status != EventStatus.SCHEDULED:
        raise TiduError(ErrorCode.EVENT_NOT_OPEN, status=event.get_status_display(), what="调整洽谈安排")


def meeting_move(*, actor: Any, meeting: Meeting, slot: int, table: int) -> Meeting:
    """Move one meeting to another slot and table (slot 0-based), after the conflict checks."""
    with transaction.atomic():
        event = MatchEvent.objects.select_for_update().get(pk=meeting.event_id)
        _allowed(actor, S.can_manage_event(actor, event))
        _editable(event)
        meeting = Meeting.objects.select_related("large__organisation", "sme__organisation").get(pk=meeting.pk)
        _check_cell(event, slot=slot, table=table, firms=[meeting.large, meeting.sme], ignore=meeting.pk)
        before = {"from_slot": meeting.slot + 1, "from_table": meeting.table}
        meeting.slot, meeting.table, meeting.source = slot, table, MeetingSource.MANUAL
        meeting.save(update_fields=["slot", "table", "source", "updated_at"])
        audit_record(actor=actor, action="events.meeting_move", target=meeting,
                     data=before | {"slot": slot + 1, "table": table})
    return meeting


def meeting_add(*, actor: Any, event: MatchEvent, large: Registration, sme: Registration, slot: int,
                table: int) -> Meeting:
    with transaction.atomic():
        event = MatchEvent.objects.select_for_update().get(pk=event.pk)
        _allowed(actor, S.can_manage_event(actor, event))
        _editable(event)
        if large.event_id != event.pk or sme.event_id != event.pk or large.side != Side.LARGE or sme.side != Side.SME:
            raise TiduError(ErrorCode.VALIDATION, detail="洽谈须是本活动的一家大企业与一家中小企业")
        if Meeting.objects.filter(event=event, large=large, sme=sme).exists():
            raise TiduError(ErrorCode.VALIDATION, detail=f"{large.organisation.name}与{sme.organisation.name}已有洽谈安排")
        _check_cell(event, slot=slot, table=table, firms=[large, sme])
        problem = S.problem_of(event)
        by_id = problem.by_id()
        meeting = Meeting.objects.create(event=event, slot=slot, table=table, large=large, sme=sme,
                                         score=G.pair_score(by_id[large.pk], by_id[sme.pk]),
                                         source=MeetingSource.MANUAL)
        audit_record(actor=actor, action="events.meeting_add", target=meeting,
                     data={"large": large.organisation.name, "sme": sme.organisation.name, "slot": slot + 1,
                           "table": table})
    return meeting


def meeting_cancel(*, actor: Any, meeting: Meeting) -> None:
    with transaction.atomic():
        event = MatchEvent.objects.select_for_update().get(pk=meeting.event_id)
        _allowed(actor, S.can_manage_event(actor, event))
        _editable(event)
        audit_record(actor=actor, action="events.meeting_cancel", target=event,
                     data={"slot": meeting.slot + 1, "table": meeting.table, "large": meeting.large_id,
                           "sme": meeting.sme_id})
        meeting.delete()


# ---- check-in --------------------------------------------------------------------------------------


def checkin_token(registration: Registration) -> str:
    """The signed code of a participant's check-in QR: names the registration and its event."""
    return signing.dumps({"r": registration.pk, "e": registration.event_id}, salt=CHECKIN_SALT, compress=True)


def checkin_registration(token: str) -> Registration:
    """The registration a check-in code names; a forged or damaged code is not found."""
    try:
        data = signing.loads(token, salt=CHECKIN_SALT, max_age=CHECKIN_MAX_AGE)
        return Registration.objects.select_related("event", "organisation").get(pk=data["r"], event_id=data["e"])
    except (signing.BadSignature, KeyError, TypeError, Registration.DoesNotExist) as exc:
        raise TiduError(ErrorCode.NOT_FOUND) from exc


def checkin_confirm(*, actor: Any, token: str) -> Registration:
    """An official of the event's jurisdiction confirms that the participant has arrived (once)."""
    reg = checkin_registration(token)
    _allowed(actor, S.can_manage_event(actor, reg.event))
    with transaction.atomic():
        updated = Registration.objects.filter(pk=reg.pk, checked_in_at__isnull=True).update(
            checked_in_at=timezone.now(), checked_in_by=actor)
        if updated:
            audit_record(actor=actor, action="events.checkin", target=reg, data={"event": reg.event_id})
    reg.refresh_from_db()
    return reg


# ---- outcomes --------------------------------------------------------------------------------------


@dataclass
class OutcomeInput:
    held: dict[int, bool] = field(default_factory=dict)  # meeting id → held
    follow_ups: dict[int, str] = field(default_factory=dict)  # meeting id → follow-up
    summary: str = ""
    need_ids: list[int] = field(default_factory=list)


def outcome_record(*, actor: Any, event: MatchEvent, data: OutcomeInput) -> EventOutcome:
    """What came of the event: meetings held, follow-ups, needs published from it. Closes the event."""
    from tidu.needs.models import Need

    with transaction.atomic():
        event = MatchEvent.objects.select_for_update().get(pk=event.pk)
        _allowed(actor, S.can_manage_event(actor, event))
        if event.status == EventStatus.OPEN:
            raise TiduError(ErrorCode.EVENT_NOT_OPEN, status=event.get_status_display(), what="记录成效")
        meetings = {m.pk: m for m in Meeting.objects.filter(event=event)}
        for pk, held in data.held.items():
            if pk in meetings:
                meetings[pk].held = held
        for pk, text in data.follow_ups.items():
            if pk in meetings:
                meetings[pk].follow_up = text.strip()[:2000]
        Meeting.objects.bulk_update(meetings.values(), ["held", "follow_up"])
        participants = Registration.objects.filter(event=event).values_list("organisation_id", flat=True)
        needs = list(Need.objects.filter(pk__in=data.need_ids, owner_id__in=participants))
        outcome, _created = EventOutcome.objects.update_or_create(
            event=event, defaults={"summary": data.summary.strip()[:4000], "recorded_by": actor})
        outcome.needs.set(needs)
        event.status = EventStatus.FINISHED
        event.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="events.outcome_record", target=event,
                     data={"held": sum(1 for m in meetings.values() if m.held),
                           "needs": [n.pk for n in needs]})
    return outcome
