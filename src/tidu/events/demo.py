"""Demo data: 对接活动: an event with registrations, its grid, check-ins and outcomes, and one open for
registration.

The city of Shenzhen held its first 百场万企 matchmaking day two weeks ago: five large firms (demo-large
among them) and fifteen SMEs (demo-firm among them, with a must-meet request for demo-large); the grid
came from the optimiser, most participants checked in, the outcomes and a need published on the day are
recorded. A second event of 南山 is open: demo-large has registered, demo-firm has not yet.
Writes go through the services as the system (audited as 系统).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tidu.events import grid as G
from tidu.events import selectors as S
from tidu.events import services
from tidu.events.models import MatchEvent, Meeting, Registration
from tidu.events.services import EventInput, OutcomeInput, RegistrationInput

PAST_TITLE = "深圳市2026年“百场万企”大中小企业融通对接会（第一场）"
OPEN_TITLE = "南山区专精特新企业与链主企业供需对接会"

OTHER_LARGES = [
    ("深圳湾新能源汽车集团有限公司（演示）", "新能源电池、储能、智能网联、电机电控", "新能源"),
    ("粤海电子信息股份有限公司（演示）", "芯片设计、传感器、工业软件、检测认证", "电子信息"),
    ("前海智能装备集团有限公司（演示）", "机器人、数控机床、精密加工、工业互联网", "先进制造"),
    ("珠江医疗器械集团有限公司（演示）", "医疗器械、新材料、精密加工、激光", "生物医药"),
]
DEMO_LARGE_INTERESTS = ("精密加工、机器人、传感器、工业软件", "先进制造")
SME_INTERESTS = [
    ("传感器、工业软件", "specialized"), ("新能源电池、储能", "little_giant"), ("精密加工、模具", "innovative"),
    ("机器人、数控机床", "specialized"), ("芯片设计、检测认证", "tech"), ("医疗器械、激光", "innovative"),
    ("智能网联、传感器", ""), ("新材料、精密加工", "specialized"), ("工业互联网、工业软件", "tech"),
    ("储能、节能环保", "innovative"), ("激光、精密加工", ""), ("检测认证、新材料", "tech"),
    ("机器人、传感器", "little_giant"), ("模具、数控机床", ""),
]


def _org_of_firm(firm: Any) -> Any:
    from tidu.accounts.models import Organisation, OrgKind

    org = Organisation.objects.filter(enterprise=firm).first()
    return org or Organisation.objects.create(kind=OrgKind.ENTERPRISE, name=firm.name, enterprise=firm)


def seed_events(demo_firm: Any) -> None:
    """Idempotent."""
    from tidu.accounts.models import Organisation, OrgKind
    from tidu.enterprises.models import Enterprise

    if MatchEvent.objects.filter(title=PAST_TITLE).exists():
        return
    users = get_user_model().objects.filter(username__in=["demo-large", "demo-city"]).select_related(
        "membership__organisation")
    by_name = {u.username: u for u in users}
    if "demo-large" not in by_name:
        return
    demo_large_org = by_name["demo-large"].membership.organisation
    firm_org = _org_of_firm(demo_firm)
    today = timezone.localdate()

    past = services.event_create(actor=None, data=EventInput(
        title=PAST_TITLE, region_code="440300", held_on=today - dt.timedelta(days=14), venue="深圳会展中心（福田）5号馆",
        starts_at=dt.time(9, 0), slots=6, tables=5, slot_minutes=20,
        description="市工业和信息化局主办：链主企业发布配套需求，专精特新中小企业一对一洽谈。"))
    larges = [services.registration_submit(actor=None, event=past, organisation=demo_large_org, data=RegistrationInput(
        interests=DEMO_LARGE_INTERESTS[0], fields=DEMO_LARGE_INTERESTS[1], contact_name="李总监"))]
    for name, interests, fields in OTHER_LARGES:
        org = Organisation.objects.get_or_create(kind=OrgKind.LARGE_ENTERPRISE, name=name)[0]
        larges.append(services.registration_submit(actor=None, event=past, organisation=org,
                                                   data=RegistrationInput(interests=interests, fields=fields)))
    smes: list[Registration] = [services.registration_submit(
        actor=None, event=past, organisation=firm_org,
        data=RegistrationInput(interests="精密加工、传感器", tier="specialized", contact_name="张经理",
                               must_meet=[larges[0].pk]))]
    others = list(Enterprise.objects.filter(region__code__startswith="4403").exclude(pk=demo_firm.pk)
                  .order_by("credit_code")[: len(SME_INTERESTS)])
    for firm, (interests, tier) in zip(others, SME_INTERESTS, strict=False):
        smes.append(services.registration_submit(actor=None, event=past, organisation=_org_of_firm(firm),
                                                 data=RegistrationInput(interests=interests, tier=tier)))
    result = G.solve_cpsat(S.problem_of(past), time_limit=10.0)
    services.schedule_apply(actor=None, event=past, result=result)
    regs = larges + smes
    for reg in regs[:-2]:  # two SMEs did not come
        services.checkin_confirm(actor=None, token=services.checkin_token(reg))
    absent = {r.pk for r in regs[-2:]}
    meetings = list(Meeting.objects.filter(event=past).order_by("slot", "table"))
    held = {m.pk: m.sme_id not in absent for m in meetings}
    follow_ups = {}
    for m in meetings:
        if m.large_id == larges[0].pk and m.sme_id == smes[0].pk:
            follow_ups[m.pk] = "约定下月到华南重工装配线现场考察，提交减速器样品测试方案"
        elif held[m.pk] and m.score >= 60:
            follow_ups[m.pk] = "双方交换技术资料，两周内电话回访"
    from tidu.needs.models import Need

    need_ids = list(Need.objects.filter(owner=demo_large_org).order_by("pk").values_list("pk", flat=True)[:1])
    services.outcome_record(actor=None, event=past, data=OutcomeInput(
        held=held, follow_ups=follow_ups, need_ids=need_ids,
        summary=f"到会企业{len(regs) - len(absent)}家，完成洽谈{sum(held.values())}场，现场达成合作意向6项；"
                "华南重工在会上发布了协作机器人减速器国产化需求。"))

    upcoming = services.event_create(actor=None, data=EventInput(
        title=OPEN_TITLE, region_code="440305", held_on=today + dt.timedelta(days=15), venue="南山区科技园会议中心",
        starts_at=dt.time(14, 0), slots=8, tables=6, slot_minutes=15,
        description="南山区工信局主办，欢迎辖区专精特新中小企业报名，可提出必见请求。"))
    services.registration_submit(actor=None, event=upcoming, organisation=demo_large_org, data=RegistrationInput(
        interests=DEMO_LARGE_INTERESTS[0], fields=DEMO_LARGE_INTERESTS[1], contact_name="李总监"))
    for firm, (interests, tier) in list(zip(others, SME_INTERESTS, strict=False))[:4]:
        services.registration_submit(actor=None, event=upcoming, organisation=_org_of_firm(firm),
                                     data=RegistrationInput(interests=interests, tier=tier))
