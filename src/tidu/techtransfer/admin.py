"""Technology transfer in the admin: read-only (state changes only through tidu.techtransfer.services)."""

from __future__ import annotations

from django.contrib import admin

from tidu.journey.admin import ReadOnlyAdmin
from tidu.techtransfer.models import Achievement, Incubation, Transfer, TransferRequest


@admin.register(Achievement)
class AchievementAdmin(ReadOnlyAdmin):
    list_display = ("title", "platform", "kind", "field", "maturity", "status", "listed_at")
    list_filter = ("status", "kind", "field", "maturity")
    search_fields = ("title", "keywords", "platform__name")


@admin.register(TransferRequest)
class TransferRequestAdmin(ReadOnlyAdmin):
    list_display = ("achievement", "enterprise", "mode", "status", "created_at")
    list_filter = ("status", "mode")
    search_fields = ("achievement__title", "enterprise__name", "enterprise__credit_code")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("achievement", "platform", "enterprise", "mode", "contract_no", "contract_on", "review")
    list_filter = ("review", "mode")
    search_fields = ("achievement__title", "enterprise__name", "contract_no")


@admin.register(Incubation)
class IncubationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "platform", "since", "status", "review")
    list_filter = ("review", "status")
    search_fields = ("enterprise__name", "platform__name")
