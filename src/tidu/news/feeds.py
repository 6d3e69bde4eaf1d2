"""RSS 2.0 and Atom 1.0 feeds of the latest visible articles, all or one section (django.contrib.syndication: Django's own,
maintained feed framework; it escapes, dates and encodes per the two specifications)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from tidu.news.models import Article, Category
from tidu.news.selectors import categories, visible_articles

FEED_SIZE = 30


class LatestArticlesRss(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    description = "优质中小企业梯度培育平台的政策解读、培育动态与通知公告"
    language = "zh-cn"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Category | None:
        """`?category=slug`: one section's feed (an unknown section is a 404, not the whole feed)."""
        slug = (request.GET.get("category") or "").strip()
        if not slug:
            return None
        category = categories().filter(slug=slug).first()
        if category is None:
            raise Http404
        return category

    def title(self, obj: Category | None) -> str:
        return f"梯度 · 政策快讯 · {obj.name}" if obj is not None else "梯度 · 政策快讯"

    def link(self, obj: Category | None) -> str:
        return reverse("news:list") + (f"?category={obj.slug}" if obj is not None else "")

    def items(self, obj: Category | None) -> list[Article]:
        return list(visible_articles(category=obj)[:FEED_SIZE])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name]

    def item_author_name(self, item: Article) -> str:
        return item.source or "梯度平台编辑部"


class LatestArticlesAtom(LatestArticlesRss):
    feed_type = Atom1Feed
    subtitle = LatestArticlesRss.description
