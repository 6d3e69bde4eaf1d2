"""Helpers of the 发榜/揭榜 tests: two large firms, SMEs in 南山, 福田 and Hangzhou, officials at every level of
Shenzhen and a county in Hangzhou, and one published public and one invite-only need of large firm L in 南山."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from tidu.core.testing import PASSWORD, make_enterprise, make_user, make_year
from tidu.needs import services
from tidu.needs.models import Need
from tidu.needs.services import NeedInput, ResponseInput


@dataclass
class NWorld:
    users: dict[str, Any] = field(default_factory=dict)
    firms: dict[str, Any] = field(default_factory=dict)
    public: Need | None = None
    private: Need | None = None

    def client(self, name: str) -> Client:
        c = Client()
        assert c.login(username=name, password=PASSWORD)
        return c


def need_input(**kw: Any) -> NeedInput:
    values: dict[str, Any] = {
        "title": "协作机器人精密减速器国产化", "field": "robotics",
        "description": "装配线协作机器人关节减速器依赖进口，寻求国产谐波减速器配套。",
        "indicators": "传动误差不大于 1 弧分；背隙不大于 10 弧秒。", "deadline": timezone.localdate() + dt.timedelta(days=30),
        "region_code": "440305", "budget_min": 2_000_000, "budget_max": 5_000_000,
    }
    return NeedInput(**(values | kw))


def answer(**kw: Any) -> ResponseInput:
    values: dict[str, Any] = {"solution": "谐波减速器，柔轮采用新型合金。", "team": "研发工程师 8 人。"}
    return ResponseInput(**(values | kw))


def build_world() -> NWorld:
    w = NWorld()
    for key, region, industry in (("firm_a", "440305", "C3491"), ("firm_b", "440304", "C3484"),
                                  ("firm_hz", "330106", "C3913"), ("firm_c", "440305", "C2661")):
        w.firms[key] = make_enterprise(region, industry_code=industry, name=f"{key}精工科技有限公司")
        w.users[key] = make_user(key, "enterprise", enterprise=w.firms[key])
    # Figures of firm_a: some it will share, some it will not (the numbers are distinctive on purpose).
    make_year(w.firms["firm_a"], 2025, employees=321, rd_staff=47, revenue=87_654_300_00, rd=4_321_000_00,
              invention_patent_count=13, main_product_name="甲型传动模组")
    for name, level, region in (("county", "county", "440305"), ("county_ft", "county", "440304"),
                                ("city", "city", "440300"), ("province", "province", "440000"),
                                ("county_hz", "county", "330106")):
        w.users[name] = make_user(name, "government", level=level, region=region)
    w.users["large"] = make_user("large", "large")
    w.users["large2"] = make_user("large2", "large")
    w.users["provider"] = make_user("provider", "provider")
    w.public = services.need_publish(actor=w.users["large"], need=services.need_save(
        actor=w.users["large"], data=need_input()))
    w.private = services.need_save(actor=w.users["large"], data=need_input(
        title="重载AGV导航控制器定向研发", visibility="invite_only", field="robotics"))
    services.invite(actor=w.users["large"], need=w.private, enterprise=w.firms["firm_a"])
    w.private = services.need_publish(actor=w.users["large"], need=w.private)
    return w
