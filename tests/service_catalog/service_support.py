"""Helpers of the service-list tests: firms in 南山, 福田 and Hangzhou, two provider organisations, officials at
every level of Shenzhen, a county in Hangzhou, and one approved provider with a listed offer serving Shenzhen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidu.core.testing import make_enterprise, make_user
from tidu.service_catalog import services
from tidu.service_catalog.models import Provider, ServiceOffer
from tidu.service_catalog.services import OfferInput, ProviderInput, RequestInput


@dataclass
class SWorld:
    users: dict[str, Any] = field(default_factory=dict)
    firms: dict[str, Any] = field(default_factory=dict)
    provider: Provider | None = None
    offer: ServiceOffer | None = None

    def org(self, name: str) -> Any:
        return self.users[name].membership.organisation


def offer_input(**kw: Any) -> OfferInput:
    values: dict[str, Any] = {
        "title": "专精特新申报辅导",
        "category": "cultivation",
        "description": "对照认定标准逐项诊断，辅导准备申报材料。",
        "how_to_request": "在线提交需求，顾问电话联系。",
        "response_days": 3,
        "region_codes": ["440300"],
        "free": True,
    }
    return OfferInput(**(values | kw))


def ask(world: SWorld, firm: str = "firm_a", offer: ServiceOffer | None = None, **kw: Any) -> Any:
    data = RequestInput(
        need=kw.pop("need", "想了解专精特新申报条件"), contact_name="王经理", contact_phone="13800000000"
    )
    return services.request_submit(actor=world.users[firm], offer=offer or world.offer, data=data, **kw)


def build_world() -> SWorld:
    w = SWorld()
    for key, region in (("firm_a", "440305"), ("firm_b", "440304"), ("firm_hz", "330106")):
        w.firms[key] = make_enterprise(region)
        w.users[key] = make_user(key, "enterprise", enterprise=w.firms[key])
    w.users["provider_p"] = make_user("provider_p", "provider")
    w.users["provider_q"] = make_user("provider_q", "provider")
    w.users["county"] = make_user("county", "government", level="county", region="440305")
    w.users["county_ft"] = make_user("county_ft", "government", level="county", region="440304")
    w.users["city"] = make_user("city", "government", level="city", region="440300")
    w.users["province"] = make_user("province", "government", level="province", region="440000")
    w.users["county_hz"] = make_user("county_hz", "government", level="county", region="330106")
    w.users["large"] = make_user("large", "large")
    p = services.provider_profile_save(
        actor=w.users["provider_p"],
        data=ProviderInput(
            region_code="440305", intro="专注梯度培育辅导的咨询机构", contact_phone="0755-26000000"
        ),
    )
    w.provider = services.provider_decide(actor=w.users["county"], provider=p, approve=True)
    offer = services.offer_save(actor=w.users["provider_p"], data=offer_input())
    services.offer_submit(actor=w.users["provider_p"], offer=offer)
    w.offer = services.offer_decide(actor=w.users["city"], offer=offer, approve=True)
    return w
