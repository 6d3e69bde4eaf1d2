"""Account workflows: firm self-registration and claims, invitations, API tokens (login limits: forms.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tidu.accounts.models import (
    AccountRequest,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrgKind,
    RequestKind,
    RequestStatus,
)
from tidu.accounts.region_check import HOLD, RegionCheck, credit_code_region_check
from tidu.core.audit import audit_record
from tidu.core.credit_code import validate_credit_code
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import (
    can_view_enterprise,
    is_official,
    is_platform_admin,
    organisation_of,
    region_in_jurisdiction,
    require,
)
from tidu.core.validators import email_ok, normalize_phone, validate_email, validate_phone
from tidu.enterprises.models import Enterprise, EnterpriseSource
from tidu.enterprises.services import enterprise_create, enterprise_update, industry_code_validate
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import notify_users, send_mails
from tidu.regions.models import Region
from tidu.regions.selectors import registration_region_get

TOKEN_PREFIX = "tidu_"


@dataclass
class Registration:
    """What a self-registration produced: the user, the firm they joined (None while a county has to
    confirm), and the request the county sees (None when nothing needs looking at)."""

    user: Any
    enterprise: Enterprise | None
    request: AccountRequest | None

    @property
    def pending(self) -> bool:
        return self.request is not None and self.request.status == RequestStatus.PENDING


def enterprise_has_account(enterprise: Enterprise) -> bool:
    """Whether an active user already works for the firm on the platform."""
    return Membership.objects.filter(organisation__enterprise=enterprise, user__is_active=True).exists()


def _new_user(*, username: str, email: str, password: str) -> Any:
    try:
        with transaction.atomic():
            return get_user_model().objects.create_user(username=username, email=email, password=password)
    except IntegrityError:
        raise TiduError(ErrorCode.VALIDATION, field="username", detail="该用户名已被使用") from None


def _attach(*, user: Any, enterprise: Enterprise, phone: str = "") -> Membership:
    """Make `user` staff of the firm, creating the firm's organisation if it has none."""
    org = Organisation.objects.filter(enterprise=enterprise).first()
    if org is None:
        org = Organisation.objects.create(kind=OrgKind.ENTERPRISE, name=enterprise.name, enterprise=enterprise)
    existing = Membership.objects.filter(user=user).select_related("organisation").first()
    if existing is not None:
        if existing.organisation_id != org.pk:
            raise TiduError(ErrorCode.VALIDATION, field="user", detail="该账号已属于其他机构")
        return existing
    membership = Membership.objects.create(user=user, organisation=org, phone=phone)
    user._tidu_org = org  # the permission cache of this request object
    return membership


def _flag(code: str, message: str, severity: str) -> dict[str, str]:
    return {"code": code, "message": message, "severity": severity}


def _claim_flags(ent: Enterprise, check: RegionCheck, details: dict[str, Any]) -> list[dict[str, str]]:
    """What the county should look at before letting a claimant into a firm of the register."""
    flags = [] if check.ok else [_flag("credit_code_region", check.message, check.verdict)]
    region: Region = details["region"]
    if region.code != ent.region_id:
        flags.append(_flag("register_region", (
            f"所选注册地（{region.code} {region.full_name}）与企业名录中的注册地"
            f"（{ent.region_id} {ent.region.full_name}）不一致"), "flag"))
    if "".join(details["name"].split()) != "".join(ent.name.split()):
        flags.append(_flag("name", f"填写的企业名称（{details['name']}）与企业名录中的名称（{ent.name}）不一致", "flag"))
    if ent.contact_email and ent.contact_email.strip().lower() != details["email"].lower():
        flags.append(_flag("email", f"联系邮箱与企业名录登记的联系邮箱（{ent.contact_email}）不同", "info"))
    if ent.contact_phone and normalize_phone(ent.contact_phone) != details["contact_phone"]:
        flags.append(_flag("phone", f"联系电话与企业名录登记的联系电话（{ent.contact_phone}）不同", "info"))
    return flags


def _notify_reviewers(req: AccountRequest) -> None:
    """Tell the officials nearest the firm (county, else city, else province) that a request waits."""
    from tidu.journey.notify import officials_covering

    if req.kind == RequestKind.CLAIM:
        title = f"企业认领待确认：{req.name}"
        body = f"账号“{req.user.get_username()}”申请认领名录中的企业{req.credit_code}，请核对后确认或驳回。"
    elif req.status == RequestStatus.PENDING:
        title = f"企业注册待确认：{req.name}"
        body = f"新注册企业{req.credit_code}的信用代码与所选注册地不在同一省份，账号暂未开通，请核对后确认或驳回。"
    else:
        title = f"企业注册待核对：{req.name}"
        body = f"新注册企业{req.credit_code}已开通账号，但信用代码的登记机关与所选注册地不一致，请核对。"
    if req.flags:
        body += "\n" + "\n".join(f"· {f['message']}" for f in req.flags)
    for level in ("county", "city", "province"):
        users = list(officials_covering(req.review_region_id, level))
        if users:
            notify_users(users=users, kind=NotificationKind.REVIEW, title=title, body=body,
                         link=reverse("accounts:requests"))
            return


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
) -> Registration:
    """A firm signs up with its credit code, region and contact details.

    - a code whose firm already has an account: refused (the firm's administrator adds colleagues);
    - a code in the register without an account: a claim; the user is created but joins the firm only
      when an official of the firm's jurisdiction confirms (nobody takes over a firm's figures alone);
    - a new code: the firm enters the register and the user joins it at once, unless the code was
      issued in another province than the chosen region (held for the county like a claim); a code
      issued elsewhere in the same province is accepted and flagged to the county.
    """
    code = validate_credit_code(credit_code)
    region = registration_region_get(region_code)
    details: dict[str, Any] = {
        "credit_code": code, "name": name.strip(), "region": region,
        "industry_code": industry_code_validate(industry_code), "contact_name": contact_name.strip(),
        "contact_phone": validate_phone(contact_phone, label="联系电话", field="contact_phone"),
        "email": validate_email(email, label="联系邮箱", field="email"),
    }
    existing = Enterprise.objects.select_for_update(of=("self",)).select_related("region__parent__parent").filter(
        credit_code=code).first()
    if existing is not None and enterprise_has_account(existing):
        raise TiduError(ErrorCode.ENTERPRISE_ALREADY_REGISTERED, field="credit_code")
    check = credit_code_region_check(code, region)
    user = _new_user(username=username, email=details["email"], password=password)

    if existing is not None:
        req = AccountRequest.objects.create(
            kind=RequestKind.CLAIM, status=RequestStatus.PENDING, user=user, enterprise=existing,
            review_region_id=existing.region_id, flags=_claim_flags(existing, check, details), **details)
        audit_record(actor=user, action="account.claim_submit", target=req,
                     data={"credit_code": code, "enterprise": existing.pk, "flags": [f["code"] for f in req.flags]})
        _notify_reviewers(req)
        return Registration(user=user, enterprise=None, request=req)

    flags = [] if check.ok else [_flag("credit_code_region", check.message, check.verdict)]
    if check.verdict == HOLD:
        req = AccountRequest.objects.create(
            kind=RequestKind.NEW_FIRM, status=RequestStatus.PENDING, user=user, review_region=region, flags=flags,
            **details)
        audit_record(actor=user, action="account.firm_register_held", target=req,
                     data={"credit_code": code, "region_code": region.code, "code_region": check.code_region})
        _notify_reviewers(req)
        return Registration(user=user, enterprise=None, request=req)

    try:
        ent = enterprise_create(
            actor=None, credit_code=code, name=details["name"], region_code=region.code,
            industry_code=details["industry_code"], source=EnterpriseSource.SELF_REGISTERED, check_permission=False,
            contact_name=details["contact_name"], contact_phone=details["contact_phone"], contact_email=details["email"],
        )
    except IntegrityError:
        # Someone registered the same new code between our look-up and this insert (no row to lock
        # then): the code now has an account, so this sign-up is refused like any later one.
        raise TiduError(ErrorCode.ENTERPRISE_ALREADY_REGISTERED, field="credit_code") from None
    _attach(user=user, enterprise=ent, phone=details["contact_phone"])
    flagged = None
    if flags:
        flagged = AccountRequest.objects.create(
            kind=RequestKind.NEW_FIRM, status=RequestStatus.ACCEPTED, user=user, enterprise=ent,
            review_region=region, flags=flags, **details)
        _notify_reviewers(flagged)
    audit_record(actor=user, action="account.firm_register", target=ent,
                 data={"username": username, "flags": [f["code"] for f in flags]})
    return Registration(user=user, enterprise=ent, request=flagged)


def _request_for_decision(actor: Any, request_id: int) -> AccountRequest:
    req = (AccountRequest.objects.select_for_update(of=("self",))
           .select_related("user", "enterprise", "review_region").filter(pk=request_id).first())
    require(req is not None and region_in_jurisdiction(actor, req.review_region_id), not_found=True)
    assert req is not None
    require(is_official(actor) or is_platform_admin(actor))
    return req


@transaction.atomic
def account_request_confirm(*, actor: Any, request_id: int) -> AccountRequest:
    """An official of the jurisdiction confirms a claim or a held registration (the user joins the firm,
    the firm entering the register first if it is new), or marks a flagged registration as looked at."""
    req = _request_for_decision(actor, request_id)
    if req.status not in (RequestStatus.PENDING, RequestStatus.ACCEPTED):
        raise TiduError(ErrorCode.ACCOUNT_REQUEST_DECIDED, status=req.get_status_display())
    before = req.status
    if req.status == RequestStatus.PENDING:
        ent = req.enterprise or Enterprise.objects.filter(credit_code=req.credit_code).first()
        if ent is None:
            ent = enterprise_create(
                actor=actor, credit_code=req.credit_code, name=req.name, region_code=req.region_id,
                industry_code=req.industry_code, source=EnterpriseSource.SELF_REGISTERED,
                contact_name=req.contact_name, contact_phone=req.contact_phone, contact_email=req.email,
            )
        _attach(user=req.user, enterprise=ent, phone=req.contact_phone)
        req.enterprise = ent
    req.status = RequestStatus.CONFIRMED
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.save()
    audit_record(actor=actor, action="account.request_confirm", target=req,
                 data={"kind": req.kind, "from": before, "enterprise": req.enterprise_id, "user": req.user_id})
    if before == RequestStatus.PENDING:
        assert req.enterprise is not None
        notify_users(
            users=[req.user], kind=NotificationKind.SYSTEM, title=f"账号已开通：{req.enterprise.name}",
            body=f"所在地主管部门已确认您的{req.get_kind_display()}申请，您的账号已加入{req.enterprise.name}。",
            link=reverse("enterprises:dashboard"))
    return req


@transaction.atomic
def account_request_reject(*, actor: Any, request_id: int, reason: str) -> AccountRequest:
    """An official of the jurisdiction turns down a pending claim or held registration, saying why."""
    req = _request_for_decision(actor, request_id)
    if req.status != RequestStatus.PENDING:
        raise TiduError(ErrorCode.ACCOUNT_REQUEST_DECIDED, status=req.get_status_display())
    if not reason.strip():
        raise TiduError(ErrorCode.REASON_REQUIRED, field="reason", what="驳回理由")
    req.status = RequestStatus.REJECTED
    req.reason = reason.strip()
    req.decided_by = actor
    req.decided_at = timezone.now()
    req.save()
    audit_record(actor=actor, action="account.request_reject", target=req,
                 data={"kind": req.kind, "reason": req.reason, "user": req.user_id})
    notify_users(users=[req.user], kind=NotificationKind.SYSTEM, title=f"申请未通过：{req.name}",
                 body=f"所在地主管部门驳回了您的{req.get_kind_display()}申请。理由：{req.reason}",
                 link=reverse("accounts:request_status"))
    return req


def _invitation_check(inv: Invitation | None, now: dt.datetime) -> Invitation:
    if inv is None:
        raise TiduError(ErrorCode.INVITATION_INVALID)
    state = inv.state(now)
    if state == "used":
        raise TiduError(ErrorCode.INVITATION_USED, when=_local(inv.used_at))
    if state == "revoked":
        raise TiduError(ErrorCode.INVITATION_REVOKED)
    if state == "expired":
        raise TiduError(ErrorCode.INVITATION_EXPIRED, when=_local(inv.expires_at))
    return inv


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def invitation_valid_days() -> int:
    return int(getattr(settings, "INVITATION_VALID_DAYS", 14))


@transaction.atomic
def invitation_create(
    *, actor: Any, enterprise: Enterprise, base_url: str, email: str | None = None,
) -> tuple[Invitation, str]:
    """An official invites a firm of their jurisdiction that has no account; returns (invitation, token).

    The link goes to the firm's contact e-mail in the register; `email`, when given and different, is
    first saved as that contact e-mail (an audited change of the register). Earlier unused links of
    the firm are revoked. Only the token's digest is stored; the e-mail leaves after commit.
    """
    require(can_view_enterprise(actor, enterprise), not_found=True)
    require((is_official(actor) or is_platform_admin(actor)) and region_in_jurisdiction(actor, enterprise.region_id))
    ent = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if enterprise_has_account(ent):
        raise TiduError(ErrorCode.ENTERPRISE_ALREADY_REGISTERED, field="email")
    address = (ent.contact_email if email is None else email).strip()
    if not address or not email_ok(address):
        shown = f"（“{address}”不是有效的邮箱地址）" if address else ""
        raise TiduError(ErrorCode.INVITATION_NO_EMAIL, field="email", name=ent.name, value=shown)
    if address != ent.contact_email:
        enterprise_update(actor=actor, enterprise=ent, data={"contact_email": address})
    now = timezone.now()
    earlier = list(Invitation.objects.filter(enterprise=ent, used_at__isnull=True, revoked_at__isnull=True)
                   .values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=earlier).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    inv = Invitation.objects.create(enterprise=ent, email=address, digest=_digest(token), created_by=actor,
                                    created_at=now, expires_at=now + dt.timedelta(days=invitation_valid_days()))
    audit_record(actor=actor, action="account.invitation_create", target=ent,
                 data={"invitation": inv.pk, "email": address, "expires_at": inv.expires_at, "revoked": earlier})
    link = base_url.rstrip("/") + reverse("accounts:activate", kwargs={"token": token})
    office = organisation_of(actor)
    sender = office.name if office is not None else "梯度平台"
    text = (f"{ent.name}：\n\n{sender}邀请贵企业开通梯度平台（优质中小企业梯度培育平台）账号。"
            f"请在 {_local(inv.expires_at)} 前打开下面的链接，设置登录用户名和密码：\n\n{link}\n\n"
            f"链接只能使用一次。如非本企业人员，请忽略本邮件。\n\n——梯度平台")
    mail = (f"【梯度】{ent.name}：开通企业账号邀请", text, settings.DEFAULT_FROM_EMAIL, [address])
    transaction.on_commit(lambda: send_mails([mail]))
    return inv, token


def invitation_get(token: str) -> Invitation:
    """The open invitation for `token`, or the TiduError that says why it cannot be used."""
    inv = Invitation.objects.select_related("enterprise").filter(digest=_digest(token or "")).first()
    return _invitation_check(inv, timezone.now())


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> Any:
    """The invited firm sets its user name and password; the new user joins the firm (once per link)."""
    inv = (Invitation.objects.select_for_update(of=("self",)).select_related("enterprise", "created_by")
           .filter(digest=_digest(token or "")).first())
    inv = _invitation_check(inv, timezone.now())
    user = _new_user(username=username, email=inv.email, password=password)
    _attach(user=user, enterprise=inv.enterprise)
    inv.used_at = timezone.now()
    inv.used_by = user
    inv.save(update_fields=["used_at", "used_by"])
    audit_record(actor=user, action="account.invitation_accept", target=inv.enterprise,
                 data={"invitation": inv.pk, "username": user.get_username(),
                       "invited_by": inv.created_by.get_username() if inv.created_by else "",
                       "invited_at": inv.created_at, "used_at": inv.used_at})
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
