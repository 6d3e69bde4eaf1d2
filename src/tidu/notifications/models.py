"""In-platform notifications: one row per recipient, read or unread.

Rows are written only by `tidu.notifications.services` (which also sends the e-mail after commit).
`dedupe_key` makes a notification idempotent: a reminder or any other message carrying a key reaches
a recipient at most once, however often the job that produces it runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    APPLICATION = "application", _("申报进展")
    REVIEW = "review", _("待审核")
    REREVIEW = "rereview", _("认定复核")
    REMINDER = "reminder", _("日程提醒")
    ANNUAL_UPDATE = "annual_update", _("年度数据更新")
    SYSTEM = "system", _("系统通知")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=NotificationKind.choices,
                            default=NotificationKind.SYSTEM)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True, help_text=_("站内地址，如 /firm/years/2025/"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=255, blank=True, default="",
                                  help_text=_("同一接收人同一键只发送一次；为空则不去重"))

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("recipient", "read_at"), name="notification_inbox"),)
        constraints = (
            models.UniqueConstraint(fields=("recipient", "dedupe_key"), condition=~models.Q(dedupe_key=""),
                                    name="notification_once_per_key"),
        )

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    @property
    def unread(self) -> bool:
        return self.read_at is None
