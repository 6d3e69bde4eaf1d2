"""A threshold sandbox run: who asked, which thresholds were changed to what, and the answer once the
job has computed it (kept so the official can reopen it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.models import TimeStampedModel


class SandboxRun(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sandbox_runs",
        verbose_name=_("提交人"),
    )
    # The region-code prefix of the owner's jurisdiction when the run was made ('' = the whole country).
    scope_prefix = models.CharField(_("辖区代码前缀"), max_length=6, blank=True)
    standard = models.CharField(_("认定标准"), max_length=40)
    edition = models.CharField(_("版本"), max_length=20)
    # [{id, condition, clause, document, field, op, unit, old, new}] in the units shown (万元, %).
    edits = models.JSONField(_("修改的门槛"), default=list)
    pack_digest = models.CharField(_("现行规则包摘要"), max_length=64, blank=True)
    job = models.ForeignKey(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("后台任务"),
    )
    result = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("门槛沙盘试算")
        verbose_name_plural = _("门槛沙盘试算")

    def __str__(self) -> str:
        from tidu.sandbox.engine import STANDARDS

        return f"{STANDARDS.get(self.standard, '')}门槛试算 #{self.pk}"

    @property
    def finished(self) -> bool:
        return bool(self.result)
