"""Pages of the register: a firm's own dashboard, profile and yearly figures; the officials' list and detail."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tidu.core.errors import ErrorCode, TiduError, TiduValidationError
from tidu.core.http import tidu_view
from tidu.core.permissions import can_edit_enterprise, can_view_register, require
from tidu.enterprises.derived import derived_quantities
from tidu.enterprises.forms import EnterpriseProfileForm, EnterpriseYearForm, NewYearForm, RegisterFilterForm
from tidu.enterprises.industries import industry_name
from tidu.enterprises.models import YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.selectors import (
    enterprise_get,
    enterprise_list,
    enterprise_years,
    evaluation_record,
    own_enterprise,
)
from tidu.enterprises.services import enterprise_update, enterprise_year_save

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
    return render(request, "enterprises/profile_form.html", {"form": form, "enterprise": ent})


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
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data.get(f) for f in YEAR_VALUE_FIELDS if f in form.cleaned_data}
        try:
            enterprise_year_save(actor=request.user, enterprise=ent, fiscal_year=year, values=values)
        except TiduValidationError as exc:
            for field, _code, message in exc.problems:
                form.add_error(field if field in form.fields else None, message)
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("%(year)s年度数据已保存。") % {"year": year})
            return redirect("enterprises:dashboard")
    return render(request, "enterprises/year_form.html", {"form": form, "enterprise": ent, "year": year, "row": row})


@tidu_view
def register(request: HttpRequest) -> HttpResponse:
    """Officials: the firms of their jurisdiction, filtered."""
    require(can_view_register(request.user))
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = enterprise_list(
        user=request.user, q=filters.get("q") or "", region=filters.get("region") or "",
        industry=filters.get("industry") or "", year=filters.get("year"),
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
