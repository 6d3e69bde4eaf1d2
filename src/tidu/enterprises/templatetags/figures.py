"""`{{ f.value|choice_text:f.name }}`: a figure that is a choice, by its Chinese name (never its code)."""

from __future__ import annotations

from typing import Any

from django import template

from tidu.enterprises.audit_words import record_value_text

register = template.Library()


@register.filter
def choice_text(value: Any, name: str) -> Any:
    """The choice's name for choice fields (`rd_inst_level` 'national' → 国家级); other values unchanged."""
    text = record_value_text(str(name), value)
    return value if text is None else text
