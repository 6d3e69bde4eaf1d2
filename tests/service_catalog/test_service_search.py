"""Finding services: words ranked by tidu.matching, region by code prefix, and suggestions from the firm's gaps."""

from __future__ import annotations

from typing import Any

from service_support import SWorld, offer_input

from tidu.ladder.testing import make_climbing_firm
from tidu.matching import Filter, Query
from tidu.service_catalog import selectors, services
from tidu.service_catalog.search_items import offer_index

ROWS: list[dict[str, Any]] = [
    {
        "id": 1,
        "title": "发明专利申请代理",
        "category": "ip",
        "category_label": "知识产权",
        "description": "技术交底、检索分析、撰写专利申请。",
        "provider": "鹏程知识产权",
        "region_codes": ["440300"],
    },
    {
        "id": 2,
        "title": "科技信贷快速对接",
        "category": "financing",
        "category_label": "融资上市",
        "description": "匹配科技信贷产品，安排银行上门。",
        "provider": "南山科技金融",
        "region_codes": ["440305"],
    },
    {
        "id": 3,
        "title": "数字化水平诊断",
        "category": "digital",
        "category_label": "数字化转型",
        "description": "按评测指标现场诊断。",
        "provider": "粤数中心",
        "region_codes": ["440000"],
    },
]


def ids(results: Any) -> list[str]:
    return [r.id for r in results]


def test_words_find_the_offer_that_names_them_first() -> None:
    index = offer_index(ROWS)
    assert ids(index.search(Query("专利")))[0] == "1"
    assert ids(index.search(Query("贷款 银行")))[0] == "2"


def test_a_category_name_is_searchable() -> None:
    assert ids(offer_index(ROWS).search(Query("数字化转型")))[0] == "3"


def test_served_regions_cover_the_counties_beneath_them() -> None:
    index = offer_index(ROWS)
    serves = Filter("serves", "covers", "440305")
    assert sorted(ids(index.search(Query("", filters=(serves,), limit=10)))) == ["1", "2", "3"]
    futian = Filter("serves", "covers", "440304")
    assert sorted(ids(index.search(Query("", filters=(futian,), limit=10)))) == ["1", "3"]
    hangzhou = Filter("serves", "covers", "330106")
    assert ids(index.search(Query("", filters=(hangzhou,), limit=10))) == []


def test_search_on_the_list_ranks_and_keeps_the_region_filter(world: SWorld) -> None:
    offer = services.offer_save(
        actor=world.users["provider_p"],
        data=offer_input(title="发明专利申请代理", category="ip", description="撰写并提交发明专利申请。"),
    )
    services.offer_submit(actor=world.users["provider_p"], offer=offer)
    services.offer_decide(actor=world.users["city"], offer=offer, approve=True)
    found = selectors.listed_offers(region_code="440305", query="专利")
    assert [o.title for o in found][:1] == ["发明专利申请代理"]
    assert selectors.listed_offers(region_code="330106", query="专利") == []
    assert [
        o.title for o in selectors.listed_offers(region_code="440305", query="专利", category="legal")
    ] == []


def test_a_climbing_firm_is_pointed_to_services_for_its_next_tier(world: SWorld) -> None:
    """The climbing firm misses 专精特新 on R&D expense: the cultivation and R&D services come before the rest."""
    for title, category, description in (
        ("研发费用加计扣除政策辅导", "policy", "讲解研发费用归集口径和加计扣除。"),
        ("合同审查", "legal", "审查合同条款，提示风险。"),
    ):
        offer = services.offer_save(
            actor=world.users["provider_p"],
            data=offer_input(title=title, category=category, description=description),
        )
        services.offer_submit(actor=world.users["provider_p"], offer=offer)
        services.offer_decide(actor=world.users["city"], offer=offer, approve=True)
    firm = make_climbing_firm("440305")
    suggestions = selectors.suggest_for_firm(firm)
    titles = [s.offer.title for s in suggestions]
    assert set(titles[:2]) == {"专精特新申报辅导", "研发费用加计扣除政策辅导"}
    assert "合同审查" not in titles
    first = next(s for s in suggestions if s.offer.title == "专精特新申报辅导")
    assert any("专精特新中小企业" in r for r in first.reasons)


def test_a_firm_without_figures_gets_no_suggestions(world: SWorld) -> None:
    assert selectors.suggest_for_firm(world.firms["firm_a"]) == []
