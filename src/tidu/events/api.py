"""/api/v1/events: matchmaking events under exactly the web's permissions.

Everyone reads the events they may see; participants read their own schedule; officials of the event's
jurisdiction read the whole grid, start the optimiser (a background job) and move meetings.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.core.api_errors import Id
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import require
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.events import selectors, services
from tidu.events.models import MatchEvent, Meeting, Side

router = Router(auth=API_AUTH, tags=["对接活动"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _event_out(e: MatchEvent) -> dict[str, Any]:
    return {"id": e.pk, "title": e.title, "region_code": e.region_id, "held_on": e.held_on.isoformat(),
            "venue": e.venue, "starts_at": e.starts_at.strftime("%H:%M"), "slot_minutes": e.slot_minutes,
            "slots": e.slots, "tables": e.tables, "status": e.status, "status_label": e.get_status_display()}


def _meeting_out(m: Meeting, event: MatchEvent) -> dict[str, Any]:
    return {"id": m.pk, "slot": m.slot + 1, "time": event.slot_label(m.slot), "table": m.table,
            "large": m.large.organisation.name, "sme": m.sme.organisation.name, "score": m.score,
            "source": m.source, "held": m.held}


@router.get("/", response={200: list[dict[str, Any]], **ERRORS}, summary="我可见的对接活动")
@api_errors
def list_events(request: HttpRequest) -> Any:
    return [_event_out(e) for e in selectors.events_visible_to(request.user)[:200]]


@router.get("/{event_id}/schedule", response={200: dict[str, Any], **ERRORS}, summary="我的洽谈日程")
@api_errors
def my_schedule(request: HttpRequest, event_id: Id) -> Any:
    event = selectors.event_get(request.user, event_id)
    reg = selectors.registration_of(request.user, event)
    if reg is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    meetings = [_meeting_out(m, event) for m in selectors.schedule_of(reg)]
    for row in meetings:
        row["partner"] = row["sme"] if reg.side == Side.LARGE else row["large"]
    return {"event": _event_out(event), "side": reg.side, "meetings": meetings,
            "checked_in": reg.checked_in_at is not None}


@router.get("/{event_id}/grid", response={200: dict[str, Any], **ERRORS}, summary="洽谈安排表（主办方）")
@api_errors
def grid(request: HttpRequest, event_id: Id) -> Any:
    event = selectors.event_get(request.user, event_id)
    require(selectors.can_manage_event(request.user, event))
    return {"event": _event_out(event), "report": event.solve_report,
            "meetings": [_meeting_out(m, event) for m in selectors.meetings_of_event(event)]}


@router.post("/{event_id}/solve", response={202: dict[str, Any], **ERRORS}, summary="开始排程（后台任务）")
@api_errors
def solve(request: HttpRequest, event_id: Id) -> Any:
    event = selectors.event_get(request.user, event_id)
    job = services.schedule_submit(actor=request.user, event=event)
    return Status(202, {"job": str(job.pk), "status": job.status})


class MoveIn(Schema):
    slot: int = Field(ge=1, le=24, description="时段（从1起，如页面所示）")
    table: int = Field(ge=1, le=500, description="桌号")


@router.post("/{event_id}/meetings/{meeting_id}/move", response={200: dict[str, Any], **ERRORS},
             summary="调整一场洽谈的时段和桌号")
@api_errors
def move(request: HttpRequest, event_id: Id, meeting_id: Id, data: MoveIn) -> Any:
    event = selectors.event_get(request.user, event_id)
    require(selectors.can_manage_event(request.user, event))
    meeting = Meeting.objects.filter(event=event, pk=meeting_id).first()
    if meeting is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    moved = services.meeting_move(actor=request.user, meeting=meeting, slot=data.slot - 1, table=data.table)
    moved = Meeting.objects.select_related("large__organisation", "sme__organisation").get(pk=moved.pk)
    return _meeting_out(moved, event)
