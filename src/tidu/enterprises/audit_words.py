"""How the register's fields read in the audit trail: labels from the field registry, money in 万元,
choices by their names (registered with tidu.core.audit_text when the app is ready)."""

from __future__ import annotations

from typing import Any

from django.db import models

from tidu.core.audit_text import plain_value
from tidu.enterprises.models import MONEY_FIELDS, Enterprise, EnterpriseYear
from tidu.enterprises.money import yuan_to_wan_display

# Fields the services record that are not model fields of the same name.
EXTRA_LABELS = {"region_code": "注册地行政区划代码"}


def _words(model: type[models.Model], name: str, value: Any) -> tuple[str, str]:
    try:
        f = model._meta.get_field(name)
    except Exception:  # a field recorded by an older version of the code
        return EXTRA_LABELS.get(name, name), plain_value(value)
    label = str(getattr(f, "verbose_name", name))
    if value is None or value == "":
        return label, "（空）"
    if model is EnterpriseYear and name in MONEY_FIELDS:
        return label, f"{yuan_to_wan_display(int(value))} 万元"
    choices = dict(getattr(f, "choices", None) or [])
    if choices:
        return label, str(choices.get(value, value))
    return label, plain_value(value)


def year_field_words(name: str, value: Any) -> tuple[str, str]:
    return _words(EnterpriseYear, name, value)


def enterprise_field_words(name: str, value: Any) -> tuple[str, str]:
    return _words(Enterprise, name, value)


def record_value_text(key: str, value: Any) -> str | None:
    """A choice stored in the engine's record (`rd_inst_level`, `digital_category_y1` …) by its Chinese
    name; None when `key` is not a choice field (the caller formats it as before)."""
    for name in (key, key[:-3] if key[-3:] in ("_y1", "_y2", "_y3") else key):
        for model in (EnterpriseYear, Enterprise):
            try:
                f = model._meta.get_field(name)
            except Exception:
                continue
            choices = dict(getattr(f, "choices", None) or [])
            if choices:
                return str(choices.get(value, value))
    return None
