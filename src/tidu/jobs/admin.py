"""Admin: every background job, read-only, found by its number (the id its owner was given when a
job failed), with its owner, progress, result, the files and the internal error detail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tidu.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "owner", "status", "percent", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("id", "owner__username", "input_name")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a job changes only by running; the view permission still shows every field

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # removing old jobs (and their files' records) is allowed
