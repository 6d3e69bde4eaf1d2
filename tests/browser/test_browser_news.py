"""A visitor reads the news: the menu's 政策快讯, a category, an article (counted once, shareable), a
related article, a search in Chinese and the RSS feed behind the subscribe link."""

from __future__ import annotations

import feedparser
import pytest
from playwright.sync_api import Page, expect

from tidu.news.demo import seed_news
from tidu.news.models import Article

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


def test_a_visitor_reads_an_article_a_related_one_and_finds_the_feed(page: Page, live_server: object) -> None:
    seed_news()
    page.set_extra_http_headers({"User-Agent": DESKTOP})  # a person's browser, not a headless crawler
    page.goto("/")
    page.locator(".nav").get_by_role("link", name="政策快讯").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("政策快讯")
    expect(page.locator(".articles")).not_to_contain_text("（草稿）")  # the draft and the scheduled notice
    expect(page.locator(".articles")).not_to_contain_text("新一批专精特新中小企业名单的预告")

    page.get_by_role("navigation", name="栏目").get_by_role("link", name="融资上市").click()
    titles = page.locator(".articles h2")
    expect(titles).to_have_count(3)
    article = Article.objects.get(title="知识产权质押融资：把专利变成现金流")
    before = article.read_count
    page.get_by_role("link", name=article.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(page.locator("article .reads")).to_have_text(f"{before + 1} 次阅读")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute("content", article.title)
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical is not None and canonical.endswith(f"/news/{article.pk}/")
    page.reload()
    expect(page.locator("article .reads")).to_have_text(f"{before + 1} 次阅读")  # a reload is not a new read

    related = page.locator("section.related a").first
    related_title = related.inner_text()
    related.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(related_title)

    page.goto("/news/")
    page.get_by_label("搜索文章").fill("专利质押")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".articles")).to_contain_text(article.title)

    href = page.get_by_role("link", name="RSS").get_attribute("href")
    assert href == "/news/feed/rss/"
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.body())
    assert feed.bozo == 0 and article.title in [e.title for e in feed.entries]
    assert "（草稿）数字化转型补贴政策要点" not in [e.title for e in feed.entries]
