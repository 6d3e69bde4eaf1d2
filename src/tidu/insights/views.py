"""梯度看板 pages: the dashboard of a jurisdiction, a chart's Excel, the PDF report, the refresh button."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidu.core.http import tidu_view
from tidu.core.permissions import can_view_register, require
from tidu.insights import exports, selectors, services

LIST_LABELS = {"at_risk": "称号复核风险", "expiring": "一年内到期的称号", "one_step": "距下一梯度一步之遥",
               "reachable": "已符合更高梯度标准"}
LIST_ROWS = 20


def _scope(request: HttpRequest) -> selectors.Scope:
    require(can_view_register(request.user))
    return selectors.scope_for(request.user, request.GET.get("region", ""), request.GET.get("year"))


def _lists(scope: selectors.Scope, rows: int) -> list[tuple[str, str, int, list]]:
    if scope.year is None:
        return []
    out = []
    totals = selectors.list_totals(scope)
    for key, label in LIST_LABELS.items():
        total, firms = totals[key], selectors.firm_list(scope, key, rows)
        for s in firms:
            s.note = exports.explain(s)  # type: ignore[attr-defined]
        out.append((key, label, total, firms))
    return out


@tidu_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """Officials (their jurisdiction) and platform admins: the ladder of the region, drillable."""
    scope = _scope(request)
    charts = selectors.charts(scope)
    return render(request, "insights/dashboard.html", {
        "scope": scope, "scope_name": selectors.scope_name(scope),
        "crumbs": selectors.breadcrumbs(request.user, scope), "charts": charts,
        "charts_json": [c.as_json() for c in charts], "lists": _lists(scope, LIST_ROWS),
        "last_refresh": selectors.last_refresh(), "refreshing": selectors.refreshes_pending(),
    })


@tidu_view
def export_chart(request: HttpRequest, chart_id: str) -> HttpResponse:
    scope = _scope(request)
    chart = selectors.chart(scope, chart_id)
    label = f"{selectors.scope_name(scope)} {scope.year}年"
    response = HttpResponse(exports.chart_xlsx(chart, label),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="tidu-insights-{chart.id}-{scope.prefix or "cn"}-{scope.year}.xlsx"')
    return response


@tidu_view
def report_pdf(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    name = selectors.scope_name(scope)
    pdf = exports.dashboard_pdf(
        title=f"{name}优质中小企业梯度培育看板（{scope.year}年）",
        subtitle="数据来源：企业名录及年度数据，经梯度标准批量评估；少于5家企业的格子不予显示。",
        charts=selectors.charts(scope),
        lists=[(label, total, rows) for _k, label, total, rows in _lists(scope, 30)])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tidu-insights-{scope.prefix or "cn"}-{scope.year}.pdf"'
    return response


@tidu_view
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Queue a refresh of the viewer's jurisdiction; the job page shows its progress."""
    require(can_view_register(request.user))
    job = services.refresh_submit(actor=request.user)
    return redirect("jobs:detail", job_id=job.pk)
