from django.contrib import admin

from tidu.digital.models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "edition", "category", "status", "score", "level", "assessed_on")
    list_filter = ("status", "edition", "category", "level")
    search_fields = ("enterprise__name", "enterprise__credit_code")
    readonly_fields = ("answers", "result", "questionnaire_digest", "submitted_at", "submitted_by")
    raw_id_fields = ("enterprise",)
