"""News and policy-interpretation articles (政策快讯): categories, articles with a cover and inline images.

An article is visible to the public only when it is published *and* its `published_at` has come: a draft or
a scheduled article is invisible in every channel (list, page, search, feeds, sitemap, images). That one
rule lives in `ArticleQuerySet.visible`, and every read goes through it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel
from tidu.news.validators import validate_news_image


class Category(TimeStampedModel):
    slug = models.SlugField(
        _("英文标识"), max_length=40, unique=True, help_text=_("用于网址，如 interpretation")
    )
    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")
        ordering = ("position", "slug")

    def __str__(self) -> str:
        return self.name


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("发布")


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible(self, now: dt.datetime | None = None) -> ArticleQuerySet:
        """Published and due: what a visitor, a feed reader, a search engine may see."""
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__lte=now or timezone.now())


class Article(TimeStampedModel):
    title = models.CharField(_("标题"), max_length=120)
    category = models.ForeignKey(
        Category, verbose_name=_("栏目"), on_delete=models.PROTECT, related_name="articles"
    )
    summary = models.CharField(
        _("摘要"), max_length=300, help_text=_("列表、订阅源和分享卡片中显示的一两句话")
    )
    body = models.TextField(
        _("正文"),
        help_text=_(
            "Markdown 格式：空一行分段，## 小标题，- 列表，**加粗**。插图写作 ![图片说明](图1)，"
            "“图1”指下方“插图”中序号为 1 的图片。不支持 HTML。"
        ),
    )
    keywords = models.CharField(
        _("关键词"),
        max_length=200,
        blank=True,
        help_text=_("逗号分隔，用于检索和相关文章，如：专精特新,奖励,研发费用"),
    )
    source = models.CharField(_("来源"), max_length=100, blank=True, default="梯度平台编辑部")
    cover = models.ImageField(
        _("封面图"),
        upload_to="news/%Y/%m/",
        blank=True,
        validators=[validate_news_image],
        help_text=_("JPEG、PNG 或 WebP，不超过 2 MB；分享到微信等处时作为缩略图"),
    )
    cover_alt = models.CharField(_("封面图说明"), max_length=120, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("发布时间"),
        null=True,
        blank=True,
        help_text=_("状态为“发布”而不填时间即立即发布；填将来的时间即定时发布，到点前任何地方都看不到"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_count = models.PositiveIntegerField(_("阅读数"), default=0, editable=False)
    policies = models.ManyToManyField(
        "policies.Policy",
        verbose_name=_("解读的政策"),
        blank=True,
        related_name="articles",
        help_text=_("本文解读或涉及的政策；政策页面的“政策解读”栏会列出本文"),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ("-published_at", "-id")
        indexes = (models.Index(fields=["status", "published_at"]), models.Index(fields=["-read_count"]))
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="news_published_has_time",
            ),
        )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("news:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        """Publishing without a time publishes now (what an editor who picks 发布 means)."""
        if self.status == ArticleStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]

    def is_visible(self, now: dt.datetime | None = None) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    @property
    def state_label(self) -> str:
        """草稿 / 定时发布 / 已发布: how editors see it in the admin."""
        if self.status != ArticleStatus.PUBLISHED:
            return str(_("草稿"))
        return str(_("已发布")) if self.is_visible() else str(_("定时发布"))


class ArticleImage(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("文章")
    )
    number = models.PositiveSmallIntegerField(
        _("序号"), help_text=_("正文中写 ![说明](图1) 引用序号 1 的图片")
    )
    image = models.ImageField(_("图片"), upload_to="news/%Y/%m/", validators=[validate_news_image])
    caption = models.CharField(_("图片说明"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("插图")
        verbose_name_plural = _("插图")
        ordering = ("article", "number")
        constraints = (
            models.UniqueConstraint(fields=["article", "number"], name="news_image_number_unique"),
        )

    def __str__(self) -> str:
        return f"图{self.number}"
