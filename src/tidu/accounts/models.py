"""Organisations, memberships, API tokens and failed-login records.

A user belongs to one organisation; what they may see follows from its kind (and, for a
government office, its region and level). Permission helpers live in `tidu.core.permissions`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("中小企业")
    LARGE_ENTERPRISE = "large", _("大企业")
    GOVERNMENT = "government", _("政府主管部门")
    SERVICE_PROVIDER = "provider", _("服务机构")
    INNOVATION_PLATFORM = "innovation", _("创新平台")
    PLATFORM_ADMIN = "platform", _("平台管理")


class GovLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class Organisation(TimeStampedModel):
    kind = models.CharField(_("机构类型"), max_length=16, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("机构名称"), max_length=200)
    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("对应企业"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="organisation",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("辖区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("政府主管部门的辖区；国家级留空"),
    )
    gov_level = models.CharField(_("行政级别"), max_length=16, choices=GovLevel.choices, blank=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ("kind", "name")
        constraints = (
            models.CheckConstraint(
                condition=~models.Q(kind="enterprise") | models.Q(enterprise__isnull=False),
                name="org_enterprise_has_enterprise",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="government") | ~models.Q(gov_level=""),
                name="org_government_has_level",
            ),
        )

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="memberships"
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class ApiToken(models.Model):
    """A per-user API key. Only its SHA-256 digest is stored; the key is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途说明"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Invitation(models.Model):
    """A one-time link an official sends to a firm of the register that has no account.

    Only the SHA-256 of the token is stored; the link is in the e-mail alone. A new invitation to the
    same firm revokes the earlier unused ones (see services.invitation_create).
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("发送邮箱"))
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("邀请人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("邀请时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("开通的账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("开通邀请")
        verbose_name_plural = _("开通邀请")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.email}"

    def state(self, now: Any) -> str:
        """One of: used, revoked, expired, open."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"


class RequestKind(models.TextChoices):
    CLAIM = "claim", _("认领名录中的企业")
    NEW_FIRM = "new_firm", _("新企业注册")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACCEPTED = "accepted", _("已开通，待核对")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("已驳回")


class AccountRequest(TimeStampedModel):
    """A self-registration the firm's county has to look at.

    - a claim: the credit code is in the register and the firm has no account; the user exists but
      joins the firm only when an official confirms;
    - a new firm held for the county (its credit code was issued in another province, or by an
      authority whose region code is unknown): the firm enters the register only on confirmation;
    - a new firm accepted at once but flagged (code issued elsewhere in the same province): status
      ACCEPTED until an official has looked at it.
    `review_region` is whose queue it is in: the register's region for a claim, the chosen one otherwise.
    """

    kind = models.CharField(_("类型"), max_length=16, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=RequestStatus.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人账号"), on_delete=models.CASCADE, related_name="account_requests"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="account_requests",
    )
    review_region = models.ForeignKey(
        "regions.Region", verbose_name=_("审核地"), on_delete=models.PROTECT, related_name="+"
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    name = models.CharField(_("填写的企业名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所选注册地"), on_delete=models.PROTECT, related_name="+"
    )
    industry_code = models.CharField(_("国民经济行业代码"), max_length=5)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    email = models.EmailField(_("联系邮箱"))
    flags = models.JSONField(_("提示"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    reason = models.TextField(_("驳回理由"), blank=True)

    class Meta:
        verbose_name = _("注册与认领申请")
        verbose_name_plural = _("注册与认领申请")
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["status", "review_region"]),)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.credit_code} {self.name}"
