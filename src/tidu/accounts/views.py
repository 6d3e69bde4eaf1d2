from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, PasswordResetView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from tidu.accounts.forms import (
    ActivationForm,
    ApiTokenForm,
    FirmRegistrationForm,
    InvitationForm,
    RejectForm,
    ThrottledAuthenticationForm,
    limited_status,
)
from tidu.accounts.models import AccountRequest, ApiToken, RequestKind, RequestStatus
from tidu.accounts.selectors import (
    account_requests_decided,
    account_requests_open,
    can_review_accounts,
    enterprises_without_account,
    latest_invitations,
    own_account_requests,
)
from tidu.accounts.services import (
    account_request_confirm,
    account_request_reject,
    api_token_create,
    api_token_revoke,
    firm_register,
    invitation_accept,
    invitation_create,
    invitation_get,
    invitation_valid_days,
)
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import client_ip, redirect_next, render_error, tidu_view
from tidu.core.permissions import organisation_of, require
from tidu.core.ratelimit import rate_count
from tidu.core.validators import email_ok
from tidu.enterprises.selectors import enterprise_get

PAGE_SIZE = 50


class TiduLoginView(LoginView):
    """Login with throttling; lists the demo users only when DEMO_MODE is on."""

    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """A user still waiting for the county (no organisation, a request on file) lands on its status."""
        user = self.request.user
        if organisation_of(user) is None and own_account_requests(user=user).exists():
            return reverse("accounts:request_status")
        return super().get_default_redirect_url()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return limited_status(super().post(request, *args, **kwargs))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if getattr(settings, "DEMO_MODE", False):
            context["demo_users"] = DEMO_USERS
            context["demo_password"] = DEMO_PASSWORD
        return context


class TiduPasswordResetView(PasswordResetView):
    """Django's reset-mail page, limited per e-mail address and per network address (no mail flood)."""

    def form_valid(self, form: Any) -> HttpResponse:
        refused = rate_count("password_reset", account=form.cleaned_data["email"], address=client_ip(self.request))
        if refused is None:
            return super().form_valid(form)
        form.add_error(None, refused.message)
        response = self.form_invalid(form)
        response.status_code = 429
        response["Retry-After"] = str(refused.retry_after)
        return response


def register(request: HttpRequest) -> HttpResponse:
    """A firm creates its account (credit code + contact); a code already in the register becomes a claim.

    Sign-ups and claims are limited per credit code and per network address (tidu.core.ratelimit)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = FirmRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refused = rate_count("register", account=data["credit_code"], address=client_ip(request))
        if refused is not None:
            form.add_error(None, refused.message)
            response = render(request, "accounts/register.html", {"form": form}, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        try:
            result = firm_register(
                username=data["username"], password=data["password1"], email=data["email"],
                credit_code=data["credit_code"], name=data["name"], region_code=data["region_code"],
                industry_code=data["industry_code"], contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
            )
        except TiduError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
            if result.pending:
                messages.info(request, _("账号已创建。企业所在地主管部门确认后，您的账号才会加入该企业。"))
                return redirect("accounts:request_status")
            messages.success(request, _("注册成功。请补充企业信息并填报年度数据。"))
            return redirect("enterprises:dashboard")
    return render(request, "accounts/register.html", {"form": form})


@tidu_view
def request_status(request: HttpRequest) -> HttpResponse:
    """The claimant's own page while the county decides: what they submitted and the decision, nothing else."""
    return render(request, "accounts/request_status.html", {
        "requests": own_account_requests(user=request.user),
        "organisation": organisation_of(request.user),
    })


@tidu_view
def requests_queue(request: HttpRequest) -> HttpResponse:
    """Officials: claims and registrations waiting in their jurisdiction (企业认领待确认)."""
    require(can_review_accounts(request.user))
    return render(request, "accounts/requests.html", {
        "open": account_requests_open(user=request.user),
        "decided": account_requests_decided(user=request.user),
        "reject_form": RejectForm(),
    })


@require_POST
@tidu_view
def request_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    was_accepted = AccountRequest.objects.filter(pk=pk, status=RequestStatus.ACCEPTED).exists()
    req = account_request_confirm(actor=request.user, request_id=pk)
    if was_accepted:
        text = _("已核对：%(name)s（账号“%(user)s”）。")
    elif req.kind == RequestKind.CLAIM:
        text = _("已确认认领：账号“%(user)s”已加入%(name)s。")
    else:
        text = _("已确认注册：账号“%(user)s”可以使用%(name)s的企业账号。")
    messages.success(request, text % {"user": req.user.get_username(), "name": req.name})
    return redirect("accounts:requests")


@require_POST
@tidu_view
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        req = account_request_reject(actor=request.user, request_id=pk, reason=request.POST.get("reason", ""))
    except TiduError as exc:
        if exc.code != ErrorCode.REASON_REQUIRED:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已驳回：%(name)s。") % {"name": req.name})
    return redirect("accounts:requests")


@tidu_view
def without_account(request: HttpRequest) -> HttpResponse:
    """Officials: the firms of their jurisdiction that nobody can log in for yet, with invitations."""
    require(can_review_accounts(request.user))
    q = request.GET.get("q", "").strip()
    page = Paginator(enterprises_without_account(user=request.user, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    latest = latest_invitations([e.pk for e in page])
    now = timezone.now()
    rows = [{"enterprise": e, "invitation": latest.get(e.pk),
             "state": latest[e.pk].state(now) if e.pk in latest else "", "email_ok": email_ok(e.contact_email)}
            for e in page]
    return render(request, "accounts/without_account.html",
                  {"page": page, "rows": rows, "q": q, "total": page.paginator.count, "days": invitation_valid_days()})


@require_POST
@tidu_view
def invite(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Officials: send (or send again) the one-time activation link to a firm of the register."""
    ent = enterprise_get(user=request.user, pk=enterprise_id)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    else:
        try:
            inv, _token = invitation_create(actor=request.user, enterprise=ent,
                                            email=form.cleaned_data["email"] or None,
                                            base_url=request.build_absolute_uri("/"))
        except TiduError as exc:
            if exc.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已向 %(email)s 发送开通邀请，链接有效期至 %(until)s。") % {
                "email": inv.email, "until": timezone.localtime(inv.expires_at).strftime("%Y-%m-%d %H:%M")})
    return redirect_next(request, reverse("enterprises:detail", kwargs={"pk": ent.pk}))


def activate(request: HttpRequest, token: str) -> HttpResponse:
    """The invited firm opens its link and chooses its login (no log-in needed: the link is the key)."""
    try:
        inv = invitation_get(token)
    except TiduError as exc:
        return render_error(request, exc)
    form = ActivationForm(request.POST or None, email=inv.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, username=form.cleaned_data["username"],
                                     password=form.cleaned_data["password1"])
        except TiduError as exc:
            if exc.field not in form.fields:
                return render_error(request, exc)
            form.add_error(exc.field, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("账号已开通，欢迎使用梯度平台。"))
            return redirect("ladder:me")
    return render(request, "accounts/activate.html", {"form": form, "invitation": inv})


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
