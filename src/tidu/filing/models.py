"""The fields every filing has, and the append-only review step, as abstract models (no table here)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class ReviewAction(models.TextChoices):
    APPROVE = "approve", _("通过")
    RETURN = "return", _("退回修改")
    REJECT = "reject", _("不予通过")


class Filing(TimeStampedModel):
    """What a firm froze and signed when it sent the filing; `version` is bumped on every change.

    Each concrete filing declares its own `status` (its choices) and `status_changed_at`."""

    version = models.PositiveIntegerField(_("版本"), default=1)
    frozen_figures = models.JSONField(_("提交时的数据"), default=dict, blank=True)
    frozen_assessment = models.JSONField(_("提交时的自评结果"), default=dict, blank=True)
    pack_edition = models.CharField(_("评价标准版本"), max_length=80, blank=True)
    commitment_text = models.TextField(_("真实性承诺"), blank=True)
    commitment_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承诺人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commitment_signed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        abstract = True


class DecisionStep(models.Model):
    """One official's decision at one level; every filing keeps an append-only list of them."""

    level = models.CharField(_("审核层级"), max_length=12)
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    official_label = models.CharField(_("审核单位"), max_length=200, blank=True)
    action = models.CharField(_("审核结果"), max_length=10, choices=ReviewAction.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.level} {self.get_action_display()}"
