"""Pages of the register: a firm's own dashboard, profile and yearly figures; the officials' list and detail."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.http import tidu_view
from tidu.core.permissions import (
    can_edit_enterprise,
    can_view_register,
    is_official,
    region_in_jurisdiction,
    require,
)
from tidu.enterprises import provenance
from tidu.enterprises.derived import derived_quantities
from tidu.enterprises.forms import EnterpriseProfileForm, EnterpriseYearForm, NewYearForm, RegisterFilterForm
from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import REGISTRY_NAME, YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.registry import spec
from tidu.enterprises.selectors import (
    enterprise_get,
    enterprise_list,
    enterprise_years,
    evaluation_record,
    own_enterprise,
    year_history,
)
from tidu.enterprises.services import enterprise_update, enterprise_year_save, enterprise_year_verify
from tidu.enterprises.suspicion import Suspicion, stored_year_suspicions, year_suspicions

PAGE_SIZE = 50


def _own_or_forbid(request: HttpRequest) -> Enterprise:
    ent = own_enterprise(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    return ent


def _summary(ent: Enterprise, user: object) -> dict[str, object]:
    years = list(enterprise_years(user=user, enterprise=ent))
    next_year = (years[0].fiscal_year + 1) if years else dt.date.today().year
    record = evaluation_record(ent, next_year)
    return {
        "enterprise": ent,
        "industry_name": industry_name(ent.industry_code) or industry_name(ent.industry_code[:3]),
        "years": years,
        "evaluation_year": next_year,
        "derived": derived_quantities(record),
    }


@tidu_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """A firm's home: its profile, the years on file and the ratios the criteria look at."""
    if can_view_register(request.user) and own_enterprise(request.user) is None:
        return redirect("enterprises:register")
    ent = _own_or_forbid(request)
    return render(request, "enterprises/dashboard.html", _summary(ent, request.user) | {"new_year_form": NewYearForm()})


@tidu_view
def profile_edit(request: HttpRequest) -> HttpResponse:
    ent = _own_or_forbid(request)
    form = EnterpriseProfileForm(request.POST or None, instance=ent)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.fields}
        try:
            enterprise_update(actor=request.user, enterprise=ent, data=data)
        except TiduError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("企业信息已保存。"))
            return redirect("enterprises:dashboard")
    from tidu.changes.selectors import open_report_of  # the identity changes there, through a reviewed report

    return render(request, "enterprises/profile_form.html", {
        "form": form, "enterprise": ent, "open_report": open_report_of(enterprise=ent),
        "industry_name": industry_name(ent.industry_code) or industry_name(ent.industry_code[:3])})


@tidu_view
def year_new(request: HttpRequest) -> HttpResponse:
    _own_or_forbid(request)
    form = NewYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("enterprises:year_edit", year=form.cleaned_data["fiscal_year"])
    return render(request, "enterprises/year_new.html", {"form": form})


@tidu_view
def year_edit(request: HttpRequest, year: int) -> HttpResponse:
    """Create or change one fiscal year's figures; money in 万元."""
    ent = _own_or_forbid(request)
    require(can_edit_enterprise(request.user, ent), not_found=True)
    if not 2000 <= year <= dt.date.today().year:
        raise TiduError(ErrorCode.FISCAL_YEAR_INVALID, value=year, low=2000, high=dt.date.today().year)
    row = EnterpriseYear.objects.filter(enterprise=ent, fiscal_year=year).first()
    form = EnterpriseYearForm(request.POST or None, instance=row)
    suspicions: list[Suspicion] = []
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data.get(f) for f in YEAR_VALUE_FIELDS if f in form.cleaned_data}
        suspicions = year_suspicions(enterprise=ent, fiscal_year=year, values=values)
        confirmed = request.POST.get("confirm_units") == "1"
        if suspicions and not confirmed:  # ask once: 元 typed into 万元 boxes?
            return render(request, "enterprises/year_form.html", {
                "form": form, "enterprise": ent, "year": year, "row": row, "marked": _marked(row),
                "suspicions": suspicions}, status=200)
        try:
            enterprise_year_save(actor=request.user, enterprise=ent, fiscal_year=year, values=values,
                                 confirmed_amounts=[s.field for s in suspicions])
        except TiduValidationError as exc:
            for field, _code, message in exc.problems:
                form.add_error(field if field in form.fields else None, message)
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("%(year)s年度数据已保存。") % {"year": year})
            return redirect("enterprises:dashboard")
    return render(request, "enterprises/year_form.html",
                  {"form": form, "enterprise": ent, "year": year, "row": row, "marked": _marked(row)})


def _marked(row: EnterpriseYear | None) -> list[dict[str, object]]:
    """The figures of a stored row that an official or a data source vouched for (changing them resets that)."""
    return [] if row is None else [
        {"label": spec(REGISTRY_NAME[f]).label, "badge": provenance.badge(m)}
        for f in YEAR_VALUE_FIELDS
        if (m := provenance.effective_mark(row.figure_marks, f, getattr(row, f)))["kind"] != provenance.MarkKind.SELF
    ]


@tidu_view
def register(request: HttpRequest) -> HttpResponse:
    """Officials: the firms of their jurisdiction with the tiers held and reachable, filtered and sorted."""
    require(can_view_register(request.user))
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = enterprise_list(
        user=request.user, q=filters.get("q") or "", region=filters.get("region") or "",
        industry=filters.get("industry") or "", year=filters.get("year"),
        held=filters.get("held"), reachable=filters.get("reachable"), sort=filters.get("sort") or "",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/register.html",
                  {"form": form, "page": page, "total": page.paginator.count, "query": query.urlencode()})


@tidu_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One firm, for officials of its jurisdiction, platform admins and its own staff (404 otherwise)."""
    ent = enterprise_get(user=request.user, pk=pk)
    return render(request, "enterprises/detail.html", _summary(ent, request.user))


def year_figure_rows(row: EnterpriseYear) -> list[tuple[str, list[dict[str, object]]]]:
    """The figures of one firm-year that have a value, by section, each with its provenance badge."""
    from tidu.enterprises.forms import SECTION_TITLES

    sections: dict[str, list[dict[str, object]]] = {}
    for f in YEAR_VALUE_FIELDS:
        value = getattr(row, f)
        if not provenance.has_value(value):
            continue
        s = spec(REGISTRY_NAME[f])
        choices = getattr(EnterpriseYear._meta.get_field(f), "choices", None)
        shown = dict(choices).get(value, value) if choices else value
        mark = provenance.effective_mark(row.figure_marks, f, value)
        sections.setdefault(str(SECTION_TITLES.get(s.section, s.section)), []).append(
            {"name": f, "label": s.label, "value": shown, "type": s.type, "badge": provenance.badge(mark)})
    return list(sections.items())


@tidu_view
def year_detail(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """One firm-year's figures with where each comes from; officials of the jurisdiction verify here."""
    ent = enterprise_get(user=request.user, pk=pk)
    row = enterprise_years(user=request.user, enterprise=ent).filter(fiscal_year=year).first()
    require(row is not None, not_found=True)
    assert row is not None
    return render(request, "enterprises/year_detail.html", {
        "enterprise": ent, "row": row, "sections": year_figure_rows(row), "legend": provenance.legend(),
        "can_verify": is_official(request.user) and region_in_jurisdiction(request.user, ent.region_id),
        "suspicions": stored_year_suspicions(row),
        "history": year_history(user=request.user, row=row),
    })


@require_POST
@tidu_view
def year_verify(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Mark the chosen figures (or all with a value) of a firm-year as verified by the official."""
    ent = enterprise_get(user=request.user, pk=pk)
    row = enterprise_years(user=request.user, enterprise=ent).filter(fiscal_year=year).first()
    require(row is not None, not_found=True)
    assert row is not None
    fields = None if request.POST.get("all") == "1" else request.POST.getlist("fields")
    try:
        _row, chosen = enterprise_year_verify(actor=request.user, row=row, fields=fields,
                                              seen_updated_at=parse_datetime(request.POST.get("seen", "")))
    except TiduError as exc:
        if exc.code != ErrorCode.VALIDATION:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已核实 %(n)s 项数据。") % {"n": len(chosen)})
    return redirect("enterprises:year_detail", pk=pk, year=year)
