"""GET /api/v1/jobs/{id}: a job's status for programs that submitted an import through the API.

The caller is authenticated by an API token or the session (accounts.auth.API_AUTH); a job is
visible to its owner only (404 for anyone else).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from tidu.accounts.auth import API_AUTH
from tidu.jobs.models import Job
from tidu.jobs.selectors import job_get_for_user

router = Router(tags=["jobs"], auth=API_AUTH)


class ProblemOut(Schema):
    row: int | None = None
    column: str = ""
    value: str = ""
    message: str
    code: str = ""


class JobOut(Schema):
    id: UUID
    kind: str
    status: str
    status_label: str
    stage: str
    progress_done: int
    progress_total: int
    percent: int
    finished: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any]
    error_message: str
    report_url: str | None

    @staticmethod
    def from_job(job: Job, request: HttpRequest) -> JobOut:
        return JobOut(
            id=job.id,
            kind=job.kind,
            status=job.status,
            status_label=str(job.get_status_display()),
            stage=job.stage,
            progress_done=job.progress_done,
            progress_total=job.progress_total,
            percent=job.percent,
            finished=job.is_finished,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            result=job.result,
            error_message=job.error_message,
            report_url=request.build_absolute_uri(reverse("jobs:report", args=[job.id])) if job.report_file else None,
        )


@router.get("/jobs/{job_id}", response=JobOut, summary="后台任务状态与进度")
def job_status(request: HttpRequest, job_id: UUID) -> JobOut:
    """Only the job's owner sees it; anyone else gets 404."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    return JobOut.from_job(job, request)


# Import/export of the register through the API: mounted under this router so that the project's
# API needs one add_router line for both (imports are the jobs app's main client).
router.add_router("/io", "tidu.enterprises.api_io.router")
