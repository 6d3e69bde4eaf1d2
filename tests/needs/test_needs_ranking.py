"""Ranking with reasons (pure: profiles in, ranked ids and Chinese reasons out) and from the register."""

from __future__ import annotations

import re

from needs_support import NWorld

from tidu.needs import recommend
from tidu.needs.ranking import FirmProfile, NeedProfile, firm_index, need_index, rank_firms, rank_needs

NEED = NeedProfile("n1", "协作机器人谐波减速器国产化", "robotics", "440305",
                   "装配线协作机器人关节减速器依赖进口", "传动误差不大于 1 弧分")
FIRMS = [
    FirmProfile("reducer", "深圳精密传动有限公司", "440305", "C3453", "齿轮及齿轮减速、变速箱制造",
                products="谐波减速器、RV减速器", titles=frozenset({"cert_specialized_valid"}), invention_patents=12),
    FirmProfile("robot", "杭州协作机器人有限公司", "330106", "C3491", "工业机器人制造", products="协作机器人整机"),
    FirmProfile("paint", "佛山涂料化工有限公司", "440604", "C2641", "涂料制造", products="水性工业涂料"),
    FirmProfile("giant", "苏州小巨人光电有限公司", "320505", "C3976", "光电子器件制造", products="激光器",
                titles=frozenset({"cert_little_giant_valid"})),
]


def test_the_firm_that_makes_the_thing_ranks_first_with_its_reasons() -> None:
    ranked = rank_firms(firm_index(FIRMS), NEED, limit=4)
    assert ranked[0].id == "reducer"
    reasons = " ".join(ranked[0].reasons)
    assert "减速器" in reasons and "持有专精特新中小企业称号" in reasons and "与需求同在一个地级市" in reasons
    assert "主营领域属于高档数控机床和机器人" in reasons
    assert ranked[-1].id in {"paint", "giant"}


def test_reasons_never_state_a_figure() -> None:
    for r in rank_firms(firm_index(FIRMS), NEED, limit=4):
        for reason in r.reasons:
            assert not re.search(r"\d", reason), reason


def test_a_past_accepted_solution_in_the_field_counts() -> None:
    twins = [FirmProfile(k, f"{k}机电有限公司", "110105", "C3484", "机械零部件加工") for k in ("a", "b")]
    twins[1] = FirmProfile("b", "b机电有限公司", "110105", "C3484", "机械零部件加工",
                           accepted_fields=frozenset({"robotics"}))
    ranked = rank_firms(firm_index(twins), NEED, limit=2)
    assert ranked[0].id == "b" and any("通过验收" in x for x in ranked[0].reasons)


def test_excluded_firms_are_left_out() -> None:
    ranked = rank_firms(firm_index(FIRMS), NEED, limit=4, exclude=["reducer"])
    assert "reducer" not in [r.id for r in ranked] and len(ranked) == 3


def test_needs_are_ranked_for_a_firm() -> None:
    needs = [NEED, NeedProfile("n2", "锂电池隔膜涂覆材料", "materials", "320505", "高孔隙率隔膜", "孔隙率 45%")]
    ranked = rank_needs(need_index(needs), FIRMS[0])
    assert ranked[0].id == "n1"
    assert any("减速器" in x for x in ranked[0].reasons)


def test_the_owner_sees_register_firms_ranked_and_responded_firms_left_out(world: NWorld) -> None:
    from needs_support import answer

    from tidu.needs import services

    assert world.public is not None
    fits = recommend.firms_for_need(world.users["large"], world.public, limit=10)
    assert fits[0].enterprise == world.firms["firm_a"]  # robot maker (C3491) in 南山
    services.response_submit(actor=world.users["firm_a"], need=world.public, data=answer())
    fits = recommend.firms_for_need(world.users["large"], world.public, limit=10)
    assert world.firms["firm_a"] not in [f.enterprise for f in fits]


def test_an_official_is_offered_firms_of_the_jurisdiction_only(world: NWorld) -> None:
    assert world.public is not None
    fits = recommend.firms_for_need(world.users["county"], world.public, limit=10)
    assert {f.enterprise.region_id for f in fits} == {"440305"}
