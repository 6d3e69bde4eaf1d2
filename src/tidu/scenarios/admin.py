from django.contrib import admin

from tidu.scenarios.models import IndustryPath, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "area", "field", "industries", "min_level", "is_sample", "active")
    list_filter = ("area", "field", "min_level", "is_sample", "active")
    search_fields = ("code", "title", "keywords", "pain_points")


@admin.register(IndustryPath)
class IndustryPathAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "division", "industries", "is_sample")
    list_filter = ("is_sample",)
    search_fields = ("code", "name", "industries")
