"""A draft or a scheduled article is invisible in every channel until its time: list, page, search, related,
hot list, RSS, Atom, sitemap and its images; editors may preview it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from tests.news.conftest import make_article

from tidu.core.testing import make_user
from tidu.news import selectors
from tidu.news.demo import picture
from tidu.news.models import Article

pytestmark = pytest.mark.django_db


def channels(client: Client) -> dict[str, str]:
    return {
        url: client.get(url).content.decode()
        for url in [
            "/news/",
            "/news/?q=补贴",
            "/news/?q=奖励兑现",
            "/news/feed/rss/",
            "/news/feed/atom/",
            "/sitemap.xml",
        ]
    }


def test_only_the_published_article_shows_in_list_search_feeds_and_sitemap(three: dict[str, Article]) -> None:
    pages = channels(Client())
    for url, body in pages.items():
        assert "小巨人奖励兑现" not in body, url
        assert "数字化转型补贴" not in body, url
        assert f"/news/{three['scheduled'].pk}/" not in body and f"/news/{three['draft'].pk}/" not in body, (
            url
        )
    assert "研发费用加计扣除政策解读" in pages["/news/"]
    assert f"/news/{three['published'].pk}/" in pages["/sitemap.xml"]


def test_a_visitor_gets_404_for_a_draft_or_scheduled_article(three: dict[str, Article]) -> None:
    client = Client()
    assert client.get(f"/news/{three['published'].pk}/").status_code == 200
    assert client.get(f"/news/{three['scheduled'].pk}/").status_code == 404
    assert client.get(f"/news/{three['draft'].pk}/").status_code == 404
    client.force_login(make_user("signed-in"))
    assert client.get(f"/news/{three['draft'].pk}/").status_code == 404


def test_an_editor_previews_a_scheduled_article_marked_as_such(three: dict[str, Article]) -> None:
    client = Client()
    client.force_login(make_user("editor", superuser=True))
    page = client.get(f"/news/{three['scheduled'].pk}/").content.decode()
    assert "定时发布预览" in page and 'name="robots" content="noindex"' in page
    assert "草稿预览" in client.get(f"/news/{three['draft'].pk}/").content.decode()
    assert (
        "/news/{}/".format(three["draft"].pk) not in client.get("/news/").content.decode()
    )  # lists stay public


def test_a_scheduled_article_appears_everywhere_once_its_time_has_come(three: dict[str, Article]) -> None:
    scheduled = three["scheduled"]
    later = timezone.now() + dt.timedelta(days=2)
    assert scheduled not in selectors.visible_articles()
    assert scheduled in selectors.visible_articles(now=later)
    assert [a.pk for a in selectors.article_search("奖励兑现", now=later)] == [scheduled.pk]
    assert selectors.article_search("奖励兑现") == []
    assert scheduled in selectors.hot_articles(now=later)
    assert three["draft"] not in selectors.visible_articles(now=later + dt.timedelta(days=3650))


def test_related_and_hot_lists_leave_out_unpublished_articles(three: dict[str, Article]) -> None:
    make_article("研发费用归集辅助账怎么记", keywords="研发费用", reads=5)
    related = selectors.related_articles(three["published"])
    hot = selectors.hot_articles()
    for article in (three["scheduled"], three["draft"]):
        assert article not in related and article not in hot
    assert "研发费用归集辅助账怎么记" in [a.title for a in related]


def test_a_scheduled_articles_cover_is_not_served_before_it_is_published(
    three: dict[str, Article], settings: Any
) -> None:
    for article in three.values():
        article.cover.save(f"c{article.pk}.png", ContentFile(picture(article.pk)), save=True)
    client = Client()
    assert client.get(f"/news/media/{three['published'].cover.name}").status_code == 200
    assert client.get(f"/news/media/{three['scheduled'].cover.name}").status_code == 404
    assert client.get(f"/news/media/{three['draft'].cover.name}").status_code == 404
    assert client.get("/news/media/news/../../../etc/passwd").status_code == 404
    client.force_login(make_user("editor", superuser=True))
    assert client.get(f"/news/media/{three['draft'].cover.name}").status_code == 200


def test_a_section_has_its_own_canonical_address_and_search_results_point_to_the_list(
    three: dict[str, Article],
) -> None:
    page = Client().get("/news/", {"category": "interpretation"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/news/?category=interpretation">' in page
    page = Client().get("/news/", {"q": "研发"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/news/">' in page
    detail = Client().get(f"/news/{three['published'].pk}/").content.decode()
    assert f'<meta property="og:url" content="http://testserver/news/{three["published"].pk}/">' in detail


def test_shared_addresses_use_the_public_address_behind_a_proxy(
    three: dict[str, Article], settings: Any
) -> None:
    settings.TIDU_PUBLIC_URL = "https://tidu.example.cn/"
    detail = Client().get(f"/news/{three['published'].pk}/").content.decode()
    assert f'<link rel="canonical" href="https://tidu.example.cn/news/{three["published"].pk}/">' in detail
