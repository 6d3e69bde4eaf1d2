"""Who sees what: invite-only needs, responses, and the figures an SME shares (issue 12, 'Tests')."""

from __future__ import annotations

import json

import pytest
from needs_support import NWorld, answer

from tidu.needs import recommend, selectors, services
from tidu.needs.errors import NeedError

UNINVITED_FIRMS = ("firm_b", "firm_hz", "firm_c")
PRIVATE_TITLE = "重载AGV导航控制器定向研发"


@pytest.mark.parametrize("firm", UNINVITED_FIRMS)
def test_invite_only_need_is_invisible_to_an_uninvited_firm_in_ui_api_search_and_recommendations(
        world: NWorld, firm: str) -> None:
    c = world.client(firm)
    assert world.private is not None
    assert PRIVATE_TITLE not in c.get("/needs/").content.decode()
    assert PRIVATE_TITLE not in c.get("/needs/", {"q": "AGV"}).content.decode()  # search
    assert PRIVATE_TITLE not in c.get("/needs/mine/").content.decode()  # invitations and recommendations
    assert c.get(f"/needs/{world.private.pk}/").status_code == 404
    assert c.get(f"/needs/{world.private.pk}/respond/").status_code == 404
    assert all(n["title"] != PRIVATE_TITLE for n in c.get("/api/v1/needs/").json())
    assert c.get("/api/v1/needs/", {"q": "AGV"}).json() == []
    assert c.get(f"/api/v1/needs/{world.private.pk}").status_code == 404
    assert all(n["title"] != PRIVATE_TITLE for n in c.get("/api/v1/needs/recommended").json())
    assert all(f.need.pk != world.private.pk for f in recommend.needs_for_firm(world.users[firm]))
    made = c.post(f"/api/v1/needs/{world.private.pk}/responses",
                  json.dumps({"solution": "方案", "team": "团队"}), content_type="application/json")
    assert made.status_code == 404
    with pytest.raises(NeedError):
        services.response_submit(actor=world.users[firm], need=world.private, data=answer())


def test_invite_only_need_is_visible_to_the_invited_firm_and_recommended_to_it(world: NWorld) -> None:
    c = world.client("firm_a")
    assert world.private is not None
    assert PRIVATE_TITLE in c.get("/needs/").content.decode()
    assert c.get(f"/needs/{world.private.pk}/").status_code == 200
    fits = {f.need.pk: f for f in recommend.needs_for_firm(world.users["firm_a"])}
    assert world.private.pk in fits and "贵企业已受邀揭榜" in fits[world.private.pk].reasons
    assert c.get("/api/v1/needs/", {"q": "AGV"}).json()[0]["title"] == PRIVATE_TITLE


def test_other_roles_see_public_needs_but_not_invite_only_ones(world: NWorld) -> None:
    for name in ("large2", "provider"):
        titles = [n["title"] for n in world.client(name).get("/api/v1/needs/").json()]
        assert titles == ["协作机器人精密减速器国产化"]
    assert world.private is not None
    # officials see the invite-only need of their jurisdiction, not outside it
    assert world.client("county").get(f"/needs/{world.private.pk}/").status_code == 200
    assert world.client("city").get(f"/needs/{world.private.pk}/").status_code == 200
    assert world.client("county_hz").get(f"/needs/{world.private.pk}/").status_code == 404
    assert world.client("county_ft").get(f"/needs/{world.private.pk}/").status_code == 404


def test_a_draft_is_seen_by_its_owner_only(world: NWorld) -> None:
    from needs_support import need_input

    draft = services.need_save(actor=world.users["large"], data=need_input(title="草稿需求"))
    assert world.client("large").get(f"/needs/{draft.pk}/").status_code == 200
    for name in ("large2", "firm_a", "county", "provider"):
        assert world.client(name).get(f"/needs/{draft.pk}/").status_code == 404


def _respond(world: NWorld, share: tuple[str, ...]) -> int:
    assert world.public is not None
    return services.response_submit(actor=world.users["firm_a"], need=world.public, data=answer(share=share)).pk


@pytest.mark.parametrize("name", ["large", "firm_a", "county", "city", "province"])
def test_a_response_is_visible_to_the_owner_the_responding_firm_and_officials_of_the_jurisdiction(
        world: NWorld, name: str) -> None:
    pk = _respond(world, ())
    c = world.client(name)
    assert c.get(f"/needs/responses/{pk}/").status_code == 200
    assert c.get(f"/api/v1/needs/responses/{pk}").status_code == 200
    assert [r["id"] for r in c.get("/api/v1/needs/responses").json()] == [pk]


@pytest.mark.parametrize("name", ["large2", "firm_b", "firm_c", "county_hz", "county_ft", "provider"])
def test_a_response_is_invisible_to_everyone_else(world: NWorld, name: str) -> None:
    pk = _respond(world, ())
    c = world.client(name)
    assert c.get(f"/needs/responses/{pk}/").status_code == 404
    assert c.get(f"/api/v1/needs/responses/{pk}").status_code == 404
    assert c.get("/api/v1/needs/responses").json() == []
    assert world.public is not None
    assert "firm_a精工科技有限公司" not in c.get(f"/needs/{world.public.pk}/").content.decode()


def test_the_owner_sees_only_the_figures_the_sme_chose_to_share(world: NWorld) -> None:
    pk = _respond(world, ("employees", "invention_patent_count"))
    page = world.client("large").get(f"/needs/responses/{pk}/").content.decode()
    assert "321" in page and "13" in page  # employees, invention patents (shared)
    # not shared: R&D staff 47, revenue 876,543 万元, R&D 43,210 万元, main product
    for hidden in ("876,543", "43,210", "甲型传动模组", "研发人员数", "营业收入"):
        assert hidden not in page
    api = world.client("large").get(f"/api/v1/needs/responses/{pk}").json()
    assert api["shared_figures"] == {"employees": 321, "invention_patent_count": 13}
    # the ranked list of firms shown to the owner states no figure either
    assert world.public is not None
    ranked = world.client("large").get(f"/needs/{world.public.pk}/firms/").content.decode()
    for figure in ("321", "876,543", "43,210", "87654300"):
        assert figure not in ranked


def test_sharing_nothing_shows_nothing(world: NWorld) -> None:
    pk = _respond(world, ())
    page = world.client("large").get(f"/needs/responses/{pk}/").content.decode()
    assert "企业未选择共享任何经营数据" in page and "321" not in page


def test_an_unknown_figure_cannot_be_shared(world: NWorld) -> None:
    with pytest.raises(NeedError):
        _respond(world, ("net_profit",))


def test_scoped_selectors_agree_with_the_pages(world: NWorld) -> None:
    assert world.private is not None
    assert not selectors.needs_visible_to(world.users["firm_b"]).filter(pk=world.private.pk).exists()
    assert selectors.needs_visible_to(world.users["firm_a"]).filter(pk=world.private.pk).exists()
    assert world.private.pk not in selectors.open_public_needs().values_list("pk", flat=True)
