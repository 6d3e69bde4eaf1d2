"""Forms for firm staff: money typed in 万元 (stored in yuan), help text on every field."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tidu.core.errors import TiduError
from tidu.core.validators import form_clean_email, form_clean_phone
from tidu.enterprises.models import MONEY_FIELDS, REGISTRY_NAME, YEAR_VALUE_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.money import wan_to_yuan, yuan_to_wan_text
from tidu.enterprises.registry import TYPE_WORDS, spec
from tidu.enterprises.services import (
    EDITABLE_PROFILE_FIELDS,
    enterprise_name_validate,
    industry_code_validate,
)
from tidu.enterprises.validation import year_problems
from tidu.regions.selectors import registration_region_get

SECTION_TITLES = {
    "Size and staff": _("规模与人员"),
    "Finance (audited; yuan)": _("财务数据（经审计）"),
    "Intellectual property (counts of valid rights at `as_of`)": _("知识产权"),
    "Equity financing": _("股权融资"),
    "Niche market, product field and market position": _("细分市场、主导产品与市场地位"),
    "Quality and management": _("质量与管理"),
    "Digital level": _("数字化水平"),
    "R&D institutions": _("研发机构"),
    "Awards, contests, honours": _("奖励、赛事与荣誉"),
    "Titles already held": _("已获称号"),
    "Compliance": _("合规情况"),
    "Provincial and platform scores": _("省级与平台评分"),
}


class WanYuanField(forms.CharField):
    """Money typed in 万元 with at most 4 decimals; cleans to integer yuan, exactly."""

    def __init__(self, *, allow_negative: bool = False, **kwargs: Any):
        self.allow_negative = allow_negative
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "class": "money", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return yuan_to_wan_text(value)
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in (None, ""):
            return None
        try:
            return wan_to_yuan(text, allow_negative=self.allow_negative)
        except TiduError as exc:
            raise ValidationError(exc.message, code=str(exc.code)) from exc

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


def _help(model_field: str) -> str:
    s = spec(REGISTRY_NAME.get(model_field, model_field))
    extra = TYPE_WORDS.get(s.type, "")
    return "；".join(x for x in (s.help_text, extra) if x)


class FirmCodesCleaning:
    """Name, region and industry code checks of firm registration and the change report (errors in Chinese)."""

    cleaned_data: dict[str, Any]

    def clean_name(self) -> str:
        try:
            return enterprise_name_validate(self.cleaned_data.get("name") or "")
        except TiduError as exc:
            raise ValidationError(exc.message) from exc

    def clean_region_code(self) -> str:
        try:
            return registration_region_get(self.cleaned_data["region_code"]).code
        except TiduError as exc:
            raise ValidationError(exc.message) from exc

    def clean_industry_code(self) -> str:
        try:
            return industry_code_validate(self.cleaned_data["industry_code"])
        except TiduError as exc:
            raise ValidationError(exc.message) from exc

    def clean_contact_phone(self) -> str:
        return form_clean_phone(self.cleaned_data.get("contact_phone"), _("联系电话"))

    def clean_contact_email(self) -> str:
        return form_clean_email(self.cleaned_data.get("contact_email"), _("联系邮箱"))


class EnterpriseYearForm(forms.ModelForm):
    """Every yearly field of domain/fields.md. Unknown stays empty, never zero."""

    class Meta:
        model = EnterpriseYear
        fields = YEAR_VALUE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in MONEY_FIELDS:
            old = self.fields[name]
            self.fields[name] = WanYuanField(
                label=f"{old.label}（万元）", allow_negative=(name == "net_profit"),
            )
        for name, field in self.fields.items():
            field.help_text = _help(name)
            if isinstance(field, forms.NullBooleanField):
                field.widget = forms.NullBooleanSelect()
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            if isinstance(field, forms.IntegerField | forms.DecimalField):
                field.widget.attrs.setdefault("inputmode", "decimal")
        self.warnings: list[str] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for problem in year_problems(cleaned):
            if problem.warning:
                self.warnings.append(problem.message)
            elif problem.field in self.fields and problem.field not in self.errors:
                self.add_error(problem.field, problem.message)
            elif problem.field not in self.fields:
                self.add_error(None, problem.message)
        return cleaned

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Fields grouped as in fields.md, for the template."""
        groups: dict[str, list[forms.BoundField]] = {}
        for name in self.fields:
            section = spec(REGISTRY_NAME.get(name, name)).section
            groups.setdefault(str(SECTION_TITLES.get(section, section)), []).append(self[name])
        return list(groups.items())


class NewYearForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("会计年度"), min_value=2000, help_text=_("如 2025 表示2025年度的数据"))

    def clean_fiscal_year(self) -> int:
        year: int = self.cleaned_data["fiscal_year"]
        if year > dt.date.today().year:
            raise ValidationError(_("会计年度不能晚于今年。"))
        return year


class EnterpriseProfileForm(forms.ModelForm):
    """What a firm edits itself: contact details and its self-declared facts.

    Name, region and industry are its identity: shown read-only on the page and changed only through a
    reviewed 重大变化报告 (tidu.changes); posting them here changes nothing.
    """

    class Meta:
        model = Enterprise
        fields = EDITABLE_PROFILE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            with contextlib.suppress(KeyError):
                field.help_text = spec(name).help_text
            if isinstance(field, forms.NullBooleanField):
                field.widget = forms.NullBooleanSelect()
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def _post_clean(self) -> None:  # the service saves; skip ModelForm's instance construction checks
        pass


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("名称或信用代码"), required=False)
    region = forms.CharField(label=_("区划代码"), required=False, help_text=_("如 4403 表示深圳市全部区县"))
    industry = forms.CharField(label=_("行业代码"), required=False, help_text=_("如 C39 或 C3911"))
    year = forms.IntegerField(label=_("有该年度数据"), required=False)
    held = forms.TypedChoiceField(label=_("所持梯度"), required=False, coerce=int, empty_value=None, choices=[
        ("", _("不限")), (0, _("无梯度称号")), (1, _("科技型/创新型")), (2, _("专精特新")), (3, _("小巨人"))])
    reachable = forms.TypedChoiceField(label=_("可达梯度"), required=False, coerce=int, empty_value=None, choices=[
        ("", _("不限")), (-1, _("高于所持梯度")), (1, _("科技型/创新型")), (2, _("专精特新")), (3, _("小巨人"))])
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[
        ("", _("按名称")), ("-held", _("所持梯度从高到低")), ("-reachable", _("可达梯度从高到低")),
        ("region", _("按注册地"))])
