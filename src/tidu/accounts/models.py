"""Organisations, memberships, API tokens and failed-login records.

A user belongs to one organisation; what they may see follows from its kind (and, for a
government office, its region and level). Permission helpers live in `tidu.core.permissions`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("中小企业")
    LARGE_ENTERPRISE = "large", _("大企业")
    GOVERNMENT = "government", _("政府主管部门")
    SERVICE_PROVIDER = "provider", _("服务机构")
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


class LoginFailure(models.Model):
    """One failed password attempt; recent ones throttle further attempts (see services.login_*)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M}"
