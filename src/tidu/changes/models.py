"""重大变化报告: a firm reports a change of its name, registered region, ownership or main business; the
county holding it (and, for a move, the receiving county too) reviews; only an approved report changes the
register, and every changed value is kept in `RegisterChange` (old, new, effective date, approver, when).

domain/tiers.md §9 "change reporting": renaming, merger, restructuring, moving to another province … must
be reported on the platform within 3 months. State changes only through `tidu.changes.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel
from tidu.journey.models import DecisionStep


class ChangeKind(models.TextChoices):
    NAME = "name", _("名称")
    REGION = "region", _("注册地（行政区划）")
    OWNERSHIP = "ownership", _("所有制/股权结构")
    INDUSTRY = "industry", _("主营业务/行业")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待主管部门审核")
    RETURNED = "returned", _("已退回修改")
    APPROVED = "approved", _("已核准")


OPEN_STATUSES = (ChangeStatus.PENDING, ChangeStatus.RETURNED)


class Side(models.TextChoices):
    """Who must approve: the county holding the firm now, and for a move the county receiving it."""

    ORIGIN = "origin", _("所在地主管部门")
    DESTINATION = "destination", _("迁入地主管部门")


class ChangeReport(TimeStampedModel):
    """One report of one or more changes. The `old_*` values are the register's when the report was (re)submitted;
    `version` is bumped on every change (optimistic locking, as the journey's applications)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="change_reports")
    kinds = models.JSONField(_("变化事项"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    old_name = models.CharField(_("原名称"), max_length=200)
    new_name = models.CharField(_("新名称"), max_length=200, blank=True)
    old_region = models.ForeignKey("regions.Region", verbose_name=_("原注册地"), on_delete=models.PROTECT,
                                   related_name="+")
    new_region = models.ForeignKey("regions.Region", verbose_name=_("新注册地"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    old_industry_code = models.CharField(_("原行业代码"), max_length=5)
    new_industry_code = models.CharField(_("新行业代码"), max_length=5, blank=True)
    new_ownership = models.CharField(_("变化后的所有制/股权结构"), max_length=200, blank=True)
    effective_on = models.DateField(_("变化生效日期"))
    explanation = models.TextField(_("情况说明"))
    late = models.BooleanField(_("逾期报告"), default=False,
                               help_text=_("提交时距变化生效已超过3个月"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("进入当前状态时间"), null=True, blank=True)
    origin_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("所在地核准人"), null=True,
                                           blank=True, on_delete=models.SET_NULL, related_name="+")
    origin_approved_at = models.DateTimeField(_("所在地核准时间"), null=True, blank=True)
    destination_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("迁入地核准人"),
                                                null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    destination_approved_at = models.DateTimeField(_("迁入地核准时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("核准生效时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("重大变化报告")
        verbose_name_plural = _("重大变化报告")
        ordering = ("-created_at", "-id")
        constraints = (
            # One report under way per firm: two at once could each approve a different "new" name.
            models.UniqueConstraint(fields=("enterprise",), condition=models.Q(status__in=("pending", "returned")),
                                    name="changes_one_open_report_per_firm"),
        )

    def __str__(self) -> str:
        return f"{self.old_name} 重大变化报告"

    def kind_labels(self) -> list[str]:
        return [str(ChangeKind(k).label) for k in self.kinds if k in ChangeKind.values]

    @property
    def moves(self) -> bool:
        """A change of region: the receiving county approves as well."""
        return ChangeKind.REGION in self.kinds and self.new_region_id is not None

    def sides_needed(self) -> list[str]:
        return [Side.ORIGIN, Side.DESTINATION] if self.moves else [Side.ORIGIN]

    def approved_sides(self) -> list[str]:
        return [s for s, at in ((Side.ORIGIN, self.origin_approved_at),
                                (Side.DESTINATION, self.destination_approved_at)) if at is not None]


class ChangeStep(DecisionStep):
    """One official's decision on a report; `level` holds the side (origin / destination)."""

    report = models.ForeignKey(ChangeReport, verbose_name=_("重大变化报告"), on_delete=models.CASCADE,
                               related_name="steps")

    class Meta(DecisionStep.Meta):
        verbose_name = _("变化报告审核记录")
        verbose_name_plural = _("变化报告审核记录")


class ChangeAttachment(models.Model):
    """Evidence (new 营业执照 …): checked like the journey's attachments, kept by `tidu.changes.evidence`."""

    report = models.ForeignKey(ChangeReport, verbose_name=_("重大变化报告"), on_delete=models.CASCADE,
                               related_name="attachments")
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(_("存储名"), max_length=64, help_text=_("内容的 SHA-256（tidu.changes.evidence）"))
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return self.original_name


class RegisterField(models.TextChoices):
    NAME = "name", _("企业名称")
    REGION = "region", _("注册地")
    INDUSTRY = "industry_code", _("国民经济行业代码")
    OWNERSHIP = "ownership", _("所有制/股权结构")


class RegisterChange(models.Model):
    """The history of a firm's identity: one row per value an approved report changed. Never edited."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="register_changes")
    report = models.ForeignKey(ChangeReport, verbose_name=_("重大变化报告"), on_delete=models.PROTECT,
                               related_name="register_changes")
    field = models.CharField(_("变更事项"), max_length=16, choices=RegisterField.choices)
    old_value = models.CharField(_("变更前"), max_length=200, blank=True)
    new_value = models.CharField(_("变更后"), max_length=200)
    effective_on = models.DateField(_("变化生效日期"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核准人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_by_label = models.CharField(_("核准单位"), max_length=200, blank=True)
    approved_at = models.DateTimeField(_("核准时间"))

    class Meta:
        verbose_name = _("登记信息变更记录")
        verbose_name_plural = _("登记信息变更记录")
        ordering = ("approved_at", "id")
        indexes = (models.Index(fields=("enterprise", "field", "approved_at"), name="register_change_history"),)

    def __str__(self) -> str:
        return f"{self.get_field_display()}：{self.old_value} → {self.new_value}"
