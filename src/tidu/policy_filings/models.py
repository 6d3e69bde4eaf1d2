"""A firm's application under one batch of a policy (申报兑现), its review steps and its materials.

State only changes through `tidu.policy_filings.services`. The filing freezes the firm's figures (with
their provenance marks) and the policy's verdict and estimated amount when it is submitted; the decision
at the top level creates the `policies.Award`, whose payouts the firm then follows here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.filing.models import DecisionStep, Filing


class PolicyFilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COUNTY = "county", _("县级审核中")
    CITY = "city", _("市级审核中")
    PROVINCE = "province", _("省级审核中")
    NATIONAL = "national", _("国家级审核中")
    RETURNED = "returned", _("已退回修改")
    REJECTED = "rejected", _("不予支持")
    APPROVED = "approved", _("已核定金额")


EDITABLE = (PolicyFilingStatus.DRAFT, PolicyFilingStatus.RETURNED)
IN_REVIEW = (
    PolicyFilingStatus.COUNTY,
    PolicyFilingStatus.CITY,
    PolicyFilingStatus.PROVINCE,
    PolicyFilingStatus.NATIONAL,
)


class PolicyFiling(Filing):
    """One firm's application under one batch. `version` guards every change (tidu.filing.workflow)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="policy_filings",
    )
    batch = models.ForeignKey(
        "policies.PolicyBatch", verbose_name=_("政策批次"), on_delete=models.PROTECT, related_name="filings"
    )
    edition = models.ForeignKey(
        "policies.PolicyEdition",
        verbose_name=_("依据版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PolicyFilingStatus.choices,
        default=PolicyFilingStatus.DRAFT,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("进入当前状态时间"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("数据所属会计年度"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    statement = models.TextField(
        _("申请说明"), blank=True, help_text=_("简要说明申请事项、项目情况和依据，审核部门将据此核实")
    )
    estimated_yuan = models.BigIntegerField(_("测算金额（元）"), null=True, blank=True)
    approved_yuan = models.BigIntegerField(_("核定金额（元）"), null=True, blank=True)
    award = models.OneToOneField(
        "policies.Award",
        verbose_name=_("奖补决定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filing",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("政策申报")
        verbose_name_plural = _("政策申报")
        ordering = ("-updated_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("enterprise", "batch"), name="policy_filings_one_per_batch"),
        )

    def __str__(self) -> str:
        return f"{self.reference} {self.enterprise.name}"

    @property
    def reference(self) -> str:
        """The number firms and officials quote; the award records it as its `filing_ref`."""
        return f"ZCSB-{self.pk:06d}" if self.pk else "ZCSB-（未保存）"

    @property
    def policy(self) -> models.Model:
        return self.batch.policy


class PolicyFilingStep(DecisionStep):
    """One official's decision on a policy application at one level."""

    filing = models.ForeignKey(
        PolicyFiling, verbose_name=_("政策申报"), on_delete=models.CASCADE, related_name="steps"
    )

    class Meta(DecisionStep.Meta):
        verbose_name = _("政策申报审核记录")
        verbose_name_plural = _("政策申报审核记录")


class PolicyAttachment(models.Model):
    """One file for one item of the policy's materials list (`material`, its text), stored by SHA-256 with
    the journey's attachments (tidu.journey.storage) and served only through a permission-checked view."""

    filing = models.ForeignKey(
        PolicyFiling, verbose_name=_("政策申报"), on_delete=models.CASCADE, related_name="attachments"
    )
    material = models.CharField(_("对应材料"), max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(_("存储名"), max_length=64, db_index=True)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("政策申报材料")
        verbose_name_plural = _("政策申报材料")
        ordering = ("uploaded_at", "id")
        constraints = (
            models.UniqueConstraint(fields=("filing", "sha256"), name="policy_filings_one_copy_per_filing"),
        )

    def __str__(self) -> str:
        return self.original_name
