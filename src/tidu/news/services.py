"""Writes of the news feed: an editor's save (from the admin, audited) and a visitor's read (counted).

A read is one `UPDATE … SET read_count = read_count + 1` (an F expression: no lost updates between
workers, no row loaded), and only for a person: crawlers and feed fetchers announce themselves in the
User-Agent and are not counted, nor is an editor previewing, nor the same visitor again within 30 minutes
(a cache key per address and browser, so a reload does not inflate the count and costs no write).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from tidu.core.audit import audit_record, changed_fields
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import client_ip
from tidu.core.permissions import can_open_admin_site
from tidu.news.models import Article, ArticleStatus

# Words that crawlers, link previewers, feed readers and scripts put in their User-Agent.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|baiduspider|yandex|bingpreview|facebookexternalhit|embedly|feed|rss|"
    r"preview|monitor|curl|wget|python-requests|httpx|aiohttp|go-http-client|java/|okhttp|headless|"
    r"lighthouse|pingdom|uptime|scrapy|phantomjs|selenium|^$",
    re.I,
)
READ_REPEAT_SECONDS = 30 * 60
AUDITED_FIELDS = (
    "title",
    "category_id",
    "summary",
    "body",
    "keywords",
    "source",
    "cover",
    "status",
    "published_at",
)


def is_bot(user_agent: str) -> bool:
    return bool(BOT_AGENT.search((user_agent or "").strip()))


def article_read_record(*, article: Article, request: HttpRequest) -> bool:
    """Count one read of a visible article by a person; True when it was counted."""
    if request.method != "GET" or not article.is_visible() or can_open_admin_site(request.user):
        return False
    agent = request.META.get("HTTP_USER_AGENT", "")
    if is_bot(agent):
        return False
    who = hashlib.sha256(f"{client_ip(request)}|{agent}".encode()).hexdigest()[:24]
    if not cache.add(f"news:read:{article.pk}:{who}", 1, READ_REPEAT_SECONDS):
        return False
    Article.objects.filter(pk=article.pk).update(read_count=F("read_count") + 1)
    return True


def _values(article: Article) -> dict[str, Any]:
    values = {name: getattr(article, name) for name in AUDITED_FIELDS}
    values["cover"] = article.cover.name if article.cover else ""
    return values


def article_save(*, actor: Any, article: Article, before: Article | None = None) -> Article:
    """Save an editor's article (the admin's one write path): staff only, audited with what changed."""
    if not can_open_admin_site(actor):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    with transaction.atomic():
        creating = article.pk is None
        old = _values(before) if before is not None else {}
        if creating and article.author_id is None and getattr(actor, "pk", None):
            article.author = actor
        article.full_clean()
        article.save()
        changes = changed_fields(old, _values(article)) if not creating else {}
        audit_record(
            actor=actor,
            action="news.article.create" if creating else "news.article.update",
            target=article,
            data={"changes": changes, "status": article.status},
        )
    return article


def article_publish(*, actor: Any, article: Article) -> Article:
    """Publish now (the admin's 立即发布): a draft or a scheduled article becomes visible at once."""
    if not can_open_admin_site(actor):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    with transaction.atomic():
        before = {"status": article.status, "published_at": article.published_at}
        now = timezone.now()
        article.status = ArticleStatus.PUBLISHED
        if article.published_at is None or article.published_at > now:
            article.published_at = now
        article.save(update_fields=["status", "published_at", "updated_at"])
        after = {"status": article.status, "published_at": article.published_at}
        audit_record(
            actor=actor,
            action="news.article.publish",
            target=article,
            data={"changes": changed_fields(before, after)},
        )
    return article


def article_withdraw(*, actor: Any, article: Article) -> Article:
    """Back to draft (the admin's 撤回为草稿): gone from every public channel at once, kept for editing."""
    if not can_open_admin_site(actor):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    with transaction.atomic():
        before = {"status": article.status}
        article.status = ArticleStatus.DRAFT
        article.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="news.article.withdraw",
            target=article,
            data={"changes": changed_fields(before, {"status": article.status})},
        )
    return article
