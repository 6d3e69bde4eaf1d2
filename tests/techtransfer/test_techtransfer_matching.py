"""Matching: firms find achievements by words (pinyin typos too) and get achievements matched to their industry
and products; achievements are matched to large firms' needs. Every match carries its reasons."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from techtransfer_support import TWorld, achievement_input

from tidu.techtransfer import matching, selectors, services

ROWS = [
    {"id": 1, "title": "精密零部件激光焊接工艺", "keywords": "激光焊接 薄壁", "field_label": "高端装备与智能制造",
     "kind_label": "工艺与方法", "description": "不锈钢薄壁零部件激光焊接，焊缝变形小。", "industry_codes": "C34",
     "field": "manufacturing", "kind": "process", "maturity": "industrial"},
    {"id": 2, "title": "退役动力电池梯次利用检测平台", "keywords": "电池回收 梯次利用", "field_label": "新能源与节能环保",
     "kind_label": "样机与原型", "description": "退役动力电池快速分选与健康状态评估。", "industry_codes": "C38",
     "field": "energy", "kind": "prototype", "maturity": "pilot_small"},
    {"id": 3, "title": "零部件表面缺陷视觉检测系统", "keywords": "机器视觉 缺陷检测", "field_label": "软件与人工智能",
     "kind_label": "软件著作权", "description": "深度学习在线检测划痕与崩边。", "industry_codes": "C34 C39",
     "field": "ai", "kind": "software", "maturity": "pilot"},
]


def test_a_search_finds_by_words_and_names_them() -> None:
    index = matching.achievement_index(ROWS)
    hits = matching.search(index, "激光焊接")
    assert hits[0].id == "1"
    assert any("激光" in r and "焊接" in r for r in hits[0].reasons)


def test_a_search_tolerates_pinyin_typed_words_and_says_so() -> None:
    hits = matching.search(matching.achievement_index(ROWS), "dianchi huishou")
    assert [h.id for h in hits][:1] == ["2"]
    assert any(r.startswith("读音相近") for r in hits[0].reasons)


def test_a_firm_is_matched_by_its_industry_code_and_products_with_reasons() -> None:
    index = matching.achievement_index(ROWS)
    found = matching.for_firm(index, industry_code="C3484", industry_label="机械零部件加工", products=["不锈钢阀门"])
    ids = [m.id for m in found]
    assert set(ids) == {"1", "3"}  # the battery platform names C38 only and shares no word
    first = found[0]
    assert any(r == "适用于贵企业所属行业（C3484 机械零部件加工）" for r in first.reasons)
    assert all(m.reasons for m in found)


def test_a_firm_of_an_unrelated_industry_without_matching_words_gets_nothing() -> None:
    found = matching.for_firm(matching.achievement_index(ROWS), industry_code="C1411", industry_label="糕点、面包制造",
                              products=[])
    assert found == []


def test_a_need_is_answered_by_achievements_sharing_its_words() -> None:
    index = matching.achievement_index(ROWS)
    hits = matching.for_need(index, title="动力电池包退役后的分选检测", description="需要快速评估电池健康状态")
    assert [h.id for h in hits][:1] == ["2"]
    assert hits[0].reasons[0].startswith("关键词相符")
    assert matching.for_need(index, title="食堂餐饮外包服务", description="员工食堂") == []


def test_the_firm_page_and_api_show_matched_achievements_with_reasons(world: TWorld) -> None:
    page = world.client("firm_a").get("/techtransfer/").content.decode()
    assert 'id="suggestions"' in page and world.listed.title in page
    assert "适用于贵企业所属行业（C3484" in page
    got = world.client("firm_a").get("/api/v1/techtransfer/achievements/matched").json()
    assert [a["title"] for a in got] == [world.listed.title]
    assert got[0]["reasons"]
    assert world.client("county").get("/api/v1/techtransfer/achievements/matched").status_code == 403


def test_the_index_follows_listing_and_withdrawing(world: TWorld) -> None:
    owner = world.users["platform_p"]
    assert not selectors.search_listed(query="柔性传感器")
    services.achievement_move(actor=owner, achievement=world.draft, action="list")
    assert [f.achievement.pk for f in selectors.search_listed(query="柔性传感器")] == [world.draft.pk]
    services.achievement_move(actor=owner, achievement=world.draft, action="withdraw")
    assert not selectors.search_listed(query="柔性传感器")


@dataclass
class FakeNeed:
    pk: int
    title: str
    description: str
    field: str = ""


def test_achievements_are_matched_to_open_needs(world: TWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "open_needs", lambda: [
        FakeNeed(1, "薄壁不锈钢件激光焊接变形控制", "焊缝变形超差，寻求激光焊接工艺"),
        FakeNeed(2, "食堂餐饮外包", "员工食堂"),
    ])
    other = services.achievement_save(actor=world.users["platform_p"], data=achievement_input(
        title="生物可降解骨钉材料", keywords="可降解 骨科", industry_codes="C35", field="biomed", kind="patent",
        description="镁合金可降解骨科内固定材料。", modes=["assignment"]))
    other = services.achievement_move(actor=world.users["platform_p"], achievement=other, action="list")
    matched = selectors.matched_to_needs([world.listed, other])
    assert [n.title for n, _r in matched[world.listed.pk]] == ["薄壁不锈钢件激光焊接变形控制"]
    assert matched[world.listed.pk][0][1][0].startswith("关键词相符")
    assert matched[other.pk] == []
    page = world.client("platform_p").get(f"/techtransfer/{world.listed.pk}/").content.decode()
    assert "薄壁不锈钢件激光焊接变形控制" in page


def test_a_published_public_need_is_matched_and_an_invite_only_one_is_not(world: TWorld) -> None:
    import datetime as dt

    from django.utils import timezone

    from tidu.needs import services as needs

    large = world.users["large"]

    def publish(title: str, visibility: str) -> None:
        need = needs.need_save(actor=large, data=needs.NeedInput(
            title=title, field="robotics", description="不锈钢薄壁件激光焊接后变形超差，寻求焊接工艺改进。",
            indicators="焊缝变形小于0.1毫米", deadline=timezone.localdate() + dt.timedelta(days=30),
            region_code="440305", visibility=visibility))
        needs.need_publish(actor=large, need=need)

    publish("薄壁件激光焊接变形控制", "public")
    publish("激光焊接工艺定向邀请", "invite_only")
    matched = selectors.matched_to_needs([world.listed])[world.listed.pk]
    assert [n.title for n, _r in matched] == ["薄壁件激光焊接变形控制"]
    page = world.client("firm_b").get(f"/techtransfer/{world.listed.pk}/").content.decode()
    assert "薄壁件激光焊接变形控制" in page and "定向邀请" not in page
