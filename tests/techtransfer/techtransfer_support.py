"""Helpers of the technology-transfer tests: two innovation platforms, firms in 南山, 福田 and Hangzhou, officials
of 南山, 福田, Shenzhen and Hangzhou, a large firm; platform P has one listed achievement and one draft."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from tidu.core.testing import PASSWORD, make_enterprise, make_user
from tidu.techtransfer import services
from tidu.techtransfer.services import AchievementInput, IncubationInput, RequestInput, TransferInput


@dataclass
class TWorld:
    users: dict[str, Any] = field(default_factory=dict)
    firms: dict[str, Any] = field(default_factory=dict)
    listed: Any = None
    draft: Any = None

    def org(self, name: str) -> Any:
        return self.users[name].membership.organisation

    def client(self, name: str) -> Client:
        c = Client()
        assert c.login(username=name, password=PASSWORD)
        return c


def achievement_input(**kw: Any) -> AchievementInput:
    values: dict[str, Any] = {
        "title": "精密零部件激光焊接工艺",
        "kind": "process",
        "field": "manufacturing",
        "maturity": "industrial",
        "description": "面向不锈钢薄壁精密零部件的激光焊接工艺包，焊缝变形小于0.05毫米。",
        "modes": ["licence", "joint"],
        "keywords": "激光焊接 薄壁",
        "industry_codes": "C34",
        "price_min_yuan": 300_000,
        "price_max_yuan": 800_000,
    }
    return AchievementInput(**(values | kw))


def ask(world: TWorld, firm: str = "firm_a", achievement: Any = None, mode: str = "licence") -> Any:
    return services.request_submit(
        actor=world.users[firm],
        achievement=achievement or world.listed,
        data=RequestInput(mode=mode, message="想在产线上试用", contact_name="王经理", contact_phone="13800000000"),
    )


def transfer(world: TWorld, firm: str = "firm_a", platform: str = "platform_p", **kw: Any) -> Any:
    values: dict[str, Any] = {
        "achievement_id": world.listed.pk,
        "mode": "licence",
        "contract_no": "2026440305000001",
        "contract_on": dt.date(2026, 11, 2),
        "evidence": "技术合同认定登记号 2026440305000001",
        "credit_code": world.firms[firm].credit_code,
    }
    return services.transfer_record(actor=world.users[platform], data=TransferInput(**(values | kw)))


def incubate(world: TWorld, firm: str = "firm_a", platform: str = "platform_p", since: dt.date | None = None) -> Any:
    return services.incubation_record(
        actor=world.users[platform],
        data=IncubationInput(credit_code=world.firms[firm].credit_code, since=since or dt.date(2025, 3, 1)),
    )


def build_world() -> TWorld:
    w = TWorld()
    for key, region in (("firm_a", "440305"), ("firm_b", "440304"), ("firm_hz", "330106")):
        w.firms[key] = make_enterprise(region, industry_code="C3484")
        w.users[key] = make_user(key, "enterprise", enterprise=w.firms[key])
    w.users["platform_p"] = make_user("platform_p", "innovation")
    w.users["platform_q"] = make_user("platform_q", "innovation")
    w.users["county"] = make_user("county", "government", level="county", region="440305")
    w.users["county_ft"] = make_user("county_ft", "government", level="county", region="440304")
    w.users["city"] = make_user("city", "government", level="city", region="440300")
    w.users["county_hz"] = make_user("county_hz", "government", level="county", region="330106")
    w.users["large"] = make_user("large", "large")
    w.users["provider"] = make_user("provider", "provider")
    listed = services.achievement_save(actor=w.users["platform_p"], data=achievement_input())
    w.listed = services.achievement_move(actor=w.users["platform_p"], achievement=listed, action="list")
    w.draft = services.achievement_save(
        actor=w.users["platform_p"],
        data=achievement_input(title="柔性电子皮肤压力传感器", kind="prototype", field="electronics",
                               maturity="lab", modes=["joint"], keywords="柔性传感器", industry_codes="C39",
                               description="可拉伸柔性压力传感阵列。"),
    )
    return w
