"""State changes of 发榜/揭榜. Each one checks who acts, locks the row, changes it and writes one audit event.

Who may do what: the owner (the large enterprise) edits, publishes, closes, cancels its needs, invites firms,
shortlists, selects (at most three), rejects, and records contract, milestones and acceptance; an SME of the
register responds to an open need it can see and withdraws its response; officials of the need's region
approve, hide and restore it in the catalogue and invite firms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tidu.core.audit import audit_record, changed_fields
from tidu.core.permissions import organisation_of, role_of
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.needs import selectors
from tidu.needs.errors import NeedCode, NeedError
from tidu.needs.models import (
    MAX_SELECTED,
    SHAREABLE_FIGURES,
    AcceptanceResult,
    IpArrangement,
    Milestone,
    Need,
    NeedField,
    NeedInvitation,
    NeedResponse,
    NeedStatus,
    ResponseStatus,
    Visibility,
)
from tidu.notifications.models import NotificationKind
from tidu.notifications.services import notify_users
from tidu.regions.models import Region

EDITABLE_STATUSES = (NeedStatus.DRAFT, NeedStatus.PUBLISHED)
LIVE_RESPONSE_STATUSES = (ResponseStatus.SUBMITTED, ResponseStatus.SHORTLISTED)


@dataclass(frozen=True)
class NeedInput:
    title: str
    field: str
    description: str
    indicators: str
    deadline: dt.date
    region_code: str
    budget_min: int | None = None  # yuan
    budget_max: int | None = None
    timeline: str = ""
    ip_arrangement: str = IpArrangement.NEGOTIATED
    ip_note: str = ""
    visibility: str = Visibility.PUBLIC


@dataclass(frozen=True)
class ResponseInput:
    solution: str
    team: str
    rd_evidence: str = ""
    prior_cases: str = ""
    share: tuple[str, ...] = field(default_factory=tuple)  # SHAREABLE_FIGURES the SME chooses to show


def clean(text: str) -> str:
    """Stripped, without NUL characters (PostgreSQL refuses them in text)."""
    return str(text).replace("\x00", "").strip()


def _users_of_org(org_id: int | None) -> list[Any]:
    if org_id is None:
        return []
    return list(get_user_model().objects.filter(membership__organisation_id=org_id, is_active=True))


def _users_of_firm(enterprise_id: int) -> list[Any]:
    return list(get_user_model().objects.filter(
        membership__organisation__enterprise_id=enterprise_id, is_active=True))


def _require_owner(actor: Any, need: Need) -> None:
    if not selectors.is_owner(actor, need):
        raise NeedError(NeedCode.NOT_OWNER)


def _require_curator(actor: Any, need: Need) -> None:
    if not selectors.can_curate(actor, need):
        raise NeedError(NeedCode.NOT_CURATOR)


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update().get(pk=need.pk)


def _wrong(need: Need, what: str) -> NeedError:
    return NeedError(NeedCode.WRONG_STATE, title=need.title, status=need.get_status_display(), what=what)


def _set_status(actor: Any, need: Need, new: str, action: str, **data: Any) -> Need:
    old = need.status
    need.status = new
    need.save()
    audit_record(actor=actor, action=action, target=need, data={"status": [old, new], **data})
    return need


def _validate(data: NeedInput) -> Region:
    for name, label in (("title", "需求名称"), ("description", "需求描述"), ("indicators", "技术指标")):
        if not str(getattr(data, name)).strip():
            raise NeedError(NeedCode.REQUIRED, field=name, what=label)
    for name, label, limit in (("title", "需求名称", 120), ("timeline", "实施周期", 100),
                               ("ip_note", "知识产权补充说明", 300)):
        if len(str(getattr(data, name)).strip()) > limit:
            raise NeedError(NeedCode.TOO_LONG, field=name, what=label, limit=limit)
    if data.field not in NeedField.values:
        raise NeedError(NeedCode.FIELD_UNKNOWN, field="field", value=data.field, what="技术领域")
    if data.visibility not in Visibility.values:
        raise NeedError(NeedCode.FIELD_UNKNOWN, field="visibility", value=data.visibility, what="发布方式")
    if data.ip_arrangement not in IpArrangement.values:
        raise NeedError(NeedCode.FIELD_UNKNOWN, field="ip_arrangement", value=data.ip_arrangement, what="知识产权约定")
    low, high = data.budget_min, data.budget_max
    if low is not None and high is not None and low > high:
        raise NeedError(NeedCode.BUDGET_ORDER, field="budget_min", low=low / 10_000, high=high / 10_000)
    region = Region.objects.filter(code=clean(data.region_code)[:6], active=True).first()
    if region is None:
        raise NeedError(NeedCode.FIELD_UNKNOWN, field="region_code", value=data.region_code, what="地区")
    return region


def need_save(*, actor: Any, data: NeedInput, need: Need | None = None) -> Need:
    """Create (as a draft) or edit a need; only the owner, only while a draft or taking responses."""
    org = organisation_of(actor)
    if need is None and (role_of(actor) != "large" or org is None):
        raise NeedError(NeedCode.NOT_OWNER)
    region = _validate(data)
    values = {
        "title": clean(data.title), "field": data.field, "description": clean(data.description),
        "indicators": clean(data.indicators), "deadline": data.deadline, "region_id": region.code,
        "budget_min": data.budget_min, "budget_max": data.budget_max, "timeline": clean(data.timeline),
        "ip_arrangement": data.ip_arrangement, "ip_note": clean(data.ip_note), "visibility": data.visibility,
    }
    with transaction.atomic():
        if need is None:
            assert org is not None
            need = Need.objects.create(owner=org, created_by=actor, **values)
            audit_record(actor=actor, action="needs.need_create", target=need, data={"changes": values})
            return need
        _require_owner(actor, need)
        need = _locked(need)
        if need.status not in EDITABLE_STATUSES:
            raise _wrong(need, "修改")
        before = {k: getattr(need, k) for k in values}
        for k, v in values.items():
            setattr(need, k, v)
        need.save()
        audit_record(actor=actor, action="needs.need_update", target=need,
                     data={"changes": changed_fields(before, values)})
    return need


def need_publish(*, actor: Any, need: Need) -> Need:
    """Drafts go live at once (the region's officials may hide them later); the deadline must lie ahead."""
    _require_owner(actor, need)
    with transaction.atomic():
        need = _locked(need)
        if need.status != NeedStatus.DRAFT:
            raise _wrong(need, "发布")
        if need.deadline < timezone.localdate():
            raise NeedError(NeedCode.DEADLINE_PAST, field="deadline", deadline=need.deadline.isoformat())
        need.published_at = timezone.now()
        return _set_status(actor, need, NeedStatus.PUBLISHED, "needs.need_publish")


def need_close(*, actor: Any, need: Need) -> Need:
    """Stop taking responses (selection goes on)."""
    _require_owner(actor, need)
    with transaction.atomic():
        need = _locked(need)
        if need.status != NeedStatus.PUBLISHED:
            raise _wrong(need, "结束征集")
        need.closed_at = timezone.now()
        return _set_status(actor, need, NeedStatus.CLOSED, "needs.need_close")


def need_cancel(*, actor: Any, need: Need, reason: str = "") -> Need:
    """The owner withdraws a need that has no selected response yet."""
    _require_owner(actor, need)
    with transaction.atomic():
        need = _locked(need)
        if need.status not in (NeedStatus.DRAFT, NeedStatus.PUBLISHED, NeedStatus.CLOSED) or need.responses.filter(
                status=ResponseStatus.SELECTED).exists():
            raise _wrong(need, "撤回")
        return _set_status(actor, need, NeedStatus.CANCELLED, "needs.need_cancel", reason=clean(reason))


def need_approve(*, actor: Any, need: Need) -> Need:
    """An official marks the need as checked (shown as 主管部门已审核 in the catalogue)."""
    _require_curator(actor, need)
    with transaction.atomic():
        need = _locked(need)
        if need.status not in (NeedStatus.PUBLISHED, NeedStatus.CLOSED) or need.approved_at is not None:
            raise _wrong(need, "审核")
        need.approved_at, need.approved_by = timezone.now(), actor
        need.save()
        audit_record(actor=actor, action="needs.need_approve", target=need)
    return need


def need_hide(*, actor: Any, need: Need, reason: str) -> Need:
    """An official takes a need out of the catalogue (a reason is required and shown to the owner)."""
    _require_curator(actor, need)
    reason = clean(reason)
    if not reason:
        raise NeedError(NeedCode.REQUIRED, field="reason", what="下架理由")
    with transaction.atomic():
        need = _locked(need)
        if need.status not in (NeedStatus.PUBLISHED, NeedStatus.CLOSED, NeedStatus.COMPLETED):
            raise _wrong(need, "下架")
        need.status_before_hidden, need.hidden_reason = need.status, reason.strip()
        need = _set_status(actor, need, NeedStatus.HIDDEN, "needs.need_hide", reason=reason.strip())
    notify_users(users=_users_of_org(need.owner_id), kind=NotificationKind.SYSTEM,
                 title=f"需求已被主管部门下架：{need.title}", body=reason.strip(),
                 link=reverse("needs:detail", args=[need.pk]))
    return need


def need_restore(*, actor: Any, need: Need) -> Need:
    _require_curator(actor, need)
    with transaction.atomic():
        need = _locked(need)
        if need.status != NeedStatus.HIDDEN:
            raise _wrong(need, "恢复上架")
        back = need.status_before_hidden or NeedStatus.PUBLISHED
        need.status_before_hidden, need.hidden_reason = "", ""
        return _set_status(actor, need, back, "needs.need_restore")


def invite(*, actor: Any, need: Need, enterprise: Enterprise, note: str = "") -> NeedInvitation:
    """The owner or an official of the region invites a firm; for an invite-only need this opens it to the firm."""
    if not (selectors.is_owner(actor, need) or selectors.can_curate(actor, need)):
        raise NeedError(NeedCode.NOT_OWNER)
    if need.status not in (NeedStatus.DRAFT, NeedStatus.PUBLISHED):
        raise _wrong(need, "邀请企业")
    try:
        with transaction.atomic():
            inv = NeedInvitation.objects.create(need=need, enterprise=enterprise, invited_by=actor,
                                                inviter_org=organisation_of(actor), note=clean(note)[:300])
            audit_record(actor=actor, action="needs.invite", target=need,
                         data={"enterprise": enterprise.credit_code, "firm": enterprise.name})
    except IntegrityError:
        raise NeedError(NeedCode.ALREADY_INVITED, name=enterprise.name) from None
    if need.status == NeedStatus.PUBLISHED:
        notify_users(users=_users_of_firm(enterprise.pk), kind=NotificationKind.SYSTEM,
                     title=f"邀请揭榜：{need.title}", body=f"{need.owner.name}邀请贵企业揭榜。{clean(note)}",
                     link=reverse("needs:detail", args=[need.pk]))
    return inv


def _snapshot(enterprise: Enterprise, share: tuple[str, ...]) -> tuple[int | None, dict[str, Any]]:
    """Copy the chosen figures of the firm's latest year: the owner sees this copy and nothing more."""
    for name in share:
        if name not in SHAREABLE_FIGURES:
            raise NeedError(NeedCode.FIGURE_UNKNOWN, field="share", value=name)
    if not share:
        return None, {}
    year = EnterpriseYear.objects.filter(enterprise=enterprise).order_by("-fiscal_year").first()
    if year is None:
        return None, {}
    figures = {name: getattr(year, name) for name in SHAREABLE_FIGURES if name in share}
    return year.fiscal_year, {k: v for k, v in figures.items() if v not in (None, "")}


def response_submit(*, actor: Any, need: Need, data: ResponseInput) -> NeedResponse:
    """An SME responds to an open need it can see (so never to an invite-only need it was not invited to)."""
    ent_id = selectors.own_enterprise_id(actor)
    if ent_id is None:
        raise NeedError(NeedCode.NOT_A_FIRM)
    if not selectors.open_needs_for(actor).filter(pk=need.pk).exists():
        if not selectors.needs_visible_to(actor).filter(pk=need.pk).exists():
            raise NeedError(NeedCode.NOT_OPEN, title="—", status="—", deadline="—")
        raise NeedError(NeedCode.NOT_OPEN, title=need.title, status=need.get_status_display(),
                        deadline=need.deadline.isoformat())
    for name, label in (("solution", "技术方案"), ("team", "团队情况")):
        if not str(getattr(data, name)).strip():
            raise NeedError(NeedCode.REQUIRED, field=name, what=label)
    enterprise = Enterprise.objects.get(pk=ent_id)
    fiscal_year, figures = _snapshot(enterprise, tuple(data.share))
    values = {"solution": clean(data.solution), "team": clean(data.team), "rd_evidence": clean(data.rd_evidence),
              "prior_cases": clean(data.prior_cases), "shared_fiscal_year": fiscal_year, "shared_figures": figures}
    with transaction.atomic():
        old = NeedResponse.objects.select_for_update().filter(need=need, enterprise=enterprise).first()
        if old is not None and old.status != ResponseStatus.WITHDRAWN:
            raise NeedError(NeedCode.RESPONSE_EXISTS, status=old.get_status_display())
        if old is None:
            resp = NeedResponse.objects.create(need=need, enterprise=enterprise, submitted_by=actor,
                                               submitted_at=timezone.now(), **values)
        else:  # a withdrawn response is submitted again
            resp = old
            for k, v in values.items():
                setattr(resp, k, v)
            resp.status, resp.submitted_at, resp.submitted_by = ResponseStatus.SUBMITTED, timezone.now(), actor
            resp.save()
        audit_record(actor=actor, action="needs.response_submit", target=resp,
                     data={"status": [old.status if old else "", ResponseStatus.SUBMITTED],
                           "shared": sorted(figures)})
    notify_users(users=_users_of_org(need.owner_id), kind=NotificationKind.APPLICATION,
                 title=f"收到揭榜方案：{need.title}", body=f"{enterprise.name}提交了揭榜方案。",
                 link=reverse("needs:response", args=[resp.pk]))
    return resp


def _locked_response(resp: NeedResponse) -> NeedResponse:
    return NeedResponse.objects.select_for_update().select_related("need", "enterprise").get(pk=resp.pk)


def _wrong_response(resp: NeedResponse, what: str) -> NeedError:
    return NeedError(NeedCode.RESPONSE_WRONG_STATE, status=resp.get_status_display(), what=what)


def _response_status(actor: Any, resp: NeedResponse, new: str, action: str, note: str = "") -> NeedResponse:
    old = resp.status
    resp.status = new
    if new in (ResponseStatus.SELECTED, ResponseStatus.NOT_SELECTED):
        resp.decided_at, resp.decision_note = timezone.now(), clean(note)
    resp.save()
    audit_record(actor=actor, action=action, target=resp, data={"status": [old, new], "note": clean(note)})
    return resp


def response_withdraw(*, actor: Any, response: NeedResponse) -> NeedResponse:
    if selectors.own_enterprise_id(actor) != response.enterprise_id:
        raise NeedError(NeedCode.NOT_A_FIRM)
    with transaction.atomic():
        resp = _locked_response(response)
        if resp.status not in LIVE_RESPONSE_STATUSES:
            raise _wrong_response(resp, "撤回")
        return _response_status(actor, resp, ResponseStatus.WITHDRAWN, "needs.response_withdraw")


def _owner_decides(actor: Any, response: NeedResponse) -> NeedResponse:
    _require_owner(actor, response.need)
    resp = _locked_response(response)
    if resp.need.status not in (NeedStatus.PUBLISHED, NeedStatus.CLOSED):
        raise _wrong(resp.need, "评选")
    return resp


def response_shortlist(*, actor: Any, response: NeedResponse) -> NeedResponse:
    with transaction.atomic():
        resp = _owner_decides(actor, response)
        if resp.status != ResponseStatus.SUBMITTED:
            raise _wrong_response(resp, "入围")
        return _response_status(actor, resp, ResponseStatus.SHORTLISTED, "needs.response_shortlist")


def response_select(*, actor: Any, response: NeedResponse, note: str = "") -> NeedResponse:
    """Select a solver; at most three per need (the issue's 1–3)."""
    with transaction.atomic():
        Need.objects.select_for_update().get(pk=response.need_id)  # serialise selections of one need
        resp = _owner_decides(actor, response)
        if resp.status not in LIVE_RESPONSE_STATUSES:
            raise _wrong_response(resp, "选定")
        count = NeedResponse.objects.filter(need_id=resp.need_id, status=ResponseStatus.SELECTED).count()
        if count >= MAX_SELECTED:
            raise NeedError(NeedCode.SELECTION_FULL, limit=MAX_SELECTED, count=count)
        resp = _response_status(actor, resp, ResponseStatus.SELECTED, "needs.response_select", note)
    notify_users(users=_users_of_firm(resp.enterprise_id), kind=NotificationKind.APPLICATION,
                 title=f"揭榜方案已被选定：{resp.need.title}", body=clean(note),
                 link=reverse("needs:response", args=[resp.pk]))
    return resp


def response_reject(*, actor: Any, response: NeedResponse, note: str = "") -> NeedResponse:
    with transaction.atomic():
        resp = _owner_decides(actor, response)
        if resp.status not in LIVE_RESPONSE_STATUSES:
            raise _wrong_response(resp, "标记未入选")
        return _response_status(actor, resp, ResponseStatus.NOT_SELECTED, "needs.response_reject", note)


def contract_record(*, actor: Any, response: NeedResponse, signed_on: dt.date, amount: int | None,
                    note: str = "") -> NeedResponse:
    """The owner records the contract signed with a selected solver (amount in yuan)."""
    _require_owner(actor, response.need)
    with transaction.atomic():
        resp = _locked_response(response)
        if resp.status != ResponseStatus.SELECTED or resp.acceptance:
            raise _wrong_response(resp, "登记合同")
        before = {"contract_signed_on": resp.contract_signed_on, "contract_amount": resp.contract_amount,
                  "contract_note": resp.contract_note}
        after = {"contract_signed_on": signed_on, "contract_amount": amount, "contract_note": clean(note)}
        for k, v in after.items():
            setattr(resp, k, v)
        resp.save()
        audit_record(actor=actor, action="needs.contract_record", target=resp,
                     data={"changes": changed_fields(before, after)})
    return resp


def milestone_add(*, actor: Any, response: NeedResponse, title: str, due_on: dt.date, note: str = "") -> Milestone:
    _require_owner(actor, response.need)
    if not title.strip():
        raise NeedError(NeedCode.REQUIRED, field="title", what="里程碑名称")
    with transaction.atomic():
        response = _locked_response(response)
        if response.contract_signed_on is None:
            raise NeedError(NeedCode.NO_CONTRACT)
        if response.acceptance:
            raise _wrong_response(response, "添加里程碑")
        ms = Milestone.objects.create(response=response, title=clean(title)[:120], due_on=due_on,
                                      note=clean(note)[:300])
        audit_record(actor=actor, action="needs.milestone_add", target=response,
                     data={"milestone": ms.title, "due_on": due_on})
    return ms


def milestone_done(*, actor: Any, milestone: Milestone, done_on: dt.date) -> Milestone:
    _require_owner(actor, milestone.response.need)
    with transaction.atomic():
        ms = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if ms.done_on is not None:
            raise NeedError(NeedCode.RESPONSE_WRONG_STATE, status="已完成", what="再次标记完成")
        ms.done_on = done_on
        ms.save()
        audit_record(actor=actor, action="needs.milestone_done", target=milestone.response,
                     data={"milestone": ms.title, "done_on": done_on})
    return ms


def acceptance_record(*, actor: Any, response: NeedResponse, passed: bool, on: dt.date,
                      note: str = "") -> NeedResponse:
    """Acceptance closes the loop; when every selected solver has passed, the need is completed."""
    _require_owner(actor, response.need)
    with transaction.atomic():
        resp = _locked_response(response)
        if resp.contract_signed_on is None:
            raise NeedError(NeedCode.NO_CONTRACT)
        if resp.acceptance:
            raise _wrong_response(resp, "重复验收")
        resp.acceptance = AcceptanceResult.PASSED if passed else AcceptanceResult.FAILED
        resp.accepted_on, resp.acceptance_note = on, clean(note)
        resp.save()
        audit_record(actor=actor, action="needs.acceptance_record", target=resp,
                     data={"acceptance": resp.acceptance, "result": resp.get_acceptance_display(),
                           "accepted_on": on, "note": clean(note)})
        need = _locked(resp.need)
        selected = NeedResponse.objects.filter(need=need, status=ResponseStatus.SELECTED)
        if need.status in (NeedStatus.PUBLISHED, NeedStatus.CLOSED) and not selected.exclude(acceptance=AcceptanceResult.PASSED).exists():
            _set_status(actor, need, NeedStatus.COMPLETED, "needs.need_complete")
    return resp
