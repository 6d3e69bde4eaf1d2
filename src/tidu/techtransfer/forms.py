"""Forms of technology transfer. Money is typed in 万元 and handed to services in yuan; a firm is named by its
统一社会信用代码 (platforms do not browse the register)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidu.core.errors import TiduError
from tidu.enterprises.money import wan_to_yuan, yuan_to_wan_text
from tidu.techtransfer.models import (
    Achievement,
    AchievementKind,
    IncubationStatus,
    Maturity,
    TechField,
    TransferMode,
)
from tidu.techtransfer.services import AchievementInput, IncubationInput, RequestInput, TransferInput


def _wan(form: forms.Form, name: str) -> int | None:
    raw = (form.cleaned_data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return wan_to_yuan(raw, field=name)
    except TiduError as exc:
        form.add_error(name, exc.message)
        return None


class AchievementForm(forms.Form):
    title = forms.CharField(label=_("成果名称"), max_length=120)
    kind = forms.ChoiceField(label=_("成果类型"), choices=AchievementKind.choices)
    field = forms.ChoiceField(label=_("技术领域"), choices=TechField.choices)
    maturity = forms.ChoiceField(label=_("成熟度"), choices=Maturity.choices)
    description = forms.CharField(
        label=_("成果简介"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("技术原理、性能指标、应用场景")
    )
    keywords = forms.CharField(label=_("关键词"), max_length=200, required=False, help_text=_("以空格或顿号分隔"))
    industry_codes = forms.CharField(
        label=_("适用行业代码"), max_length=200, required=False, help_text=_("国民经济行业代码，如 C34 C35；用于向对口企业推荐")
    )
    patent_no = forms.CharField(label=_("专利号或登记号"), max_length=60, required=False)
    modes = forms.MultipleChoiceField(
        label=_("转化方式"), choices=TransferMode.choices, widget=forms.CheckboxSelectMultiple
    )
    price_min_wan = forms.CharField(label=_("参考价下限（万元）"), max_length=20, required=False)
    price_max_wan = forms.CharField(label=_("参考价上限（万元）"), max_length=20, required=False, help_text=_("留空表示面议"))

    @classmethod
    def for_achievement(cls, achievement: Achievement | None, data: Any = None) -> AchievementForm:
        initial: dict[str, Any] = {}
        if achievement is not None:
            initial = {
                "title": achievement.title,
                "kind": achievement.kind,
                "field": achievement.field,
                "maturity": achievement.maturity,
                "description": achievement.description,
                "keywords": achievement.keywords,
                "industry_codes": achievement.industry_codes,
                "patent_no": achievement.patent_no,
                "modes": achievement.modes,
                "price_min_wan": yuan_to_wan_text(achievement.price_min_yuan),
                "price_max_wan": yuan_to_wan_text(achievement.price_max_yuan),
            }
        return cls(data, initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["price_min_yuan"] = _wan(self, "price_min_wan")
        data["price_max_yuan"] = _wan(self, "price_max_wan")
        return data

    def achievement_input(self) -> AchievementInput:
        d = self.cleaned_data
        return AchievementInput(
            title=d["title"], kind=d["kind"], field=d["field"], maturity=d["maturity"], description=d["description"],
            modes=list(d["modes"]), keywords=d.get("keywords") or "", industry_codes=d.get("industry_codes") or "",
            patent_no=d.get("patent_no") or "", price_min_yuan=d.get("price_min_yuan"),
            price_max_yuan=d.get("price_max_yuan"),
        )


class RequestForm(forms.Form):
    mode = forms.ChoiceField(label=_("意向方式"), choices=TransferMode.choices)
    message = forms.CharField(
        label=_("需求说明"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("应用场景、期望的合作方式与进度")
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)

    def __init__(self, *args: Any, modes: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if modes is not None:
            field = self.fields["mode"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(m, TransferMode(m).label) for m in modes]

    def request_input(self) -> RequestInput:
        d = self.cleaned_data
        return RequestInput(mode=d["mode"], message=d["message"], contact_name=d["contact_name"],
                            contact_phone=d["contact_phone"])


class TransferForm(forms.Form):
    achievement = forms.TypedChoiceField(label=_("科技成果"), coerce=int)
    credit_code = forms.CharField(
        label=_("受让企业统一社会信用代码"), max_length=18, required=False, help_text=_("来自转化申请时可留空")
    )
    mode = forms.ChoiceField(label=_("转化方式"), choices=TransferMode.choices)
    amount_wan = forms.CharField(label=_("合同金额（万元）"), max_length=20, required=False)
    contract_no = forms.CharField(label=_("合同编号"), max_length=60)
    contract_on = forms.DateField(label=_("签约日期"), widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(
        label=_("合同佐证"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("技术合同认定登记号、付款凭证、专利权转移登记等"),
    )

    def __init__(self, *args: Any, achievements: list[Achievement], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["achievement"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.pk, f"{a.title}（{a.get_status_display()}）") for a in achievements]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["amount_yuan"] = _wan(self, "amount_wan")
        return data

    def transfer_input(self, request_id: int | None) -> TransferInput:
        d = self.cleaned_data
        return TransferInput(
            achievement_id=d["achievement"], mode=d["mode"], contract_no=d["contract_no"],
            contract_on=d["contract_on"], evidence=d["evidence"], credit_code=d.get("credit_code") or "",
            request_id=request_id, amount_yuan=d.get("amount_yuan"),
        )


class IncubationForm(forms.Form):
    credit_code = forms.CharField(label=_("企业统一社会信用代码"), max_length=18)
    since = forms.DateField(label=_("入孵日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("孵化内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def incubation_input(self) -> IncubationInput:
        d = self.cleaned_data
        return IncubationInput(credit_code=d["credit_code"], since=d["since"], note=d.get("note") or "")


class IncubationEndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("结束方式"),
        choices=[(IncubationStatus.GRADUATED, IncubationStatus.GRADUATED.label),
                 (IncubationStatus.LEFT, IncubationStatus.LEFT.label)],
    )
    ended_on = forms.DateField(label=_("日期"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
