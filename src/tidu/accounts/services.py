"""Account workflows: firm self-registration, API tokens, login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tidu.accounts.models import ApiToken, LoginFailure, Membership, Organisation, OrgKind
from tidu.core.audit import audit_record
from tidu.core.credit_code import validate_credit_code
from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.models import Enterprise, EnterpriseSource
from tidu.enterprises.services import enterprise_create

# Throttling: this many failures within the window block further attempts for the window.
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_IP = 20
THROTTLE_WINDOW = dt.timedelta(minutes=15)
TOKEN_PREFIX = "tidu_"


@transaction.atomic
def firm_register(
    *,
    username: str,
    password: str,
    email: str,
    credit_code: str,
    name: str,
    region_code: str,
    industry_code: str,
    contact_name: str,
    contact_phone: str,
) -> AbstractBaseUser:
    """A firm signs up: creates the firm, its organisation and the first user.

    A credit code already in the register is refused: the firm's existing account holder or the
    local office adds colleagues, so nobody can claim a firm whose figures are already on file.
    """
    code = validate_credit_code(credit_code)
    if Enterprise.objects.filter(credit_code=code).exists():
        raise TiduError(ErrorCode.ENTERPRISE_ALREADY_REGISTERED, field="credit_code")
    ent = enterprise_create(
        actor=None, credit_code=code, name=name, region_code=region_code, industry_code=industry_code,
        source=EnterpriseSource.SELF_REGISTERED, check_permission=False,
        contact_name=contact_name, contact_phone=contact_phone, contact_email=email,
    )
    org = Organisation.objects.create(kind=OrgKind.ENTERPRISE, name=ent.name, enterprise=ent)
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    Membership.objects.create(user=user, organisation=org, phone=contact_phone)
    audit_record(actor=user, action="account.firm_register", target=ent, data={"username": username})
    return user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token; the plain key is returned once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip() or "API", prefix=key[:12], digest=_digest(key))
    audit_record(actor=user, action="api_token.create", target=token, data={"name": token.name})
    return token, key


@transaction.atomic
def api_token_revoke(*, user: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise TiduError(ErrorCode.NOT_FOUND)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoke", target=token)
    return token


def api_token_authenticate(key: str) -> Any | None:
    """The active user owning `key`, or None."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def login_blocked_minutes(*, username: str, ip: str | None, now: dt.datetime | None = None) -> int:
    """0 when a login may be tried; else the minutes until the oldest counted failure expires."""
    now = now or timezone.now()
    since = now - THROTTLE_WINDOW
    recent = LoginFailure.objects.filter(at__gte=since)
    for qs, limit in ((recent.filter(username=username.lower()), MAX_FAILURES_PER_USERNAME),
                      (recent.filter(ip=ip), MAX_FAILURES_PER_IP) if ip else (None, 0)):
        if qs is None:
            continue
        times = list(qs.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            free_at = times[-1] + THROTTLE_WINDOW
            return max(1, int((free_at - now).total_seconds() // 60) + 1)
    return 0


def login_failed(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip or None)


def login_succeeded(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
