"""Pages of the journey: the firm's applications, the officials' queues and rounds, publicity and the
public list of recognised firms. Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import client_ip, private_download, redirect_next, render_error, tidu_view
from tidu.core.permissions import (
    can_manage_rounds,
    can_open_review_pages,
    enterprises_visible_to,
    is_official,
    organisation_of,
    require,
    role_of,
)
from tidu.core.ratelimit import RateLimited
from tidu.enterprises.selectors import own_enterprise
from tidu.journey import checklist, frozen, services, storage
from tidu.journey.access import (
    ROUND_MANAGER_LEVELS,
    can_edit_application,
    can_edit_rereview,
    can_review,
    can_review_rereview,
    gov_level_of,
    rounds_managed_by,
)
from tidu.journey.application_form import application_form_pdf
from tidu.journey.certificate import certificate_pdf
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import (
    EDITABLE_STATUSES,
    REREVIEW_DONE_STATUSES,
    AppStatus,
    AttachmentKind,
    Objection,
    Publicity,
    Recognition,
    ReviewAction,
    Tier,
)
from tidu.journey.selectors import (
    application_get,
    application_list,
    attachment_get,
    audit_events_visible_to,
    publicities_open,
    publicity_get,
    recognition_get,
    recognitions_nearing_expiry,
    recognitions_of,
    recognitions_public,
    rereview_audit_events,
    rereview_get,
    rereviews_visible_to,
    rounds_open_for,
)
from tidu.journey.verify import verify_url
from tidu.rules import read_result_json

PAGE_SIZE = 50


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like tidu_view, for pages anyone may open."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except TiduError as error:
            return render_error(request, error)

    return wrapper


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise JourneyError(JourneyCode.DATES_INVALID, field=field, detail=value or "（空）") from exc


VERDICT_LABELS = {"true": "满足", "false": "不满足", "unknown": "尚需审核判断"}
VERDICT_SHORT = {"true": "自评满足", "false": "自评不满足", "unknown": "待判断"}
PRESCREEN_CHOICES = [("true", "自评满足"), ("false", "自评不满足"), ("unknown", "待判断"), ("flagged", "有预审提示")]


def _figure_rows(figures: dict[str, Any], evaluation_year: int) -> list[dict[str, Any]]:
    """The frozen record as rows with each yearly figure's provenance badge (see journey.frozen)."""
    return frozen.figure_rows(figures, evaluation_year)


# ---- firm -------------------------------------------------------------------------------------


@tidu_view
def home(request: HttpRequest) -> HttpResponse:
    """申报与认定: the firm's recognitions, open rounds and applications; officials go to their queue."""
    ent = own_enterprise(request.user)
    if ent is None:
        if is_official(request.user) or role_of(request.user) == "platform":
            return redirect("journey:queue")
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    today = timezone.localdate()
    apps = application_list(user=request.user).order_by("-updated_at")
    applied = {a.round_id for a in apps}
    recognitions = [
        {"rec": r, "days_left": (r.valid_until - today).days} for r in recognitions_of(enterprise=ent)
    ]
    return render(request, "journey/home.html", {
        "enterprise": ent, "applications": apps, "recognitions": recognitions,
        "rounds": [r for r in rounds_open_for(enterprise=ent, today=today) if r.pk not in applied],
        "default_year": today.year - 1,
        "rereviews": rereviews_visible_to(user=request.user).select_related("recognition"),
    })


@require_POST
@tidu_view
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    from tidu.journey.models import ApplicationRound

    rnd = ApplicationRound.objects.filter(pk=pk).first()
    require(rnd is not None, not_found=True)
    assert rnd is not None
    try:
        app = services.application_create(actor=request.user, rnd=rnd,
                                          fiscal_year=_int(request.POST.get("fiscal_year")))
    except TiduError as error:
        messages.error(request, error.message)
        return redirect("journey:home")
    messages.success(request, _("已创建申报草稿：请上传材料、核对数据后锁定，下载申报书盖章上传，再提交。"))
    return redirect("journey:detail", pk=app.pk)


@tidu_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: where it is, what each reviewer said, frozen figures, attachments, actions."""
    app = application_get(user=request.user, pk=pk)
    assessment = read_result_json(app.frozen_assessment or {})
    editable = can_edit_application(request.user, app) and app.status in EDITABLE_STATUSES
    attachments = list(app.attachments.all())
    materials = checklist.status(app, attachments)
    fingerprint = frozen.fingerprint(app) if app.locked else ""
    return render(request, "journey/detail.html", {
        "app": app,
        "steps": app.steps.all(),
        "attachments": attachments,
        "materials": materials,
        "stamped_current": {a.pk for a in attachments if checklist.stamped_is_current(app, a, fingerprint)},
        "paper_step": _paper_step(app, materials) if editable else 0,
        "paper_steps": PAPER_STEPS,
        "upload_kinds": [(k, AttachmentKind(k).label) for k in checklist.kinds_for(app.tier)
                         if (k == AttachmentKind.STAMPED_FORM) == app.locked],
        "figures": _figure_rows(app.frozen_figures, app.evaluation_year),
        "titles": frozen.title_rows(app.frozen_figures),
        "fingerprint": fingerprint,
        "assessment": assessment,
        "verdict_label": VERDICT_LABELS.get(str(assessment.get("verdict")), "") or assessment.get("note", ""),
        "editable": editable,
        "to_freeze": frozen.rows_to_freeze(app) if editable and not app.locked else [],
        "reviewable": can_review(request.user, app),
        "review_actions": ReviewAction.choices,
        "commitment_text": services.COMMITMENT_TEXT,
        "max_mb": storage.max_bytes() // (1024 * 1024),
        "audit": (audit_events_visible_to(user=request.user, application=app)[:50]
                  if role_of(request.user) in {"government", "platform"} else []),
        "back_url": reverse("journey:home" if role_of(request.user) == "enterprise" else "journey:queue"),
        "last_return": app.steps.filter(action=ReviewAction.RETURN).last() if app.status == AppStatus.RETURNED else None,
    })


PAPER_STEPS = [(1, gettext_lazy("完善材料")), (2, gettext_lazy("锁定并下载申报书")), (3, gettext_lazy("盖章上传")),
               (4, gettext_lazy("提交"))]


def _paper_step(app: Any, materials: list[dict[str, Any]]) -> int:
    """Where the firm is on the paper trail: 1 完善材料, 2 锁定并下载, 3 盖章上传, 4 提交."""
    if not app.locked:
        others_ready = all(m["ok"] for m in materials if m["required"] and m["kind"] != AttachmentKind.STAMPED_FORM)
        return 2 if others_ready else 1
    stamped = next(m for m in materials if m["kind"] == AttachmentKind.STAMPED_FORM)
    return 4 if stamped["ok"] else 3


@tidu_view
def application_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The 申报书 PDF to print and stamp, generated from the application's frozen data only."""
    app = application_get(user=request.user, pk=pk)
    response = HttpResponse(application_form_pdf(app), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tidu-application-{app.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@tidu_view
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get(user=request.user, pk=pk)
    try:
        services.application_lock(actor=request.user, application=app,
                                  commitment=request.POST.get("commitment") == "on",
                                  expected_version=_int(request.POST.get("version")))
    except JourneyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("申报已锁定：请下载申报书，打印盖章后上传扫描件，再提交。"))
    return redirect("journey:detail", pk=pk)


@require_POST
@tidu_view
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get(user=request.user, pk=pk)
    try:
        services.application_unlock(actor=request.user, application=app,
                                    expected_version=_int(request.POST.get("version")))
    except JourneyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已解除锁定：原申报书及其盖章扫描件已作废，修改后请重新锁定并盖章。"))
    return redirect("journey:detail", pk=pk)


@require_POST
@tidu_view
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get(user=request.user, pk=pk)
    try:
        services.application_submit(actor=request.user, application=app,
                                    expected_version=_int(request.POST.get("version")))
    except JourneyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("申报已提交，进入县级审核。"))
    return redirect("journey:detail", pk=pk)


@require_POST
@tidu_view
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get(user=request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("journey:detail", pk=pk)
    try:
        services.attachment_add(actor=request.user, application=app, name=upload.name or "",
                                data=storage.read_upload(upload),
                                kind=request.POST.get("kind") or AttachmentKind.OTHER)
    except JourneyError as error:
        messages.error(request, error.message)
        return redirect("journey:detail", pk=pk)
    messages.success(request, _("附件已上传。"))
    return redirect("journey:detail", pk=pk)


@tidu_view
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    att = attachment_get(user=request.user, pk=pk)
    return private_download(storage.path_of(att.stored_name), filename=att.original_name,
                            content_type=att.content_type)


@require_POST
@tidu_view
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    att = attachment_get(user=request.user, pk=pk)
    app_pk = att.application_id
    try:
        services.attachment_delete(actor=request.user, attachment=att)
    except JourneyError as error:
        messages.error(request, error.message)
    return redirect("journey:detail", pk=app_pk)


# ---- officials --------------------------------------------------------------------------------


@require_POST
@tidu_view
def review(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get(user=request.user, pk=pk)
    try:
        services.application_review(actor=request.user, application=app, action=request.POST.get("action", ""),
                                    comment=request.POST.get("comment", ""),
                                    expected_version=_int(request.POST.get("version")))
    except JourneyError as error:
        if error.journey_code != JourneyCode.REASON_REQUIRED and error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已记录审核意见：{status}。").format(status=app.get_status_display()))
    return redirect("journey:detail", pk=pk)


@tidu_view
def queue(request: HttpRequest) -> HttpResponse:
    """The official's work: applications of the jurisdiction, by default those waiting at their level."""
    require(can_open_review_pages(request.user))
    status = request.GET.get("status", "")
    mine = request.GET.get("all") != "1" and not status
    qs = application_list(
        user=request.user, tier=request.GET.get("tier", ""), region=request.GET.get("region", ""), status=status,
        waiting_days=_int(request.GET.get("waiting")), mine_to_act=mine and gov_level_of(request.user) is not None,
        prescreen=request.GET.get("prescreen", ""),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"app": a, "waiting": (now - a.status_changed_at).days if a.status_changed_at else None,
             "verdict": VERDICT_SHORT.get(str(a.frozen_assessment.get("verdict")), "—"),
             "flags": len(a.frozen_assessment.get("prescreen_flags") or [])} for a in page]
    return render(request, "journey/queue.html", {
        "page": page, "rows": rows, "tiers": Tier.choices, "statuses": AppStatus.choices, "mine": mine,
        "level": gov_level_of(request.user), "review_actions": ReviewAction.choices, "filters": request.GET,
        "prescreen_choices": PRESCREEN_CHOICES,
    })


@require_POST
@tidu_view
def queue_batch(request: HttpRequest) -> HttpResponse:
    items = []
    for raw in request.POST.getlist("ids"):
        pk = _int(raw)
        if pk is None:
            continue
        app = application_get(user=request.user, pk=pk)
        items.append((app, _int(request.POST.get(f"version_{pk}"), app.version) or app.version))
    results = services.application_review_batch(actor=request.user, items=items,
                                                action=request.POST.get("action", ""),
                                                comment=request.POST.get("comment", ""))
    done = sum(r.ok for r in results)
    if done:
        messages.success(request, _("已处理 {n} 件申报。").format(n=done))
    for r in results:
        if not r.ok:
            messages.error(request, _("申报 {id}：{msg}").format(id=r.application_id, msg=r.message))
    return redirect_next(request, "journey:queue")


@tidu_view
def rounds(request: HttpRequest) -> HttpResponse:
    """Rounds the official runs: open one, close, publish publicity, see publicity lists."""
    require(can_manage_rounds(request.user))
    if request.method == "POST":
        try:
            services.round_open(
                actor=request.user, name=request.POST.get("name", ""), tier=request.POST.get("tier", ""),
                region_code=request.POST.get("region", "").strip() or None,
                opens_on=_date(request.POST.get("opens_on", ""), "opens_on"),
                deadline=_date(request.POST.get("deadline", ""), "deadline"),
            )
        except TiduError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("申报批次已开启。"))
        return redirect("journey:rounds")
    managed = list(rounds_managed_by(request.user).prefetch_related("publicities"))
    counts: dict[int, dict[str, int]] = {}
    for app in application_list(user=request.user).filter(round__in=managed).values("round_id", "status"):
        counts.setdefault(app["round_id"], {}).setdefault(app["status"], 0)
        counts[app["round_id"]][app["status"]] += 1
    org = organisation_of(request.user)
    org_region = (org.region_id or "") if org is not None else ""
    return render(request, "journey/rounds.html", {
        "rounds": [{"round": r, "counts": [(s.label, counts[r.pk][s]) for s in AppStatus if s in counts.get(r.pk, {})],
                    "approved": counts.get(r.pk, {}).get("approved", 0)}
                   for r in managed],
        "tiers": Tier.choices, "today": timezone.localdate(), "default_region": org_region,
        "publicity_start": services.publicity_default_start(),
    })


@require_POST
@tidu_view
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = rounds_managed_by(request.user).filter(pk=pk).first()
    require(rnd is not None, not_found=True)
    assert rnd is not None
    services.round_close(actor=request.user, rnd=rnd)
    messages.success(request, _("申报批次已截止。"))
    return redirect("journey:rounds")


@require_POST
@tidu_view
def publicity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = rounds_managed_by(request.user).filter(pk=pk).first()
    require(rnd is not None, not_found=True)
    assert rnd is not None
    starts_on = request.POST.get("starts_on", "").strip()
    try:
        pub = services.publicity_publish(
            actor=request.user, rnd=rnd, title=request.POST.get("title", ""),
            starts_on=_date(starts_on, "starts_on") if starts_on else None,
        )
    except JourneyError as error:
        messages.error(request, error.message)
        return redirect("journey:rounds")
    messages.success(request, _("已发布公示，公示期至 {d}。").format(d=pub.ends_on))
    return redirect("journey:publicity", pk=pub.pk)


# ---- publicity (public page, officials resolve and decide) -------------------------------------


@public_view
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "journey/publicity.html", _publicity_context(request, publicity_get(pk=pk)))


def _publicity_context(request: HttpRequest, pub: Publicity) -> dict[str, Any]:
    manage = services.can_publish(request.user, pub.round)
    today = timezone.localdate()
    return {
        "pub": pub, "apps": pub.applications.select_related("enterprise__region__parent__parent").order_by("id"),
        "objections": pub.objections.select_related("application__enterprise") if manage else [],
        "manage": manage, "accepting": pub.status == "open" and today <= pub.ends_on,
        "can_decide": manage and pub.status == "open" and today > pub.ends_on,
    }


@require_POST
@public_view
def objection_lodge(request: HttpRequest, pk: int) -> HttpResponse:
    pub = publicity_get(pk=pk)
    app = pub.applications.filter(pk=_int(request.POST.get("application"), 0) or 0).first()
    require(app is not None, not_found=True)
    assert app is not None
    try:
        services.objection_lodge(actor=request.user, publicity=pub, application=app,
                                 name=request.POST.get("contact_name", ""), contact=request.POST.get("contact", ""),
                                 text=request.POST.get("text", ""), ip=client_ip(request))
    except (JourneyError, RateLimited) as error:
        # The page again with what was typed and the error beside its field (nothing to retype).
        response = render(request, "journey/publicity.html", _publicity_context(request, pub) | {
            "objection_error": error, "draft": {k: request.POST.get(k, "") for k in
                                                ("application", "contact_name", "contact", "text")},
        }, status=error.status)
        for name, value in error.headers.items():  # Retry-After of a limit
            response[name] = value
        return response
    else:
        messages.success(request, _("异议已提交，主管部门将在作出认定前处理。"))
    return redirect("journey:publicity", pk=pk)


@require_POST
@tidu_view
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    obj = Objection.objects.select_related("publicity__round", "application").filter(pk=pk).first()
    require(obj is not None and services.can_publish(request.user, obj.publicity.round), not_found=True)
    assert obj is not None
    try:
        services.objection_resolve(actor=request.user, objection=obj, upheld=request.POST.get("upheld") == "1",
                                   resolution=request.POST.get("resolution", ""))
    except JourneyError as error:
        messages.error(request, error.message)
    return redirect("journey:publicity", pk=obj.publicity_id)


@require_POST
@tidu_view
def publicity_decide(request: HttpRequest, pk: int) -> HttpResponse:
    pub = publicity_get(pk=pk)
    require(services.can_publish(request.user, pub.round), not_found=True)
    try:
        recs = services.publicity_decide(actor=request.user, publicity=pub)
    except JourneyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已认定 {n} 家企业。").format(n=len(recs)))
    return redirect("journey:publicity", pk=pk)


# ---- recognitions --------------------------------------------------------------------------------


@public_view
def recognitions(request: HttpRequest) -> HttpResponse:
    """The public list: name, region, tier, validity. Never any figure."""
    region_error = None
    try:
        qs = recognitions_public(q=request.GET.get("q", ""), tier=request.GET.get("tier", ""),
                                 region=request.GET.get("region", ""))
    except TiduError as error:  # a region name not found, or naming several places: say which
        region_error, qs = error, Recognition.objects.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "journey/recognitions.html", {
        "page": page, "tiers": Tier.choices, "filters": request.GET, "publicities": publicities_open()[:10],
        "region_error": region_error,
    })


@tidu_view
def audit(request: HttpRequest) -> HttpResponse:
    """Officials: who changed which application of their jurisdiction, when, from what to what."""
    require(can_open_review_pages(request.user))
    page = Paginator(audit_events_visible_to(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "journey/audit.html", {"page": page})


@tidu_view
def recognitions_manage(request: HttpRequest) -> HttpResponse:
    """Officials: the titles in their jurisdiction, nearest expiry first, with revocation."""
    require(can_open_review_pages(request.user))
    qs = (Recognition.objects.select_related("enterprise__region")
          .filter(enterprise__in=enterprises_visible_to(request.user)).order_by("valid_until", "number"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "journey/recognitions_manage.html", {
        "page": page, "today": today,
        "nearing": {row["rec"].pk for row in recognitions_nearing_expiry(user=request.user, today=today)}})


@require_POST
@tidu_view
def recognition_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    rec = (Recognition.objects.select_related("enterprise")
           .filter(pk=pk, enterprise__in=enterprises_visible_to(request.user)).first())
    require(rec is not None, not_found=True)
    assert rec is not None
    try:
        services.recognition_revoke(actor=request.user, recognition=rec, reason=request.POST.get("reason", ""))
    except JourneyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("认定 {n} 已撤销。").format(n=rec.number))
    return redirect("journey:recognitions_manage")



# ---- re-review (复核) and certificates ----------------------------------------------------------------


@tidu_view
def rereviews(request: HttpRequest) -> HttpResponse:
    """Officials: titles of the jurisdiction nearing expiry (open their re-reviews, one or many) and the
    re-reviews under way, those waiting at the official's own level first."""
    require(can_open_review_pages(request.user))
    today = timezone.localdate()
    level = gov_level_of(request.user)
    under_way = rereviews_visible_to(user=request.user).exclude(status__in=REREVIEW_DONE_STATUSES)
    return render(request, "journey/rereviews.html", {
        "expiring": recognitions_nearing_expiry(user=request.user, today=today),
        "can_open": role_of(request.user) == "platform" or level in ROUND_MANAGER_LEVELS,
        "to_act": [rr for rr in under_way if rr.status == level],
        "under_way": [rr for rr in under_way if rr.status != level],
        "done": rereviews_visible_to(user=request.user).filter(status__in=REREVIEW_DONE_STATUSES)[:50],
        "level": level,
    })


@require_POST
@tidu_view
def rereview_open(request: HttpRequest) -> HttpResponse:
    """Open re-reviews for the ticked titles (each opens or fails on its own)."""
    ids = [pk for pk in (_int(raw) for raw in request.POST.getlist("ids")) if pk is not None]
    recs = [recognition_get(user=request.user, pk=pk) for pk in ids]
    results = services.rereview_open_batch(actor=request.user, recognitions=recs)
    done = sum(r.ok for r in results)
    if done:
        messages.success(request, _("已发起 {n} 件复核，已通知企业提交材料。").format(n=done))
    for r in results:
        if not r.ok:
            messages.error(request, r.message)
    if not results:
        messages.error(request, _("请选择要复核的认定。"))
    return redirect("journey:rereviews")


@tidu_view
def rereview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One re-review: the title, where the review is, what each reviewer said, the frozen figures; the
    firm submits here, officials decide here."""
    rr = rereview_get(user=request.user, pk=pk)
    assessment = read_result_json(rr.frozen_assessment or {})
    return render(request, "journey/rereview_detail.html", {
        "rr": rr, "rec": rr.recognition, "steps": rr.steps.all(),
        "figures": _figure_rows(rr.frozen_figures, rr.evaluation_year),
        "titles": frozen.title_rows(rr.frozen_figures),
        "assessment": assessment,
        "verdict_label": VERDICT_LABELS.get(str(assessment.get("verdict")), "") or assessment.get("note", ""),
        "editable": can_edit_rereview(request.user, rr),
        "reviewable": can_review_rereview(request.user, rr),
        "review_actions": ReviewAction.choices,
        "commitment_text": services.COMMITMENT_TEXT,
        "back_url": reverse("journey:home" if role_of(request.user) == "enterprise" else "journey:rereviews"),
        "last_return": rr.steps.filter(action=ReviewAction.RETURN).last() if rr.status == "returned" else None,
        "audit": (rereview_audit_events(user=request.user, rereview=rr)[:50]
                  if role_of(request.user) in {"government", "platform"} else []),
    })


@require_POST
@tidu_view
def rereview_submit(request: HttpRequest, pk: int) -> HttpResponse:
    rr = rereview_get(user=request.user, pk=pk)
    try:
        services.rereview_submit(actor=request.user, rereview=rr, commitment=request.POST.get("commitment") == "on",
                                 fiscal_year=_int(request.POST.get("fiscal_year")),
                                 expected_version=_int(request.POST.get("version")))
    except JourneyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("复核材料已提交，进入县级审核。"))
    return redirect("journey:rereview", pk=pk)


@require_POST
@tidu_view
def rereview_review(request: HttpRequest, pk: int) -> HttpResponse:
    rr = rereview_get(user=request.user, pk=pk)
    try:
        services.rereview_review(actor=request.user, rereview=rr, action=request.POST.get("action", ""),
                                 comment=request.POST.get("comment", ""),
                                 expected_version=_int(request.POST.get("version")))
    except JourneyError as error:
        if error.journey_code != JourneyCode.REASON_REQUIRED and error.status in (403, 404):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("已记录复核意见：{status}。").format(status=rr.get_status_display()))
    return redirect("journey:rereview", pk=pk)


@tidu_view
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate PDF: the firm itself and officials whose jurisdiction holds it (others: 404)."""
    rec = recognition_get(user=request.user, pk=pk)
    response = HttpResponse(certificate_pdf(rec, today=timezone.localdate(), verify_url=verify_url(request, rec)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tidu-certificate-{rec.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
