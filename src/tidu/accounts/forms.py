from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tidu.core.credit_code import credit_code_problem, normalize_credit_code
from tidu.core.errors import ErrorCode, error_message
from tidu.core.http import client_ip
from tidu.core.ratelimit import RateLimited, rate_count, rate_forgive
from tidu.core.validators import ContactEmailField, PhoneField
from tidu.enterprises.forms import FirmCodesCleaning


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing attempts after repeated failures per user name and per address
    (tidu.core.ratelimit scope "login"). Used by our login page and by the admin's login page; both
    answer a refusal with 429 and Retry-After (`limited_status`).

    Every attempt is counted before the password is checked (concurrent guesses cannot slip past the
    limit) and a successful one is taken back, so only failures use up the limit.
    """

    error_messages = {  # noqa: RUF012 (Django's own attribute)
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。注意区分大小写。"),
    }
    rate_limited: RateLimited | None = None

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        ip = client_ip(self.request)
        self.rate_limited = rate_count("login", account=username, address=ip)
        if self.rate_limited is not None:
            raise ValidationError(self.rate_limited.message, code="throttled")
        cleaned = super().clean()
        rate_forgive("login", account=username, address=ip)
        return cleaned


def limited_status(response: Any) -> Any:
    """A login page whose form was refused by the rate limit: status 429 and Retry-After."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    refused = getattr(form, "rate_limited", None)
    if refused is not None:
        response.status_code = 429
        for name, value in refused.headers.items():
            response[name] = value
    return response


class CreditCodeField(forms.CharField):
    """统一社会信用代码 through the shared validator (spaces removed, upper-cased)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("label", _("统一社会信用代码"))
        kwargs.setdefault("help_text", _("18位，见营业执照；字母大写，不含 I、O、S、V、Z"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = str(super().clean(value) or "")
        if not value:
            return ""
        code = normalize_credit_code(value)
        reason = credit_code_problem(code)
        if reason:
            raise ValidationError(error_message(ErrorCode.CREDIT_CODE_INVALID, value=value, reason=reason))
        return code


class NewLoginCleaning:
    """User name free (case-insensitive) and the two passwords equal and accepted by Django's validators."""

    cleaned_data: dict[str, Any]
    add_error: Any

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用。"))
        return username

    def check_passwords(self, cleaned: dict[str, Any], email: str = "") -> None:
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            try:
                validate_password(p1, get_user_model()(username=cleaned.get("username", ""), email=email))
            except ValidationError as exc:
                self.add_error("password1", exc)


class FirmRegistrationForm(NewLoginCleaning, FirmCodesCleaning, forms.Form):
    credit_code = CreditCodeField()
    name = forms.CharField(label=_("企业名称"), max_length=200, help_text=_("与营业执照一致"))
    region_code = forms.CharField(
        label=_("注册地行政区划代码"), max_length=6, min_length=6,
        help_text=_("企业注册地所在区、县或县级市的6位代码，如 440305（深圳市南山区）"),
    )
    industry_code = forms.CharField(
        label=_("国民经济行业代码"), max_length=8,
        help_text=_("GB/T 4754-2017 主营业务所属行业：门类字母加小类4位数字，如 C3911"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = PhoneField(label=_("联系电话"), max_length=30,
                               help_text=_("手机号，或带区号的固定电话，如 0755-12345678"))
    email = ContactEmailField(label=_("联系邮箱"), max_length=254, help_text=_("用于找回密码"))
    username = forms.CharField(label=_("登录用户名"), max_length=150)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_passwords(cleaned, cleaned.get("email", ""))
        return cleaned


class ActivationForm(NewLoginCleaning, forms.Form):
    """The invited firm chooses its login."""

    username = forms.CharField(label=_("登录用户名"), max_length=150)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, email: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_passwords(cleaned, self.email)
        return cleaned


class InvitationForm(forms.Form):
    """An official sends the activation link to the firm's contact e-mail (correctable here)."""

    email = ContactEmailField(label=_("联系邮箱"), max_length=254, required=False,
                              help_text=_("邀请链接发送到企业名录登记的联系邮箱；在此修改会同时更新名录"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("用途说明"), max_length=100, help_text=_("例如：统计报表脚本"))
