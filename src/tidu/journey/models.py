"""The cultivation journey: rounds, applications and their review steps, attachments, publicity,
objections and recognitions.

State only changes through `tidu.journey.services`; every change writes an audit event. An
application freezes its figures and the engine's assessment when it is submitted, so later edits of
the register or new pack editions never rewrite what the officials reviewed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel
from tidu.filing.models import DecisionStep, Filing, ReviewAction

__all__ = ["DecisionStep", "ReviewAction"]  # the shared workflow's, named here for the journey's callers


class Tier(models.TextChoices):
    INNOVATIVE_SME = "innovative_sme", _("创新型中小企业")
    SPECIALIZED_SME = "specialized_sme", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”企业")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("受理中")
    CLOSED = "closed", _("已截止")


class ApplicationRound(TimeStampedModel):
    """A call for applications set by officials for a region (province, or the whole country) and a tier."""

    name = models.CharField(_("批次名称"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("受理地区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("留空表示全国"),
    )
    tier = models.CharField(_("梯度层级"), max_length=20, choices=Tier.choices)
    opens_on = models.DateField(_("开始受理"))
    deadline = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ("-opens_on", "-id")

    def __str__(self) -> str:
        return self.name

    @property
    def region_prefix(self) -> str:
        """Firms whose region code starts with this prefix may apply ('' = anywhere)."""
        return self.region.jurisdiction_prefix if self.region is not None else ""

    def accepts_on(self, day: dt.date) -> bool:
        return self.status == RoundStatus.OPEN and self.opens_on <= day <= self.deadline


class AppStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COUNTY = "county", _("县级审核中")
    CITY = "city", _("市级审核中")
    PROVINCE = "province", _("省级审核中")
    NATIONAL = "national", _("国家级审核中")
    APPROVED = "approved", _("审核通过，待公示")
    PUBLICITY = "publicity", _("公示中")
    RECOGNISED = "recognised", _("已认定")
    RETURNED = "returned", _("已退回修改")
    REJECTED = "rejected", _("未通过")


REVIEW_STATUSES = (AppStatus.COUNTY, AppStatus.CITY, AppStatus.PROVINCE, AppStatus.NATIONAL)
EDITABLE_STATUSES = (AppStatus.DRAFT, AppStatus.RETURNED)


class Application(Filing):
    """One firm's application in one round: a filing (tidu.filing) that is locked before it is submitted."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="applications"
    )
    round = models.ForeignKey(ApplicationRound, verbose_name=_("申报批次"), on_delete=models.PROTECT,
                              related_name="applications")
    fiscal_year = models.PositiveSmallIntegerField(_("数据所属会计年度"))
    status = models.CharField(_("状态"), max_length=12, choices=AppStatus.choices, default=AppStatus.DRAFT,
                              db_index=True)
    # Set when the firm locks the application (figures, marks, assessment and commitment frozen, the 申报书
    # printable); kept through submission and review; cleared by unlocking and by a return for revision
    # (docs/decisions/0079-lock-print-stamp-submit.md).
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("进入当前状态时间"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ("-updated_at", "-id")
        constraints = (models.UniqueConstraint(fields=("enterprise", "round"), name="journey_one_application_per_round"),)

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.round.get_tier_display()}"

    @property
    def tier(self) -> str:
        return self.round.tier

    @property
    def evaluation_year(self) -> int:
        return self.fiscal_year + 1

    @property
    def locked(self) -> bool:
        """Frozen for printing: the firm may only add or remove the stamped copy until it unlocks."""
        return self.locked_at is not None


class ReviewStep(DecisionStep):
    """One official's decision on an application at one level."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE, related_name="steps")

    class Meta(DecisionStep.Meta):
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")


class AttachmentKind(models.TextChoices):
    """What an attachment is; which kinds a tier asks for is data in `tidu.journey.checklist`."""

    BUSINESS_LICENCE = "business_licence", _("营业执照")
    FINANCIAL_REPORT = "financial_report", _("审计报告 / 财务报表")
    IP_PROOF = "ip_proof", _("知识产权证明")
    RD_AUDIT = "rd_audit", _("研发费用专项审计/鉴证报告")
    FINANCING_PROOF = "financing_proof", _("股权融资证明")
    STAMPED_FORM = "stamped_form", _("盖章申报书")
    OTHER = "other", _("其他")


class Attachment(models.Model):
    """A PDF or image of one kind, stored under var/ by its SHA-256 (the same bytes are kept once however
    many applications attach them); served only by a permission-checked view.

    A stamped copy of the 申报书 records the fingerprint of the lock it was printed from
    (`form_fingerprint`): it counts for submission only while that lock is the application's."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE,
                                    related_name="attachments")
    kind = models.CharField(_("材料类型"), max_length=20, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    original_name = models.CharField(_("文件名"), max_length=200)
    stored_name = models.CharField(_("存储名"), max_length=64, db_index=True)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    form_fingerprint = models.CharField(_("对应申报书数据指纹"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ("uploaded_at", "id")
        constraints = (models.UniqueConstraint(fields=("application", "sha256"),
                                               name="journey_one_copy_of_a_file_per_application"),)

    def __str__(self) -> str:
        return self.original_name


class PublicitySetting(models.Model):
    """How many working days publicity lasts in a jurisdiction for a tier (domain: varies by province)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("地区"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+", help_text=_("留空表示全国默认"))
    tier = models.CharField(_("梯度层级"), max_length=20, choices=Tier.choices)
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))

    class Meta:
        verbose_name = _("公示期设置")
        verbose_name_plural = _("公示期设置")
        constraints = (models.UniqueConstraint(fields=("region", "tier"), name="journey_one_setting_per_region_tier"),)

    def __str__(self) -> str:
        return f"{self.region or '全国'} {self.get_tier_display()} {self.working_days}个工作日"


class CalendarDay(models.Model):
    """An administrator's entry for a day the calendar package does not know (a year not yet covered)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("如 春节、调休上班"))

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ("day",)

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_workday else '休息日'}"


class PublicityStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    DECIDED = "decided", _("已作出认定决定")


class Publicity(TimeStampedModel):
    """The list of approved applications of a round, published for objections for N working days."""

    round = models.ForeignKey(ApplicationRound, verbose_name=_("申报批次"), on_delete=models.PROTECT,
                              related_name="publicities")
    title = models.CharField(_("公示标题"), max_length=200)
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    end_provisional = models.BooleanField(_("截止日期待定"), default=False,
                                          help_text=_("跨入节假日安排尚未公布的年份，仅按周末计算"))
    status = models.CharField(_("状态"), max_length=10, choices=PublicityStatus.choices, default=PublicityStatus.OPEN)
    applications = models.ManyToManyField(Application, verbose_name=_("公示名单"), related_name="publicities")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ("-starts_on", "-id")
        # One notice per title across the platform (decision 0080): the public cites a notice by it.
        constraints = (models.UniqueConstraint(fields=("title",), name="journey_publicity_title_unique"),)

    def __str__(self) -> str:
        return self.title


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """An objection lodged during publicity by anyone; an official resolves it before the decision."""

    publicity = models.ForeignKey(Publicity, verbose_name=_("公示"), on_delete=models.CASCADE,
                                  related_name="objections")
    application = models.ForeignKey(Application, verbose_name=_("对象"), on_delete=models.CASCADE,
                                    related_name="objections")
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人账号"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    contact_name = models.CharField(_("提出人姓名"), max_length=50, blank=True)  # blank only on older rows
    contact = models.CharField(_("联系方式"), max_length=200, help_text=_("手机号码或电子邮箱"))
    text = models.TextField(_("异议内容"))
    # Where an objection came from: limits how many one address may lodge (services.OBJECTION_LIMITS).
    lodged_from = models.GenericIPAddressField(_("提出人IP地址"), null=True, blank=True, db_index=True)
    lodged_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ("lodged_at", "id")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_status_display()}"


class Recognition(TimeStampedModel):
    """A recognised title: number, tier, validity; revoked with a recorded reason."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="recognitions")
    application = models.OneToOneField(Application, verbose_name=_("申报"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="recognition")
    tier = models.CharField(_("梯度层级"), max_length=20, choices=Tier.choices)
    number = models.CharField(_("认定编号"), max_length=40, unique=True)
    issuing_region = models.ForeignKey("regions.Region", verbose_name=_("认定地区"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), db_index=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # The firm's registered name and region when the title was granted: the register may change later, but
    # only through an approved 重大变化报告 (tidu.changes), and the list and certificate then show both.
    granted_name = models.CharField(_("认定时企业名称"), max_length=200, blank=True)
    granted_region = models.ForeignKey("regions.Region", verbose_name=_("认定时注册地"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("认定")
        verbose_name_plural = _("认定")
        ordering = ("-valid_from", "number")

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A title created without them (imported, made in a shell) records the firm's name and region now."""
        if self._state.adding and not self.granted_name:
            self.granted_name = self.enterprise.name
        if self._state.adding and self.granted_region_id is None:
            self.granted_region_id = self.enterprise.region_id
        super().save(*args, **kwargs)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def former_name(self) -> str:
        """The name the title was granted under, when the firm has since been renamed (else '')."""
        return self.granted_name if self.granted_name and self.granted_name != self.enterprise.name else ""


class ReReviewStatus(models.TextChoices):
    REQUESTED = "requested", _("待企业提交")
    RETURNED = "returned", _("已退回企业修改")
    COUNTY = "county", _("县级审核中")
    CITY = "city", _("市级审核中")
    PROVINCE = "province", _("省级审核中")
    NATIONAL = "national", _("国家级审核中")
    PASSED = "passed", _("复核通过")
    FAILED = "failed", _("复核未通过")


REREVIEW_FIRM_STATUSES = (ReReviewStatus.REQUESTED, ReReviewStatus.RETURNED)
REREVIEW_DONE_STATUSES = (ReReviewStatus.PASSED, ReReviewStatus.FAILED)


class ReReview(Filing):
    """The review (复核) of a recognition nearing expiry: opened by officials, the firm confirms its latest
    figures and submits (frozen like an application), officials decide. Passing extends the validity
    (docs/decisions/0071-re-review.md); failing leaves the title to lapse at its expiry, with the reason.
    `version` is bumped on every change (optimistic locking)."""

    recognition = models.ForeignKey(Recognition, verbose_name=_("认定"), on_delete=models.PROTECT,
                                    related_name="rereviews")
    status = models.CharField(_("状态"), max_length=12, choices=ReReviewStatus.choices,
                              default=ReReviewStatus.REQUESTED, db_index=True)
    fiscal_year = models.PositiveSmallIntegerField(_("数据所属会计年度"))
    status_changed_at = models.DateTimeField(_("进入当前状态时间"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    old_valid_until = models.DateField(_("复核前有效期至"))
    new_valid_until = models.DateField(_("复核后有效期至"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)

    class Meta:
        verbose_name = _("复核")
        verbose_name_plural = _("复核")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("recognition",), condition=~models.Q(status__in=("passed", "failed")),
                                    name="journey_one_open_rereview_per_recognition"),
        )

    def __str__(self) -> str:
        return f"{self.recognition.number} 复核"

    @property
    def tier(self) -> str:
        return self.recognition.tier

    @property
    def evaluation_year(self) -> int:
        return self.fiscal_year + 1


class ReReviewStep(DecisionStep):
    """One official's decision on a re-review at one level."""

    rereview = models.ForeignKey(ReReview, verbose_name=_("复核"), on_delete=models.CASCADE, related_name="steps")

    class Meta(DecisionStep.Meta):
        verbose_name = _("复核审核记录")
        verbose_name_plural = _("复核审核记录")


class ReReviewSetting(models.Model):
    """How many days before expiry a jurisdiction starts re-reviews (domain: review rounds vary by province)."""

    region = models.OneToOneField("regions.Region", verbose_name=_("地区"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+", help_text=_("留空表示全国默认"))
    window_days = models.PositiveSmallIntegerField(_("到期前多少天进入复核期"))

    class Meta:
        verbose_name = _("复核期设置")
        verbose_name_plural = _("复核期设置")
        constraints = (
            # One row per region (the one-to-one) and one national default: NULLs never collide in a plain
            # unique index, so the default is indexed as '' (no region code is empty).
            models.UniqueConstraint(Coalesce("region", Value("")), name="journey_one_rereview_window_per_region",
                                    violation_error_message=_("全国默认的复核期只能设置一条，请修改已有的设置。")),
        )

    def __str__(self) -> str:
        return f"{self.region or '全国'} 到期前{self.window_days}天"
