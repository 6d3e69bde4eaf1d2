"""Shared base model and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.core.errors import ErrorCode, TiduError


class TimeStampedModel(models.Model):
    """Every table records when a row was made and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk updates and deletes are refused: the audit log is evidence."""

    def update(self, **kwargs: Any) -> int:
        raise TiduError(ErrorCode.AUDIT_APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TiduError(ErrorCode.AUDIT_APPEND_ONLY)


class AuditEvent(models.Model):
    """One state change: who did what to which object, when, with the changed values.

    Written only through `tidu.core.audit.audit_record`; never updated or deleted through the ORM.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人（记录时）"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    target_label = models.CharField(_("对象"), max_length=255, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TiduError(ErrorCode.AUDIT_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TiduError(ErrorCode.AUDIT_APPEND_ONLY)


class RateCounter(models.Model):
    """How often one key (an account or a network address) used one limited action in one fixed window.

    Kept in the database so every web worker counts together (tidu.core.ratelimit); rows whose window has
    passed are deleted as new windows open.
    """

    scope = models.CharField(_("受限操作"), max_length=40)
    kind = models.CharField(_("计数对象"), max_length=10)  # "account" or "address"
    key = models.CharField(_("账号或地址"), max_length=255)
    window_start = models.DateTimeField(_("时段开始"))
    expires_at = models.DateTimeField(_("时段结束"), db_index=True)
    hits = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")
        constraints = (
            models.UniqueConstraint(fields=["scope", "kind", "key", "window_start"], name="core_ratecounter_one_window"),
        )

    def __str__(self) -> str:
        return f"{self.scope} {self.kind} {self.key} {self.hits}"
