"""Writes for background jobs: submit, report progress, run.

Progress is written with single-row UPDATEs in autocommit, outside any long transaction, so the
status page (another process, another connection) sees it while the work is still going on.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_q.conf import Conf
from django_q.tasks import async_task

from tidu.jobs import lease
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
    # The job row and its queue entry commit together: a server killed in between leaves neither, never
    # a job that waits forever for a task nobody queued (decision 0107). Under `sync` (tests) the task
    # runs inside async_task, so there it is queued after the commit.
    with transaction.atomic():
        job.save()
        if not Conf.SYNC:
            _enqueue(job)
    if Conf.SYNC:
        _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    async_task("tidu.jobs.services.job_run", str(job.pk), task_name=f"{job.kind}-{job.pk}", group=job.kind)


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

    Claiming with a conditional UPDATE makes a duplicate delivery of the same task a no-op. Before
    claiming, the jobs of workers that died are dealt with (tidu.jobs.lease.sweep). A handler that loses
    its database connection (the database restarted) ends like a killed worker: queued again or failed
    with that reason, once the database answers again.
    """
    if not Conf.SYNC:
        try:
            lease.sweep()
        except DatabaseError:
            logger.exception("job sweep before job %s failed", job_id)
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), stage=_("开始处理"), **lease.claim_values()
    )
    if not claimed:
        return "skipped"
    job = Job.objects.select_related("owner").get(pk=job_id)
    try:
        with lease.running(job_id, beat=not Conf.SYNC):
            handler = import_string(KINDS[job.kind].handler)
            outcome: JobOutcome = handler(job)
    except (OperationalError, InterfaceError):
        logger.exception("job %s (%s) lost its database connection", job_id, job.kind)
        return _when_database_answers(lambda: lease.interrupt(job_id, cause=_("数据库连接中断"))) or JobStatus.FAILED
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        detail = traceback.format_exc()[-20_000:]
        _when_database_answers(lambda: Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            stage=_("出错"),
            worker="",
            error_detail=detail,
            error_message=_("任务运行时出现内部错误，未写入任何数据。请联系平台管理员并提供任务编号 %(id)s。")
            % {"id": job_id},
        ))
        return JobStatus.FAILED
    job.refresh_from_db()
    job.status = outcome.status
    job.result = outcome.result
    job.stage = (outcome.stage or str(outcome.status.label))[:200]
    job.finished_at = timezone.now()
    job.worker = ""
    if outcome.status == JobStatus.SUCCEEDED and job.progress_total:
        job.progress_done = job.progress_total
    if outcome.report_content is not None:
        job.report_name = outcome.report_name[-255:]
        job.report_file.save(_safe_name(outcome.report_name), ContentFile(outcome.report_content), save=False)
    job.save()
    return str(outcome.status)


def _when_database_answers(write: Any, *, tries: int = 30, pause: float = 2.0) -> Any:
    """Run `write`, retrying while the database is unreachable (a restart takes seconds); the job sweep
    catches what is still not written after that."""
    for attempt in range(tries):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == tries - 1 or connection.in_atomic_block:
                raise
            connection.close()  # broken: the next try opens a new one
            time.sleep(pause)
        except DatabaseError:
            raise
    return None


def _safe_name(name: str) -> str:
    """Storage name: keep the extension, drop the user's path and odd characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    _stem, dot, ext = base.rpartition(".")
    ext = "".join(ch for ch in ext if ch.isalnum())[:10].lower() if dot else "bin"
    return f"{timezone.now():%Y%m%d%H%M%S}.{ext}"
