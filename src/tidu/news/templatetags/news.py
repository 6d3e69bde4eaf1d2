"""`{% articles_about policy as articles %}`: the interpretation articles of a policy, for its page."""

from __future__ import annotations

from typing import Any

from django import template

from tidu.news.models import Article
from tidu.news.selectors import articles_about as _articles_about

register = template.Library()


@register.simple_tag
def articles_about(policy: Any) -> list[Article]:
    return _articles_about(policy)
