from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tidu.enterprises.models import Enterprise, EnterpriseYear


class EnterpriseYearInline(admin.TabularInline):
    model = EnterpriseYear
    fields = ("fiscal_year", "revenue", "main_rev", "rd", "net_profit", "total_assets", "employees", "staff_total")
    extra = 0
    show_change_link = True


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "industry_code", "source", "updated_at")
    list_filter = ("source",)
    search_fields = ("name", "credit_code", "region__code", "industry_code")
    raw_id_fields = ("region",)
    inlines = (EnterpriseYearInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Enterprise | None = None) -> tuple[str, ...]:
        """A registered firm's identity changes only through an approved 重大变化报告 (tidu.changes)."""
        if obj is None:
            return ()
        return ("credit_code", "name", "region", "industry_code")


@admin.register(EnterpriseYear)
class EnterpriseYearAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "fiscal_year", "revenue", "main_rev", "rd", "updated_at")
    list_filter = ("fiscal_year",)
    search_fields = ("enterprise__name", "enterprise__credit_code")
    raw_id_fields = ("enterprise",)
    # Marks are set by officials' verification and declared imports only (audited), never typed here.
    readonly_fields = ("figure_marks",)
