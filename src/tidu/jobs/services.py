"""Writes for background jobs: submit, report progress, run.

Progress is written with single-row UPDATEs in autocommit, outside any long transaction, so the
status page (another process, another connection) sees it while the work is still going on.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile, File
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from tidu.jobs.kinds import KINDS
from tidu.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


class JobKindUnknown(ValueError):
    """A programming error: the kind is not in tidu.jobs.kinds.KINDS."""


@dataclass
class JobOutcome:
    """What a job handler returns; the runner stores it on the job."""

    status: JobStatus
    result: dict[str, Any] = field(default_factory=dict)
    stage: str = ""
    report_name: str = ""
    report_content: bytes | None = None


def job_submit(
    *,
    owner: Any,
    kind: str,
    params: dict[str, Any] | None = None,
    upload: File | None = None,
    input_name: str = "",
) -> Job:
    """Record a job and queue it for the worker; returns the job as it stands after queueing.

    With `Q_CLUSTER["sync"]` (tests) the job has already run when this returns.
    """
    if kind not in KINDS:
        raise JobKindUnknown(kind)
    job = Job(kind=kind, owner=owner, params=params or {}, stage=_("等待后台处理"))
    if upload is not None:
        name = input_name or getattr(upload, "name", "") or "upload"
        job.input_name = name[-255:]
        job.input_file.save(_safe_name(name), upload, save=False)
    job.save()
    async_task("tidu.jobs.services.job_run", str(job.pk), task_name=f"{kind}-{job.pk}", group=kind)
    job.refresh_from_db()
    return job


def job_progress(*, job_id: Any, done: int, total: int | None = None, stage: str | None = None) -> None:
    """Record how far a running job got (one UPDATE; cheap enough every few hundred rows)."""
    values: dict[str, Any] = {"progress_done": max(0, done)}
    if total is not None:
        values["progress_total"] = max(0, total)
    if stage is not None:
        values["stage"] = stage[:200]
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(**values)


def job_run(job_id: str) -> str:
    """Worker entry point: claim the job, run its handler, store the outcome. Never raises.

    Claiming with a conditional UPDATE makes a duplicate delivery of the same task a no-op.
    """
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), stage=_("开始处理")
    )
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("owner").get(pk=job_id)
    try:
        handler = import_string(KINDS[job.kind].handler)
        outcome: JobOutcome = handler(job)
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            stage=_("出错"),
            error_detail=traceback.format_exc()[-20_000:],
            error_message=_("任务运行时出现内部错误，未写入任何数据。请联系平台管理员并提供任务编号 %(id)s。")
            % {"id": job_id},
        )
        return JobStatus.FAILED
    job.refresh_from_db()
    job.status = outcome.status
    job.result = outcome.result
    job.stage = (outcome.stage or str(outcome.status.label))[:200]
    job.finished_at = timezone.now()
    if outcome.status == JobStatus.SUCCEEDED and job.progress_total:
        job.progress_done = job.progress_total
    if outcome.report_content is not None:
        job.report_name = outcome.report_name[-255:]
        job.report_file.save(_safe_name(outcome.report_name), ContentFile(outcome.report_content), save=False)
    job.save()
    return str(outcome.status)


def _safe_name(name: str) -> str:
    """Storage name: keep the extension, drop the user's path and odd characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    _stem, dot, ext = base.rpartition(".")
    ext = "".join(ch for ch in ext if ch.isalnum())[:10].lower() if dot else "bin"
    return f"{timezone.now():%Y%m%d%H%M%S}.{ext}"
