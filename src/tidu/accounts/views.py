from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from tidu.accounts.forms import ApiTokenForm, FirmRegistrationForm, ThrottledAuthenticationForm
from tidu.accounts.models import ApiToken
from tidu.accounts.services import api_token_create, api_token_revoke, firm_register
from tidu.core.errors import TiduError
from tidu.core.http import tidu_view
from tidu.core.permissions import organisation_of


class TiduLoginView(LoginView):
    """Login with throttling; lists the demo users only when DEMO_MODE is on."""

    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if getattr(settings, "DEMO_MODE", False):
            context["demo_users"] = DEMO_USERS
            context["demo_password"] = DEMO_PASSWORD
        return context


def register(request: HttpRequest) -> HttpResponse:
    """A firm creates its account (credit code + contact)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = FirmRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = firm_register(
                username=data["username"], password=data["password1"], email=data["email"],
                credit_code=data["credit_code"], name=data["name"], region_code=data["region_code"],
                industry_code=data["industry_code"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except TiduError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
            messages.success(request, _("注册成功。请补充企业信息并填报年度数据。"))
            return redirect("enterprises:dashboard")
    return render(request, "accounts/register.html", {"form": form})


@tidu_view
def profile(request: HttpRequest) -> HttpResponse:
    """The user's account: organisation, and API tokens (created and revoked here)."""
    new_key = request.session.pop("new_api_key", None)
    return render(request, "accounts/profile.html", {
        "organisation": organisation_of(request.user),
        "tokens": ApiToken.objects.filter(user_id=request.user.pk or 0),
        "token_form": ApiTokenForm(),
        "new_key": new_key,
    })


@require_POST
@tidu_view
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        request.session["new_api_key"] = key  # shown once on the next page
        messages.success(request, _("已创建 API 令牌。请立即复制保存，离开页面后将无法再次查看。"))
    else:
        messages.error(request, _("请填写令牌用途。"))
    return redirect("accounts:profile")


@require_POST
@tidu_view
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:profile")
