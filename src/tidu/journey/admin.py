"""Admin: administrators maintain publicity lengths, re-review windows and unknown-year holidays; the
journey's records are read-only here (they change only through the services, which audit every change)."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tidu.journey import services
from tidu.journey.models import (
    Application,
    ApplicationRound,
    CalendarDay,
    Objection,
    Publicity,
    PublicitySetting,
    Recognition,
    ReReview,
    ReReviewSetting,
)


@admin.register(PublicitySetting)
class PublicitySettingAdmin(admin.ModelAdmin):
    list_display = ("region", "tier", "working_days")
    list_filter = ("tier",)


@admin.register(ReReviewSetting)
class ReReviewSettingAdmin(admin.ModelAdmin):
    list_display = ("region", "window_days")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Entering a year's holidays moves the publicity ends counted by weekends only: every save and
    delete goes through the journey services, which recompute, audit and notify (decision 0080)."""

    list_display = ("day", "is_workday", "note")
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.can_enter_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.can_enter_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.can_enter_calendar(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        self._report(request, services.calendar_day_save(actor=request.user, entry=obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._report(request, services.calendar_days_delete(actor=request.user, entries=[obj]))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        self._report(request, services.calendar_days_delete(actor=request.user, entries=list(queryset)))

    def _report(self, request: HttpRequest, moves: list[services.PublicityMove]) -> None:
        for move in moves:
            self.message_user(request, _("公示“{title}”的截止日期由 {old} 调整为 {new}，已通知相关主管部门。").format(
                title=move.publicity.title, old=move.old_end, new=move.new_end), messages.WARNING)


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApplicationRound)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "tier", "region", "opens_on", "deadline", "status")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "round", "fiscal_year", "status", "version", "submitted_at")
    list_filter = ("status", "round__tier")
    search_fields = ("enterprise__name", "enterprise__credit_code")


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ("title", "starts_on", "ends_on", "working_days", "status")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("application", "status", "lodged_at")


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdmin):
    list_display = ("number", "enterprise", "tier", "valid_from", "valid_until", "revoked_at")
    search_fields = ("number", "enterprise__name")


@admin.register(ReReview)
class ReReviewAdmin(ReadOnlyAdmin):
    list_display = ("recognition", "status", "version", "old_valid_until", "new_valid_until", "decided_at")
    list_filter = ("status",)
