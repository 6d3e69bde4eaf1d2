"""Demo news for `seed_demo`: five categories and 23 articles we wrote (21 published over the last months
with read counts for the hot list, one scheduled three days ahead, one draft), covers and an inline
image drawn with Pillow, interpretation articles linked to the demo policies they explain. Saved through `services.article_save` as the demo platform admin.
Idempotent: does nothing when any article exists."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.news.demo_articles import ARTICLES, CATEGORIES, POLICY_LINKS
from tidu.news.models import Article, ArticleImage, ArticleStatus, Category
from tidu.news.services import article_save

PALETTE = [(26, 127, 55), (9, 105, 218), (154, 103, 0), (130, 80, 223), (207, 34, 46)]


def picture(seed: int, *, steps: int = 4, size: tuple[int, int] = (1200, 630)) -> bytes:
    """A PNG of rising steps (the ladder) in one of five colours: a cover without any borrowed image."""
    from PIL import Image, ImageDraw

    width, height = size
    colour = PALETTE[seed % len(PALETTE)]
    image = Image.new("RGB", size, (246, 248, 250))
    draw = ImageDraw.Draw(image)
    step_w = width // (steps + 2)
    for i in range(steps):
        top = height - (i + 1) * height // (steps + 2)
        shade = tuple(min(255, c + (steps - 1 - i) * 35) for c in colour)
        draw.rectangle([step_w * (i + 1), top, step_w * (i + 2) - 12, height - 40], fill=shade)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def link_demo_policies() -> int:
    """Link the demo interpretation articles to the published demo policies they explain (each seed: the
    policies may be seeded after the news). Articles already linked are left as they are."""
    from django.apps import apps

    if not apps.is_installed("tidu.policies"):
        return 0
    from tidu.policies.models import Policy, PolicyStatus

    linked = 0
    for title, lookup in POLICY_LINKS.items():
        article = Article.objects.filter(title=title, policies__isnull=True).first()
        if article is None:
            continue
        field, values = next(iter(lookup.items()))
        policies = Policy.objects.filter(status=PolicyStatus.PUBLISHED, **{field: values.split(",")})
        chosen = list(policies.order_by("code")[:3])
        if chosen:
            article.policies.set(chosen)
            linked += 1
    return linked


def seed_news(*, today: dt.datetime | None = None) -> int:
    link_demo_policies()
    if Article.objects.exists():
        return 0
    now = today or timezone.now()
    admin = get_user_model().objects.filter(username="demo-admin").first()
    categories = {}
    for slug, name, position in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    created = 0
    for n, row in enumerate(ARTICLES):
        days: Any = row["days"]
        article = Article(
            title=row["title"],
            category=categories[row["category"]],
            summary=row["summary"],
            body=row["body"],
            keywords=row["keywords"],
            source="梯度平台编辑部（示例）",
            status=ArticleStatus.DRAFT if days is None else ArticleStatus.PUBLISHED,
            published_at=None
            if days is None
            else (now - dt.timedelta(days=days, hours=n % 7)).replace(second=0, microsecond=0),
        )
        if row.get("cover"):
            article.cover.save(f"demo-cover-{n + 1}.png", ContentFile(picture(n)), save=False)
            article.cover_alt = "示意图：逐级升高的台阶"
        article = article_save(actor=admin, article=article) if admin is not None else _save(article)
        if "](图1)" in article.body:
            image = ArticleImage(article=article, number=1, caption="示意图（平台绘制）")
            image.image.save(
                f"demo-figure-{n + 1}.png", ContentFile(picture(n + 1, size=(800, 400))), save=False
            )
            image.save()
        Article.objects.filter(pk=article.pk).update(read_count=row["reads"])
        created += 1
    audit_record(actor=admin, action="news.demo.seed", data={"articles": created})
    link_demo_policies()
    return created


def _save(article: Article) -> Article:
    """Without the demo admin (a partial seed): save as the system."""
    article.full_clean()
    article.save()
    return article
