"""Policies as dated, cited data, and the money they pay (awards and payouts).

A `Policy` is the document (issuer, number, level, region, route); a `PolicyEdition` is what it says
from a date on: machine conditions in the criteria packs' expression language and free-text ones a
person judges, each with its source clause, an amount formula with a cap, and the basis of the change.
A `PolicyBatch` is one round with dates and a budget. An `Award` is a decision to pay a firm under a
batch (by application or 免申即享), a `Payout` one payment of it. See docs/decisions/0089.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class PolicyLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class PolicyCategory(models.TextChoices):
    REWARD = "reward", _("认定奖励")
    TAX = "tax", _("税收优惠")
    RD = "rd", _("研发创新")
    DIGITAL = "digital", _("数字化转型")
    FINANCE = "finance", _("融资支持")
    LISTING = "listing", _("上市培育")
    TALENT = "talent", _("人才支持")
    OTHER = "other", _("其他")


class PolicyRoute(models.TextChoices):
    APPLICATION = "application", _("申报兑现")
    AUTOMATIC = "automatic", _("免申即享")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已废止")


class Policy(TimeStampedModel):
    """One policy document and how its money reaches firms."""

    code = models.SlugField(
        _("政策编号"), max_length=60, unique=True, help_text=_("网址中使用的英文编号，如 gd-zjtx-reward-2025")
    )
    title = models.CharField(_("政策名称"), max_length=200)
    issuer = models.CharField(_("发布机关"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    level = models.CharField(_("政策层级"), max_length=10, choices=PolicyLevel.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("适用地区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("国家级政策留空"),
    )
    in_force_from = models.DateField(_("施行日期"))
    in_force_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效"))
    category = models.CharField(_("类别"), max_length=10, choices=PolicyCategory.choices)
    purpose = models.SlugField(
        _("资金用途键"),
        max_length=40,
        help_text=_("同一用途的奖补不得重复享受：两项政策用途键相同即视为同一用途"),
    )
    route = models.CharField(_("兑现方式"), max_length=12, choices=PolicyRoute.choices)
    interpretation = models.TextField(
        _("政策解读"), help_text=_("用通俗的中文说明谁能享受、能得多少、怎么办")
    )
    original_text = models.TextField(_("政策原文（相关条款）"))
    materials = models.TextField(_("所需材料"), blank=True, help_text=_("每行一项"))
    source_url = models.URLField(_("原文链接"), blank=True)
    reading_notes = models.TextField(
        _("本平台的理解"), blank=True, help_text=_("条款中需要解释的地方，注明哪些是本平台的理解")
    )
    is_sample = models.BooleanField(_("示例政策"), default=False, help_text=_("演示用的虚构政策"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("惠企政策")
        verbose_name_plural = _("惠企政策")
        ordering = ("-in_force_from", "code")

    def __str__(self) -> str:
        return self.title

    @property
    def region_prefix(self) -> str:
        """Firms whose region code starts with this prefix are covered ('' = the whole country)."""
        return self.region.jurisdiction_prefix if self.region is not None else ""

    def in_force_on(self, day: dt.date) -> bool:
        return self.in_force_from <= day and (self.in_force_to is None or day <= self.in_force_to)

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class PolicyEdition(models.Model):
    """What the policy says from `effective_on`: conditions and amount. Editions are never edited in place;
    a change is a new edition with its basis (the revision log)."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="editions"
    )
    effective_on = models.DateField(_("版本生效日期"))
    # [{"id", "label", "kind": "machine"|"text", "expr" (machine), "clause", "evidence", "verified"}]
    conditions = models.JSONField(_("条件"), default=list)
    amount_expr = models.CharField(
        _("金额公式（元）"),
        max_length=500,
        blank=True,
        help_text=_("标准包表达式，结果单位为元，如 500000 或 rd_y1 * 0.1；留空表示按实际核定、不估算"),
    )
    amount_cap_yuan = models.BigIntegerField(_("金额上限（元）"), null=True, blank=True)
    amount_clause = models.CharField(_("金额依据条款"), max_length=200, blank=True)
    basis = models.TextField(_("修订依据"), help_text=_("为什么有这一版：文件、通知或更正"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ("policy_id", "-effective_on")
        constraints = (
            models.UniqueConstraint(fields=["policy", "effective_on"], name="policy_edition_unique"),
        )

    def __str__(self) -> str:
        return f"{self.policy.title}（{self.effective_on:%Y-%m-%d} 版）"

    @property
    def machine_conditions(self) -> list[dict[str, Any]]:
        return [c for c in self.conditions if c.get("kind") == "machine"]

    @property
    def text_conditions(self) -> list[dict[str, Any]]:
        return [c for c in self.conditions if c.get("kind") == "text"]


class PolicyBatch(TimeStampedModel):
    """One round of a policy: when firms may apply (or when the push runs) and its budget."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.CASCADE, related_name="batches"
    )
    name = models.CharField(_("批次名称"), max_length=200)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    budget_yuan = models.BigIntegerField(_("预算（元）"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策批次")
        verbose_name_plural = _("政策批次")
        ordering = ("policy_id", "-opens_on")

    def __str__(self) -> str:
        return f"{self.policy.title} · {self.name}"

    def open_on(self, day: dt.date) -> bool:
        return self.opens_on <= day <= self.closes_on


class AwardStatus(models.TextChoices):
    GRANTED = "granted", _("已决定，待拨付")
    PARTLY_PAID = "partly_paid", _("部分拨付")
    PAID = "paid", _("已拨付")
    REVOKED = "revoked", _("已撤销")


class Award(TimeStampedModel):
    """A decision to pay a firm under one batch of a policy (by application or without one)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="policy_awards",
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="awards"
    )
    edition = models.ForeignKey(
        PolicyEdition, verbose_name=_("依据版本"), on_delete=models.PROTECT, related_name="awards"
    )
    batch = models.ForeignKey(
        PolicyBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="awards"
    )
    amount_yuan = models.BigIntegerField(_("金额（元）"))
    clause = models.CharField(_("依据条款"), max_length=200)
    route = models.CharField(_("兑现方式"), max_length=12, choices=PolicyRoute.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=AwardStatus.choices, default=AwardStatus.GRANTED
    )
    basis = models.TextField(_("决定依据"), blank=True)
    evidence = models.JSONField(
        _("证据"), default=dict, blank=True, help_text=_("决定时使用的数据：字段、值、来源记录")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"))
    filing_ref = models.CharField(
        _("申报记录"), max_length=100, blank=True, help_text=_("由申报兑现的，对应的申报记录编号")
    )
    double_claim = models.BooleanField(_("疑似重复享受"), default=False)
    double_claim_note = models.TextField(_("重复享受说明"), blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)

    class Meta:
        verbose_name = _("奖补决定")
        verbose_name_plural = _("奖补决定")
        ordering = ("-decided_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=["enterprise", "batch"], condition=~Q(status="revoked"), name="award_once_per_batch"
            ),
            models.CheckConstraint(condition=Q(amount_yuan__gt=0), name="award_amount_positive"),
        )

    def __str__(self) -> str:
        return f"{self.policy.title} · {self.enterprise.name}"


class Payout(models.Model):
    """One payment of an award (an award may be paid in parts)."""

    award = models.ForeignKey(
        Award, verbose_name=_("奖补决定"), on_delete=models.PROTECT, related_name="payouts"
    )
    amount_yuan = models.BigIntegerField(_("拨付金额（元）"))
    paid_on = models.DateField(_("拨付日期"))
    reference = models.CharField(_("拨付凭证号"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拨付记录")
        verbose_name_plural = _("拨付记录")
        ordering = ("award_id", "paid_on", "id")
        constraints = (models.CheckConstraint(condition=Q(amount_yuan__gt=0), name="payout_amount_positive"),)

    def __str__(self) -> str:
        return f"{self.award} · {self.paid_on:%Y-%m-%d}"


class PushNotice(models.Model):
    """A firm told by officials that it qualifies under a batch (免申即享 / 政策推送), with the evidence."""

    batch = models.ForeignKey(
        PolicyBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="pushes"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="policy_pushes",
    )
    evidence = models.JSONField(_("证据"), default=dict)
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pushed_at = models.DateTimeField(_("推送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策推送")
        verbose_name_plural = _("政策推送")
        ordering = ("-pushed_at",)
        constraints = (models.UniqueConstraint(fields=["batch", "enterprise"], name="push_once_per_batch"),)

    def __str__(self) -> str:
        return f"{self.batch} → {self.enterprise_id}"


class PolicySubscription(models.Model):
    """A firm asks to be told when a newly published policy may fit it."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="policy_subscription",
    )
    subscribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("订阅人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策订阅")
        verbose_name_plural = _("政策订阅")

    def __str__(self) -> str:
        return f"政策订阅 {self.enterprise_id}"
