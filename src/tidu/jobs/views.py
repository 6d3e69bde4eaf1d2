"""Job pages: the list of my jobs, one job's status (polled by htmx), its report download."""

from __future__ import annotations

from typing import cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tidu.core.http import tidu_view
from tidu.jobs.selectors import job_get_for_user, jobs_visible_to


@tidu_view
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(request.user)[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@tidu_view
@require_GET
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "jobs/job_detail.html", {"job": job})


@tidu_view
@require_GET
def job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment; a finished job's fragment carries no poll trigger, so polling stops."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "jobs/_job_status.html", {"job": job})


@tidu_view
@require_GET
def job_report(request: HttpRequest, job_id: str) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id)
    if not job.report_file:
        raise Http404
    response = FileResponse(job.report_file.open("rb"), as_attachment=True, filename=job.report_name or "report")
    return cast(HttpResponse, response)  # tidu_view is typed for HttpResponse; a streaming one works too
