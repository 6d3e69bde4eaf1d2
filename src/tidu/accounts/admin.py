from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from tidu.accounts.forms import ThrottledAuthenticationForm, limited_status
from tidu.accounts.models import AccountRequest, ApiToken, Invitation, Membership, Organisation

# The admin login is throttled like ours, and answers a refusal with 429 and Retry-After too.
admin.site.login_form = ThrottledAuthenticationForm
_admin_login = admin.site.login


def _limited_admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    return limited_status(_admin_login(request, extra_context))


admin.site.login = _limited_admin_login  # type: ignore[method-assign]
admin.site.site_header = "梯度平台管理"
admin.site.site_title = "梯度平台管理"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "gov_level", "region")
    list_filter = ("kind", "gov_level")
    search_fields = ("name",)
    raw_id_fields = ("enterprise", "region")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "title")
    search_fields = ("user__username", "organisation__name")
    raw_id_fields = ("user", "organisation")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "email", "created_by", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = ("enterprise", "email", "digest", "created_by", "created_at", "expires_at", "used_at", "used_by",
                       "revoked_at")
    search_fields = ("enterprise__name", "enterprise__credit_code", "email")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are sent from the firm's page, which mails the link


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = ("credit_code", "name", "kind", "status", "user", "review_region", "created_at", "decided_at")
    list_filter = ("kind", "status")
    search_fields = ("credit_code", "name", "user__username")
    raw_id_fields = ("user", "enterprise", "review_region", "region", "decided_by")
    readonly_fields = ("kind", "status", "flags", "decided_by", "decided_at")
