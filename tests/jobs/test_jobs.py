"""Background jobs: a submitted job runs in the worker (synchronously under test settings), reports
progress, keeps its outcome and report, and is visible to its owner only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from tidu.jobs import kinds
from tidu.jobs.models import Job, JobStatus
from tidu.jobs.services import JobKindUnknown, JobOutcome, job_progress, job_run, job_submit

pytestmark = pytest.mark.django_db

seen_progress: list[tuple[int, int, str]] = []


def counting_handler(job: Job) -> JobOutcome:
    """Counts the lines of the uploaded file, reporting progress line by line."""
    lines = job.input_file.read().decode().splitlines()
    for done in range(len(lines) + 1):
        job_progress(job_id=job.pk, done=done, total=len(lines), stage=f"第 {done} 行")
        job.refresh_from_db()
        seen_progress.append((job.progress_done, job.progress_total, job.status))
    return JobOutcome(
        status=JobStatus.SUCCEEDED,
        result={"summary": [["行数", len(lines)]]},
        report_name="结果.csv",
        report_content="行数\n%d\n".encode() % len(lines),
    )


def rejecting_handler(job: Job) -> JobOutcome:
    return JobOutcome(
        status=JobStatus.REJECTED,
        result={
            "problems": [{"row": 3, "column": "营业收入（万元）", "value": "abc", "message": "应为数字"}],
            "problems_total": 1,
        },
    )


def crashing_handler(job: Job) -> JobOutcome:
    raise RuntimeError("secret internal detail")


def _path(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


@pytest.fixture
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    for code, fn in [("count", counting_handler), ("reject", rejecting_handler), ("crash", crashing_handler)]:
        monkeypatch.setitem(kinds.KINDS, code, kinds.JobKind(code, f"测试任务{code}", _path(fn)))


@pytest.fixture
def owner(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="owner", password="pw-owner-123")


@pytest.fixture
def stranger(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="stranger", password="pw-stranger-123")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_submitted_job_runs_reports_progress_and_keeps_its_report(test_kinds: None, owner: Any) -> None:
    seen_progress.clear()
    job = job_submit(owner=owner, kind="count", upload=ContentFile(b"a\nb\nc\n"), input_name="三行.txt")

    assert job.status == JobStatus.SUCCEEDED
    assert job.input_name == "三行.txt"
    assert seen_progress[0] == (0, 3, JobStatus.RUNNING)
    assert seen_progress[-1] == (3, 3, JobStatus.RUNNING)
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result == {"summary": [["行数", 3]]}
    assert job.report_file.read() == "行数\n3\n".encode()
    assert job.started_at is not None and job.finished_at is not None and job.started_at <= job.finished_at


def test_a_crashing_job_is_marked_failed_with_a_chinese_message_and_no_internals(
    test_kinds: None, owner: Any
) -> None:
    job = job_submit(owner=owner, kind="crash")

    assert job.status == JobStatus.FAILED
    assert "内部错误" in job.error_message and str(job.pk) in job.error_message
    assert "secret" not in job.error_message
    assert job.finished_at is not None


def test_a_job_delivered_twice_runs_once(test_kinds: None, owner: Any) -> None:
    job = job_submit(owner=owner, kind="reject")
    finished_at = job.finished_at

    assert job_run(str(job.pk)) == "skipped"
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_unknown_kinds_are_refused_before_anything_is_stored(owner: Any) -> None:
    with pytest.raises(JobKindUnknown):
        job_submit(owner=owner, kind="no_such_kind")
    assert not Job.objects.exists()


def test_percent_follows_progress_and_never_exceeds_100(owner: Any) -> None:
    job = Job(kind="count", owner=owner, status=JobStatus.RUNNING, progress_done=0, progress_total=0)
    assert job.percent == 0
    job.progress_done, job.progress_total = 250, 1000
    assert job.percent == 25
    job.progress_done = 5000
    assert job.percent == 100


def test_the_status_page_polls_while_running_and_stops_when_finished(test_kinds: None, owner: Any) -> None:
    running = Job.objects.create(
        kind="count", owner=owner, status=JobStatus.RUNNING, progress_done=40, progress_total=160, stage="正在校验"
    )
    client = _client(owner)

    page = client.get(reverse("jobs:detail", args=[running.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="100" value="25"' in html
    assert "40 / 160 行" in html and "进行中" in html and "正在校验" in html
    assert "htmx-2.min.js" in html

    running.status = JobStatus.SUCCEEDED
    running.progress_done = 160
    running.save()
    fragment = client.get(reverse("jobs:status", args=[running.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "hx-trigger" not in fragment.content.decode()
    assert "已完成" in fragment.content.decode()


def test_the_status_page_lists_the_problems_of_a_rejected_job(test_kinds: None, owner: Any) -> None:
    job = job_submit(owner=owner, kind="reject")
    html = _client(owner).get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert "未通过校验，未写入任何数据" in html
    assert "共发现 1 个问题" in html
    assert "营业收入（万元）" in html and "应为数字" in html


def test_the_owner_downloads_the_report(test_kinds: None, owner: Any) -> None:
    job = job_submit(owner=owner, kind="count", upload=ContentFile(b"x\n"))
    response = _client(owner).get(reverse("jobs:report", args=[job.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "行数\n1\n".encode()  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:status", "jobs:report"])
def test_another_users_job_is_not_found(test_kinds: None, owner: Any, stranger: Any, name: str) -> None:
    job = job_submit(owner=owner, kind="count", upload=ContentFile(b"x\n"))
    response = _client(stranger).get(reverse(name, args=[job.pk]))

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(test_kinds: None, owner: Any) -> None:
    job = job_submit(owner=owner, kind="reject")
    for url in [reverse("jobs:list"), reverse("jobs:detail", args=[job.pk])]:
        response = Client().get(url)
        assert response.status_code == 302
        assert str(job.pk) not in response.content.decode()


def test_the_job_list_shows_only_my_jobs(test_kinds: None, owner: Any, stranger: Any) -> None:
    mine = job_submit(owner=owner, kind="reject")
    theirs = job_submit(owner=stranger, kind="reject")
    html = _client(owner).get(reverse("jobs:list")).content.decode()

    assert str(mine.pk) in html
    assert str(theirs.pk) not in html


def test_the_api_reports_status_to_the_owner_only(test_kinds: None, owner: Any, stranger: Any) -> None:
    job = job_submit(owner=owner, kind="count", upload=ContentFile(b"a\nb\n"))
    url = f"/api/v1/jobs/{job.pk}"

    body = _client(owner).get(url).json()
    assert body["status"] == "succeeded" and body["finished"] is True
    assert (body["progress_done"], body["progress_total"], body["percent"]) == (2, 2, 100)
    assert body["report_url"].endswith(reverse("jobs:report", args=[job.pk]))

    assert _client(stranger).get(url).status_code == 404
    assert Client().get(url).status_code in {401, 404}
