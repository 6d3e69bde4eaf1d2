"""Who is running a job, and what happens to a job whose worker died (decision 0107).

A worker that is killed (`kill -9`, the OOM killer, a lost machine) never writes its job's outcome, so
without this the job would read 进行中 forever. Each claimed job records the process running it
(`host:pid:start-time`) and a heartbeat the process renews while the job runs. A sweep — when a worker
process starts (django-q's `post_spawn`, so also right after a restart), before every job, and every
five minutes (a django-q schedule, migration jobs 0004) — finds the running jobs whose process is gone
(same host: the pid no longer exists, is a zombie, or belongs to a newer process; any host: no
heartbeat for `LEASE`) and either queues them again (kinds marked `resumable`,
whose handlers rewrite their results from scratch) or marks them failed with a reason in Chinese. Both
leave an audit event.

Tasks that a killed cluster had taken from the queue but not yet started are released at the same
time: the broker would otherwise hold them back for `Q_CLUSTER["retry"]` (an hour). A task delivered
twice is harmless: `job_run` claims a job with a conditional UPDATE and skips one already claimed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tidu.core.audit import audit_record
from tidu.jobs.kinds import KINDS
from tidu.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

BEAT = dt.timedelta(seconds=30)  # how often a running job's heartbeat is renewed
LEASE = dt.timedelta(minutes=10)  # no heartbeat for this long: the job's worker is gone, wherever it ran
MAX_ATTEMPTS = 3  # a resumable job interrupted this many times is failed instead of queued again

_current: dict[str, str] = {}  # the job this process is running now ("job": id), read by the sweep


def _proc_stat(pid: int) -> tuple[str, str]:
    """(state, start time in clock ticks since boot) of a process from /proc (Linux); ('', '') where unknown.

    The start time is stored with the pid so that a pid reused by a newer process is not mistaken for the
    job's worker; the state tells a zombie (exited, never reaped) from a live process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            return fields[0], fields[19]
    except (OSError, IndexError):
        return "", ""


def worker_id() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_proc_stat(pid)[1]}"


def _process_gone(worker: str) -> bool:
    """True when `worker` ran on this host and that process no longer runs (or the pid is another one's now).

    A killed worker whose parent died with it is re-parented to PID 1; where PID 1 never reaps (a container
    started without an init), it stays a zombie for good and `kill(pid, 0)` keeps succeeding: a zombie is gone."""
    host, _sep, rest = worker.partition(":")
    pid_text, _sep, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # this process: alive; whether it still runs the job is decided by _current
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by someone else
    state, start = _proc_stat(pid)
    return state in ("Z", "X") or (bool(started) and start not in ("", started))


def _interrupted(job: Job, *, me: str, now: dt.datetime) -> bool:
    if job.worker == me:
        return _current.get("job") != str(job.pk)
    if job.heartbeat_at is not None and job.heartbeat_at < now - LEASE:
        return True
    return bool(job.worker) and _process_gone(job.worker)


def interrupt(job_id: Any, *, cause: str) -> str:
    """Queue again (resumable kinds, under MAX_ATTEMPTS) or fail with a reason a job that stopped
    without an outcome; returns the new status ('' if the job was no longer running)."""
    from django_q.tasks import async_task

    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, status=JobStatus.RUNNING).first()
        if job is None:
            return ""
        kind = KINDS.get(job.kind)
        now = timezone.now()
        if kind is not None and kind.resumable and job.attempts < MAX_ATTEMPTS:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, worker="", heartbeat_at=None, progress_done=0,
                stage=_("处理中断（%(cause)s），已自动重新排队，第 %(n)s 次重试") % {"cause": cause, "n": job.attempts},
            )
            audit_record(actor=None, action="jobs.requeued", target=job,
                         data={"kind": job.kind, "cause": cause, "attempts": job.attempts, "worker": job.worker})
            async_task("tidu.jobs.services.job_run", str(job.pk), task_name=f"{job.kind}-{job.pk}", group=job.kind)
            return JobStatus.QUEUED
        reason = str(kind.interrupted) if kind is not None and kind.interrupted else _(
            "未完成的写入已全部撤销，请核对后重新提交。")
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=now, worker="", stage=_("处理中断"),
            error_message=_("后台处理在运行中被中断（%(cause)s），任务未完成。%(reason)s任务编号 %(id)s。")
            % {"cause": cause, "reason": reason, "id": job.pk},
            error_detail=f"interrupted: {cause}; worker {job.worker}; attempts {job.attempts}",
        )
        audit_record(actor=None, action="jobs.interrupted", target=job,
                     data={"kind": job.kind, "cause": cause, "attempts": job.attempts, "worker": job.worker})
        return JobStatus.FAILED


def sweep(*, release_queued: bool = False) -> list[tuple[str, str]]:
    """Deal with the running jobs whose worker is gone; returns [(job id, new status)].

    `release_queued` (worker start): also hand back to the queue the tasks of queued jobs that a
    cluster had taken from the broker and held when it died."""
    me, now = worker_id(), timezone.now()
    handled = []
    for job in Job.objects.filter(status=JobStatus.RUNNING).only("pk", "worker", "heartbeat_at"):
        if _interrupted(job, me=me, now=now):
            outcome = interrupt(job.pk, cause=_("处理进程已终止"))
            if outcome:
                logger.warning("job %s: worker %s is gone; %s", job.pk, job.worker, outcome)
                handled.append((str(job.pk), outcome))
    if release_queued:
        _release_held_tasks(now)
    return handled


def _release_held_tasks(now: dt.datetime) -> None:
    from django_q.models import OrmQ

    held = list(OrmQ.objects.filter(lock__gt=now))
    queued = {str(pk) for pk in Job.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True)}
    for task in held:
        _kind, _sep, job_id = str(task.name() or "").partition("-")  # job_submit names it "<kind>-<job id>"
        if job_id in queued:
            OrmQ.objects.filter(pk=task.pk, lock=task.lock).update(lock=now)


def on_worker_spawn(**_: Any) -> None:
    """django-q's post_spawn: a worker process starts (first start, restart, or replacing a dead one).

    Under `sync` (tests) django-q sends it for every task run in-process: there is no worker to recover."""
    from django_q.conf import Conf

    if Conf.SYNC:
        return
    try:
        sweep(release_queued=True)
    except DatabaseError:
        logger.exception("job sweep at worker start failed; the next job's sweep will retry")
    finally:
        close_old_connections()


@contextlib.contextmanager
def running(job_id: Any, *, beat: bool) -> Iterator[None]:
    """Mark the job as this process's current one; with `beat`, renew its heartbeat in a thread."""
    _current["job"] = str(job_id)
    stop = threading.Event()
    thread = threading.Thread(target=_beat, args=(str(job_id), stop), daemon=True, name=f"heartbeat-{job_id}")
    if beat:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        _current.pop("job", None)
        if beat:
            thread.join(timeout=5)


def _beat(job_id: str, stop: threading.Event) -> None:
    try:
        while not stop.wait(BEAT.total_seconds()):
            try:
                Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
            except DatabaseError:
                connection.close()  # lost (database restarted): the next beat reconnects
    finally:
        connection.close()


def claim_values() -> dict[str, Any]:
    """The fields `job_run` sets when it claims a job."""
    return {"worker": worker_id(), "heartbeat_at": timezone.now(), "attempts": F("attempts") + 1}

