"""Reads for background jobs: a user sees only the jobs they submitted."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tidu.jobs.models import Job


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """Jobs the user may see: their own (files they uploaded hold other firms' figures)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def job_get_for_user(*, user: Any, job_id: Any) -> Job:
    """One job of the user's, or 404 (also for other users' jobs: their existence is not revealed)."""
    try:
        return jobs_visible_to(user).get(pk=job_id)
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
