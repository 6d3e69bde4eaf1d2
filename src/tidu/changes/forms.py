"""The change-report form: kinds, new values, effective date, explanation; evidence files come in `files`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tidu.changes.models import ChangeKind, ChangeReport
from tidu.changes.services import ChangeInput


class ChangeReportForm(forms.Form):
    kinds = forms.MultipleChoiceField(label=_("变化事项"), choices=ChangeKind.choices,
                                      widget=forms.CheckboxSelectMultiple, error_messages={
                                          "required": _("请至少选择一项变化事项。")})
    new_name = forms.CharField(label=_("新名称"), required=False, max_length=200,
                               help_text=_("与变更后的营业执照一致"))
    new_region_code = forms.CharField(label=_("新注册地行政区划代码"), required=False, max_length=6,
                                      help_text=_("迁入地区、县或县级市的6位代码；迁址须迁出地和迁入地主管部门均核准"))
    new_industry_code = forms.CharField(label=_("新国民经济行业代码"), required=False, max_length=5,
                                        help_text=_("GB/T 4754-2017：门类字母加小类4位数字，如 C3911"))
    new_ownership = forms.CharField(label=_("变化后的所有制/股权结构"), required=False, max_length=200,
                                    help_text=_("如：民营控股，控股股东变更为某某集团（持股51%）"))
    effective_on = forms.DateField(label=_("变化生效日期"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                  format="%Y-%m-%d"),
                                   help_text=_("如新营业执照的核准日期；应在此后3个月内报告"))
    explanation = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("变化的原因和经过，如更名、合并、分立、迁址、股权转让"))

    @classmethod
    def for_report(cls, report: ChangeReport, data: Any = None) -> ChangeReportForm:
        initial = {"kinds": report.kinds, "new_name": report.new_name, "new_region_code": report.new_region_id or "",
                   "new_industry_code": report.new_industry_code, "new_ownership": report.new_ownership,
                   "effective_on": report.effective_on, "explanation": report.explanation}
        return cls(data, initial=initial)

    def change_input(self) -> ChangeInput:
        d = self.cleaned_data
        return ChangeInput(kinds=d["kinds"], effective_on=d["effective_on"], explanation=d["explanation"],
                           new_name=d.get("new_name") or "", new_region_code=d.get("new_region_code") or "",
                           new_industry_code=d.get("new_industry_code") or "",
                           new_ownership=d.get("new_ownership") or "")
