"""The sitemap (django.contrib.sitemaps): the news pages and every visible article; policies' public
pages (published ones) when tidu.policies is installed."""

from __future__ import annotations

import datetime as dt
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


class PolicySitemap(Sitemap):
    """Published policies' public pages (tidu.policies): a policy is news a firm searches for."""

    changefreq = "weekly"
    priority = 0.7

    def items(self) -> Any:
        from tidu.policies.models import Policy, PolicyStatus

        return (
            Policy.objects.filter(status=PolicyStatus.PUBLISHED).only("code", "updated_at").order_by("code")
        )

    def location(self, item: Any) -> str:
        return reverse("policies:detail", kwargs={"code": item.code})

    def lastmod(self, item: Any) -> dt.datetime:
        return item.updated_at


def sitemaps() -> dict[str, Any]:
    found: dict[str, Any] = {"news": NewsPagesSitemap, "articles": ArticleSitemap}
    if apps.is_installed("tidu.policies"):
        found["policies"] = PolicySitemap
    return found
