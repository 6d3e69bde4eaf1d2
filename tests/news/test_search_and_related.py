"""Search finds Chinese text by its words (no spaces to split on), ranks title words first, forgives a
pinyin-input typo, and keeps to the chosen category; related articles share words with the article."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.news.conftest import make_article

from tidu.news.models import Article, Category
from tidu.news.selectors import article_search, related_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db: None) -> dict[str, Article]:
    finance = Category.objects.create(slug="finance", name="融资上市")
    return {
        "rd": make_article(
            "研发费用加计扣除的三个要点", body="研发项目要先立项，辅助账按项目归集。", keywords="税收优惠"
        ),
        "mention": make_article("年度数据更新提醒", body="请按时更新营业收入和研发费用等数据。"),
        "loan": make_article(
            "知识产权质押融资", category=finance, body="以专利权质押向银行申请贷款。", keywords="专利,贷款"
        ),
        "listing": make_article("北交所上市准备", category=finance, body="规范财务，研发费用归集要清楚。"),
    }


def titles(articles: list[Article]) -> list[str]:
    return [a.title for a in articles]


def test_a_word_inside_running_chinese_text_is_found(library: dict[str, Article]) -> None:
    assert titles(article_search("质押")) == ["知识产权质押融资"]
    assert titles(article_search("辅助账")) == ["研发费用加计扣除的三个要点"]


def test_a_match_in_the_title_ranks_above_one_in_the_body(library: dict[str, Article]) -> None:
    found = titles(article_search("研发费用"))
    assert found[0] == "研发费用加计扣除的三个要点"
    assert set(found) == {"研发费用加计扣除的三个要点", "年度数据更新提醒", "北交所上市准备"}


def test_a_pinyin_input_typo_still_finds_the_article(library: dict[str, Article]) -> None:
    assert "知识产权质押融资" in titles(article_search("知识产权只押"))  # 只押 typed for 质押


def test_search_keeps_to_the_chosen_category(library: dict[str, Article]) -> None:
    finance = Category.objects.get(slug="finance")
    assert titles(article_search("研发费用", category=finance)) == ["北交所上市准备"]
    page = Client().get("/news/", {"q": "研发费用", "category": "finance"}).content.decode()
    body = page[page.index('<ul class="plain articles">') : page.index("热门文章")]
    assert "北交所上市准备" in body and "研发费用加计扣除的三个要点" not in body


def test_the_search_page_says_so_when_nothing_matches(library: dict[str, Article]) -> None:
    body = Client().get("/news/", {"q": "火箭发射"}).content.decode()
    assert "没有找到相关文章" in body


def test_related_articles_share_words_and_never_include_the_article_itself(
    library: dict[str, Article],
) -> None:
    related = related_articles(library["loan"], limit=3)
    assert library["loan"] not in related
    assert related[0] == library["listing"]  # same category (融资上市) and nothing closer in words
    rd_related = titles(related_articles(library["rd"], limit=2))
    assert rd_related[0] in {"年度数据更新提醒", "北交所上市准备"}  # both mention 研发费用


def test_the_news_pages_speak_english_when_english_is_chosen(library: dict[str, Article]) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/news/", {"q": "质押"}).content.decode()
    assert '<html lang="en">' in page
    for text in ["Policy news", "Most read", "Search articles", "“质押”: 1 article found", "Subscribe: "]:
        assert text in page, text
    for text in ["热门文章", "搜索文章", "订阅："]:
        assert text not in page, text
    detail = client.get(f"/news/{library['loan'].pk}/").content.decode()
    assert "Related articles" in detail and "相关文章" not in detail
