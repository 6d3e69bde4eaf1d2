"""Editors write in the admin (an audited save, a cover checked on upload, scheduled publishing), and a
policy and its interpretation articles link to each other."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client
from django.utils import timezone
from tests.news.conftest import make_article

from tidu.core.errors import TiduError
from tidu.core.models import AuditEvent
from tidu.core.testing import make_user
from tidu.news.demo import picture
from tidu.news.models import Article, ArticleStatus, Category
from tidu.news.services import article_save
from tidu.policies.models import Policy, PolicyStatus

pytestmark = pytest.mark.django_db


def form(category: Category, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "新认定企业奖励发放说明",
        "category": category.pk,
        "summary": "奖励按批次拨付。",
        "body": "正文第一段。\n\n![拨付流程](图1)",
        "keywords": "奖励,拨付",
        "source": "梯度平台编辑部",
        "cover_alt": "",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    data.update(values)
    return data


@pytest.fixture
def editor_client() -> Client:
    client = Client()
    client.force_login(make_user("editor", superuser=True))
    return client


def test_an_editor_publishes_an_article_with_a_cover_and_the_save_is_audited(editor_client: Client) -> None:
    category = Category.objects.create(slug="notice", name="通知公告")
    cover = SimpleUploadedFile("cover.png", picture(3), content_type="image/png")
    response = editor_client.post("/admin/news/article/add/", form(category, cover=cover))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.is_visible() and article.cover.name.startswith("news/")
    assert article.author is not None and article.author.username == "editor"
    event = AuditEvent.objects.get(action="news.article.create")
    assert event.target_id == str(article.pk)
    assert Client().get(f"/news/media/{article.cover.name}").status_code == 200


def test_a_cover_that_is_not_a_picture_is_refused_in_chinese(editor_client: Client) -> None:
    category = Category.objects.create(slug="notice", name="通知公告")
    fake = SimpleUploadedFile("cover.png", b"MZ\x90\x00 executable", content_type="image/png")
    response = editor_client.post("/admin/news/article/add/", form(category, cover=fake))
    assert response.status_code == 200 and not Article.objects.exists()
    assert "图片" in response.content.decode()


def test_an_article_scheduled_for_tomorrow_is_saved_but_not_shown(editor_client: Client) -> None:
    category = Category.objects.create(slug="notice", name="通知公告")
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    data = form(category, published_at_0=f"{tomorrow:%Y-%m-%d}", published_at_1=f"{tomorrow:%H:%M:%S}")
    assert editor_client.post("/admin/news/article/add/", data).status_code == 302
    article = Article.objects.get()
    assert article.status == ArticleStatus.PUBLISHED and not article.is_visible()
    assert "定时发布" in editor_client.get("/admin/news/article/").content.decode()
    assert Client().get(f"/news/{article.pk}/").status_code == 404


def test_an_edit_is_audited_with_before_and_after() -> None:
    editor = make_user("editor", superuser=True)
    article = make_article("旧标题")
    before = Article.objects.get(pk=article.pk)
    article.title = "新标题"
    article_save(actor=editor, article=article, before=before)
    event = AuditEvent.objects.get(action="news.article.update")
    assert event.data["changes"]["title"] == ["旧标题", "新标题"]


def test_only_staff_may_save_through_the_service() -> None:
    with pytest.raises(TiduError):
        article_save(actor=make_user("someone"), article=make_article("标题"))


def make_policy(code: str, status: str = PolicyStatus.PUBLISHED) -> Policy:
    return Policy.objects.create(
        code=code,
        title=f"示例政策{code}",
        issuer="示例发布机关",
        document_number="示例〔2026〕1号",
        level="national",
        in_force_from=dt.date(2026, 1, 1),
        category="reward",
        purpose="zjtx-reward",
        route="automatic",
        interpretation="示例解读",
        original_text="示例原文",
        status=status,
    )


def test_an_article_links_to_its_published_policies_and_the_policy_block_lists_visible_articles() -> None:
    published, draft = make_policy("demo-a"), make_policy("demo-b", PolicyStatus.DRAFT)
    article = make_article("示例政策解读文章")
    hidden = make_article("尚未发布的解读", days_ago=-2)
    for a in (article, hidden):
        a.policies.set([published, draft])
    page = Client().get(f"/news/{article.pk}/").content.decode()
    assert "/policies/demo-a/" in page and "/policies/demo-b/" not in page
    block = Template('{% include "news/_policy_articles.html" %}').render(Context({"policy": published}))
    assert "解读文章" in block and f"/news/{article.pk}/" in block and f"/news/{hidden.pk}/" not in block
    unlinked = Template('{% include "news/_policy_articles.html" %}').render(
        Context({"policy": make_policy("demo-c")})
    )
    assert not re.search(r"\S", unlinked)  # no empty heading on a policy without articles


def test_the_sitemap_lists_published_policies_only() -> None:
    make_policy("demo-a")
    make_policy("demo-b", PolicyStatus.DRAFT)
    body = Client().get("/sitemap.xml").content.decode()
    assert "/policies/demo-a/" in body and "/policies/demo-b/" not in body


def test_a_policy_page_lists_the_articles_that_interpret_it() -> None:
    policy = make_policy("demo-a")
    article = make_article("示例政策解读文章")
    article.policies.set([policy])
    page = Client().get("/policies/demo-a/").content.decode()
    assert 'id="policy-articles"' in page and f'href="/news/{article.pk}/"' in page


def test_publish_now_and_withdraw_from_the_admin_list_take_effect_at_once_and_are_audited(
    editor_client: Client,
) -> None:
    scheduled = make_article("明天发布的文章", days_ago=-1)
    draft = make_article("草稿文章", days_ago=None)
    published = make_article("已发布的文章")
    url = "/admin/news/article/"
    response = editor_client.post(
        url, {"action": "publish_now", "_selected_action": [scheduled.pk, draft.pk]}, follow=True
    )
    assert "已发布 2 篇文章" in response.content.decode()
    for article in (scheduled, draft):
        article.refresh_from_db()
        assert article.is_visible()
        assert Client().get(f"/news/{article.pk}/").status_code == 200
    editor_client.post(url, {"action": "withdraw", "_selected_action": [published.pk]})
    published.refresh_from_db()
    assert published.status == ArticleStatus.DRAFT
    assert Client().get(f"/news/{published.pk}/").status_code == 404
    kinds = sorted(AuditEvent.objects.filter(action__startswith="news.").values_list("action", flat=True))
    assert kinds == ["news.article.publish", "news.article.publish", "news.article.withdraw"]


def test_every_news_admin_page_opens_for_an_editor(editor_client: Client) -> None:
    article = make_article("后台页面测试", days_ago=-1)
    article.cover.save("c.png", SimpleUploadedFile("c.png", picture(2)), save=True)
    for url in [
        "/admin/news/",
        "/admin/news/article/",
        "/admin/news/article/add/",
        f"/admin/news/article/{article.pk}/change/",
        "/admin/news/category/",
        f"/admin/news/category/{article.category_id}/change/",
    ]:
        assert editor_client.get(url).status_code == 200, url
    assert "定时发布" in editor_client.get("/admin/news/article/").content.decode()
