"""Admin for policies: the document fields go through `policy_save` (audited, jurisdiction checked);
editions, awards and payouts are shown read-only (they change only through their services: an edition is
never edited in place, money only by `award_grant` / `payout_record`)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from tidu.policies import services
from tidu.policies.models import Award, Payout, Policy, PolicyBatch, PolicyEdition, PushNotice


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EditionInline(ReadOnlyInline):
    model = PolicyEdition
    fields = ("effective_on", "amount_expr", "amount_cap_yuan", "basis", "created_by", "created_at")
    readonly_fields = fields


class BatchInline(ReadOnlyInline):
    model = PolicyBatch
    fields = ("name", "opens_on", "closes_on", "budget_yuan")
    readonly_fields = fields


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "level", "region", "route", "status", "is_sample", "in_force_from")
    list_filter = ("level", "route", "status", "category", "is_sample")
    search_fields = ("title", "code", "document_number", "issuer")
    readonly_fields = ("status", "published_at", "created_by")
    inlines = (EditionInline, BatchInline)
    formfield_overrides: ClassVar[dict[Any, dict[str, Any]]] = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        values = {k: form.cleaned_data[k] for k in services.POLICY_FIELDS if k in form.cleaned_data}
        original = Policy.objects.get(pk=obj.pk) if change else None
        saved = services.policy_save(actor=request.user, policy=original, **values)
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PayoutInline(ReadOnlyInline):
    model = Payout
    fields = ("amount_yuan", "paid_on", "reference", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = (
        "enterprise",
        "policy",
        "batch",
        "amount_yuan",
        "route",
        "status",
        "double_claim",
        "decided_at",
    )
    list_filter = ("status", "route", "double_claim")
    search_fields = ("enterprise__name", "enterprise__credit_code", "policy__title")
    inlines = (PayoutInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Award._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PushNotice)
class PushNoticeAdmin(admin.ModelAdmin):
    list_display = ("batch", "enterprise", "pushed_by", "pushed_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
