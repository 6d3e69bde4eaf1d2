"""The demo news shows every state: at least 20 published articles in every category, one draft, one
scheduled, covers, an inline image and a hot list; seeding twice adds nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from tidu.core.testing import make_user
from tidu.news.demo import seed_news
from tidu.news.models import Article, ArticleStatus, Category

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_state_and_is_idempotent() -> None:
    make_user("demo-admin", superuser=True)
    assert seed_news() == Article.objects.count() >= 22
    assert seed_news() == 0
    visible = Article.objects.visible()
    assert visible.count() >= 20
    assert Article.objects.filter(status=ArticleStatus.DRAFT).count() == 1
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).exclude(pk__in=visible).count() == 1
    for category in Category.objects.all():
        assert visible.filter(category=category).exists(), category
    covered = visible.exclude(cover="").first()
    assert covered is not None
    assert f'class="thumb" src="/news/media/{covered.cover.name}"' in Client().get("/news/").content.decode()
    with_image = visible.filter(images__isnull=False).first()
    assert with_image is not None
    page = Client().get(f"/news/{with_image.pk}/").content.decode()
    image = with_image.images.get()
    assert f"/news/media/{image.image.name}" in page
    assert Client().get(f"/news/media/{image.image.name}").status_code == 200


def test_demo_interpretations_link_to_published_policies_of_their_kind_whenever_those_are_seeded() -> None:
    import datetime as dt

    from tidu.policies.models import Policy, PolicyStatus

    seed_news()
    assert not Article.objects.filter(policies__isnull=False).exists()
    values = dict(
        issuer="示例机关",
        level="national",
        in_force_from=dt.date(2026, 1, 1),
        purpose="p",
        interpretation="解读",
        original_text="原文",
    )
    Policy.objects.create(
        code="tax-a",
        title="税收示例",
        category="tax",
        route="application",
        status=PolicyStatus.PUBLISHED,
        **values,
    )
    Policy.objects.create(
        code="tax-b",
        title="税收草稿",
        category="tax",
        route="application",
        status=PolicyStatus.DRAFT,
        **values,
    )
    seed_news()  # the next seed (policies seeded after the news)
    article = Article.objects.get(title="研发费用加计扣除：中小企业最容易漏掉的三件事")
    assert [p.code for p in article.policies.all()] == ["tax-a"]
    assert "/policies/tax-a/" in Client().get(f"/news/{article.pk}/").content.decode()
