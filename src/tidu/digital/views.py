"""Pages of the self-assessment: the questionnaire (draft and submit), the result with its diagnosis
(also as a PDF), and the officials' distribution of levels (chart and Excel)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import tidu_view
from tidu.core.permissions import can_view_register
from tidu.digital import reports
from tidu.digital.models import Assessment
from tidu.digital.questionnaire import (
    CATEGORIES,
    LEVEL_LABELS,
    Questionnaire,
    diagnose,
    load_questionnaire,
    score_answers,
)
from tidu.digital.selectors import (
    assessment_get,
    assessments_of,
    latest_result,
    level_distribution,
    open_draft,
    peer_comparisons,
    results_visible_to,
)
from tidu.digital.services import (
    assessment_change_category,
    assessment_save,
    assessment_start,
    assessment_submit,
)
from tidu.enterprises.selectors import own_enterprise

RECENT_SHOWN = 50


def answers_from_post(questionnaire: Questionnaire, data: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in questionnaire.questions:
        if q.type == "multi":
            answers[q.id] = data.getlist(q.id)
        else:
            answers[q.id] = data.get(q.id, "")
    return answers


@tidu_view
def home(request: HttpRequest) -> HttpResponse:
    """A firm's digital-level page: its latest result, its draft, its history."""
    ent = own_enterprise(request.user)
    if ent is None:
        if can_view_register(request.user):
            return redirect("digital:distribution")
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    return render(request, "digital/home.html", {
        "enterprise": ent, "latest": latest_result(ent), "draft": open_draft(ent),
        "history": assessments_of(user=request.user, enterprise=ent)[:10],
    })


@tidu_view
def assessment(request: HttpRequest) -> HttpResponse:
    ent = own_enterprise(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message=_("只有企业用户可以填写数字化水平评测。"))
    draft = assessment_start(actor=request.user, enterprise=ent)
    q = load_questionnaire(draft.edition, draft.category)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "category":
                assessment_change_category(actor=request.user, assessment=draft, category=request.POST.get("category", ""),
                                           reason=request.POST.get("reason", ""))
                messages.success(request, _("已改用“%s”评测表。") % CATEGORIES[draft.category])
                return redirect("digital:assessment")
            answers = answers_from_post(q, request.POST)
            if action == "submit":
                done = assessment_submit(actor=request.user, assessment=draft, answers=answers)
                messages.success(request, _("评测已提交。"))
                return redirect("digital:result", pk=done.pk)
            assessment_save(actor=request.user, assessment=draft, answers=answers)
            messages.success(request, _("草稿已保存，可以稍后回来继续填写。"))
            return redirect("digital:assessment")
        except TiduError as exc:
            if exc.code != ErrorCode.VALIDATION:
                raise
            error = exc.message
            draft.refresh_from_db()
    score = score_answers(q, draft.answers)
    return render(request, "digital/assessment.html", {
        "enterprise": ent, "draft": draft, "q": q, "answers": draft.answers, "error": error,
        "answered": len(q.questions) - len(score.missing), "total_questions": len(q.questions),
        "categories": CATEGORIES, "level_range": range(5),
    }, status=400 if error else 200)


def _result_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    found: Assessment = assessment_get(user=request.user, pk=pk)
    if found.status != "submitted":
        raise TiduError(ErrorCode.NOT_FOUND)
    q = load_questionnaire(found.edition, found.category)
    score = score_answers(q, found.answers)
    return {
        "a": found, "enterprise": found.enterprise, "q": q, "score": score, "diagnosis": diagnose(q, score),
        "peers": peer_comparisons(found), "level_label": LEVEL_LABELS.get(found.level or 0, ""),
        "own": own_enterprise(request.user) == found.enterprise,
    }


@tidu_view
def result(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "digital/result.html", _result_context(request, pk))


@tidu_view
def result_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    context = _result_context(request, pk)
    response = HttpResponse(reports.diagnosis_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="digital-diagnosis-{pk}.pdf"'
    return response


@tidu_view
def distribution(request: HttpRequest) -> HttpResponse:
    if not can_view_register(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    dist = level_distribution(user=request.user)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.distribution_xlsx(dist),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="digital-levels.xlsx"'
        return response
    return render(request, "digital/distribution.html", {
        "dist": dist, "chart": reports.distribution_svg(dist), "level_labels": LEVEL_LABELS,
        "recent": results_visible_to(user=request.user)[:RECENT_SHOWN],
    })
