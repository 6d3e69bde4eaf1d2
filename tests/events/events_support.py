"""Helpers of the event tests: officials of Shenzhen (city, 南山) and of Hangzhou, three large firms, four
SMEs of 南山, and an open event of the city of Shenzhen with everyone registered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tidu.core.testing import make_enterprise, make_user
from tidu.events import services
from tidu.events.models import MatchEvent, Registration
from tidu.events.services import EventInput, RegistrationInput


@dataclass
class EWorld:
    users: dict[str, Any] = field(default_factory=dict)
    regs: dict[str, Registration] = field(default_factory=dict)
    event: MatchEvent | None = None


def event_input(**kw: Any) -> EventInput:
    values: dict[str, Any] = {
        "title": "深圳市大中小企业融通对接会",
        "region_code": "440300",
        "held_on": dt.date(2026, 12, 20),
        "venue": "深圳会展中心5号馆",
        "starts_at": dt.time(9, 0),
        "slots": 3,
        "tables": 3,
    }
    return EventInput(**(values | kw))


LARGES = {
    "large_a": ("传感器、工业软件", "电子信息"),
    "large_b": ("新能源电池、储能", "新能源"),
    "large_c": ("精密加工、机器人", "先进制造"),
}
SMES = {
    "sme_1": ("C3971", "传感器、芯片设计", "little_giant"),
    "sme_2": ("C3841", "新能源电池、储能", "specialized"),
    "sme_3": ("C3484", "精密加工、模具", "innovative"),
    "sme_4": ("C3484", "机器人、传感器", ""),
}


def build_world(*, slots: int = 3, tables: int = 3) -> EWorld:
    w = EWorld()
    w.users["city"] = make_user("ev_city", "government", level="city", region="440300")
    w.users["county"] = make_user("ev_county", "government", level="county", region="440305")
    w.users["hz"] = make_user("ev_hz", "government", level="city", region="330100")
    w.event = services.event_create(actor=w.users["city"], data=event_input(slots=slots, tables=tables))
    for key, (interests, fields) in LARGES.items():
        w.users[key] = make_user(f"ev_{key}", "large")
        w.regs[key] = services.registration_submit(
            actor=w.users[key], event=w.event, data=RegistrationInput(interests=interests, fields=fields))
    for key, (industry, interests, tier) in SMES.items():
        firm = make_enterprise("440305", name=f"南山{key}科技有限公司", industry_code=industry)
        w.users[key] = make_user(f"ev_{key}", "enterprise", enterprise=firm)
        w.regs[key] = services.registration_submit(
            actor=w.users[key], event=w.event, data=RegistrationInput(interests=interests, tier=tier))
    return w


def must(w: EWorld, who: str, *targets: str) -> Registration:
    """`who` updates its registration with must-meet requests for `targets`."""
    reg = w.regs[who]
    return services.registration_submit(
        actor=w.users[who], event=w.event, data=RegistrationInput(
            interests=list(reg.interests), tier=reg.tier, must_meet=[w.regs[t].pk for t in targets]))  # type: ignore[arg-type]
