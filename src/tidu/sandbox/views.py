"""Pages of the threshold sandbox: pick a standard, edit its thresholds, run; the run page shows the
progress, then the answer; the two lists of firms (entering, dropping out) link to each firm."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidu.core.errors import TiduValidationError
from tidu.core.http import tidu_view
from tidu.core.permissions import require
from tidu.rules.fields import today_shanghai
from tidu.rules.packs import repo_packs_dir
from tidu.sandbox import engine as E
from tidu.sandbox import selectors, services

LISTS = {"entering": "修改后新进入的企业", "leaving": "修改后将退出的企业"}


def _form_context(
    request: HttpRequest, standard: str, values: dict[str, str], errors: dict[str, str]
) -> dict:
    today = today_shanghai()
    rows = []
    if standard in E.STANDARDS:
        for t in E.thresholds(repo_packs_dir(), standard, today):
            rows.append({"t": t, "value": values.get(t.id, ""), "error": errors.get(t.id, "")})
    return {
        "standards": E.STANDARDS,
        "standard": standard,
        "rows": rows,
        "runs": selectors.runs_of(request.user)[:20],
        "today": today,
    }


@tidu_view
def home(request: HttpRequest) -> HttpResponse:
    require(selectors.can_use_sandbox(request.user))
    standard = request.GET.get("standard", "")
    return render(request, "sandbox/home.html", _form_context(request, standard, {}, {}))


@tidu_view
@require_POST
def run_new(request: HttpRequest) -> HttpResponse:
    require(selectors.can_use_sandbox(request.user))
    standard = request.POST.get("standard", "")
    values = {k[2:]: str(request.POST.get(k, "")) for k in request.POST if k.startswith("t:")}
    try:
        run = services.start_run(user=request.user, standard=standard, edits=values)
    except TiduValidationError as exc:
        errors = {f or "": m for f, _c, m in exc.problems}
        for f, _c, m in exc.problems:
            if f in (None, "standard"):
                messages.error(request, m)
        ctx = _form_context(request, standard, values, errors)
        return render(request, "sandbox/home.html", ctx, status=400)
    return redirect("sandbox:run", pk=run.pk)


def _run_context(request: HttpRequest, pk: int) -> dict:
    run = selectors.run_for(request.user, pk)
    return {"run": run, "job": run.job, "standard_name": E.STANDARDS.get(run.standard, run.standard)}


@tidu_view
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "sandbox/run.html", _run_context(request, pk))


@tidu_view
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress and, once done, the answer (htmx polls it while the job runs)."""
    return render(request, "sandbox/_run_status.html", _run_context(request, pk))


@tidu_view
def run_firms(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    require(which in LISTS, not_found=True)
    ctx = _run_context(request, pk)
    ctx.update(
        which=which,
        title=LISTS[which],
        firms=selectors.firms_of(request.user, ctx["run"], which),
        total=(ctx["run"].result or {}).get(which, 0),
    )
    return render(request, "sandbox/firms.html", ctx)
