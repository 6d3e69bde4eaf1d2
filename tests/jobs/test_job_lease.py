"""A job whose worker died does not read 进行中 forever: it is queued again (kinds that rewrite their result
from scratch) or failed with a reason in Chinese, with an audit event (tidu.jobs.lease, decision 0107).
The same drill against real killed processes is tests/faults/drill_faults.py (`make drills`)."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tidu.core.models import AuditEvent
from tidu.jobs import kinds, lease, services
from tidu.jobs.models import Job, JobStatus
from tidu.jobs.services import JobOutcome, job_run, job_submit

pytestmark = pytest.mark.django_db

runs: list[str] = []


def finishing_handler(job: Job) -> JobOutcome:
    runs.append(str(job.pk))
    return JobOutcome(status=JobStatus.SUCCEEDED, stage="完成")


def connection_losing_handler(job: Job) -> JobOutcome:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"{__name__}.finishing_handler"
    lost = f"{__name__}.connection_losing_handler"
    monkeypatch.setitem(kinds.KINDS, "redo", kinds.JobKind("redo", "可重跑的测试任务", path, resumable=True))
    monkeypatch.setitem(kinds.KINDS, "once", kinds.JobKind("once", "不可重跑的测试任务", path,
                                                           interrupted="已写入的数据保持不变。"))
    monkeypatch.setitem(kinds.KINDS, "lost", kinds.JobKind("lost", "丢失连接的测试任务", lost))
    monkeypatch.setitem(kinds.KINDS, "lost_redo", kinds.JobKind("lost_redo", "丢失连接的可重跑任务", lost,
                                                                resumable=True))
    runs.clear()


@pytest.fixture
def owner(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="job-owner", password="pw-123456")


def _dead_worker() -> str:
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{socket.gethostname()}:{child.pid}:1"


def _running(owner: Any, kind: str, *, worker: str, heartbeat: dt.datetime | None = None, attempts: int = 1) -> Job:
    return Job.objects.create(owner=owner, kind=kind, status=JobStatus.RUNNING, worker=worker, attempts=attempts,
                              heartbeat_at=heartbeat or timezone.now(), started_at=timezone.now())


def test_a_job_whose_worker_was_killed_fails_with_a_chinese_reason_and_an_audit_event(
    test_kinds: None, owner: Any
) -> None:
    job = _running(owner, "once", worker=_dead_worker())

    assert lease.sweep() == [(str(job.pk), JobStatus.FAILED)]

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert "后台处理在运行中被中断（处理进程已终止）" in job.error_message
    assert "已写入的数据保持不变。" in job.error_message and str(job.pk) in job.error_message
    event = AuditEvent.objects.get(action="jobs.interrupted", target_id=str(job.pk))
    assert event.data["cause"] == "处理进程已终止"
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("jobs:status", args=[job.pk])).content.decode()
    assert "出错" in page and "后台处理在运行中被中断" in page and "hx-trigger" not in page


def _state_and_start(pid: int) -> tuple[str, str]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # state is field 3
    return fields[0], fields[19]  # field 22: start time


def test_a_killed_worker_left_a_zombie_by_an_init_that_never_reaps_is_gone(test_kinds: None, owner: Any) -> None:
    # A qcluster worker killed with its parents is re-parented to PID 1; in a container whose PID 1 never
    # reaps, its pid keeps answering kill(pid, 0) with its own start time. Here the test is that parent.
    child = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 60
        while _state_and_start(child.pid)[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        state, started = _state_and_start(child.pid)
        assert state == "Z"
        job = _running(owner, "once", worker=f"{socket.gethostname()}:{child.pid}:{started}")

        assert lease.sweep() == [(str(job.pk), JobStatus.FAILED)]
    finally:
        child.wait()


def test_a_resumable_job_whose_worker_was_killed_runs_again_to_completion(test_kinds: None, owner: Any) -> None:
    job = _running(owner, "redo", worker=_dead_worker())

    assert lease.sweep() == [(str(job.pk), JobStatus.QUEUED)]

    job.refresh_from_db()  # the test settings run queued tasks at once
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2 and runs == [str(job.pk)]
    assert AuditEvent.objects.filter(action="jobs.requeued", target_id=str(job.pk)).count() == 1


def test_a_job_interrupted_too_often_is_failed_instead_of_queued_again(test_kinds: None, owner: Any) -> None:
    job = _running(owner, "redo", worker=_dead_worker(), attempts=lease.MAX_ATTEMPTS)
    assert lease.sweep() == [(str(job.pk), JobStatus.FAILED)]
    assert runs == []


def test_jobs_of_live_workers_are_left_alone(test_kinds: None, owner: Any) -> None:
    me = lease.worker_id()
    elsewhere = _running(owner, "once", worker="another-host:123:456")
    mine = _running(owner, "once", worker=me)
    with lease.running(mine.pk, beat=False):
        assert lease.sweep() == []
    # The same process no longer runs it, yet it still reads 进行中: its outcome was never written.
    assert lease.sweep() == [(str(mine.pk), JobStatus.FAILED)]
    elsewhere.refresh_from_db()
    assert elsewhere.status == JobStatus.RUNNING


def test_a_job_on_another_host_without_a_heartbeat_for_the_lease_is_interrupted(test_kinds: None, owner: Any) -> None:
    silent = _running(owner, "once", worker="another-host:123:456",
                      heartbeat=timezone.now() - lease.LEASE - dt.timedelta(seconds=1))
    assert lease.sweep() == [(str(silent.pk), JobStatus.FAILED)]


def test_a_job_that_loses_its_database_connection_fails_with_that_reason(test_kinds: None, owner: Any) -> None:
    job = job_submit(owner=owner, kind="lost")
    assert job.status == JobStatus.FAILED
    assert "数据库连接中断" in job.error_message
    assert AuditEvent.objects.filter(action="jobs.interrupted", target_id=str(job.pk)).exists()


def test_a_resumable_job_that_loses_its_connection_is_retried_then_failed(test_kinds: None, owner: Any) -> None:
    job = job_submit(owner=owner, kind="lost_redo")
    assert job.status == JobStatus.FAILED and job.attempts == lease.MAX_ATTEMPTS
    assert AuditEvent.objects.filter(action="jobs.requeued", target_id=str(job.pk)).count() == lease.MAX_ATTEMPTS - 1


def test_a_job_is_recorded_only_together_with_its_queue_entry(
    test_kinds: None, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that dies between the two writes must not leave a job waiting for a task never queued."""
    monkeypatch.setattr(services.Conf, "SYNC", False)

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # stands in for the process dying mid-request

    monkeypatch.setattr(services, "async_task", killed)
    with pytest.raises(KeyboardInterrupt):
        job_submit(owner=owner, kind="once")
    assert not Job.objects.exists()


def test_a_duplicate_delivery_of_a_requeued_job_runs_it_once(test_kinds: None, owner: Any) -> None:
    job = _running(owner, "redo", worker=_dead_worker())
    lease.sweep()
    assert job_run(str(job.pk)) == "skipped"
    assert runs == [str(job.pk)]


def test_a_schedule_sweeps_every_five_minutes_so_no_job_waits_for_the_next_worker_start(
    test_kinds: None, owner: Any
) -> None:
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    [schedule] = Schedule.objects.filter(func__startswith="tidu.jobs.")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 5, -1)
    job = _running(owner, "once", worker=_dead_worker())

    import_string(schedule.func)()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
