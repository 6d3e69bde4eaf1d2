"""Forms of 发榜/揭榜. Budgets and contract amounts are typed in 万元 and handed to services in yuan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tidu.core.errors import TiduError
from tidu.enterprises.money import wan_to_yuan, yuan_to_wan_text
from tidu.needs.models import FIGURE_LABELS, IpArrangement, Need, NeedField, Visibility
from tidu.needs.services import NeedInput, ResponseInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(form: forms.Form, name: str) -> int | None:
    raw = (form.cleaned_data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return wan_to_yuan(raw, field=name)
    except TiduError as exc:
        form.add_error(name, exc.message)
        return None


class NeedForm(forms.Form):
    title = forms.CharField(label=_("需求名称"), max_length=120)
    field = forms.ChoiceField(label=_("技术领域"), choices=NeedField.choices)
    description = forms.CharField(label=_("需求描述"), widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("应用场景、现状与痛点、希望解决的问题"))
    indicators = forms.CharField(label=_("技术指标"), widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("需达到的性能参数与验收标准"))
    budget_min_wan = forms.CharField(label=_("预算下限（万元）"), max_length=20, required=False,
                                     help_text=_("留空为面议"))
    budget_max_wan = forms.CharField(label=_("预算上限（万元）"), max_length=20, required=False)
    deadline = forms.DateField(label=_("揭榜截止日期"), widget=DATE)
    timeline = forms.CharField(label=_("实施周期"), max_length=100, required=False,
                               help_text=_("如：签约后 12 个月内交付样机"))
    ip_arrangement = forms.ChoiceField(label=_("知识产权约定"), choices=IpArrangement.choices,
                                       initial=IpArrangement.NEGOTIATED)
    ip_note = forms.CharField(label=_("知识产权补充说明"), max_length=300, required=False)
    visibility = forms.ChoiceField(label=_("发布方式"), choices=Visibility.choices, initial=Visibility.PUBLIC,
                                   help_text=_("定向邀请的需求只有受邀企业和主管部门可见"))
    region_code = forms.CharField(label=_("所在地区代码"), max_length=6,
                                  help_text=_("6位行政区划代码，如 440305 深圳市南山区；由该地区主管部门管理需求目录"))

    @classmethod
    def for_need(cls, need: Need | None, data: Any = None) -> NeedForm:
        initial: dict[str, Any] = {}
        if need is not None:
            initial = {
                "title": need.title, "field": need.field, "description": need.description,
                "indicators": need.indicators, "budget_min_wan": yuan_to_wan_text(need.budget_min),
                "budget_max_wan": yuan_to_wan_text(need.budget_max), "deadline": need.deadline,
                "timeline": need.timeline, "ip_arrangement": need.ip_arrangement, "ip_note": need.ip_note,
                "visibility": need.visibility, "region_code": need.region_id,
            }
        return cls(data, initial=initial)

    def need_input(self) -> NeedInput | None:
        low, high = _money(self, "budget_min_wan"), _money(self, "budget_max_wan")
        if self.errors:
            return None
        d = self.cleaned_data
        return NeedInput(
            title=d["title"], field=d["field"], description=d["description"], indicators=d["indicators"],
            deadline=d["deadline"], region_code=d["region_code"].strip(), budget_min=low, budget_max=high,
            timeline=d.get("timeline") or "", ip_arrangement=d["ip_arrangement"], ip_note=d.get("ip_note") or "",
            visibility=d["visibility"],
        )


class ResponseForm(forms.Form):
    solution = forms.CharField(label=_("技术方案"), widget=forms.Textarea(attrs={"rows": 6}),
                               help_text=_("技术路线、关键指标如何达到、进度安排"))
    team = forms.CharField(label=_("团队情况"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("负责人与核心成员、分工"))
    rd_evidence = forms.CharField(label=_("研发能力证明"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  help_text=_("研发机构、专利、检测报告等"))
    prior_cases = forms.CharField(label=_("相关案例"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    share = forms.MultipleChoiceField(
        label=_("向发榜企业共享的企业数据"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(FIGURE_LABELS.items()),
        help_text=_("只有勾选的数据项（取最近一个年度）会随方案展示给发榜企业；不勾选则不展示任何数据"),
    )

    def response_input(self) -> ResponseInput:
        d = self.cleaned_data
        return ResponseInput(solution=d["solution"], team=d["team"], rd_evidence=d.get("rd_evidence") or "",
                             prior_cases=d.get("prior_cases") or "", share=tuple(d.get("share") or ()))


class ContractForm(forms.Form):
    signed_on = forms.DateField(label=_("合同签订日期"), widget=DATE)
    amount_wan = forms.CharField(label=_("合同金额（万元）"), max_length=20, required=False)
    note = forms.CharField(label=_("合同说明"), max_length=1000, required=False)

    def amount(self) -> int | None:
        return _money(self, "amount_wan")


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("里程碑"), max_length=120)
    due_on = forms.DateField(label=_("计划完成日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class AcceptanceForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("验收结果"), choices=[("1", _("验收通过")), ("0", _("验收未通过"))],
                                    coerce=lambda v: v == "1")
    on = forms.DateField(label=_("验收日期"), widget=DATE)
    note = forms.CharField(label=_("验收意见"), max_length=1000, required=False)


class FunnelFilterForm(forms.Form):
    field = forms.ChoiceField(label=_("技术领域"), required=False,
                              choices=[("", _("全部")), *list(NeedField.choices)])
    region = forms.CharField(label=_("地区代码"), max_length=6, required=False)
    start = forms.DateField(label=_("发布日期从"), required=False, widget=DATE)
    end = forms.DateField(label=_("至"), required=False, widget=DATE)
