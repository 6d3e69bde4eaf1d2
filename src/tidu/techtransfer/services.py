"""Every write of technology transfer. Each function owns its transaction, its permission check and its audit
event (`techtransfer.*`); notifications are written inside the transaction.

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
from tidu.core.permissions import is_platform_admin, region_in_jurisdiction, require
from tidu.core.text import starts_like_formula
from tidu.core.validators import validate_phone
from tidu.enterprises.models import Enterprise
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import firm_recipients, notify_users
from tidu.techtransfer.access import can_oversee, own_enterprise_id, platform_of
from tidu.techtransfer.errors import TransferCode, TransferError
from tidu.techtransfer.matching import industry_prefixes
from tidu.techtransfer.models import (
    EDITABLE_STATUSES,
    OPEN_REQUEST_STATUSES,
    Achievement,
    AchievementKind,
    AchievementStatus,
    Incubation,
    IncubationStatus,
    Maturity,
    RequestStatus,
    Review,
    TechField,
    Transfer,
    TransferMode,
    TransferRequest,
)

MAX_TEXT = 4000


def _text(value: str, *, field: str, label: str, required: bool = True, max_len: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise TiduError(ErrorCode.REASON_REQUIRED, field=field, what=label)
    if len(text) > max_len:
        raise TiduError(ErrorCode.VALIDATION, field=field, detail=f"{label}不能超过 {max_len} 字")
    return text


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _platform_users(platform_id: int) -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, membership__organisation_id=platform_id))


def _require_platform(actor: Any, platform: Any) -> None:
    """The actor works for this platform (or is the system or a platform admin)."""
    if actor is None or is_platform_admin(actor):
        return
    own = platform_of(actor)
    if own is None:
        raise TransferError(TransferCode.NOT_A_PLATFORM)
    if own.pk != platform.pk:
        raise TiduError(ErrorCode.NOT_FOUND)


def _acting_platform(actor: Any, platform: Any) -> Any:
    own = platform if actor is None or (platform is not None and is_platform_admin(actor)) else platform_of(actor)
    if own is None or own.kind != "innovation":
        raise TransferError(TransferCode.NOT_A_PLATFORM)
    return own


# ---- achievements ----------------------------------------------------------------------------------


@dataclass
class AchievementInput:
    title: str
    kind: str
    field: str
    maturity: str
    description: str
    modes: list[str]
    keywords: str = ""
    industry_codes: str = ""
    patent_no: str = ""
    price_min_yuan: int | None = None
    price_max_yuan: int | None = None


def _clean_achievement(data: AchievementInput) -> dict[str, Any]:
    problems: list[tuple[str | None, ErrorCode, str]] = []

    def check(fieldname: str, fn: Any) -> Any:
        try:
            return fn()
        except TiduError as exc:
            problems.append((fieldname, exc.code, exc.message))
            return None

    title = check("title", lambda: _text(data.title, field="title", label="成果名称", max_len=120))
    if title and starts_like_formula(title):
        problems.append(("title", ErrorCode.VALIDATION, "成果名称不能以 =、+、-、@ 开头（表格软件会把它当作公式执行）"))
    for name, value, choices, label in (
        ("kind", data.kind, AchievementKind, "成果类型"),
        ("field", data.field, TechField, "技术领域"),
        ("maturity", data.maturity, Maturity, "成熟度"),
    ):
        if value not in choices.values:
            problems.append((name, ErrorCode.VALIDATION, f"{label}“{value}”不存在，请从列表中选择"))
    description = check("description", lambda: _text(data.description, field="description", label="成果简介"))
    keywords = check(
        "keywords", lambda: _text(data.keywords, field="keywords", label="关键词", required=False, max_len=200)
    )
    patent_no = check(
        "patent_no", lambda: _text(data.patent_no, field="patent_no", label="专利号", required=False, max_len=60)
    )
    codes = industry_prefixes(data.industry_codes or "")
    bad = [c for c in codes if not (len(c) in (1, 3, 4, 5) and c[0].isalpha() and (c[1:] == "" or c[1:].isdigit()))]
    if bad:
        problems.append(("industry_codes", ErrorCode.INDUSTRY_CODE_INVALID, f"行业代码格式不对：{'、'.join(bad)}（如 C34）"))
    modes = [m for m in dict.fromkeys(data.modes) if m]
    if not modes:
        problems.append(("modes", ErrorCode.VALIDATION, TransferError(TransferCode.NO_MODE).message))
    elif any(m not in TransferMode.values for m in modes):
        problems.append(("modes", ErrorCode.VALIDATION, "转化方式只能是转让、许可或合作开发"))
    low, high = data.price_min_yuan, data.price_max_yuan
    for name, amount in (("price_min", low), ("price_max", high)):
        if amount is not None and amount < 0:
            problems.append((name, ErrorCode.MONEY_NEGATIVE, "参考价不能为负数"))
    if low is not None and high is not None and high < low:
        problems.append(
            ("price_max", ErrorCode.VALIDATION,
             TransferError(TransferCode.PRICE_RANGE, low=low / 10000, high=high / 10000).message)
        )
    if problems:
        raise TiduValidationError(problems)
    return {
        "title": title,
        "kind": data.kind,
        "field": data.field,
        "maturity": data.maturity,
        "description": description,
        "keywords": keywords or "",
        "industry_codes": " ".join(codes),
        "patent_no": patent_no or "",
        "allows_assignment": TransferMode.ASSIGNMENT in modes,
        "allows_licence": TransferMode.LICENCE in modes,
        "allows_joint": TransferMode.JOINT in modes,
        "price_min_yuan": low,
        "price_max_yuan": high,
    }


def achievement_save(
    *, actor: Any, data: AchievementInput, achievement: Achievement | None = None, platform: Any = None
) -> Achievement:
    """Create a draft, or edit a draft or withdrawn achievement (a listed one is withdrawn first)."""
    owner = achievement.platform if achievement is not None else _acting_platform(actor, platform)
    _require_platform(actor, owner)
    values = _clean_achievement(data)
    with transaction.atomic():
        if achievement is None:
            achievement = Achievement.objects.create(platform=owner, status=AchievementStatus.DRAFT, **values)
            before: dict[str, Any] = {}
        else:
            achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
            if achievement.status not in EDITABLE_STATUSES:
                raise TransferError(TransferCode.NOT_EDITABLE, status=achievement.get_status_display())
            before = {k: getattr(achievement, k) for k in values}
            for k, v in values.items():
                setattr(achievement, k, v)
            achievement.save()
        audit_record(
            actor=actor,
            action="techtransfer.achievement_save",
            target=achievement,
            data={"changed": {k: [before.get(k), v] for k, v in values.items() if before.get(k) != v}},
        )
    return achievement


_MOVES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "list": ((AchievementStatus.DRAFT, AchievementStatus.WITHDRAWN), AchievementStatus.LISTED, "发布"),
    "withdraw": ((AchievementStatus.LISTED,), AchievementStatus.WITHDRAWN, "撤下"),
}


def achievement_move(*, actor: Any, achievement: Achievement, action: str) -> Achievement:
    """list (发布: firms find it) or withdraw (撤下: hidden from firms, open requests stay with the platform)."""
    if action not in _MOVES:
        raise TiduError(ErrorCode.NOT_FOUND)
    _require_platform(actor, achievement.platform)
    sources, target, word = _MOVES[action]
    with transaction.atomic():
        current = Achievement.objects.select_for_update().get(pk=achievement.pk)
        if current.status not in sources:
            raise TransferError(TransferCode.WRONG_STATE, status=current.get_status_display(), what=word)
        before = current.status
        current.status = target
        if target == AchievementStatus.LISTED:
            current.listed_at = timezone.now()
        current.save(update_fields=["status", "listed_at", "updated_at"])
        audit_record(
            actor=actor,
            action=f"techtransfer.achievement_{action}",
            target=current,
            data={"status": [before, current.status]},
        )
    return current


# ---- requests --------------------------------------------------------------------------------------


@dataclass
class RequestInput:
    mode: str
    message: str
    contact_name: str
    contact_phone: str


def request_submit(
    *, actor: Any, achievement: Achievement, data: RequestInput, enterprise: Enterprise | None = None
) -> TransferRequest:
    """A firm asks for a listed achievement in one of the modes it is offered in (one open request at a time)."""
    firm_id = enterprise.pk if actor is None and enterprise is not None else own_enterprise_id(actor)
    if firm_id is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    problems: list[tuple[str | None, ErrorCode, str]] = []
    message = contact = phone = ""
    try:
        message = _text(data.message, field="message", label="需求说明")
    except TiduError as exc:
        problems.append(("message", exc.code, exc.message))
    try:
        contact = _text(data.contact_name, field="contact_name", label="联系人", max_len=50)
    except TiduError as exc:
        problems.append(("contact_name", exc.code, exc.message))
    try:
        phone = validate_phone(data.contact_phone, label="联系电话", field="contact_phone")
    except TiduError as exc:
        problems.append(("contact_phone", exc.code, exc.message))
    if problems:
        raise TiduValidationError(problems)
    with transaction.atomic():
        current = Achievement.objects.select_for_update().select_related("platform").get(pk=achievement.pk)
        if current.status != AchievementStatus.LISTED:
            raise TransferError(TransferCode.NOT_LISTED, title=current.title, status=current.get_status_display())
        if data.mode not in current.modes:
            raise TransferError(
                TransferCode.MODE_NOT_OFFERED,
                field="mode",
                mode=TransferMode(data.mode).label if data.mode in TransferMode.values else data.mode,
                modes="、".join(current.mode_labels),
            )
        existing = TransferRequest.objects.filter(
            achievement=current, enterprise_id=firm_id, status__in=OPEN_REQUEST_STATUSES
        ).first()
        if existing is not None:
            raise TransferError(TransferCode.REQUEST_OPEN, status=existing.get_status_display())
        req = TransferRequest.objects.create(
            achievement=current,
            enterprise_id=firm_id,
            requested_by=_user(actor),
            mode=data.mode,
            message=message,
            contact_name=contact,
            contact_phone=phone,
        )
        audit_record(
            actor=actor,
            action="techtransfer.request_submit",
            target=req,
            data={"achievement": current.pk, "mode": data.mode, "status": [None, req.status]},
        )
        notify_users(
            users=_platform_users(current.platform_id),
            kind=NotificationKind.SYSTEM,
            title=f"新的成果转化申请：{current.title}",
            body=f"{req.enterprise.name}希望以“{req.get_mode_display()}”方式对接。",
            link=reverse("techtransfer:request", args=[req.pk]),
        )
    return req


def request_answer(*, actor: Any, request: TransferRequest, action: str, reply: str = "") -> TransferRequest:
    """The platform accepts (洽谈中) or declines (a reason is required) a request."""
    if action not in {"accept", "decline"}:
        raise TiduError(ErrorCode.NOT_FOUND)
    _require_platform(actor, request.achievement.platform)
    word = "接洽" if action == "accept" else "婉拒"
    text = _text(reply, field="reply", label="婉拒理由" if action == "decline" else "回复", required=action == "decline")
    with transaction.atomic():
        current = TransferRequest.objects.select_for_update().select_related("achievement").get(pk=request.pk)
        allowed = (RequestStatus.SUBMITTED,) if action == "accept" else OPEN_REQUEST_STATUSES
        if current.status not in allowed:
            raise TransferError(TransferCode.REQUEST_WRONG_STATE, status=current.get_status_display(), what=word)
        before = current.status
        current.status = RequestStatus.ACCEPTED if action == "accept" else RequestStatus.DECLINED
        current.reply, current.replied_at = text, timezone.now()
        current.save(update_fields=["status", "reply", "replied_at", "updated_at"])
        audit_record(
            actor=actor,
            action=f"techtransfer.request_{action}",
            target=current,
            data={"status": [before, current.status], "reply": text},
        )
        staff, emails = firm_recipients([current.enterprise_id])[current.enterprise_id]
        notify_users(
            users=staff,
            kind=NotificationKind.SYSTEM,
            title=f"成果转化申请{current.get_status_display()}：{current.achievement.title}",
            body=text or "创新平台已接洽，请留意联系电话。",
            link=reverse("techtransfer:request", args=[current.pk]),
            extra_emails=emails,
        )
    return current


# ---- records: transfers and incubations -----------------------------------------------------------


def _firm_by_code(credit_code: str) -> Enterprise:
    code = (credit_code or "").strip().upper()
    firm = Enterprise.objects.filter(credit_code=code).first()
    if firm is None:
        raise TransferError(TransferCode.FIRM_UNKNOWN, field="credit_code", value=code)
    return firm


def _notify_officials(region_code: str, title: str, body: str) -> None:
    users = (
        get_user_model()
        .objects.filter(is_active=True, membership__organisation__kind="government")
        .select_related("membership__organisation__region")
    )
    notify_users(
        users=[u for u in users if region_in_jurisdiction(u, region_code)],
        kind=NotificationKind.REVIEW,
        title=title,
        body=body,
        link=reverse("techtransfer:oversight"),
    )


@dataclass
class TransferInput:
    achievement_id: int
    mode: str
    contract_no: str
    contract_on: dt.date
    evidence: str
    credit_code: str = ""
    request_id: int | None = None
    amount_yuan: int | None = None


def transfer_record(*, actor: Any, data: TransferInput, platform: Any = None) -> Transfer:
    """The platform records a concluded transfer of its own achievement to a firm (from a request, or by credit
    code). An assignment marks the achievement 已转让; a licence or joint development leaves it listed. The
    firm's officials are asked to confirm."""
    owner = _acting_platform(actor, platform)
    achievement = Achievement.objects.filter(pk=data.achievement_id).select_related("platform").first()
    if achievement is None:
        raise TiduError(ErrorCode.NOT_FOUND, field="achievement")
    if achievement.platform_id != owner.pk:
        raise TransferError(TransferCode.NOT_OWN_ACHIEVEMENT, field="achievement")
    req = None
    if data.request_id is not None:
        req = TransferRequest.objects.filter(pk=data.request_id, achievement=achievement).first()
        if req is None:
            raise TiduError(ErrorCode.NOT_FOUND, field="request")
        if req.status not in OPEN_REQUEST_STATUSES:
            raise TransferError(TransferCode.REQUEST_WRONG_STATE, status=req.get_status_display(), what="登记转化")
        firm = req.enterprise
    else:
        firm = _firm_by_code(data.credit_code)
    problems: list[tuple[str | None, ErrorCode, str]] = []
    if data.mode not in TransferMode.values:
        problems.append(("mode", ErrorCode.VALIDATION, "转化方式只能是转让、许可或合作开发"))
    for name, label, max_len in (("contract_no", "合同编号", 60), ("evidence", "合同佐证", MAX_TEXT)):
        try:
            _text(getattr(data, name), field=name, label=label, max_len=max_len)
        except TiduError as exc:
            problems.append((name, exc.code, exc.message))
    if data.contract_on > timezone.localdate():
        problems.append(("contract_on", ErrorCode.DATE_IN_FUTURE, "签约日期不能晚于今天"))
    if data.amount_yuan is not None and data.amount_yuan < 0:
        problems.append(("amount", ErrorCode.MONEY_NEGATIVE, "合同金额不能为负数"))
    if problems:
        raise TiduValidationError(problems)
    with transaction.atomic():
        current = Achievement.objects.select_for_update().get(pk=achievement.pk)
        if current.status not in (AchievementStatus.LISTED, AchievementStatus.WITHDRAWN):
            raise TransferError(TransferCode.WRONG_STATE, status=current.get_status_display(), what="登记转化")
        record = Transfer.objects.create(
            platform=owner,
            enterprise=firm,
            recorded_by=_user(actor),
            achievement=current,
            request=req,
            mode=data.mode,
            amount_yuan=data.amount_yuan,
            contract_no=data.contract_no.strip(),
            contract_on=data.contract_on,
            evidence=data.evidence.strip(),
        )
        if data.mode == TransferMode.ASSIGNMENT:
            before = current.status
            current.status = AchievementStatus.TRANSFERRED
            current.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="techtransfer.achievement_transferred",
                target=current,
                data={"status": [before, current.status], "transfer": record.pk},
            )
        if req is not None and req.status != RequestStatus.CONCLUDED:
            before_req = req.status
            TransferRequest.objects.filter(pk=req.pk).update(status=RequestStatus.CONCLUDED, updated_at=timezone.now())
            audit_record(
                actor=actor,
                action="techtransfer.request_conclude",
                target=req,
                data={"status": [before_req, RequestStatus.CONCLUDED], "transfer": record.pk},
            )
        audit_record(
            actor=actor,
            action="techtransfer.transfer_record",
            target=record,
            data={
                "achievement": current.pk,
                "enterprise": firm.credit_code,
                "mode": data.mode,
                "amount_yuan": data.amount_yuan,
                "contract_no": record.contract_no,
                "contract_on": data.contract_on,
            },
        )
        _notify_officials(
            firm.region_id,
            f"成果转化待核实：{current.title}",
            f"{owner.name}登记向{firm.name}{record.get_mode_display()}该成果（合同 {record.contract_no}）。",
        )
    return record


@dataclass
class IncubationInput:
    credit_code: str
    since: dt.date
    note: str = ""


def incubation_record(*, actor: Any, data: IncubationInput, platform: Any = None) -> Incubation:
    """The platform records a firm it incubates; the firm's officials are asked to confirm."""
    owner = _acting_platform(actor, platform)
    firm = _firm_by_code(data.credit_code)
    if data.since > timezone.localdate():
        raise TiduError(ErrorCode.DATE_IN_FUTURE, field="since", label="入孵日期", value=data.since)
    note = _text(data.note, field="note", label="孵化内容", required=False)
    with transaction.atomic():
        existing = (
            Incubation.objects.select_for_update()
            .filter(platform=owner, enterprise=firm, status=IncubationStatus.INCUBATING)
            .exclude(review=Review.REJECTED)
            .first()
        )
        if existing is not None:
            raise TransferError(TransferCode.ALREADY_INCUBATING, since=existing.since.isoformat())
        record = Incubation.objects.create(
            platform=owner, enterprise=firm, recorded_by=_user(actor), since=data.since, note=note
        )
        audit_record(
            actor=actor,
            action="techtransfer.incubation_record",
            target=record,
            data={"enterprise": firm.credit_code, "since": data.since, "status": record.status},
        )
        _notify_officials(
            firm.region_id, f"孵化企业待核实：{firm.name}", f"{owner.name}登记{firm.name}自{data.since}起入孵。"
        )
    return record


def incubation_end(*, actor: Any, incubation: Incubation, status: str, ended_on: dt.date) -> Incubation:
    """The platform marks an incubated firm graduated (已毕业) or left (已退出)."""
    _require_platform(actor, incubation.platform)
    if status not in (IncubationStatus.GRADUATED, IncubationStatus.LEFT):
        raise TiduError(ErrorCode.VALIDATION, field="status", detail="只能标记为已毕业或已退出")
    with transaction.atomic():
        current = Incubation.objects.select_for_update().get(pk=incubation.pk)
        if current.status != IncubationStatus.INCUBATING:
            raise TransferError(TransferCode.WRONG_STATE, status=current.get_status_display(), what="结束孵化")
        if ended_on < current.since:
            raise TransferError(TransferCode.DATE_ORDER, field="ended_on", ended=ended_on, since=current.since)
        if ended_on > timezone.localdate():
            raise TiduError(ErrorCode.DATE_IN_FUTURE, field="ended_on", label="结束日期", value=ended_on)
        before = current.status
        current.status, current.ended_on = status, ended_on
        current.save(update_fields=["status", "ended_on", "updated_at"])
        audit_record(
            actor=actor,
            action="techtransfer.incubation_end",
            target=current,
            data={"status": [before, status], "ended_on": ended_on},
        )
    return current


def record_review(*, actor: Any, record: Transfer | Incubation, confirm: bool, note: str = "") -> Transfer | Incubation:
    """An official of the firm's jurisdiction confirms a record, or rejects it with a reason; a rejected record
    no longer counts for the platform."""
    if actor is not None:
        require(can_oversee(actor))
        if not region_in_jurisdiction(actor, record.enterprise.region_id):
            raise TransferError(TransferCode.OUTSIDE_JURISDICTION, region=record.enterprise.region_id)
    text = _text(note, field="note", label="不予核实的理由", required=not confirm)
    model = type(record)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=record.pk)
        if current.review != Review.PENDING:
            raise TransferError(TransferCode.ALREADY_REVIEWED, review=current.get_review_display())
        current.review = Review.CONFIRMED if confirm else Review.REJECTED
        current.reviewed_by, current.reviewed_at, current.review_note = _user(actor), timezone.now(), text
        current.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
        kind = "transfer" if model is Transfer else "incubation"
        audit_record(
            actor=actor,
            action=f"techtransfer.{kind}_review",
            target=current,
            data={"review": [Review.PENDING, current.review], "note": text},
        )
        notify_users(
            users=_platform_users(current.platform_id),
            kind=NotificationKind.SYSTEM,
            title=f"{'成果转化' if kind == 'transfer' else '孵化企业'}记录{current.get_review_display()}",
            body=f"{current}：{text or '主管部门已核实。'}",
            link=reverse("techtransfer:platform"),
        )
    return current
