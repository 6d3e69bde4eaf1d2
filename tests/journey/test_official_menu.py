"""Officials reach the re-review page (认定复核) and the annual-update request page (催报年度数据) from
the main menu; firms and other roles, who may not open those pages, do not see the links."""

from __future__ import annotations

import re

import pytest

from tidu.journey.testing import World

pytestmark = pytest.mark.django_db

REREVIEWS = '<a href="/journey/rereviews/"'
ANNUAL_UPDATE = '<a href="/notifications/annual-update/"'


def _menu(html: str) -> str:
    found = re.search(r"<nav\b.*?</nav>", html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize("who", ["county", "city", "province", "national", "admin"])
def test_officials_find_the_re_review_and_annual_update_pages_in_the_menu(world: World, who: str) -> None:
    client = world.client(who)
    menu = _menu(client.get("/").content.decode())
    assert f"{REREVIEWS}>认定复核</a>" in menu and f"{ANNUAL_UPDATE}>催报年度数据</a>" in menu
    for url in ("/journey/rereviews/", "/notifications/annual-update/"):
        page = client.get(url)
        assert page.status_code == 200
        assert f'<a href="{url}" aria-current="page">' in _menu(page.content.decode())


@pytest.mark.parametrize("who", ["firm_a", "large", "provider", "anon"])
def test_firms_and_other_roles_do_not_see_the_officials_links(world: World, who: str) -> None:
    client = world.client(who)
    menu = _menu(client.get("/").content.decode())
    assert REREVIEWS not in menu and ANNUAL_UPDATE not in menu
    if who == "firm_a":
        assert client.get("/journey/rereviews/").status_code == 403
        assert client.get("/notifications/annual-update/").status_code == 403
