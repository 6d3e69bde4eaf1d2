"""Text that leaves the platform as a spreadsheet cell, or enters it as a name.

A cell beginning with `=`, `+`, `-` or `@` is read by Excel, WPS and LibreOffice as a formula
(`=HYPERLINK(...)` can leak data or run commands on the reader's machine). Names are refused at entry;
every exported text cell is neutralised, because values already stored or typed elsewhere may still
begin with one of them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_PREFIXES)


def validate_no_formula_prefix(value: str) -> None:
    """Django validator for names and titles: refuse what a spreadsheet would run as a formula."""
    if isinstance(value, str) and starts_like_formula(value):
        raise ValidationError(
            _("不能以 =、+、-、@ 开头（表格软件会把它当作公式执行），请删去开头的符号。"),
            code="formula_prefix",
        )


def neutralise_cell(value: Any) -> Any:
    """A text cell as a spreadsheet shows it literally: a leading apostrophe disarms a formula.

    Numbers, dates and booleans pass unchanged (a negative profit stays a number).
    """
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value
