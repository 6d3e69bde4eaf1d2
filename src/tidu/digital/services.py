"""Writes of the self-assessment: start, save a draft, change the category, submit.

Only the firm's own staff fill in its questionnaire. Each service checks that, writes in one
transaction and records an audit event. Submitting scores the answers; incomplete answers give a
clear message listing what is missing and no level. The submitted result feeds the firm's yearly
digital_* fields (the row of fiscal year Y−1 holds the declared state for evaluation year Y).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import organisation_of, role_of
from tidu.digital.models import Assessment, AssessmentStatus
from tidu.digital.questionnaire import (
    CATEGORIES,
    CURRENT_EDITION,
    category_for_industry,
    load_questionnaire,
    score_answers,
)
from tidu.enterprises.models import Enterprise, EnterpriseYear

MISSING_SHOWN = 8


def _require_own_firm(actor: Any, enterprise: Enterprise) -> None:
    org = organisation_of(actor)
    if role_of(actor) != "enterprise" or org is None or org.enterprise_id != enterprise.pk:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message="只有本企业的用户可以填写本企业的数字化水平评测。")


def _clean_answers(assessment: Assessment, answers: dict[str, Any]) -> dict[str, Any]:
    """Keep answers to questions of this questionnaire only; empty answers are dropped."""
    q = load_questionnaire(assessment.edition, assessment.category)
    known = {x.id for x in q.questions}
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in known or value in (None, "", []):
            continue
        out[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return out


@transaction.atomic
def assessment_start(*, actor: Any, enterprise: Enterprise) -> Assessment:
    """The firm's open draft, or a new one in the category its industry code suggests."""
    _require_own_firm(actor, enterprise)
    draft = Assessment.objects.select_for_update().filter(enterprise=enterprise, status=AssessmentStatus.DRAFT).first()
    if draft is not None:
        return draft
    suggested = category_for_industry(enterprise.industry_code)
    draft = Assessment.objects.create(
        enterprise=enterprise, edition=CURRENT_EDITION, category=suggested, suggested_category=suggested,
    )
    audit_record(actor=actor, action="digital.assessment.start", target=draft,
                 data={"edition": draft.edition, "category": suggested})
    return draft


@transaction.atomic
def assessment_save(*, actor: Any, assessment: Assessment, answers: dict[str, Any]) -> Assessment:
    """Save the answers given so far (a draft may be incomplete; come back later)."""
    _require_own_firm(actor, assessment.enterprise)
    if assessment.status != AssessmentStatus.DRAFT:
        raise TiduError(ErrorCode.VALIDATION, detail="已提交的评测不能修改，请重新开始一次评测。")
    assessment.answers = _clean_answers(assessment, answers)
    assessment.save(update_fields=["answers", "updated_at"])
    audit_record(actor=actor, action="digital.assessment.save", target=assessment,
                 data={"answered": len(assessment.answers)})
    return assessment


@transaction.atomic
def assessment_change_category(*, actor: Any, assessment: Assessment, category: str, reason: str) -> Assessment:
    """Take another category's questionnaire than the industry code suggests; a reason is required.

    Answers to questions the two questionnaires share are kept.
    """
    _require_own_firm(actor, assessment.enterprise)
    if assessment.status != AssessmentStatus.DRAFT:
        raise TiduError(ErrorCode.VALIDATION, detail="已提交的评测不能更改类别。")
    if category not in CATEGORIES:
        raise TiduError(ErrorCode.VALIDATION, field="category", detail=f"评测表类别“{category}”无效")
    reason = (reason or "").strip()
    if category != assessment.suggested_category and len(reason) < 4:
        raise TiduError(ErrorCode.VALIDATION, field="reason",
                        detail="请说明为什么不按行业代码建议的类别填写（至少4个字）。")
    before = assessment.category
    assessment.category = category
    assessment.category_reason = reason if category != assessment.suggested_category else ""
    assessment.answers = _clean_answers(assessment, assessment.answers)
    assessment.save(update_fields=["category", "category_reason", "answers", "updated_at"])
    audit_record(actor=actor, action="digital.assessment.category", target=assessment,
                 data={"category": [before, category], "reason": reason})
    return assessment


def incomplete_message(missing: list[str], problems: list[str]) -> str:
    parts = []
    if missing:
        shown = "、".join(f"“{m}”" for m in missing[:MISSING_SHOWN])
        more = f"等{len(missing)}题" if len(missing) > MISSING_SHOWN else ""
        parts.append(f"还有{len(missing)}题未作答：{shown}{more}，全部作答后才能得出等级")
    parts.extend(problems)
    return "；".join(parts) + "。"


def assessment_submit(*, actor: Any, assessment: Assessment, answers: dict[str, Any] | None = None) -> Assessment:
    """Score the answers and record the result. Answers given here are saved first (their own
    transaction), so incomplete answers are kept as the draft while the submit is refused with a
    message naming what is missing; no level is ever given on partial answers."""
    _require_own_firm(actor, assessment.enterprise)
    if assessment.status != AssessmentStatus.DRAFT:
        raise TiduError(ErrorCode.VALIDATION, detail="该评测已提交。")
    if answers is not None:
        assessment_save(actor=actor, assessment=assessment, answers=answers)
    q = load_questionnaire(assessment.edition, assessment.category)
    score = score_answers(q, assessment.answers)
    if not score.complete:
        raise TiduError(ErrorCode.VALIDATION, message=incomplete_message([m.text for m in score.missing], score.problems))
    with transaction.atomic():
        if Assessment.objects.select_for_update().get(pk=assessment.pk).status != AssessmentStatus.DRAFT:
            raise TiduError(ErrorCode.VALIDATION, detail="该评测已提交。")  # submitted twice at once
        now = timezone.now()
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.score = score.total
        assessment.level = score.level
        assessment.result = score.as_dict()
        assessment.questionnaire_digest = q.digest
        assessment.assessed_on = timezone.localdate(now)
        assessment.submitted_at = now
        assessment.submitted_by = actor
        assessment.save()
        year = _feed_enterprise_year(assessment)
        audit_record(actor=actor, action="digital.assessment.submit", target=assessment,
                     data={"score": score.total, "level": score.level, "edition": assessment.edition,
                           "category": assessment.category, "fiscal_year": year})
    return assessment


def _feed_enterprise_year(assessment: Assessment) -> int:
    """Copy the result to the yearly row whose declared state covers the assessment's year."""
    assert assessment.assessed_on is not None
    fiscal_year = assessment.assessed_on.year - 1
    row, _created = EnterpriseYear.objects.get_or_create(enterprise=assessment.enterprise, fiscal_year=fiscal_year)
    row.digital_level = assessment.level
    row.digital_score = assessment.score
    row.digital_edition = assessment.edition
    row.digital_category = assessment.category
    row.digital_assessed_on = assessment.assessed_on
    row.save(update_fields=["digital_level", "digital_score", "digital_edition", "digital_category",
                            "digital_assessed_on", "updated_at"])
    return fiscal_year
