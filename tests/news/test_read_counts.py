"""Read counts: one per person per half hour, none for crawlers, editors or unpublished articles."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.testing import make_user
from tidu.news.models import Article
from tidu.news.services import is_bot

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def reads(article: Article) -> int:
    article.refresh_from_db()
    return article.read_count


def test_each_visitor_counts_once_and_a_reload_does_not_count_again(three: dict[str, Article]) -> None:
    article = three["published"]
    url = f"/news/{article.pk}/"
    first = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.1")
    assert "1 次阅读" in first.get(url).content.decode()
    first.get(url)
    Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.2").get(url)
    assert reads(article) == 2


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Feedly/1.0 (+http://www.feedly.com/fetcher.html)",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_crawlers_and_scripts_are_not_counted(three: dict[str, Article], agent: str) -> None:
    assert is_bot(agent)
    Client(HTTP_USER_AGENT=agent).get(f"/news/{three['published'].pk}/")
    assert reads(three["published"]) == 0


def test_a_person_s_browser_is_not_taken_for_a_crawler() -> None:
    assert not is_bot(BROWSER)
    assert not is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47")


def test_an_editor_previewing_does_not_count(three: dict[str, Article]) -> None:
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.force_login(make_user("editor", superuser=True))
    client.get(f"/news/{three['published'].pk}/")
    client.get(f"/news/{three['scheduled'].pk}/")
    assert reads(three["published"]) == 0 and reads(three["scheduled"]) == 0


def test_the_hot_list_ranks_by_reads(three: dict[str, Article]) -> None:
    from tests.news.conftest import make_article

    make_article("阅读很多的文章", reads=900)
    make_article("阅读较少的文章", reads=3)
    body = Client().get("/news/").content.decode()
    hot = body[body.index("热门文章") :]
    assert hot.index("阅读很多的文章") < hot.index("阅读较少的文章")
