"""One row per background job: who asked, what it is doing, how far it got, what came out."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidu.jobs.kinds import KINDS


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    REJECTED = "rejected", _("未通过校验，未写入任何数据")
    FAILED = "failed", _("出错")


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.REJECTED, JobStatus.FAILED})


class Job(models.Model):
    """A unit of background work owned by one user; only the owner may see it.

    The primary key is a UUID so that job addresses cannot be enumerated; permission still comes
    from the owner check in the selector.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No `choices` here: the kinds live in tidu.jobs.kinds, so a new kind needs no migration.
    kind = models.CharField(_("任务类型"), max_length=40, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("提交人")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    stage = models.CharField(_("当前步骤"), max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    input_name = models.CharField(_("上传文件名"), max_length=255, blank=True)
    input_file = models.FileField(_("上传文件"), upload_to="jobs/input/%Y/%m/", blank=True, max_length=300)
    result = models.JSONField(_("结果摘要"), default=dict, blank=True)
    report_name = models.CharField(_("报告文件名"), max_length=255, blank=True)
    report_file = models.FileField(_("结果或问题报告"), upload_to="jobs/report/%Y/%m/", blank=True, max_length=300)
    error_message = models.TextField(_("错误信息"), blank=True)
    # What went wrong inside (the traceback of a crash): for the administrators who open the job by the
    # number its owner was given; never shown to the owner.
    error_detail = models.TextField(_("内部错误详情（仅管理员可见）"), blank=True)
    # The process running the job ("host:pid:start-time") and its last sign of life; a job whose
    # process is gone is queued again or failed with a reason (tidu.jobs.lease).
    worker = models.CharField(_("处理进程"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = (models.Index(fields=["owner", "-created_at"], name="jobs_owner_created_idx"),)

    def __str__(self) -> str:
        return f"{self.kind_label} {self.id}"

    @property
    def kind_label(self) -> str:
        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int:
        """Whole percent done, for the progress bar; a finished job is always 100."""
        if self.is_finished:
            return 100
        if self.progress_total <= 0:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
