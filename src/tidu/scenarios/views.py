"""Pages of the scenario library and the transformation paths: browse and search, a firm's path and
recommendations, and the officials' editing and Excel import."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.http import tidu_view
from tidu.enterprises.imports import MAX_UPLOAD_BYTES
from tidu.enterprises.industries import industry_name
from tidu.enterprises.selectors import own_enterprise
from tidu.scenarios.models import AREAS, FIELDS, IndustryPath, Scenario
from tidu.scenarios.selectors import (
    firm_digital_level,
    path_for_industry,
    path_list,
    recommend_for_firm,
    scenario_search,
)
from tidu.scenarios.services import (
    can_maintain_library,
    import_template_xlsx,
    library_import,
    path_save,
    scenario_save,
)

LEVEL_CHOICES = [("", gettext_lazy("不限")), ("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")]


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), required=False)
    area = forms.ChoiceField(label=gettext_lazy("业务环节"), required=False, choices=[("", gettext_lazy("全部")), *AREAS])
    field = forms.ChoiceField(label=gettext_lazy("领域"), required=False, choices=[("", gettext_lazy("全部")), *FIELDS])
    industry = forms.CharField(label=gettext_lazy("行业代码"), required=False, max_length=5)
    level = forms.ChoiceField(label=gettext_lazy("我的数字化等级"), required=False, choices=LEVEL_CHOICES)


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ("code", "title", "area", "field", "industries", "min_level", "pain_points", "solution", "benefits",
                  "cost", "keywords", "active")
        widgets: ClassVar[dict[str, Any]] = {
            k: forms.Textarea(attrs={"rows": 3}) for k in ("pain_points", "solution", "benefits")}


class PathForm(forms.ModelForm):
    class Meta:
        model = IndustryPath
        fields = ("code", "name", "division", "industries", "summary", "pain_points", "cases", "scenario_codes")
        widgets: ClassVar[dict[str, Any]] = {
            k: forms.Textarea(attrs={"rows": 2}) for k in ("summary", "pain_points", "cases")}


class StageForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("阶段名称"), max_length=100, required=False)
    focus = forms.CharField(label=gettext_lazy("重点任务"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    solutions = forms.CharField(label=gettext_lazy("推荐方案"), required=False)
    products = forms.CharField(label=gettext_lazy("推荐产品"), required=False)
    cost = forms.CharField(label=gettext_lazy("参考投入"), required=False)
    benefit = forms.CharField(label=gettext_lazy("预期成效"), required=False)


@tidu_view
def path_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Officials edit a path: its description and one block per digital level (blank title = no stage)."""
    if not can_maintain_library(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    path = get_object_or_404(IndustryPath, code=code) if code else None
    form = PathForm(request.POST or None, instance=path)
    by_level = {int(st["level"]): st for st in (path.stages if path else [])}
    stages = [(level, StageForm(request.POST or None, prefix=f"s{level}", initial=by_level.get(level, {})))
              for level in (1, 2, 3, 4)]
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _, f in stages):
        data = {k: form.cleaned_data[k] for k in form.fields}
        data["stages"] = [{"level": level, **f.cleaned_data} for level, f in stages if f.cleaned_data["title"]]
        try:
            saved = path_save(actor=request.user, path=path or IndustryPath(), data=data)
        except TiduError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("转型路径已保存。"))
            return redirect("scenarios:path", code=saved.code)
    return render(request, "scenarios/path_edit.html", {"form": form, "stages": stages, "path": path})


@tidu_view
def scenario_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    hits = scenario_search(q=data.get("q", ""), area=data.get("area", ""), field=data.get("field", ""),
                           industry=data.get("industry", ""), level=int(data["level"]) if data.get("level") else None)
    return render(request, "scenarios/list.html", {
        "form": form, "hits": hits, "can_maintain": can_maintain_library(request.user),
        "searched": bool(data.get("q")),
    })


@tidu_view
def scenario_detail(request: HttpRequest, code: str) -> HttpResponse:
    scenario = get_object_or_404(Scenario, code=code)
    paths = [p for p in IndustryPath.objects.all() if scenario.code in p.scenario_list]
    return render(request, "scenarios/detail.html", {
        "s": scenario, "paths": paths, "can_maintain": can_maintain_library(request.user),
        "industries": [(c, industry_name(c) if c != "*" else _("通用")) for c in scenario.industry_list],
    })


@tidu_view
def scenario_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if not can_maintain_library(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    scenario = get_object_or_404(Scenario, code=code) if code else None
    form = ScenarioForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            saved = scenario_save(actor=request.user, scenario=scenario or Scenario(),
                                  data={k: form.cleaned_data[k] for k in form.fields})
        except TiduError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("场景已保存。"))
            return redirect("scenarios:detail", code=saved.code)
    return render(request, "scenarios/edit.html", {"form": form, "scenario": scenario})


@tidu_view
def paths(request: HttpRequest) -> HttpResponse:
    return render(request, "scenarios/paths.html", {"paths": path_list(), "can_maintain": can_maintain_library(request.user)})


@tidu_view
def path_detail(request: HttpRequest, code: str) -> HttpResponse:
    path = get_object_or_404(IndustryPath, code=code)
    ent = own_enterprise(request.user)
    level = firm_digital_level(ent) if ent is not None else None
    scenarios = {s.code: s for s in Scenario.objects.filter(code__in=path.scenario_list, active=True)}
    return render(request, "scenarios/path.html", {
        "path": path, "level": level, "can_maintain": can_maintain_library(request.user), "scenarios": [scenarios[c] for c in path.scenario_list if c in scenarios],
        "division_name": industry_name(path.division),
    })


@tidu_view
def my_path(request: HttpRequest) -> HttpResponse:
    ent = own_enterprise(request.user)
    if ent is None:
        return redirect("scenarios:paths")
    path = path_for_industry(ent.industry_code)
    if path is None:
        messages.info(request, _("暂时还没有您所在行业（%s）的转型路径，以下是已有的细分行业路径。") % ent.industry_code)
        return redirect("scenarios:paths")
    return redirect("scenarios:path", code=path.code)


@tidu_view
def recommend(request: HttpRequest) -> HttpResponse:
    ent = own_enterprise(request.user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message=_("场景推荐面向企业用户；您可以在场景库中检索。"))
    pain = request.GET.get("pain", "")[:500]
    level = firm_digital_level(ent)
    hits = recommend_for_firm(enterprise=ent, pain_points=pain, level=level)
    return render(request, "scenarios/recommend.html", {
        "enterprise": ent, "pain": pain, "level": level, "hits": hits,
        "industry_name": industry_name(ent.industry_code) or industry_name(ent.industry_code[:3]),
    })


@tidu_view
def library_import_view(request: HttpRequest) -> HttpResponse:
    if not can_maintain_library(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    result = None
    kind = request.POST.get("kind", "scenarios")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要上传的文件。"))
        else:
            # never more than the limit and one byte into memory, whatever the client declared
            content = upload.read(MAX_UPLOAD_BYTES + 1)
            result = library_import(actor=request.user, kind=kind, content=content, filename=upload.name or "")
            if result.ok:
                messages.success(request, _("导入成功：新增 %(c)d 条，更新 %(u)d 条。") % {"c": result.created, "u": result.updated})
    return render(request, "scenarios/import.html", {"result": result, "kind": kind},
                  status=400 if result is not None and not result.ok else 200)


@tidu_view
def import_template(request: HttpRequest) -> HttpResponse:
    if not can_maintain_library(request.user):
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    kind = "paths" if request.GET.get("kind") == "paths" else "scenarios"
    response = HttpResponse(import_template_xlsx(kind),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="tidu-{kind}-template.xlsx"'
    return response
