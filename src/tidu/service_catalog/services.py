"""Every write of the service list. Each function owns its transaction, its permission check, its audit
event and its notifications (written inside the transaction, mailed after commit).

`actor=None` is the system (demo data, commands): permission checks are skipped, the audit says 系统.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.permissions import (
    is_platform_admin,
    organisation_of,
    region_in_jurisdiction,
    require,
    role_of,
)
from tidu.core.text import starts_like_formula
from tidu.core.validators import validate_email, validate_phone
from tidu.enterprises.models import Enterprise
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import firm_recipients, notify_users
from tidu.regions.models import Region
from tidu.service_catalog.access import covers_all, overlaps, provider_of, serving_codes
from tidu.service_catalog.deadlines import response_due_from_db
from tidu.service_catalog.errors import ServiceCode, ServiceError
from tidu.service_catalog.models import (
    EDITABLE_OFFER_STATUSES,
    OPEN_REQUEST_STATUSES,
    Category,
    OfferStatus,
    Provider,
    ProviderStatus,
    Rating,
    RequestMessage,
    RequestStatus,
    ServiceOffer,
    ServiceRequest,
    Side,
)

MAX_TEXT = 4000


# ---- helpers ----------------------------------------------------------------------------------------


def _text(value: str, *, field: str, label: str, required: bool = True, max_len: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise TiduError(ErrorCode.REASON_REQUIRED, field=field, what=label)
    if len(text) > max_len:
        raise TiduError(ErrorCode.VALIDATION, field=field, detail=f"{label}不能超过 {max_len} 字")
    return text


def _provider_users(provider: Provider) -> list[Any]:
    return list(
        get_user_model().objects.filter(is_active=True, membership__organisation_id=provider.organisation_id)
    )


def _officials_covering(region_codes: list[str]) -> list[Any]:
    """Officials whose jurisdiction covers every one of the codes (those who may decide)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, membership__organisation__kind="government")
        .select_related("membership__organisation__region")
    )
    return [u for u in users if covers_all(u, region_codes)]


def _notify_firm(request: ServiceRequest, title: str, body: str) -> None:
    staff, emails = firm_recipients([request.enterprise_id])[request.enterprise_id]
    notify_users(
        users=staff,
        kind=NotificationKind.SYSTEM,
        title=title,
        body=body,
        link=reverse("services:request", args=[request.pk]),
        extra_emails=emails,
    )


def _notify_provider(request: ServiceRequest, title: str, body: str) -> None:
    notify_users(
        users=_provider_users(request.provider),
        kind=NotificationKind.SYSTEM,
        title=title,
        body=body,
        link=reverse("services:request", args=[request.pk]),
    )


def _require_provider(actor: Any, provider: Provider) -> None:
    if actor is None or is_platform_admin(actor):
        return
    own = provider_of(actor)
    if own is None or own.pk != provider.pk:
        raise ServiceError(ServiceCode.NOT_A_PROVIDER) if own is None else TiduError(ErrorCode.NOT_FOUND)


# ---- providers -------------------------------------------------------------------------------------


@dataclass
class ProviderInput:
    region_code: str
    intro: str
    contact_phone: str
    contact_email: str = ""


def provider_profile_save(*, actor: Any, data: ProviderInput, organisation: Any = None) -> Provider:
    """A provider organisation registers (or updates) its profile; a new one, or a moved one, waits for the
    officials of its region. A refused provider that saves again asks again."""
    org = organisation if actor is None else organisation_of(actor)
    if org is None or org.kind != "provider":
        raise ServiceError(ServiceCode.NOT_A_PROVIDER)
    region = Region.objects.filter(code=(data.region_code or "").strip(), active=True).first()
    if region is None:
        raise TiduError(ErrorCode.REGION_UNKNOWN, field="region_code", value=data.region_code)
    intro = _text(data.intro, field="intro", label="机构简介")
    phone = validate_phone(data.contact_phone, label="联系电话", field="contact_phone")
    email = (
        validate_email(data.contact_email, label="联系邮箱", field="contact_email")
        if data.contact_email
        else ""
    )
    with transaction.atomic():
        provider = Provider.objects.select_for_update().filter(organisation=org).first()
        before = {"region": provider.region_id, "status": provider.status} if provider is not None else {}
        if provider is None:
            provider = Provider(organisation=org)
        moved = provider.pk is not None and provider.region_id != region.code
        provider.region = region
        provider.intro, provider.contact_phone, provider.contact_email = intro, phone, email
        if provider.pk is None or moved or provider.status == ProviderStatus.REJECTED:
            provider.status = ProviderStatus.PENDING
            provider.decided_by, provider.decided_at, provider.decision_note = None, None, ""
        provider.save()
        audit_record(
            actor=actor,
            action="service.provider_save",
            target=provider,
            data={"before": before, "region": region.code, "status": provider.status},
        )
        if provider.status == ProviderStatus.PENDING:
            notify_users(
                users=_officials_covering([region.code]),
                kind=NotificationKind.REVIEW,
                title=f"服务机构待审核：{org.name}",
                body=f"{org.name}申请入驻服务清单（所在地：{region.full_name}）。",
                link=reverse("services:oversight"),
            )
    return provider


def provider_decide(*, actor: Any, provider: Provider, approve: bool, note: str = "") -> Provider:
    """Officials of the provider's region approve or refuse it (a reason is required to refuse)."""
    if actor is not None:
        require(region_in_jurisdiction(actor, provider.region_id), not_found=True)
        require(role_of(actor) in {"government", "platform"})
    note = _text(note, field="note", label="不通过的理由", required=not approve)
    with transaction.atomic():
        current = Provider.objects.select_for_update().get(pk=provider.pk)
        if current.status != ProviderStatus.PENDING:
            raise ServiceError(ServiceCode.PROVIDER_DECIDED, status=current.get_status_display())
        current.status = ProviderStatus.APPROVED if approve else ProviderStatus.REJECTED
        current.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        current.decided_at, current.decision_note = timezone.now(), note
        current.save()
        audit_record(
            actor=actor,
            action="service.provider_decide",
            target=current,
            data={
                "status": ["pending", current.status],
                "decision": "通过" if approve else "不通过",
                "note": note,
            },
        )
        word = "已通过审核，可以提交服务事项上架" if approve else f"未通过审核：{note}"
        notify_users(
            users=_provider_users(current),
            kind=NotificationKind.SYSTEM,
            title=f"服务机构入驻{'已通过' if approve else '未通过'}",
            body=f"{current.name}{word}。",
            link=reverse("services:provider_home"),
        )
    return current


# ---- offers ----------------------------------------------------------------------------------------


@dataclass
class OfferInput:
    title: str
    category: str
    description: str
    how_to_request: str
    response_days: int
    region_codes: list[str]
    free: bool = True
    price_yuan: int | None = None
    price_note: str = ""


def _clean_offer(data: OfferInput) -> tuple[dict[str, Any], list[Region]]:
    problems: list[tuple[str | None, ErrorCode, str]] = []

    def check(fieldname: str, fn: Any) -> Any:
        try:
            return fn()
        except TiduError as exc:
            problems.append((fieldname, exc.code, exc.message))
            return None

    title = check("title", lambda: _text(data.title, field="title", label="服务名称", max_len=120))
    if title and starts_like_formula(title):
        problems.append(
            ("title", ErrorCode.VALIDATION, "服务名称不能以 =、+、-、@ 开头（表格软件会把它当作公式执行）")
        )
    if data.category not in Category.values:
        problems.append(
            ("category", ErrorCode.VALIDATION, f"服务类别“{data.category}”不存在，请从列表中选择")
        )
    description = check("description", lambda: _text(data.description, field="description", label="服务内容"))
    how = check(
        "how_to_request", lambda: _text(data.how_to_request, field="how_to_request", label="申请方式")
    )
    if not isinstance(data.response_days, int) or not 1 <= data.response_days <= 60:
        problems.append(
            (
                "response_days",
                ErrorCode.VALUE_OUT_OF_RANGE,
                f"承诺响应时间的值“{data.response_days}”超出允许范围（1～60 个工作日）",
            )
        )
    codes = list(dict.fromkeys(c.strip() for c in data.region_codes if c and c.strip()))
    regions = list(Region.objects.filter(code__in=codes, active=True))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if not codes:
        problems.append(("region_codes", ErrorCode.REASON_REQUIRED, "请选择至少一个服务地区"))
    elif unknown:
        problems.append(
            ("region_codes", ErrorCode.REGION_UNKNOWN, f"服务地区代码不存在或已撤销：{'、'.join(unknown)}")
        )
    if data.free:
        price = None
    elif data.price_yuan is None or data.price_yuan < 0:
        problems.append(("price", ErrorCode.MONEY_INVALID, "收费服务请填写参考价格（万元），或勾选“免费”"))
        price = None
    else:
        price = data.price_yuan
    price_note = check(
        "price_note",
        lambda: _text(data.price_note, field="price_note", label="收费说明", required=False, max_len=200),
    )
    if problems:
        raise TiduValidationError(problems)
    return (
        {
            "title": title,
            "category": data.category,
            "description": description,
            "how_to_request": how,
            "response_days": data.response_days,
            "free": data.free,
            "price_yuan": price,
            "price_note": price_note or "",
        },
        regions,
    )


def offer_save(
    *, actor: Any, data: OfferInput, offer: ServiceOffer | None = None, provider: Provider | None = None
) -> ServiceOffer:
    """Create a draft, or edit one that is not listed or waiting (a listed offer is withdrawn first)."""
    owner = offer.provider if offer is not None else (provider if actor is None else provider_of(actor))
    if owner is None:
        raise ServiceError(ServiceCode.NOT_A_PROVIDER)
    _require_provider(actor, owner)
    values, regions = _clean_offer(data)
    with transaction.atomic():
        if offer is None:
            offer = ServiceOffer.objects.create(provider=owner, status=OfferStatus.DRAFT, **values)
            before: dict[str, Any] = {}
        else:
            offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk)
            if offer.status not in EDITABLE_OFFER_STATUSES:
                raise ServiceError(ServiceCode.OFFER_NOT_EDITABLE, status=offer.get_status_display())
            before = {k: getattr(offer, k) for k in values}
            for k, v in values.items():
                setattr(offer, k, v)
            offer.save()
        before_regions = sorted(offer.regions.values_list("code", flat=True))
        offer.regions.set(regions)
        after = values | {"regions": sorted(r.code for r in regions)}
        audit_record(
            actor=actor,
            action="service.offer_save",
            target=offer,
            data={
                "changed": {
                    k: [before.get(k) if k != "regions" else before_regions, v]
                    for k, v in after.items()
                    if (before.get(k) if k != "regions" else before_regions) != v
                }
            },
        )
    return offer


def offer_submit(*, actor: Any, offer: ServiceOffer) -> ServiceOffer:
    """The provider asks for listing; only an approved provider may."""
    _require_provider(actor, offer.provider)
    with transaction.atomic():
        offer = (
            ServiceOffer.objects.select_for_update().select_related("provider__organisation").get(pk=offer.pk)
        )
        if offer.provider.status != ProviderStatus.APPROVED:
            raise ServiceError(ServiceCode.PROVIDER_NOT_APPROVED, status=offer.provider.get_status_display())
        if offer.status not in EDITABLE_OFFER_STATUSES:
            raise ServiceError(ServiceCode.OFFER_NOT_EDITABLE, status=offer.get_status_display())
        old = offer.status
        offer.status = OfferStatus.SUBMITTED
        offer.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action="service.offer_submit", target=offer, data={"status": [old, offer.status]}
        )
        codes = list(offer.regions.values_list("code", flat=True))
        notify_users(
            users=_officials_covering(codes),
            kind=NotificationKind.REVIEW,
            title=f"服务事项待审核：{offer.title}",
            body=f"{offer.provider.name}提交了服务事项“{offer.title}”。",
            link=reverse("services:oversight"),
        )
    return offer


def offer_decide(*, actor: Any, offer: ServiceOffer, approve: bool, note: str = "") -> ServiceOffer:
    """An official whose jurisdiction covers every region served lists the offer, or refuses it with a reason."""
    codes = sorted(offer.regions.values_list("code", flat=True))
    if actor is not None:
        require(role_of(actor) in {"government", "platform"})
        require(any(overlaps(actor, c) for c in codes), not_found=True)
        if not covers_all(actor, codes):
            raise ServiceError(ServiceCode.OFFER_OUTSIDE_JURISDICTION, regions="、".join(codes))
    note = _text(note, field="note", label="不通过的理由", required=not approve)
    with transaction.atomic():
        offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk)
        if offer.status != OfferStatus.SUBMITTED:
            raise ServiceError(ServiceCode.OFFER_NOT_SUBMITTED, status=offer.get_status_display())
        now = timezone.now()
        offer.status = OfferStatus.LISTED if approve else OfferStatus.REJECTED
        offer.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        offer.decided_at, offer.decision_note = now, note
        if approve:
            offer.listed_at = now
        offer.save()
        audit_record(
            actor=actor,
            action="service.offer_decide",
            target=offer,
            data={
                "status": ["submitted", offer.status],
                "decision": "上架" if approve else "不通过",
                "note": note,
            },
        )
        provider = Provider.objects.select_related("organisation").get(pk=offer.provider_id)
        notify_users(
            users=_provider_users(provider),
            kind=NotificationKind.SYSTEM,
            title=f"服务事项{'已上架' if approve else '未通过审核'}：{offer.title}",
            body=("已通过审核并在服务清单中上架。" if approve else f"未通过审核：{note}。修改后可重新提交。"),
            link=reverse("services:offer_edit", args=[offer.pk]),
        )
    return offer


def offer_withdraw(*, actor: Any, offer: ServiceOffer) -> ServiceOffer:
    """The provider takes an offer off the list (or back from review); open requests continue."""
    _require_provider(actor, offer.provider)
    with transaction.atomic():
        offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk)
        if offer.status not in (OfferStatus.LISTED, OfferStatus.SUBMITTED):
            raise ServiceError(
                ServiceCode.OFFER_NOT_LISTED, title=offer.title, status=offer.get_status_display()
            )
        old = offer.status
        offer.status = OfferStatus.WITHDRAWN
        offer.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action="service.offer_withdraw", target=offer, data={"status": [old, offer.status]}
        )
    return offer


# ---- requests --------------------------------------------------------------------------------------


@dataclass
class RequestInput:
    need: str
    contact_name: str
    contact_phone: str


def request_submit(
    *,
    actor: Any,
    offer: ServiceOffer,
    data: RequestInput,
    enterprise: Enterprise | None = None,
    today: dt.date | None = None,
) -> ServiceRequest:
    """A firm asks for a listed offer serving its region; the response is due in the promised working days."""
    if actor is not None:
        org = organisation_of(actor)
        require(role_of(actor) == "enterprise" and org is not None and org.enterprise_id is not None)
        enterprise = org.enterprise  # type: ignore[union-attr]
    assert enterprise is not None
    problems: list[tuple[str | None, ErrorCode, str]] = []
    for fieldname, label, fn in (
        ("need", "服务需求", lambda: _text(data.need, field="need", label="服务需求")),
        (
            "contact_name",
            "联系人",
            lambda: _text(data.contact_name, field="contact_name", label="联系人", max_len=50),
        ),
        (
            "contact_phone",
            "联系电话",
            lambda: validate_phone(data.contact_phone, label="联系电话", field="contact_phone"),
        ),
    ):
        try:
            setattr(data, fieldname, fn())
        except TiduError as exc:
            problems.append((fieldname, exc.code, exc.message or label))
    if problems:
        raise TiduValidationError(problems)
    day = today or timezone.localdate()
    with transaction.atomic():
        offer = (
            ServiceOffer.objects.select_for_update().select_related("provider__organisation").get(pk=offer.pk)
        )
        if offer.status != OfferStatus.LISTED:
            raise ServiceError(
                ServiceCode.OFFER_NOT_LISTED, title=offer.title, status=offer.get_status_display()
            )
        if not offer.regions.filter(code__in=serving_codes(enterprise.region_id)).exists():
            raise ServiceError(
                ServiceCode.OFFER_NOT_SERVING_REGION, title=offer.title, region=enterprise.region.full_name
            )
        open_one = ServiceRequest.objects.filter(
            offer=offer, enterprise=enterprise, status__in=OPEN_REQUEST_STATUSES
        ).first()
        if open_one is not None:
            raise ServiceError(ServiceCode.REQUEST_OPEN, status=open_one.get_status_display())
        req = ServiceRequest.objects.create(
            offer=offer,
            provider=offer.provider,
            enterprise=enterprise,
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
            need=data.need,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            submitted_on=day,
            due_on=response_due_from_db(day, offer.response_days),
        )
        audit_record(
            actor=actor,
            action="service.request_submit",
            target=req,
            data={"offer": offer.pk, "enterprise": enterprise.pk, "due_on": req.due_on},
        )
        _notify_provider(
            req,
            f"新的服务申请：{offer.title}",
            f"{enterprise.name}申请“{offer.title}”，请于 {req.due_on:%Y-%m-%d} 前响应。",
        )
    return req


def _lock_request(actor: Any, request: ServiceRequest, *, side: Side) -> ServiceRequest:
    """Check the actor stands on `side` of this request, then lock its row."""
    if actor is not None and not is_platform_admin(actor):
        if side == Side.PROVIDER:
            own = provider_of(actor)
            require(own is not None and own.pk == request.provider_id, not_found=True)
        else:
            org = organisation_of(actor)
            require(org is not None and org.enterprise_id == request.enterprise_id, not_found=True)
    return (
        ServiceRequest.objects.select_for_update()
        .select_related("offer", "enterprise", "provider__organisation")
        .get(pk=request.pk)
    )


def _check(req: ServiceRequest, allowed: tuple[str, ...], what: str, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != req.version:
        raise ServiceError(ServiceCode.CONFLICT, status=req.get_status_display())
    if req.status not in allowed:
        raise ServiceError(ServiceCode.REQUEST_WRONG_STATE, status=req.get_status_display(), what=what)


def _message(req: ServiceRequest, actor: Any, side: Side, text: str) -> None:
    RequestMessage.objects.create(
        request=req, side=side, text=text, author=actor if getattr(actor, "is_authenticated", False) else None
    )


def _first_response(req: ServiceRequest, now: dt.datetime) -> None:
    if req.responded_at is None:
        req.responded_at = now


def request_accept(
    *,
    actor: Any,
    request: ServiceRequest,
    message: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """The provider takes the request on (its first response, if it had not replied yet)."""
    text = _text(message, field="message", label="回复", required=False)
    with transaction.atomic():
        req = _lock_request(actor, request, side=Side.PROVIDER)
        _check(req, (RequestStatus.SUBMITTED,), "受理", expected_version)
        at = now or timezone.now()
        _first_response(req, at)
        req.status, req.accepted_at, req.version = RequestStatus.ACCEPTED, at, req.version + 1
        req.save()
        if text:
            _message(req, actor, Side.PROVIDER, text)
        audit_record(
            actor=actor,
            action="service.request_accept",
            target=req,
            data={"status": ["submitted", "accepted"]},
        )
        _notify_firm(
            req, f"服务申请已受理：{req.offer.title}", text or f"{req.provider.name}已受理贵企业的服务申请。"
        )
    return req


def request_reply(
    *,
    actor: Any,
    request: ServiceRequest,
    text: str,
    side: Side = Side.PROVIDER,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """A message on an open request, from the provider (counts as its response) or the firm."""
    body = _text(text, field="text", label="回复内容")
    with transaction.atomic():
        req = _lock_request(actor, request, side=side)
        _check(req, OPEN_REQUEST_STATUSES, "回复", None)
        if side == Side.PROVIDER:
            _first_response(req, now or timezone.now())
        req.version += 1
        req.save()
        _message(req, actor, side, body)
        audit_record(actor=actor, action="service.request_reply", target=req, data={"side": side.value})
        if side == Side.PROVIDER:
            _notify_firm(req, f"服务机构回复：{req.offer.title}", body)
        else:
            _notify_provider(req, f"企业留言：{req.offer.title}", body)
    return req


def request_done(
    *,
    actor: Any,
    request: ServiceRequest,
    summary: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """The provider marks an accepted request done; the firm may then rate it."""
    text = _text(summary, field="summary", label="服务小结", required=False)
    with transaction.atomic():
        req = _lock_request(actor, request, side=Side.PROVIDER)
        _check(req, (RequestStatus.ACCEPTED,), "标记完成", expected_version)
        req.status, req.done_at, req.version = RequestStatus.DONE, now or timezone.now(), req.version + 1
        req.save()
        if text:
            _message(req, actor, Side.PROVIDER, text)
        audit_record(
            actor=actor, action="service.request_done", target=req, data={"status": ["accepted", "done"]}
        )
        _notify_firm(
            req,
            f"服务已完成，请评价：{req.offer.title}",
            (text + "\n" if text else "") + "服务机构已标记完成，欢迎对本次服务评分。",
        )
    return req


def request_decline(
    *,
    actor: Any,
    request: ServiceRequest,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """The provider declines an open request, saying why (the firm sees the reason)."""
    text = _text(reason, field="reason", label="婉拒理由")
    with transaction.atomic():
        req = _lock_request(actor, request, side=Side.PROVIDER)
        _check(req, OPEN_REQUEST_STATUSES, "婉拒", expected_version)
        at = now or timezone.now()
        old = req.status
        _first_response(req, at)
        req.status, req.declined_at, req.decline_reason = RequestStatus.DECLINED, at, text
        req.version += 1
        req.save()
        audit_record(
            actor=actor,
            action="service.request_decline",
            target=req,
            data={"status": [old, "declined"], "reason": text},
        )
        _notify_firm(req, f"服务申请未能受理：{req.offer.title}", f"理由：{text}")
    return req


def request_rate(*, actor: Any, request: ServiceRequest, score: Any, comment: str = "") -> Rating:
    """The firm rates a done request once: 1–5 and an optional comment."""
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5 or str(score).strip() != str(value):
        raise ServiceError(ServiceCode.SCORE_INVALID, field="score", value=score)
    text = _text(comment, field="comment", label="评价", required=False, max_len=1000)
    with transaction.atomic():
        req = _lock_request(actor, request, side=Side.FIRM)
        existing = Rating.objects.filter(request=req).first()
        if existing is not None:
            raise ServiceError(
                ServiceCode.RATING_EXISTS, when=timezone.localtime(existing.at).strftime("%Y-%m-%d %H:%M")
            )
        if req.status != RequestStatus.DONE:
            raise ServiceError(ServiceCode.RATING_NOT_DONE, status=req.get_status_display())
        rating = Rating.objects.create(
            request=req,
            offer=req.offer,
            provider=req.provider,
            score=value,
            comment=text,
            rated_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="service.request_rate", target=req, data={"score": value})
        _notify_provider(req, f"收到评价：{req.offer.title} {value} 分", text)
    return rating
