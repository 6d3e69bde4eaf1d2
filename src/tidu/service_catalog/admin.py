"""The service list in the admin: read-only (state changes only through tidu.service_catalog.services)."""

from __future__ import annotations

from django.contrib import admin

from tidu.journey.admin import ReadOnlyAdmin
from tidu.service_catalog.models import Provider, Rating, ServiceOffer, ServiceRequest


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "region", "status", "decided_at")
    list_filter = ("status",)
    search_fields = ("organisation__name",)


@admin.register(ServiceOffer)
class ServiceOfferAdmin(ReadOnlyAdmin):
    list_display = ("title", "provider", "category", "status", "free", "response_days", "listed_at")
    list_filter = ("status", "category", "free")
    search_fields = ("title", "provider__organisation__name")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("offer", "enterprise", "status", "submitted_on", "due_on", "responded_at")
    list_filter = ("status",)
    search_fields = ("offer__title", "enterprise__name", "enterprise__credit_code")


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("offer", "provider", "score", "at")
    list_filter = ("score",)
