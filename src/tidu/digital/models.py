"""A firm's digital-level self-assessments: one draft at a time, submitted results kept for history.

Answers and scores are confidential to the firm and the officials of its jurisdiction (selectors
check that); the latest submitted result is copied to the firm's EnterpriseYear digital_* fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel

CATEGORY_CHOICES = [("manufacturing", _("制造业")), ("producer_services", _("生产性服务业")), ("other", _("其他行业"))]


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Assessment(TimeStampedModel):
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE,
                                   related_name="digital_assessments")
    edition = models.CharField(_("评测指标版本"), max_length=8)
    category = models.CharField(_("评测表类别"), max_length=32, choices=CATEGORY_CHOICES)
    suggested_category = models.CharField(_("按行业代码建议的类别"), max_length=32, choices=CATEGORY_CHOICES)
    category_reason = models.CharField(_("更改类别的理由"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    answers = models.JSONField(_("答案"), default=dict, blank=True)
    questionnaire_digest = models.CharField(_("问卷定义摘要"), max_length=64, blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("等级"), null=True, blank=True)
    result = models.JSONField(_("分项得分"), default=dict, blank=True)
    assessed_on = models.DateField(_("评测日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("数字化水平评测")
        verbose_name_plural = _("数字化水平评测")
        ordering = ("-submitted_at", "-id")
        indexes = (models.Index(fields=["status", "edition", "category"]),)
        constraints = (
            models.UniqueConstraint(fields=["enterprise"], condition=models.Q(status="draft"),
                                    name="digital_one_draft_per_enterprise"),
        )

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.edition}版数字化水平评测（{self.get_status_display()}）"
