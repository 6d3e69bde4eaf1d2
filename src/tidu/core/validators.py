"""Contact details: one phone check and one e-mail check, each naming the field in its Chinese message.

Used by registration, the firm's contact details (profile, API), invitations and the register's
services, so every path accepts the same numbers. A phone number is a mainland mobile (1[3-9] and 9
more digits) or a landline with its area code (0 + 2–3 digits, optional hyphen, 7–8 digits, optional
extension). Full-width digits, dashes and spaces, as typed on Chinese keyboards, are normalised first.

>>> normalize_phone("０７５５－１２３４ ５６７８")
'0755-12345678'
>>> [phone_ok(p) for p in ("13800000000", "0755-12345678", "075512345678-801", "12800000000", "5551234")]
[True, True, True, False, False]
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from tidu.core.errors import ErrorCode, TiduError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d+)?$")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d]")


def normalize_phone(raw: Any) -> str:
    """Full-width characters to ASCII (NFKC), every dash to '-', whitespace removed."""
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", str(raw or "")))
    return "".join(text.split())


def phone_ok(raw: Any) -> bool:
    phone = normalize_phone(raw)
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone))


def validate_phone(raw: Any, *, label: str, field: str | None = None) -> str:
    """The normalised number, or TiduError PHONE_INVALID naming the field (`label`) and the value."""
    if not phone_ok(raw):
        raise TiduError(ErrorCode.PHONE_INVALID, field=field, label=label, value=str(raw or "").strip())
    return normalize_phone(raw)


def validate_email(raw: Any, *, label: str, field: str | None = None) -> str:
    """The trimmed address, or TiduError EMAIL_INVALID naming the field (Django's EmailValidator decides)."""
    email = str(raw or "").strip()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise TiduError(ErrorCode.EMAIL_INVALID, field=field, label=label, value=email) from None
    return email


def email_ok(raw: Any) -> bool:
    try:
        validate_email(raw, label="")
    except TiduError:
        return False
    return True


class PhoneField(forms.CharField):
    """A form field for a phone number: cleans to the normalised number, errors name the field."""

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "")
        if not text:
            return ""
        try:
            return validate_phone(text, label=str(self.label or ""))
        except TiduError as exc:
            raise ValidationError(exc.message, code=str(exc.code)) from exc


class ContactEmailField(forms.CharField):
    """A form field for an e-mail address, checked by Django's EmailValidator with a message naming the field."""

    widget = forms.EmailInput

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "")
        if not text:
            return ""
        try:
            return validate_email(text, label=str(self.label or ""))
        except TiduError as exc:
            raise ValidationError(exc.message, code=str(exc.code)) from exc


def form_clean_phone(value: Any, label: Any) -> str:
    """For a form's clean_<field>: '' stays '', else the normalised number or a ValidationError."""
    return PhoneField(label=label, required=False).clean(value)


def form_clean_email(value: Any, label: Any) -> str:
    return ContactEmailField(label=label, required=False).clean(value)

