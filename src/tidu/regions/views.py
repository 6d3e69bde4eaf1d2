"""Pick-list helpers for forms: type part of a name or code, get matching options (htmx fragments)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tidu.enterprises.industries import industry_table
from tidu.regions.models import RegionLevel
from tidu.regions.selectors import regions_named, registration_regions

LIMIT = 30


def region_options(request: HttpRequest) -> HttpResponse:
    """<option>s of registration regions matching ?q= (public data: names and codes only)."""
    q = (request.GET.get("q") or request.GET.get("region_code") or request.GET.get("new_region_code") or "").strip()
    regions = []
    if q:
        qs = registration_regions().select_related("parent__parent")
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(Q(name__contains=q) | Q(parent__name__contains=q))
        regions = [r for r in qs.order_by("code")[: LIMIT * 3] if r.level == RegionLevel.COUNTY or not r.children.exists()][:LIMIT]
    options = [(r.code, r.full_name) for r in regions]
    return render(request, "regions/_options.html", {"options": options})


def industry_options(request: HttpRequest) -> HttpResponse:
    """<option>s of GB/T 4754 codes matching ?q= by code prefix or name."""
    q = (request.GET.get("q") or request.GET.get("industry_code") or request.GET.get("new_industry_code") or "")
    q = q.strip().upper()
    options: list[tuple[str, str]] = []
    if q:
        for code, item in industry_table().items():
            if code.startswith(q) or q in item.name:
                options.append((code, f"{item.name}"))
            if len(options) >= LIMIT:
                break
    return render(request, "regions/_options.html", {"options": options})


def area_options(request: HttpRequest) -> HttpResponse:
    """<option>s of current regions of every level (province, city, county) matching ?q= or ?region=,
    the full name as the value: a filter by area (the public recognition list) resolves names."""
    q = (request.GET.get("q") or request.GET.get("region") or "").strip()
    options = [(r.full_name, r.code) for r in regions_named(q, limit=LIMIT)]
    return render(request, "regions/_options.html", {"options": options})

