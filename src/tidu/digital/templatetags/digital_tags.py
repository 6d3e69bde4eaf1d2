"""Small lookups the questionnaire and chart templates need."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def answer(answers: dict[str, Any], key: str) -> str:
    value = answers.get(key, "")
    return str(value) if not isinstance(value, list) else ""


@register.filter
def chosen(answers: dict[str, Any], key: str) -> list[str]:
    value = answers.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@register.filter
def has(values: list[str], item: str) -> bool:
    return item in values


@register.filter
def index(values: Any, position: int) -> Any:
    """values[position - 1]: level descriptions are listed from level 1."""
    try:
        return values[int(position) - 1]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
