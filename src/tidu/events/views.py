"""Pages of matchmaking events: officials create, schedule, adjust, check in and record outcomes;
participants register and open their own schedule (page, PDF, check-in QR). Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import tidu_view
from tidu.core.permissions import jurisdiction_prefix_of, organisation_of, require
from tidu.events import documents, services
from tidu.events import grid as G
from tidu.events import selectors as S
from tidu.events.models import EventStatus, Meeting, Registration, Side, Tier


def _int(value: Any, default: int | None = None) -> int | None:
    """A form's number; anything else, or past what the database holds, is the default."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if abs(number) < 2**62 else default


def _ids(values: list[str]) -> list[int]:
    return [i for i in (_int(v) for v in values) if i is not None]


@tidu_view
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = list(S.events_visible_to(request.user)[:100])
    org = organisation_of(request.user)
    mine = set(Registration.objects.filter(event__in=events, organisation=org).values_list("event_id", flat=True)) \
        if org is not None else set()
    return render(request, "events/list.html", {
        "events": events, "mine": mine, "can_create": S.can_create_event(request.user),
        "is_participant": S.side_of(request.user) is not None,
    })


@tidu_view
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    require(S.can_create_event(request.user))
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        try:
            data = services.EventInput(
                title=request.POST.get("title", ""),
                region_code=request.POST.get("region_code", "").strip(),
                held_on=dt.date.fromisoformat(request.POST.get("held_on", "")),
                venue=request.POST.get("venue", ""),
                starts_at=dt.time.fromisoformat(request.POST.get("starts_at", "") or "09:00"),
                slots=_int(request.POST.get("slots"), 0) or 0,
                tables=_int(request.POST.get("tables"), 0) or 0,
                slot_minutes=_int(request.POST.get("slot_minutes"), 20) or 20,
                description=request.POST.get("description", ""),
            )
            event = services.event_create(actor=request.user, data=data)
            messages.success(request, "活动已创建，企业现在可以报名。")
            return redirect("events:detail", event.pk)
        except ValueError:
            error = "请填写有效的日期（如 2026-12-20）和时间（如 09:00）。"
        except TiduError as exc:
            error = exc.message
    prefix = jurisdiction_prefix_of(request.user) or ""
    default_region = (prefix + "000000")[:6] if len(prefix) < 6 else prefix
    if len(prefix) == 4:
        default_region = prefix + "00"
    return render(request, "events/create.html", {"values": values, "error": error,
                                                  "default_region": default_region})


@tidu_view
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = S.event_get(request.user, pk)
    manage = S.can_manage_event(request.user, event)
    ctx: dict[str, Any] = {"event": event, "manage": manage, "tiers": Tier.choices, "statuses": EventStatus}
    if manage:
        regs = list(S.registrations_of_event(event))
        meetings = list(S.meetings_of_event(event))
        cells: dict[tuple[int, int], Meeting] = {(m.slot, m.table): m for m in meetings}
        used_tables = sorted({m.table for m in meetings}) or list(range(1, min(event.tables, 10) + 1))
        ctx.update({
            "larges": [r for r in regs if r.side == Side.LARGE],
            "smes": [r for r in regs if r.side == Side.SME],
            "meetings": meetings,
            "grid_tables": used_tables,
            "grid_rows": [(event.slot_label(s), [cells.get((s, t)) for t in used_tables]) for s in range(event.slots)],
            "slot_choices": [(s, event.slot_label(s)) for s in range(event.slots)],
            "table_choices": range(1, event.tables + 1),
            "checked_in": sum(1 for r in regs if r.checked_in_at),
            "report": event.solve_report or {},
            "outcome": getattr(event, "outcome", None),
            "needs_choices": _needs_of_participants(regs),
        })
    else:
        reg = S.registration_of(request.user, event)
        others = []
        if reg is not None or S.side_of(request.user) is not None:
            my_side = reg.side if reg else S.side_of(request.user)
            others = list(S.registrations_of_event(event).exclude(side=my_side))
        ctx.update({"registration": reg, "can_register": S.side_of(request.user) is not None
                    and event.status == EventStatus.OPEN, "others": others,
                    "must_ids": {r.pk for r in reg.must_meet.all()} if reg else set(),
                    "wish_ids": {r.pk for r in reg.wishes.all()} if reg else set()})
    return render(request, "events/detail.html", ctx)


def _needs_of_participants(regs: list[Registration]) -> list[Any]:
    from tidu.needs.models import Need

    return list(Need.objects.filter(owner_id__in=[r.organisation_id for r in regs if r.side == Side.LARGE])
                .order_by("-pk")[:50])


@tidu_view
@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = S.event_get(request.user, pk)
    data = services.RegistrationInput(
        interests=request.POST.get("interests", ""), fields=request.POST.get("fields", ""),
        tier=request.POST.get("tier", ""), contact_name=request.POST.get("contact_name", ""),
        must_meet=_ids(request.POST.getlist("must_meet")), wishes=_ids(request.POST.getlist("wishes")),
    )
    try:
        services.registration_submit(actor=request.user, event=event, data=data)
        messages.success(request, "报名信息已保存。")
    except TiduError as exc:
        messages.error(request, exc.message)
    return redirect("events:detail", event.pk)


@tidu_view
@require_POST
def event_solve(request: HttpRequest, pk: int) -> HttpResponse:
    event = S.event_get(request.user, pk)
    require(S.can_manage_event(request.user, event))
    try:
        job = services.schedule_submit(actor=request.user, event=event)
    except TiduError as exc:
        messages.error(request, exc.message)
        return redirect("events:detail", event.pk)
    return redirect("jobs:detail", job.pk)


@tidu_view
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    event = S.event_get(request.user, pk)
    require(S.can_manage_event(request.user, event))
    slot = (_int(request.POST.get("slot"), 0) or 0)
    table = _int(request.POST.get("table"), 0) or 0
    try:
        if action == "move":
            meeting = Meeting.objects.get(event=event, pk=_int(request.POST.get("meeting"), 0) or 0)
            services.meeting_move(actor=request.user, meeting=meeting, slot=slot, table=table)
            messages.success(request, "洽谈已调整。")
        elif action == "add":
            regs = Registration.objects.select_related("organisation").filter(event=event)
            large = regs.get(pk=_int(request.POST.get("large"), 0) or 0, side=Side.LARGE)
            sme = regs.get(pk=_int(request.POST.get("sme"), 0) or 0, side=Side.SME)
            services.meeting_add(actor=request.user, event=event, large=large, sme=sme, slot=slot, table=table)
            messages.success(request, "已增加一场洽谈。")
        elif action == "cancel":
            meeting = Meeting.objects.get(event=event, pk=_int(request.POST.get("meeting"), 0) or 0)
            services.meeting_cancel(actor=request.user, meeting=meeting)
            messages.success(request, "已取消该场洽谈。")
        else:
            raise TiduError(ErrorCode.NOT_FOUND)
    except (Meeting.DoesNotExist, Registration.DoesNotExist):
        messages.error(request, "未找到该洽谈或参会单位。")
    except TiduError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("events:detail", args=[event.pk]) + "#grid")


@tidu_view
@require_POST
def event_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    event = S.event_get(request.user, pk)
    require(S.can_manage_event(request.user, event))
    meeting_ids = list(Meeting.objects.filter(event=event).values_list("pk", flat=True))
    held_ids = set(_ids(request.POST.getlist("held")))
    data = services.OutcomeInput(
        held={i: i in held_ids for i in meeting_ids},
        follow_ups={i: request.POST.get(f"follow_up_{i}", "") for i in meeting_ids
                    if f"follow_up_{i}" in request.POST},
        summary=request.POST.get("summary", ""),
        need_ids=_ids(request.POST.getlist("needs")),
    )
    try:
        services.outcome_record(actor=request.user, event=event, data=data)
        messages.success(request, "活动成效已记录。")
    except TiduError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("events:detail", args=[event.pk]) + "#outcome")


def _my_schedule(request: HttpRequest, pk: int) -> tuple[Any, Registration, list[tuple[str, str, str, str]], str]:
    event = S.event_get(request.user, pk)
    reg = S.registration_of(request.user, event)
    if reg is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    problem = S.problem_of(event)
    firms = problem.by_id()
    rows = []
    for m in S.schedule_of(reg):
        partner = m.sme if reg.side == Side.LARGE else m.large
        why = "；".join(G.pair_reasons(firms[m.large_id], firms[m.sme_id])) if m.large_id in firms and m.sme_id in firms else ""
        rows.append((event.slot_label(m.slot), f"{m.table}号桌", partner.organisation.name, why))
    url = request.build_absolute_uri(reverse("events:checkin", args=[services.checkin_token(reg)]))
    return event, reg, rows, url


@tidu_view
@require_GET
def my_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    event, reg, rows, url = _my_schedule(request, pk)
    return render(request, "events/schedule.html", {
        "event": event, "registration": reg, "rows": rows, "checkin_url": url,
        "qr": mark_safe(documents.qr_svg(url)),  # drawn by reportlab from our own signed URL
    })


@tidu_view
@require_GET
def my_schedule_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event, reg, rows, url = _my_schedule(request, pk)
    pdf = documents.schedule_pdf(event=event, registration=reg, rows=rows, checkin_url=url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="schedule-{event.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@tidu_view
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The address in the QR code: an official of the event's jurisdiction sees who it is and confirms."""
    reg = services.checkin_registration(token)
    require(S.can_manage_event(request.user, reg.event), not_found=True)
    if request.method == "POST":
        reg = services.checkin_confirm(actor=request.user, token=token)
        messages.success(request, f"{reg.organisation.name}已签到。")
        return redirect("events:checkin", token)
    return render(request, "events/checkin.html", {"registration": reg, "event": reg.event})
