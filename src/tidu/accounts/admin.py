from django.contrib import admin

from tidu.accounts.forms import ThrottledAuthenticationForm
from tidu.accounts.models import ApiToken, LoginFailure, Membership, Organisation

# The admin login is throttled like ours.
admin.site.login_form = ThrottledAuthenticationForm
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


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ("username", "ip", "at")
    search_fields = ("username", "ip")
