"""Names of the ladder's rungs on pages outside the dashboard (the register list)."""

from django import template

from tidu.insights.models import Rung

register = template.Library()


@register.simple_tag
def tier_name(rung: int | None) -> str:
    return "" if rung is None else str(Rung(rung).label)
