"""Every write of change reports. Each service checks permission, owns its transaction and writes an audit event.

A report moves with optimistic locking (the `version` the actor saw, one conditional UPDATE), like the journey.
Only `change_report_review` approving the last side needed changes the register (Enterprise.name / region /
industry_code), and it writes one `RegisterChange` per changed value.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from tidu.accounts.models import Organisation
from tidu.changes import evidence
from tidu.changes.errors import ChangeCode, ChangeError
from tidu.changes.models import (
    ChangeAttachment,
    ChangeKind,
    ChangeReport,
    ChangeStatus,
    ChangeStep,
    RegisterChange,
    Side,
)
from tidu.changes.selectors import open_report_of, sides_of, sides_waiting_for
from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.permissions import organisation_of, require, role_of
from tidu.core.text import starts_like_formula
from tidu.enterprises.models import Enterprise
from tidu.enterprises.services import enterprise_name_validate, industry_code_validate
from tidu.journey.models import ReviewAction
from tidu.journey.notify import notify_enterprise, notify_officials
from tidu.notifications.models import NotificationKind
from tidu.regions.selectors import registration_region_get

# domain/tiers.md §9: changes "must be reported on the platform within 3 months".
REPORT_WITHIN_MONTHS = 3
MAX_ATTACHMENTS = 10
EXPLANATION_MAX = 2000
OWNERSHIP_MAX = 200
SIDE_NAMES: dict[str, str] = {Side.ORIGIN: "所在地主管部门", Side.DESTINATION: "迁入地主管部门"}  # in messages and notices


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day: 30 Nov + 3 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def report_due(effective_on: dt.date) -> dt.date:
    """The last day a change that took effect on `effective_on` is reported on time."""
    return add_months(effective_on, REPORT_WITHIN_MONTHS)


def is_late(effective_on: dt.date, filed_on: dt.date) -> bool:
    return filed_on > report_due(effective_on)


@dataclass(frozen=True)
class ChangeInput:
    """What the firm reports. Values of kinds not chosen are ignored."""

    kinds: Sequence[str]
    effective_on: dt.date | None
    explanation: str
    new_name: str = ""
    new_region_code: str = ""
    new_industry_code: str = ""
    new_ownership: str = ""


def _problem(problems: list[tuple[str | None, ErrorCode, str]], exc: TiduError, field: str) -> None:
    problems.append((field, exc.code, exc.message))


def _validated(ent: Enterprise, data: ChangeInput, today: dt.date) -> dict[str, Any]:
    """The report's fields from the input, or TiduValidationError naming every field that is wrong."""
    problems: list[tuple[str | None, ErrorCode, str]] = []
    kinds = [k for k in ChangeKind.values if k in set(data.kinds)]
    unknown = sorted(set(data.kinds) - set(ChangeKind.values))
    if unknown or not kinds:
        problems.append(("kinds", ErrorCode.VALIDATION, "请至少选择一项变化事项（名称、注册地、所有制/股权结构、主营业务/行业）"))
    values: dict[str, Any] = {"kinds": kinds, "new_name": "", "new_region": None, "new_industry_code": "",
                              "new_ownership": ""}
    if ChangeKind.NAME in kinds:
        try:
            values["new_name"] = enterprise_name_validate(data.new_name, field="new_name")
            if values["new_name"] == ent.name:
                problems.append(("new_name", ErrorCode.VALIDATION, "新名称与现登记名称相同"))
        except TiduError as exc:
            _problem(problems, exc, "new_name")
    if ChangeKind.REGION in kinds:
        try:
            region = registration_region_get(data.new_region_code, field="new_region_code")
            values["new_region"] = region
            if region.code == ent.region_id:
                problems.append(("new_region_code", ErrorCode.VALIDATION, "新注册地与现登记注册地相同"))
        except TiduError as exc:
            _problem(problems, exc, "new_region_code")
    if ChangeKind.INDUSTRY in kinds:
        try:
            values["new_industry_code"] = industry_code_validate(data.new_industry_code)
            if values["new_industry_code"] == ent.industry_code:
                problems.append(("new_industry_code", ErrorCode.VALIDATION, "新行业代码与现登记行业代码相同"))
        except TiduError as exc:
            _problem(problems, exc, "new_industry_code")
    if ChangeKind.OWNERSHIP in kinds:
        text = (data.new_ownership or "").strip()
        if not text:
            problems.append(("new_ownership", ErrorCode.VALIDATION, "请填写变化后的所有制或股权结构"))
        elif len(text) > OWNERSHIP_MAX:
            problems.append(("new_ownership", ErrorCode.VALIDATION, f"所有制/股权结构说明不能超过{OWNERSHIP_MAX}个字"))
        elif starts_like_formula(text):
            problems.append(("new_ownership", ErrorCode.VALIDATION, "所有制/股权结构说明不能以 =、+、-、@ 开头"))
        values["new_ownership"] = text
    if data.effective_on is None:
        problems.append(("effective_on", ErrorCode.VALIDATION, "请填写变化生效日期（如新营业执照的核准日期）"))
    elif data.effective_on > today:
        problems.append(("effective_on", ErrorCode.DATE_IN_FUTURE, "变化生效日期不能晚于今天：请在变化生效后再报告"))
    explanation = (data.explanation or "").strip()
    if not explanation:
        problems.append(("explanation", ErrorCode.VALIDATION, "请填写情况说明（变化的原因和经过）"))
    elif len(explanation) > EXPLANATION_MAX:
        problems.append(("explanation", ErrorCode.VALIDATION, f"情况说明不能超过{EXPLANATION_MAX}个字"))
    if problems:
        raise TiduValidationError(problems)
    return values | {"effective_on": data.effective_on, "explanation": explanation}


def _checked_files(files: Sequence[tuple[str, bytes]]) -> list[evidence.CheckedFile]:
    """Every evidence file checked before anything is stored (a hostile one refuses the whole report)."""
    if len(files) > MAX_ATTACHMENTS:
        raise TiduError(ErrorCode.VALIDATION, field="files", detail=f"证明材料最多{MAX_ATTACHMENTS}个文件")
    checked = []
    for name, data in files:
        try:
            checked.append(evidence.check_upload(name, data))
        except TiduError as exc:
            raise TiduError(exc.code, field="files", message=exc.message) from exc
    return checked


def _store(report: ChangeReport, checked: list[evidence.CheckedFile], actor: Any) -> list[ChangeAttachment]:
    return [ChangeAttachment.objects.create(
        report=report, original_name=c.name, stored_name=evidence.store(c), content_type=c.content_type,
        size=len(c.data), sha256=c.sha256, uploaded_by=actor) for c in checked]


def _own_firm(actor: Any, system_enterprise: Enterprise | None = None) -> Enterprise:
    """The actor's own firm, locked. `actor` None is the system (seed_demo) filing for `system_enterprise`."""
    if actor is None and system_enterprise is not None:
        return Enterprise.objects.select_for_update().get(pk=system_enterprise.pk)
    org = organisation_of(actor)
    require(role_of(actor) == "enterprise" and org is not None and org.enterprise_id is not None)
    assert org is not None and org.enterprise_id is not None
    ent = Enterprise.objects.select_for_update().get(pk=org.enterprise_id)
    return ent


def _snapshot(ent: Enterprise) -> dict[str, Any]:
    return {"old_name": ent.name, "old_region_id": ent.region_id, "old_industry_code": ent.industry_code}


def _summary(report: ChangeReport) -> dict[str, Any]:
    data: dict[str, Any] = {"kinds": report.kinds, "effective_on": report.effective_on, "late": report.late}
    if ChangeKind.NAME in report.kinds:
        data["name"] = [report.old_name, report.new_name]
    if ChangeKind.REGION in report.kinds:
        data["region"] = [report.old_region_id, report.new_region_id]
    if ChangeKind.INDUSTRY in report.kinds:
        data["industry_code"] = [report.old_industry_code, report.new_industry_code]
    if ChangeKind.OWNERSHIP in report.kinds:
        data["ownership"] = report.new_ownership
    return data


def _notify_reviewers(report: ChangeReport, *, resubmitted: bool = False) -> None:
    """The county office of each side still to approve: work waits in their queue."""
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the platform's language, whoever acts
        _notify_reviewers_now(report, resubmitted=resubmitted)


def _notify_reviewers_now(report: ChangeReport, *, resubmitted: bool) -> None:
    link = reverse("changes:detail", kwargs={"pk": report.pk})
    late = "（逾期报告：距变化生效已超过3个月）" if report.late else ""
    verb = "修改后重新提交了" if resubmitted else "提交了"
    for side in report.sides_needed():
        if side in report.approved_sides():
            continue
        region = report.old_region_id if side == Side.ORIGIN else report.new_region_id
        assert region is not None
        role = "迁入地" if side == Side.DESTINATION else "所在地"
        notify_officials(
            region_code=region, level="county", link=link,
            title=f"待审核重大变化报告：{report.old_name}",
            body=f"{report.old_name}{verb}重大变化报告（{'、'.join(report.kind_labels())}）{late}，"
                 f"请作为{role}主管部门审核。",
        )


def _notify_firm(report: ChangeReport, *, subject: str, body: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _notify_firm_now(report, subject=subject, body=body)


def _notify_firm_now(report: ChangeReport, *, subject: str, body: str) -> None:
    notify_enterprise(report.enterprise, subject=subject, body=body, kind=NotificationKind.APPLICATION,
                      link=reverse("changes:detail", kwargs={"pk": report.pk}),
                      details=f"变化事项：{'、'.join(report.kind_labels())}\n当前状态：{report.get_status_display()}")


def change_report_file(
    *, actor: Any, data: ChangeInput, files: Sequence[tuple[str, bytes]], today: dt.date | None = None,
    enterprise: Enterprise | None = None,
) -> ChangeReport:
    """A firm's staff report a change of their firm with its evidence; the report waits for the county.
    (`enterprise` is for the system only: with `actor` None, seed_demo files for a firm without staff.)"""
    day = today or timezone.localdate()
    with transaction.atomic():
        ent = _own_firm(actor, enterprise)
        current = open_report_of(enterprise=ent)
        if current is not None:
            raise ChangeError(ChangeCode.OPEN_REPORT, status=current.get_status_display())
        values = _validated(ent, data, day)
        checked = _checked_files(files)
        if not checked:
            raise TiduError(ErrorCode.VALIDATION, field="files", detail="请上传至少一份证明材料（如变更后的营业执照）")
        now = timezone.now()
        try:
            with transaction.atomic():
                report = ChangeReport.objects.create(
                    enterprise=ent, **_snapshot(ent), **values, late=is_late(values["effective_on"], day),
                    submitted_at=now, status_changed_at=now, created_by=actor,
                )
        except IntegrityError as exc:  # a colleague filed one at the same moment
            raise ChangeError(ChangeCode.OPEN_REPORT, status=ChangeStatus.PENDING.label) from exc
        atts = _store(report, checked, actor)
        audit_record(actor=actor, action="changes.report.file", target=report,
                     data=_summary(report) | {"attachments": [[a.original_name, a.sha256] for a in atts]})
        _notify_reviewers(report)
    return report


def change_report_revise(
    *, actor: Any, report: ChangeReport, data: ChangeInput, files: Sequence[tuple[str, bytes]] = (),
    expected_version: int | None = None, today: dt.date | None = None,
) -> ChangeReport:
    """The firm revises a returned report (new files are added to the earlier ones) and submits it again;
    every side decides afresh."""
    day = today or timezone.localdate()
    with transaction.atomic():
        ent = _own_firm(actor)
        require(report.enterprise_id == ent.pk, not_found=True)
        locked = ChangeReport.objects.select_for_update().get(pk=report.pk)
        if expected_version is not None and expected_version != locked.version:
            raise ChangeError(ChangeCode.CONFLICT, status=locked.get_status_display())
        if locked.status != ChangeStatus.RETURNED:
            raise ChangeError(ChangeCode.NOT_EDITABLE, status=locked.get_status_display())
        values = _validated(ent, data, day)
        checked = _checked_files(files)
        if not checked and not locked.attachments.exists():
            raise TiduError(ErrorCode.VALIDATION, field="files", detail="请上传至少一份证明材料（如变更后的营业执照）")
        now = timezone.now()
        updated = ChangeReport.objects.filter(pk=locked.pk, version=locked.version).update(
            **_snapshot(ent), **values, late=is_late(values["effective_on"], day), status=ChangeStatus.PENDING,
            version=F("version") + 1, submitted_at=now, status_changed_at=now, updated_at=now,
            origin_approved_by=None, origin_approved_at=None, destination_approved_by=None,
            destination_approved_at=None,
        )
        assert updated == 1  # the row is locked
        locked.refresh_from_db()
        atts = _store(locked, checked, actor)
        audit_record(actor=actor, action="changes.report.resubmit", target=locked,
                     data=_summary(locked) | {"attachments": [[a.original_name, a.sha256] for a in atts]})
        _notify_reviewers(locked, resubmitted=True)
    return locked


def _official_label(actor: Any) -> str:
    org = organisation_of(actor)
    return org.name if org is not None else actor.get_username()


def change_report_review(
    *, actor: Any, report: ChangeReport, action: str, comment: str = "", expected_version: int | None = None
) -> ChangeReport:
    """A county office decides its side: approve, or return to the firm with a comment.

    The report waits until every side needed has approved (for a move: the county holding the firm and the
    county receiving it); the last approval changes the register. A return resets both sides' approvals.
    """
    if action not in (ReviewAction.APPROVE, ReviewAction.RETURN):
        raise TiduError(ErrorCode.VALIDATION, field="action", detail="审核结果只能是“核准”或“退回修改”")
    comment = (comment or "").strip()
    if action == ReviewAction.RETURN and not comment:
        raise TiduError(ErrorCode.VALIDATION, field="comment", detail="退回时请填写退回意见，说明需要企业修改或补充的内容")
    with transaction.atomic():
        locked = ChangeReport.objects.select_for_update().select_related("enterprise").get(pk=report.pk)
        if expected_version is not None and expected_version != locked.version:
            raise ChangeError(ChangeCode.CONFLICT, status=locked.get_status_display())
        mine = sides_of(actor, locked)
        if not mine:
            raise ChangeError(ChangeCode.NOT_YOURS_TO_REVIEW)
        if locked.status != ChangeStatus.PENDING:
            raise ChangeError(ChangeCode.CONFLICT, status=locked.get_status_display())
        waiting = sides_waiting_for(actor, locked)
        if not waiting:
            others = [SIDE_NAMES[s] for s in locked.sides_needed() if s not in locked.approved_sides()]
            raise ChangeError(ChangeCode.ALREADY_APPROVED_BY_SIDE, waiting="、".join(others))
        label = _official_label(actor)
        now = timezone.now()
        for side in waiting:
            ChangeStep.objects.create(report=locked, level=side, official=actor, official_label=label,
                                      action=action, comment=comment)
        if action == ReviewAction.RETURN:
            _bump(locked, status=ChangeStatus.RETURNED, now=now, origin_approved_by=None, origin_approved_at=None,
                  destination_approved_by=None, destination_approved_at=None)
            audit_record(actor=actor, action="changes.report.return", target=locked,
                         data={"sides": waiting, "comment": comment})
            _notify_firm(locked, subject="重大变化报告已退回修改",
                         body=f"{label}退回了您的重大变化报告，请按意见修改后重新提交。\n退回意见：{comment}")
            return locked
        approvals: dict[str, Any] = {}
        for side in waiting:
            approvals[f"{side}_approved_by"] = actor
            approvals[f"{side}_approved_at"] = now
        for key, value in approvals.items():
            setattr(locked, key, value)
        complete = all(s in locked.approved_sides() for s in locked.sides_needed())
        audit_record(actor=actor, action="changes.report.approve", target=locked,
                     data={"sides": waiting, "comment": comment, "complete": complete})
        if not complete:
            _bump(locked, status=ChangeStatus.PENDING, now=now, **approvals)
            still = "、".join(SIDE_NAMES[s] for s in locked.sides_needed() if s not in locked.approved_sides())
            _notify_firm(locked, subject="重大变化报告已获一方核准",
                         body=f"{label}已核准您的重大变化报告，尚待{still}核准；核准前登记信息不变。")
            _notify_reviewers(locked)
            return locked
        _apply(locked, actor=actor, label=label, now=now)
        _bump(locked, status=ChangeStatus.APPROVED, now=now, approved_at=now, **approvals)
        _notify_firm(locked, subject="重大变化报告已核准",
                     body="您的重大变化报告已核准，企业登记信息已按报告变更。")
    return locked


def _bump(report: ChangeReport, *, status: str, now: dt.datetime, **extra: Any) -> None:
    """Save the new state under the row lock, bumping `version` (a page showing the old one gets CONFLICT)."""
    ChangeReport.objects.filter(pk=report.pk).update(status=status, version=F("version") + 1, status_changed_at=now,
                                                     updated_at=now, **extra)
    report.refresh_from_db()


def _apply(report: ChangeReport, *, actor: Any, label: str, now: dt.datetime) -> None:
    """Change the register as the approved report says, keep each change in the history, audit it."""
    ent = Enterprise.objects.select_for_update().get(pk=report.enterprise_id)
    moved_on = [f for f, old, cur in (("名称", report.old_name, ent.name), ("注册地", report.old_region_id, ent.region_id),
                                      ("行业代码", report.old_industry_code, ent.industry_code)) if old != cur]
    if moved_on:
        raise ChangeError(ChangeCode.REGISTER_MOVED_ON, what="、".join(moved_on))
    rows: list[RegisterChange] = []

    def keep(field: str, old: str, new: str) -> None:
        rows.append(RegisterChange(enterprise=ent, report=report, field=field, old_value=old, new_value=new,
                                   effective_on=report.effective_on, approved_by=actor, approved_by_label=label,
                                   approved_at=now))

    if ChangeKind.NAME in report.kinds:
        keep("name", ent.name, report.new_name)
        ent.name = report.new_name
        # the firm's organisation carries its name in the menu and on its staff's pages
        Organisation.objects.filter(kind="enterprise", enterprise=ent).update(name=report.new_name)
    if report.moves:
        assert report.new_region is not None
        keep("region", f"{ent.region_id} {ent.region.full_name}",
             f"{report.new_region_id} {report.new_region.full_name}")
        ent.region = report.new_region
    if ChangeKind.INDUSTRY in report.kinds:
        keep("industry_code", ent.industry_code, report.new_industry_code)
        ent.industry_code = report.new_industry_code
    if ChangeKind.OWNERSHIP in report.kinds:
        keep("ownership", "", report.new_ownership)
    ent.save()
    RegisterChange.objects.bulk_create(rows)
    audit_record(actor=actor, action="enterprise.identity_change", target=ent,
                 data={"report": report.pk, "changes": {r.field: [r.old_value, r.new_value] for r in rows},
                       "effective_on": report.effective_on})
