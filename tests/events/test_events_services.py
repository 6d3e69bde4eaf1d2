"""Events with the database: the optimiser as a background job, hand adjustments refused on conflict,
check-in by signed code, outcomes with the needs published from the event."""

from __future__ import annotations

import datetime as dt

import pytest
from events_support import EWorld, build_world, event_input, must

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.models import AuditEvent
from tidu.events import services
from tidu.events.models import EventStatus, Meeting
from tidu.jobs.models import JobStatus


def _solve(w: EWorld) -> None:
    job = services.schedule_submit(actor=w.users["city"], event=w.event)
    assert job.status == JobStatus.SUCCEEDED, job.error_detail
    w.event.refresh_from_db()  # type: ignore[union-attr]


def test_the_optimiser_runs_as_a_job_and_stores_a_grid_without_conflict(world: EWorld) -> None:
    _solve(world)
    event = world.event
    assert event is not None and event.status == EventStatus.SCHEDULED
    meetings = list(Meeting.objects.filter(event=event))
    assert meetings
    cells = [(m.slot, m.table) for m in meetings]
    assert len(cells) == len(set(cells))
    for side in ("large_id", "sme_id"):
        busy = [(m.slot, getattr(m, side)) for m in meetings]
        assert len(busy) == len(set(busy))
    assert all(0 <= m.slot < 3 and 1 <= m.table <= 3 for m in meetings)
    # Four SMEs and three slots of three tables: every SME gets at least one meeting.
    assert event.solve_report["smes_covered"] == 4
    assert event.solve_job is not None
    assert AuditEvent.objects.filter(action="events.schedule_apply", target_id=str(event.pk)).exists()


def test_must_meets_are_honoured_and_an_impossible_one_is_reported(db: None) -> None:
    w = build_world(slots=2, tables=3)
    must(w, "sme_1", "large_b")
    must(w, "sme_2", "large_b")
    must(w, "sme_3", "large_b")  # large_b has two slots: one of the three cannot be met
    must(w, "sme_4", "large_c")
    _solve(w)
    report = w.event.solve_report  # type: ignore[union-attr]
    assert (report["must_requested"], report["must_honoured"]) == (4, 3)
    assert len(report["must_missed"]) == 1 and "多于时段数" in report["must_missed"][0]["reason"]
    pairs = {(m.large_id, m.sme_id) for m in Meeting.objects.filter(event=w.event)}
    assert (w.regs["large_c"].pk, w.regs["sme_4"].pk) in pairs
    met_b = [s for s in ("sme_1", "sme_2", "sme_3") if (w.regs["large_b"].pk, w.regs[s].pk) in pairs]
    assert len(met_b) == 2


def test_a_move_that_puts_a_firm_twice_in_a_slot_is_refused_in_chinese(world: EWorld) -> None:
    _solve(world)
    m = Meeting.objects.filter(event=world.event).order_by("slot").first()
    assert m is not None
    other = Meeting.objects.filter(event=world.event, large=m.large).exclude(slot=m.slot).first() \
        or Meeting.objects.filter(event=world.event, sme=m.sme).exclude(slot=m.slot).first()
    assert other is not None
    free_table = next(t for t in range(1, 4) if not Meeting.objects.filter(event=world.event, slot=other.slot,
                                                                            table=t).exists()) \
        if Meeting.objects.filter(event=world.event, slot=other.slot).count() < 3 else other.table
    with pytest.raises(TiduError) as err:
        services.meeting_move(actor=world.users["city"], meeting=m, slot=other.slot, table=free_table)
    assert err.value.code == ErrorCode.EVENT_FIRM_BUSY
    assert f"在第{other.slot + 1}时段已有洽谈安排" in err.value.message
    m.refresh_from_db()
    assert m.source == "solver"


def test_a_move_past_the_last_table_or_slot_is_refused(world: EWorld) -> None:
    _solve(world)
    m = Meeting.objects.filter(event=world.event).first()
    assert m is not None
    with pytest.raises(TiduError) as err:
        services.meeting_move(actor=world.users["city"], meeting=m, slot=m.slot, table=4)
    assert err.value.code == ErrorCode.VALUE_OUT_OF_RANGE
    assert err.value.message == "桌号的值“4”超出允许范围（1～3）。"
    with pytest.raises(TiduError) as err:
        services.meeting_move(actor=world.users["city"], meeting=m, slot=3, table=1)
    assert "时段的值“4”超出允许范围（1～3）" in err.value.message


def test_a_table_taken_by_another_pair_is_refused_and_a_free_cell_accepted(db: None) -> None:
    w = build_world(slots=4, tables=2)
    _solve(w)
    ev = w.event
    # Clear slot 3 (0-based) and build the case by hand: two pairs of four different firms.
    for m in Meeting.objects.filter(event=ev, slot=3):
        services.meeting_cancel(actor=w.users["city"], meeting=m)
    for m in Meeting.objects.filter(event=ev, large=w.regs["large_a"], sme=w.regs["sme_4"]):
        services.meeting_cancel(actor=w.users["city"], meeting=m)
    for m in Meeting.objects.filter(event=ev, large=w.regs["large_b"], sme=w.regs["sme_3"]):
        services.meeting_cancel(actor=w.users["city"], meeting=m)
    first = services.meeting_add(actor=w.users["city"], event=ev, large=w.regs["large_a"], sme=w.regs["sme_4"],  # type: ignore[arg-type]
                                 slot=3, table=1)
    assert first.source == "manual" and first.score > 0
    with pytest.raises(TiduError) as err:
        services.meeting_add(actor=w.users["city"], event=ev, large=w.regs["large_b"], sme=w.regs["sme_3"],  # type: ignore[arg-type]
                             slot=3, table=1)
    assert err.value.code == ErrorCode.EVENT_TABLE_TAKEN
    assert err.value.message == "第4时段的1号桌已有洽谈安排，请换一张桌或换一个时段。"
    ok = services.meeting_add(actor=w.users["city"], event=ev, large=w.regs["large_b"], sme=w.regs["sme_3"],  # type: ignore[arg-type]
                              slot=3, table=2)
    assert (ok.slot, ok.table) == (3, 2)
    assert AuditEvent.objects.filter(action="events.meeting_add").count() == 2


def test_an_official_of_another_jurisdiction_cannot_schedule_or_adjust(world: EWorld) -> None:
    with pytest.raises(TiduError) as err:
        services.schedule_submit(actor=world.users["hz"], event=world.event)
    assert err.value.code == ErrorCode.PERMISSION_DENIED
    _solve(world)
    m = Meeting.objects.filter(event=world.event).first()
    with pytest.raises(TiduError):
        services.meeting_move(actor=world.users["county"], meeting=m, slot=0, table=1)  # type: ignore[arg-type]


def test_an_official_creates_events_only_in_their_jurisdiction(world: EWorld) -> None:
    with pytest.raises(TiduError) as err:
        services.event_create(actor=world.users["county"], data=event_input(region_code="440304"))
    assert err.value.code == ErrorCode.PERMISSION_DENIED
    with pytest.raises(TiduError):
        services.event_create(actor=world.users["large_a"], data=event_input())
    ok = services.event_create(actor=world.users["county"], data=event_input(region_code="440305", title="南山对接会"))
    assert ok.region_id == "440305"


def test_check_in_by_the_signed_code_once_by_an_official_of_the_jurisdiction(world: EWorld) -> None:
    reg = world.regs["sme_1"]
    token = services.checkin_token(reg)
    with pytest.raises(TiduError):
        services.checkin_confirm(actor=world.users["hz"], token=token)
    with pytest.raises(TiduError) as err:
        services.checkin_confirm(actor=world.users["city"], token=token[:-2] + "xx")
    assert err.value.code == ErrorCode.NOT_FOUND
    done = services.checkin_confirm(actor=world.users["city"], token=token)
    first_time = done.checked_in_at
    assert first_time is not None and done.checked_in_by == world.users["city"]
    again = services.checkin_confirm(actor=world.users["city"], token=token)
    assert again.checked_in_at == first_time
    assert AuditEvent.objects.filter(action="events.checkin", target_id=str(reg.pk)).count() == 1


def test_registration_closes_once_scheduled(world: EWorld) -> None:
    _solve(world)
    with pytest.raises(TiduError) as err:
        must(world, "sme_1", "large_a")
    assert err.value.code == ErrorCode.EVENT_NOT_OPEN
    assert "已排程" in err.value.message


def test_outcomes_record_meetings_held_follow_ups_and_needs_published_from_the_event(world: EWorld) -> None:
    from tidu.needs.models import Need

    _solve(world)
    meetings = list(Meeting.objects.filter(event=world.event).order_by("pk"))
    large_org = world.regs["large_a"].organisation
    need = Need.objects.create(owner=large_org, title="高精度压力传感器联合开发", field=Need._meta.get_field("field").choices[0][0],
                               description="对接会上提出", indicators="精度0.1%", deadline=dt.date(2027, 3, 31),
                               region_id="440300")
    outsider = Need.objects.create(owner=world.users["hz"].membership.organisation, title="与本活动无关",
                                   field=need.field, description="-", indicators="-", deadline=dt.date(2027, 3, 31),
                                   region_id="330100")
    data = services.OutcomeInput(held={meetings[0].pk: True, meetings[1].pk: False},
                                 follow_ups={meetings[0].pk: "约定一月份到厂考察"},
                                 summary="达成合作意向3项", need_ids=[need.pk, outsider.pk])
    outcome = services.outcome_record(actor=world.users["city"], event=world.event, data=data)  # type: ignore[arg-type]
    assert list(outcome.needs.all()) == [need]  # only needs of the event's participants
    meetings[0].refresh_from_db()
    meetings[1].refresh_from_db()
    assert (meetings[0].held, meetings[0].follow_up, meetings[1].held) == (True, "约定一月份到厂考察", False)
    world.event.refresh_from_db()  # type: ignore[union-attr]
    assert world.event.status == EventStatus.FINISHED  # type: ignore[union-attr]


def test_a_hand_move_reads_as_a_sentence_in_the_audit_trail(world: EWorld) -> None:
    from tidu.core.audit_text import describe

    _solve(world)
    meetings = list(Meeting.objects.filter(event=world.event))
    # Free a table by cancelling one meeting, then move another meeting of the same slot onto it.
    cancelled, moved = next((a, b) for a in meetings for b in meetings if a.slot == b.slot and a.pk != b.pk)
    services.meeting_cancel(actor=world.users["city"], meeting=cancelled)
    before = (moved.slot + 1, moved.table)
    services.meeting_move(actor=world.users["city"], meeting=moved, slot=cancelled.slot, table=cancelled.table)
    line = describe(AuditEvent.objects.get(action="events.meeting_move"))
    assert line.sentence.endswith(
        f"将第{before[0]}时段{before[1]}号桌的洽谈调整到第{cancelled.slot + 1}时段 {cancelled.table}号桌")
