"""The service list (服务清单): providers, their offers, firms' requests and ratings.

- A `Provider` is the profile of a service-provider organisation; officials of its home region approve it.
- A `ServiceOffer` is one entry of the list: draft → submitted → listed (approved by an official whose
  jurisdiction covers every region it serves) → withdrawn; a refused one goes back to the provider.
- A `ServiceRequest` is a firm asking for an offer; its `due_on` is the promised response time counted in
  Chinese working days from the next working day after submission. The provider accepts, replies, marks it
  done or declines (with a reason); the firm rates it once, after it is done.
State changes go only through `tidu.service_catalog.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class Category(models.TextChoices):
    POLICY = "policy", _("政策解读")
    CULTIVATION = "cultivation", _("梯度培育")
    FINANCING = "financing", _("融资上市")
    DIGITAL = "digital", _("数字化转型")
    LEGAL = "legal", _("法律服务")
    TALENT = "talent", _("人才服务")
    IP = "ip", _("知识产权")
    TESTING = "testing", _("检验检测")
    MANAGEMENT = "management", _("管理咨询")


class ProviderStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("未通过")


class Provider(TimeStampedModel):
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("机构"),
        on_delete=models.PROTECT,
        related_name="service_provider",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在地"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("由所在地主管部门审核"),
    )
    intro = models.TextField(_("机构简介"))
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProviderStatus.choices,
        default=ProviderStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")
        ordering = ("organisation__name",)

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    LISTED = "listed", _("已上架")
    REJECTED = "rejected", _("审核未通过")
    WITHDRAWN = "withdrawn", _("已下架")


EDITABLE_OFFER_STATUSES = (OfferStatus.DRAFT, OfferStatus.REJECTED, OfferStatus.WITHDRAWN)


class ServiceOffer(TimeStampedModel):
    provider = models.ForeignKey(
        Provider, verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="offers"
    )
    title = models.CharField(_("服务名称"), max_length=120)
    category = models.CharField(_("服务类别"), max_length=16, choices=Category.choices, db_index=True)
    description = models.TextField(_("服务内容"))
    how_to_request = models.TextField(_("申请方式"), help_text=_("企业需准备什么、服务如何开展"))
    free = models.BooleanField(_("免费"), default=True)
    price_yuan = models.BigIntegerField(
        _("收费（元）"),
        null=True,
        blank=True,
        help_text=_("收费服务的参考价格，以元存储，页面以万元录入和显示"),
    )
    price_note = models.CharField(_("收费说明"), max_length=200, blank=True)
    response_days = models.PositiveSmallIntegerField(
        _("承诺响应时间（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    regions = models.ManyToManyField("regions.Region", verbose_name=_("服务地区"), related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    listed_at = models.DateTimeField(_("上架时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ("category", "title", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(free=True, price_yuan__isnull=True)
                | models.Q(free=False, price_yuan__gte=0),
                name="offer_price_matches_free",
            ),
        )

    def __str__(self) -> str:
        return self.title


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待响应")
    ACCEPTED = "accepted", _("服务中")
    DONE = "done", _("已完成")
    DECLINED = "declined", _("已婉拒")


OPEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED)


class ServiceRequest(TimeStampedModel):
    offer = models.ForeignKey(
        ServiceOffer, verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="requests"
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="requests",
        help_text=_("冗余保存，便于按机构筛选"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    need = models.TextField(_("服务需求"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
        db_index=True,
    )
    submitted_on = models.DateField(_("提交日期"))
    due_on = models.DateField(_("应响应日期"), help_text=_("按承诺响应时间（工作日）计算"))
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("婉拒时间"), null=True, blank=True)
    decline_reason = models.TextField(_("婉拒理由"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("服务申请")
        verbose_name_plural = _("服务申请")
        ordering = ("-submitted_on", "-id")
        indexes = (models.Index(fields=("provider", "status")), models.Index(fields=("enterprise", "status")))

    def __str__(self) -> str:
        return f"{self.offer.title} · {self.enterprise.name}"


class Side(models.TextChoices):
    FIRM = "firm", _("企业")
    PROVIDER = "provider", _("服务机构")


class RequestMessage(models.Model):
    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("服务申请"), on_delete=models.CASCADE, related_name="messages"
    )
    side = models.CharField(_("发言方"), max_length=16, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发言人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("内容"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ("at", "id")

    def __str__(self) -> str:
        return self.text[:40]


class Rating(models.Model):
    """One per request (the firm rates once), only after the provider marked it done."""

    request = models.OneToOneField(
        ServiceRequest, verbose_name=_("服务申请"), on_delete=models.CASCADE, related_name="rating"
    )
    offer = models.ForeignKey(
        ServiceOffer, verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="ratings"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("评价"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ("-at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        )

    def __str__(self) -> str:
        return f"{self.score}★ {self.offer}"
