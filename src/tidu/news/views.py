"""Public pages of the news feed: list by category with search and the hot list, an article with related
ones, and its images (served only while the article is visible, or to an editor)."""

from __future__ import annotations

import functools
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from tidu.core.errors import TiduError
from tidu.core.http import render_error
from tidu.core.permissions import can_open_admin_site
from tidu.news import selectors, services
from tidu.news.markup import render_body
from tidu.news.models import Article, ArticleImage

PAGE_SIZE = 12


def absolute(request: HttpRequest, path: str) -> str:
    """An address to share: TIDU_PUBLIC_URL when set (behind a proxy), else the one the request came to."""
    base = str(getattr(settings, "TIDU_PUBLIC_URL", "") or "").rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages anyone may open; a TiduError (an unknown or unpublished article) becomes its error page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except TiduError as error:
            return render_error(request, error)

    return wrapper


def image_url(name: str) -> str:
    return reverse("news:media", kwargs={"name": name})


@require_safe
@public_view
def article_list(request: HttpRequest) -> HttpResponse:
    slug = (request.GET.get("category") or "").strip()
    q = (request.GET.get("q") or "").strip()[:100]
    category = selectors.categories().filter(slug=slug).first() if slug else None
    if q:
        found: Any = selectors.article_search(q, category=category)
    else:
        found = selectors.visible_articles(category=category)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "news/list.html",
        {
            "page": page,
            "q": q,
            "category": category,
            "categories": selectors.categories(),
            "hot": selectors.hot_articles(),
            # a section is its own page for search engines; search results and later pages are not
            "canonical": absolute(
                request, reverse("news:list") + (f"?category={category.slug}" if category is not None else "")
            ),
        },
    )


@require_safe
@public_view
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_for(request.user, pk)
    if services.article_read_record(article=article, request=request):
        article.read_count += 1
    images = {img.number: (image_url(str(img.image.name)), img.caption) for img in article.images.all()}
    return render(
        request,
        "news/detail.html",
        {
            "article": article,
            "body": render_body(article.body, images),
            "related": selectors.related_articles(article),
            "hot": selectors.hot_articles(),
            "preview": not article.is_visible(),
            "canonical": absolute(request, article.get_absolute_url()),
            "cover_url": absolute(request, image_url(str(article.cover.name))) if article.cover else "",
            "policies": selectors.policies_of(article),
        },
    )


@require_safe
def media(request: HttpRequest, name: str) -> HttpResponseBase:
    """An article's cover or inline image, only while the article is visible (a scheduled article's
    pictures do not leak before it does) or to an editor previewing it."""
    article_ids = set(Article.objects.filter(cover=name).values_list("id", flat=True))
    article_ids |= set(ArticleImage.objects.filter(image=name).values_list("article_id", flat=True))
    allowed = bool(article_ids) and (
        can_open_admin_site(request.user) or Article.objects.visible().filter(id__in=article_ids).exists()
    )
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not allowed or not path.is_relative_to(root / "news") or not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response
