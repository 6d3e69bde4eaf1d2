"""The sitemap (django.contrib.sitemaps): the news pages and every visible article; policies' public
pages join when the policies app provides a sitemap section (`tidu.policies.sitemaps.POLICY_SITEMAPS`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from tidu.news.models import Article
from tidu.news.selectors import visible_articles


class NewsPagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[str]:
        return ["news:list"]

    def location(self, item: str) -> str:
        return reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self) -> Any:
        return visible_articles().select_related(None).only("id", "updated_at", "published_at")

    def lastmod(self, item: Article) -> dt.datetime:
        return item.updated_at


def sitemaps() -> dict[str, Any]:
    found: dict[str, Any] = {"news": NewsPagesSitemap, "articles": ArticleSitemap}
    if apps.is_installed("tidu.policies"):
        with contextlib.suppress(ImportError, AttributeError):
            found.update(importlib.import_module("tidu.policies.sitemaps").POLICY_SITEMAPS)
    return found
