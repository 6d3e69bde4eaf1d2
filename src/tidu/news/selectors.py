"""Reads of the news feed. Everything a visitor, feed or search engine sees comes through `Article.objects
.visible()`; editors (staff) may additionally preview a draft or scheduled article by its address.

Search and related articles reuse `tidu.matching` (jieba words + BM25 + pinyin typos), the same engine as
the scenario library: Chinese has no spaces, so SQL LIKE finds "研发费用" only as typed and cannot rank.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import can_open_admin_site
from tidu.matching import Boost, Filter, Index, Query
from tidu.news.models import Article, ArticleStatus, Category
from tidu.news.search_items import article_index

HOT_DAYS = 90

_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "index": None}


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("position", "slug")


def visible_articles(
    *, category: Category | None = None, now: dt.datetime | None = None
) -> QuerySet[Article]:
    """Published, due articles, newest first, with their category joined."""
    qs = Article.objects.visible(now).select_related("category").order_by("-published_at", "-id")
    return qs.filter(category=category) if category is not None else qs


def article_for(user: Any, pk: int) -> Article:
    """The article a visitor asked for; a draft or scheduled one only for editors (a 404 for anyone else,
    so its existence is not given away)."""
    qs = Article.objects.select_related("category").prefetch_related("images")
    article = qs.filter(pk=pk).first()
    if article is None or not (article.is_visible() or can_open_admin_site(user)):
        raise TiduError(ErrorCode.NOT_FOUND)
    return article


def hot_articles(*, limit: int = 6, now: dt.datetime | None = None) -> list[Article]:
    """Most read among those published in the last 90 days (the all-time list would never change)."""
    now = now or timezone.now()
    recent = visible_articles(now=now).filter(published_at__gte=now - dt.timedelta(days=HOT_DAYS))
    return list(recent.order_by("-read_count", "-published_at")[:limit])


def _stamp() -> tuple[Any, ...]:
    agg = Article.objects.filter(status=ArticleStatus.PUBLISHED).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (agg["n"], agg["last"])


def news_search_index() -> Index:
    """The matching index of published articles (scheduled ones too, hidden per query by their time)."""
    stamp = _stamp()
    with _lock:
        if _cache["stamp"] != stamp or _cache["index"] is None:
            rows = list(
                Article.objects.filter(status=ArticleStatus.PUBLISHED).values(
                    "id", "title", "keywords", "summary", "body", "category_id", "published_at"
                )
            )
            _cache["index"] = article_index(rows)
            _cache["stamp"] = stamp
        index: Index = _cache["index"]
        return index


def _due(now: dt.datetime) -> Filter:
    return Filter("published_ts", "lte", now.timestamp(), label="已发布")


def _load(ids: list[str], now: dt.datetime) -> list[Article]:
    """Articles by id in the given order, re-checked against the database's visibility."""
    by_id = {str(a.pk): a for a in visible_articles(now=now).filter(pk__in=[int(i) for i in ids])}
    return [by_id[i] for i in ids if i in by_id]


def article_search(
    q: str, *, category: Category | None = None, limit: int = 30, now: dt.datetime | None = None
) -> list[Article]:
    """Visible articles matching the words, best first."""
    now = now or timezone.now()
    if not q.strip():
        return list(visible_articles(category=category, now=now)[:limit])
    filters = [_due(now)]
    if category is not None:
        filters.append(Filter("category", "eq", str(category.pk), label=str(category)))
    results = news_search_index().search(Query(q, filters=tuple(filters), limit=limit, min_text_score=0.0))
    return _load([r.id for r in results], now)


def related_articles(article: Article, *, limit: int = 4, now: dt.datetime | None = None) -> list[Article]:
    """Visible articles about the same things: by the title and keywords, the same category preferred;
    the newest of the category when nothing shares a word."""
    now = now or timezone.now()
    text = " ".join([article.title, *article.keyword_list])
    boost = Boost(Filter("category", "eq", str(article.category_id), label="同一栏目"), 1.0)
    results = news_search_index().search(Query(text, filters=(_due(now),), boosts=(boost,), limit=limit + 1))
    ids = [r.id for r in results if r.id != str(article.pk)][:limit]
    found = _load(ids, now)
    if len(found) < limit:
        seen = {a.pk for a in found} | {article.pk}
        found += list(
            visible_articles(category=article.category, now=now).exclude(pk__in=seen)[: limit - len(found)]
        )
    return found


def articles_about(policy: Any, *, limit: int = 10) -> list[Article]:
    """Visible articles that interpret a policy, newest first (the 政策解读 block of a policy's page)."""
    return list(visible_articles().filter(policies=policy)[:limit])


def policies_of(article: Article) -> list[Any]:
    """The published policies an article interprets (a draft policy is not linked to in public)."""
    from tidu.policies.models import PolicyStatus

    return list(article.policies.filter(status=PolicyStatus.PUBLISHED).order_by("-in_force_from", "code"))
