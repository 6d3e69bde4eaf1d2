"""Change reports in the admin: read-only evidence (state changes only through tidu.changes.services)."""

from __future__ import annotations

from django.contrib import admin

from tidu.changes.models import ChangeReport, RegisterChange
from tidu.journey.admin import ReadOnlyAdmin


@admin.register(ChangeReport)
class ChangeReportAdmin(ReadOnlyAdmin):
    list_display = ("old_name", "enterprise", "status", "effective_on", "late", "submitted_at", "approved_at")
    list_filter = ("status", "late")
    search_fields = ("old_name", "new_name", "enterprise__credit_code")


@admin.register(RegisterChange)
class RegisterChangeAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "field", "old_value", "new_value", "effective_on", "approved_by_label", "approved_at")
    list_filter = ("field",)
    search_fields = ("enterprise__name", "enterprise__credit_code", "old_value", "new_value")
