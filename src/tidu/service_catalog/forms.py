"""Forms of the service list. Money is typed in 万元 and handed to services in yuan; region codes are typed
as 6-digit codes separated by spaces or commas (a province or city code covers everything under it)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tidu.core.errors import TiduError
from tidu.core.validators import form_clean_phone
from tidu.enterprises.money import wan_to_yuan, yuan_to_wan_text
from tidu.service_catalog.models import Category, Provider, ServiceOffer
from tidu.service_catalog.services import OfferInput, ProviderInput, RequestInput

_SPLIT = re.compile(r"[\s,，、;；]+")


class ProviderForm(forms.Form):
    region_code = forms.CharField(
        label=_("所在地行政区划代码"),
        max_length=6,
        help_text=_("6位代码，如 440305 深圳市南山区；由所在地主管部门审核入驻"),
    )
    intro = forms.CharField(
        label=_("机构简介"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("资质、专长、服务过的企业类型"),
    )
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)
    contact_email = forms.CharField(label=_("联系邮箱"), max_length=254, required=False)

    @classmethod
    def for_provider(cls, provider: Provider | None, data: Any = None) -> ProviderForm:
        initial = (
            {}
            if provider is None
            else {
                "region_code": provider.region_id,
                "intro": provider.intro,
                "contact_phone": provider.contact_phone,
                "contact_email": provider.contact_email,
            }
        )
        return cls(data, initial=initial)

    def provider_input(self) -> ProviderInput:
        d = self.cleaned_data
        return ProviderInput(
            region_code=d["region_code"],
            intro=d["intro"],
            contact_phone=d["contact_phone"],
            contact_email=d.get("contact_email") or "",
        )


class OfferForm(forms.Form):
    title = forms.CharField(label=_("服务名称"), max_length=120)
    category = forms.ChoiceField(label=_("服务类别"), choices=Category.choices)
    description = forms.CharField(label=_("服务内容"), widget=forms.Textarea(attrs={"rows": 5}))
    how_to_request = forms.CharField(
        label=_("申请方式"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("企业需准备的材料、服务如何开展"),
    )
    response_days = forms.IntegerField(
        label=_("承诺响应时间（工作日）"),
        min_value=1,
        max_value=60,
        help_text=_("从企业提交后的下一个工作日起算，节假日不计"),
    )
    region_codes = forms.CharField(
        label=_("服务地区代码"),
        max_length=500,
        help_text=_(
            "6位行政区划代码，多个用空格或逗号分隔；省、市代码覆盖其下全部区县，"
            "如 440000 广东全省、440300 深圳市"
        ),
    )
    free = forms.BooleanField(label=_("免费服务"), required=False, initial=True)
    price_wan = forms.CharField(
        label=_("参考价格（万元）"),
        required=False,
        max_length=20,
        help_text=_("收费服务填写，如 0.5 表示 5000 元"),
    )
    price_note = forms.CharField(label=_("收费说明"), required=False, max_length=200)

    @classmethod
    def for_offer(cls, offer: ServiceOffer | None, data: Any = None) -> OfferForm:
        initial: dict[str, Any] = {"free": True, "response_days": 3}
        if offer is not None:
            initial = {
                "title": offer.title,
                "category": offer.category,
                "description": offer.description,
                "how_to_request": offer.how_to_request,
                "response_days": offer.response_days,
                "region_codes": " ".join(r.code for r in offer.regions.all()),
                "free": offer.free,
                "price_wan": yuan_to_wan_text(offer.price_yuan),
                "price_note": offer.price_note,
            }
        return cls(data, initial=initial)

    def clean_price_wan(self) -> int | None:
        raw = (self.cleaned_data.get("price_wan") or "").strip()
        if not raw:
            return None
        try:
            return wan_to_yuan(raw, field="price_wan")
        except TiduError as exc:
            raise forms.ValidationError(exc.message) from None

    def offer_input(self) -> OfferInput:
        d = self.cleaned_data
        return OfferInput(
            title=d["title"],
            category=d["category"],
            description=d["description"],
            how_to_request=d["how_to_request"],
            response_days=d["response_days"],
            region_codes=[c for c in _SPLIT.split(d["region_codes"]) if c],
            free=bool(d["free"]),
            price_yuan=None if d["free"] else d.get("price_wan"),
            price_note=d.get("price_note") or "",
        )


class RequestForm(forms.Form):
    need = forms.CharField(
        label=_("服务需求"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("想解决什么问题、希望何时开展"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30)

    def clean_contact_phone(self) -> str:
        return form_clean_phone(self.cleaned_data["contact_phone"], _("联系电话"))

    def request_input(self) -> RequestInput:
        d = self.cleaned_data
        return RequestInput(need=d["need"], contact_name=d["contact_name"], contact_phone=d["contact_phone"])
