"""Forms of officials writing a policy as data: money typed in 万元, conditions as YAML (one item a condition)."""

from __future__ import annotations

from typing import Any, ClassVar

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from tidu.core.errors import TiduError
from tidu.enterprises.money import wan_to_yuan
from tidu.policies.models import Policy

CONDITIONS_HELP = _(
    "每项条件一段：label 说明、clause 出处条款；可由数据判断的写 expr（标准包表达式，字段名见字段表，"
    "如 revenue_y1 >= 20000000、cert_specialized_valid = TRUE、size_level IN ('small', 'micro')），"
    "需人工判断的写 evidence（需要的证明）。金额单位为元。"
)
CONDITIONS_EXAMPLE = """- label: 专精特新中小企业（有效期内）
  expr: cert_specialized_valid = TRUE
  clause: 第三条
- label: 营业收入不低于2000万元
  expr: revenue_y1 >= 20000000
  clause: 第三条
- label: 承诺五年内不迁出本市
  evidence: 加盖公章的承诺书
  clause: 第四条
"""


def _wan(form: forms.Form, name: str, *, required: bool) -> int | None:
    raw = (form.cleaned_data.get(name) or "").strip()
    if not raw:
        if required:
            raise forms.ValidationError(_("请填写金额（万元）"))
        return None
    try:
        return wan_to_yuan(raw, field=name)
    except TiduError as e:
        raise forms.ValidationError(e.message) from None


class PolicyForm(forms.ModelForm):
    source_url = forms.URLField(label=_("原文链接"), required=False, assume_scheme="https")

    class Meta:
        model = Policy
        fields = (
            "code",
            "title",
            "issuer",
            "document_number",
            "level",
            "region",
            "in_force_from",
            "in_force_to",
            "category",
            "purpose",
            "route",
            "interpretation",
            "original_text",
            "materials",
            "source_url",
            "reading_notes",
            "is_sample",
        )
        widgets: ClassVar[dict[str, Any]] = {
            "in_force_from": forms.DateInput(attrs={"type": "date"}),
            "in_force_to": forms.DateInput(attrs={"type": "date"}),
            "region": forms.TextInput(attrs={"placeholder": "440300"}),
        }


class EditionForm(forms.Form):
    effective_on = forms.DateField(label=_("版本生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    conditions = forms.CharField(
        label=_("条件（YAML）"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        help_text=CONDITIONS_HELP,
        initial=CONDITIONS_EXAMPLE,
    )
    amount_expr = forms.CharField(
        label=_("金额公式（元）"),
        required=False,
        max_length=500,
        help_text=_("如 200000 或 rd_y1 * 0.1；留空表示按实际核定"),
    )
    amount_cap_wan = forms.CharField(label=_("金额上限（万元）"), required=False)
    amount_clause = forms.CharField(label=_("金额依据条款"), required=False, max_length=200)
    basis = forms.CharField(
        label=_("修订依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("保存新版本时必填：为什么有这一版（文件、通知或更正）"),
    )

    def clean_conditions(self) -> list[dict[str, Any]]:
        text = self.cleaned_data["conditions"]
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"第{mark.line + 1}行" if mark is not None else ""
            raise forms.ValidationError(
                _("条件不是有效的 YAML %(where)s：请检查缩进和冒号") % {"where": where}
            ) from None
        if not isinstance(data, list):
            raise forms.ValidationError(_("条件应是一个列表：每项以“- label:”开头"))
        return data

    def clean_amount_cap_wan(self) -> int | None:
        return _wan(self, "amount_cap_wan", required=False)


class BatchForm(forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=200)
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    budget_wan = forms.CharField(label=_("预算（万元）"), required=False)

    def clean_budget_wan(self) -> int | None:
        return _wan(self, "budget_wan", required=False)


class GrantForm(forms.Form):
    amount_wan = forms.CharField(label=_("金额（万元）"))
    basis = forms.CharField(label=_("决定依据"), required=False, max_length=500)

    def clean_amount_wan(self) -> int | None:
        return _wan(self, "amount_wan", required=True)


class PayoutForm(forms.Form):
    amount_wan = forms.CharField(label=_("拨付金额（万元）"))
    paid_on = forms.DateField(label=_("拨付日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("拨付凭证号"), max_length=100)

    def clean_amount_wan(self) -> int | None:
        return _wan(self, "amount_wan", required=True)
