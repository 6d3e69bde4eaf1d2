"""The pages: a platform writes an achievement in 万元 and manages it; an official confirms records on the
oversight page and the confirmed figure follows; who may open which page."""

from __future__ import annotations

from techtransfer_support import TWorld, incubate, transfer

from tidu.techtransfer.models import Achievement, Incubation, Transfer


def test_a_platform_writes_an_achievement_with_prices_in_wan_stored_in_yuan(world: TWorld) -> None:
    platform = world.client("platform_p")
    sent = platform.post("/techtransfer/platform/achievements/new/", {
        "title": "冷链食品温度追溯标签", "kind": "prototype", "field": "electronics", "maturity": "industrial",
        "description": "无源射频温度标签。", "keywords": "冷链 温度追溯", "industry_codes": "c13 C14",
        "modes": ["licence", "assignment"], "price_min_wan": "12.5", "price_max_wan": "40"})
    assert sent.status_code == 302
    a = Achievement.objects.get(title="冷链食品温度追溯标签")
    assert (a.price_min_yuan, a.price_max_yuan, a.industry_codes, a.status) == (125_000, 400_000, "C13 C14", "draft")
    assert sorted(a.modes) == ["assignment", "licence"]
    page = platform.get(f"/techtransfer/{a.pk}/").content.decode()
    assert "12.5" in page and "40" in page
    bad = platform.post("/techtransfer/platform/achievements/new/", {
        "title": "价格倒挂", "kind": "patent", "field": "materials", "maturity": "lab", "description": "说明",
        "modes": ["assignment"], "price_min_wan": "50", "price_max_wan": "20"})
    assert bad.status_code == 200 and "不能低于下限" in bad.content.decode()
    assert platform.post(f"/techtransfer/platform/achievements/{a.pk}/list/").status_code == 302
    a.refresh_from_db()
    assert a.status == "listed"


def test_an_official_confirms_on_the_oversight_page_and_the_confirmed_figure_follows(world: TWorld) -> None:
    t = transfer(world, "firm_a")
    i = incubate(world, "firm_a")
    county = world.client("county")
    assert county.post(f"/techtransfer/oversight/transfer/{t.pk}/", {"decision": "confirm"}).status_code == 302
    assert county.post(f"/techtransfer/oversight/incubation/{i.pk}/", {"decision": "reject"}).status_code == 302
    assert Incubation.objects.get(pk=i.pk).review == "pending"  # a rejection without a reason is refused
    county.post(f"/techtransfer/oversight/incubation/{i.pk}/", {"decision": "reject", "note": "未见入孵协议"})
    assert (Transfer.objects.get(pk=t.pk).review, Incubation.objects.get(pk=i.pk).review) == ("confirmed", "rejected")
    page = world.client("platform_p").get("/techtransfer/platform/").content.decode()
    assert "1 项（其中已核实 1 项）" in page and "0 家（其中已核实 0 家，在孵 0 家）" in page
    assert "核实未通过" in page and "未见入孵协议" in page  # the platform sees which record was refused, and why


def test_the_platform_ends_an_incubation_on_its_workbench(world: TWorld) -> None:
    i = incubate(world, "firm_a")
    world.client("platform_p").post(f"/techtransfer/platform/incubations/{i.pk}/end/",
                                    {"status": "graduated", "ended_on": "2026-06-30"})
    i.refresh_from_db()
    assert (i.status, str(i.ended_on)) == ("graduated", "2026-06-30")
    world.client("platform_q").post(f"/techtransfer/platform/incubations/{i.pk}/end/",
                                    {"status": "left", "ended_on": "2026-07-01"})
    i.refresh_from_db()
    assert i.status == "graduated"


def test_who_may_open_which_page(world: TWorld) -> None:
    expected = {
        "firm_a": {"/techtransfer/": 200, "/techtransfer/requests/": 200, "/techtransfer/platform/": 403,
                   "/techtransfer/oversight/": 403},
        "platform_p": {"/techtransfer/": 200, "/techtransfer/requests/": 200, "/techtransfer/platform/": 200,
                       "/techtransfer/oversight/": 403},
        "county": {"/techtransfer/": 200, "/techtransfer/requests/": 200, "/techtransfer/platform/": 403,
                   "/techtransfer/oversight/": 200},
        "large": {"/techtransfer/": 200, "/techtransfer/requests/": 403, "/techtransfer/platform/": 403,
                  "/techtransfer/oversight/": 403},
    }
    for user, pages in expected.items():
        client = world.client(user)
        got = {url: client.get(url).status_code for url in pages}
        assert got == pages, user
    from django.test import Client

    assert Client().get("/techtransfer/").status_code == 302  # to the login page
