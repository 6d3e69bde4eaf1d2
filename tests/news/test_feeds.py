"""RSS 2.0 and Atom 1.0 validate: a feed parser reads them without complaint, with absolute links,
dates and the Chinese titles of the published articles, newest first."""

from __future__ import annotations

import feedparser
import pytest
from django.test import Client
from tests.news.conftest import make_article

from tidu.news.models import Article, Category

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "version", "content_type"),
    [
        ("/news/feed/rss/", "rss20", "application/rss+xml"),
        ("/news/feed/atom/", "atom10", "application/atom+xml"),
    ],
)
def test_the_feed_parses_cleanly_with_the_published_articles(
    three: dict[str, Article], url: str, version: str, content_type: str
) -> None:
    older = make_article("中小企业划型标准解读", days_ago=10, summary="营业收入和从业人员 <怎么> 算 & 为什么")
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith(content_type)
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "梯度 · 政策快讯"
    titles = [e.title for e in feed.entries]
    assert titles == ["研发费用加计扣除政策解读", "中小企业划型标准解读"]
    first = feed.entries[0]
    assert first.link == f"http://testserver/news/{three['published'].pk}/"
    assert first.published_parsed is not None
    assert feed.entries[1].summary == older.summary  # escaped in the XML, read back unchanged
    assert [t.term for t in first.tags] == ["政策解读"]


def test_a_sections_feed_holds_only_that_section_and_an_unknown_section_is_not_found(
    three: dict[str, Article],
) -> None:
    finance = Category.objects.create(slug="finance", name="融资上市")
    make_article("知识产权质押融资", category=finance)
    feed = feedparser.parse(Client().get("/news/feed/atom/", {"category": "finance"}).content)
    assert feed.bozo == 0 and feed.feed.title == "梯度 · 政策快讯 · 融资上市"
    assert [e.title for e in feed.entries] == ["知识产权质押融资"]
    assert Client().get("/news/feed/rss/", {"category": "nonexistent"}).status_code == 404
    page = Client().get("/news/", {"category": "finance"}).content.decode()
    assert 'href="/news/feed/rss/?category=finance"' in page
