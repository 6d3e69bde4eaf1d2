"""How the fields of needs and responses read in the audit trail (money in 万元, choices by name)."""

from __future__ import annotations

from typing import Any

from django.db import models

from tidu.core.audit_text import plain_value
from tidu.enterprises.money import yuan_to_wan_display

MONEY = {"budget_min", "budget_max", "contract_amount"}


def _words(model: type[models.Model]) -> Any:
    def words(name: str, value: Any) -> tuple[str, str]:
        field_name = name[:-3] if name.endswith("_id") else name
        try:
            f = model._meta.get_field(field_name)
        except Exception:  # an unknown key still reads, by its name
            return name, plain_value(value)
        label = str(getattr(f, "verbose_name", name))
        if field_name in MONEY:
            label = label.replace("（元）", "（万元）")
        if value is None or value == "":
            return label, "（空）"
        if field_name in MONEY:
            return label, yuan_to_wan_display(int(value))
        choices = dict(getattr(f, "choices", None) or [])
        if choices:
            return label, str(choices.get(value, value))
        return label, plain_value(value)

    return words


def register() -> None:
    from tidu.core.audit_text import register_field_text
    from tidu.needs.models import Need, NeedResponse

    register_field_text("needs.need", _words(Need))
    register_field_text("needs.needresponse", _words(NeedResponse))
