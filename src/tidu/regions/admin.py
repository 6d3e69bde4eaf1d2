from django.contrib import admin

from tidu.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "is_plan_city", "active")
    list_filter = ("level", "active", "is_plan_city")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
