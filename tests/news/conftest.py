"""Fixtures of the news tests: uploads in a temporary directory, a fresh read-count cache, a few articles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from tidu.news.models import Article, ArticleStatus, Category


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def make_article(
    title: str,
    *,
    category: Category | None = None,
    days_ago: float | None = 1,
    body: str = "",
    keywords: str = "",
    summary: str = "",
    reads: int = 0,
) -> Article:
    """A published article `days_ago` days old (negative: scheduled ahead; None: a draft)."""
    if category is None:
        category, _ = Category.objects.get_or_create(slug="interpretation", defaults={"name": "政策解读"})
    article = Article.objects.create(
        title=title,
        category=category,
        summary=summary or f"{title}的摘要",
        body=body or f"{title}的正文。",
        keywords=keywords,
        status=ArticleStatus.DRAFT if days_ago is None else ArticleStatus.PUBLISHED,
        published_at=None if days_ago is None else timezone.now() - dt.timedelta(days=days_ago),
        read_count=reads,
    )
    return article


@pytest.fixture
def three(db: None) -> dict[str, Article]:
    """One published article, one scheduled for tomorrow and one draft, with distinctive words."""
    return {
        "published": make_article(
            "研发费用加计扣除政策解读", body="企业研发费用可以加计扣除。", keywords="研发费用,税收"
        ),
        "scheduled": make_article(
            "小巨人奖励兑现即将公布", days_ago=-1, body="定时发布的奖励兑现说明。", keywords="奖励兑现"
        ),
        "draft": make_article(
            "数字化转型补贴草稿", days_ago=None, body="草稿里的数字化转型补贴。", keywords="补贴"
        ),
    }
