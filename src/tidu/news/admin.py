"""Editors write in Django's admin: drafts, scheduled publishing, a cover and numbered inline images.
Saves go through `services.article_save`, so every change is audited."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tidu.news import services
from tidu.news.models import Article, ArticleImage, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields: ClassVar[dict[str, Sequence[str]]] = {"slug": ("name",)}


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    extra = 1


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "state", "published_at", "read_count", "updated_at")
    list_filter = ("status", "category")
    search_fields = ("title", "keywords", "summary")
    date_hierarchy = "published_at"
    readonly_fields = ("read_count", "author")
    fieldsets = (
        (None, {"fields": ("title", "category", "summary", "body", "keywords", "source", "policies")}),
        (_("封面"), {"fields": ("cover", "cover_alt")}),
        (_("发布"), {"fields": ("status", "published_at", "author", "read_count")}),
    )
    inlines = (ArticleImageInline,)
    filter_horizontal = ("policies",)

    actions = ("publish_now", "withdraw")

    @admin.action(description=_("立即发布所选文章"))
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.article_publish(actor=request.user, article=article)
        self.message_user(request, _("已发布 %(n)d 篇文章。") % {"n": queryset.count()})

    @admin.action(description=_("撤回所选文章（改为草稿）"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.article_withdraw(actor=request.user, article=article)
        self.message_user(request, _("已撤回 %(n)d 篇文章，现为草稿。") % {"n": queryset.count()})

    @admin.display(description=_("状态"))
    def state(self, obj: Article) -> str:
        return obj.state_label

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        before = Article.objects.filter(pk=obj.pk).first() if change else None
        services.article_save(actor=request.user, article=obj, before=before)
