"""Editions and variant selection: which edition of a standard applies to a firm-year, and which
variant of it (amendments whose applies_when holds, the overlay of the row's province).

An edition is chosen by its select_when, else the one in force on the record's as_of date, else the
nearest earlier one; a forced edition (`editions={"tech_sme": "2022"}`) wins over both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from tidu.rules import expr as E
from tidu.rules.errors import RulesErrorCode, SelectionError
from tidu.rules.model import STANDARDS, Edition, Variant


class HasEditions(Protocol):
    """What selection needs of the packs: the editions of each standard, oldest first."""

    @property
    def editions(self) -> dict[str, list[Edition]]: ...


def variant_key(edition: str, amendments: Iterable[str], overlay: str | None) -> str:
    key = edition + "".join(f"+{a}" for a in amendments)
    return key + (f"@{overlay}" if overlay else "")


def check_standards(
    standards: Iterable[str] | None, editions: Mapping[str, str] | None
) -> tuple[list[str], dict[str, str]]:
    """The standards asked for and the editions forced, both checked against the known ids."""
    wanted = list(STANDARDS) if standards is None else list(standards)
    forced = dict(editions or {})
    for s in [*wanted, *forced]:
        if s not in STANDARDS:
            raise SelectionError(
                f"未知的标准 {s!r}（可选：{', '.join(STANDARDS)}）", code=RulesErrorCode.UNKNOWN_STANDARD
            )
    return wanted, forced


def check_edition(editions: Mapping[str, list[Edition]], standard: str, edition: str) -> Edition:
    if standard not in editions:
        raise SelectionError(f"未知的标准 {standard!r}", code=RulesErrorCode.UNKNOWN_STANDARD)
    for e in editions[standard]:
        if e.edition == edition:
            return e
    have = "、".join(e.edition for e in editions[standard])
    raise SelectionError(f"标准 {standard} 没有版本 {edition!r}（可选：{have}）")


Selector = Callable[[Mapping[str, Any]], Variant]


def select_edition(
    packs: HasEditions, standard: str, r: Mapping[str, Any], forced: str | None = None
) -> Edition:
    """The edition for a prepared record: forced > select_when TRUE > in force at as_of > nearest."""
    eds = packs.editions.get(standard) or []
    if not eds:
        raise SelectionError(f"没有标准 {standard} 的评价标准包")
    if forced is not None:
        return check_edition(packs.editions, standard, forced)
    for e in reversed(eds):
        if e.select_when is not None and e.select_when.fn(r) is True:
            return e
    day: dt.date = r["as_of"]
    for e in reversed(eds):
        if e.in_force(day):
            return e
    for e in reversed(eds):
        if e.effective_from <= day:
            return e
    return eds[0]


def select_variant(ed: Edition, r: Mapping[str, Any]) -> Variant:
    """The amendments whose applies_when is TRUE and the overlay of the row's province."""
    ams = [a.id for a in ed.amendments if a.applies.fn(r) is True]
    overlay = None
    region = r.get("region_code")
    if isinstance(region, str) and len(region) >= 2:
        for o in ed.overlays:
            if o.province[:2] == region[:2] and (o.applies is None or o.applies.fn(r) is True):
                overlay = o.province
                break
    return ed.variants[variant_key(ed.edition, ams, overlay)]


REVIEW = "is_review"
# The title a re-review is of (fields.md: is_review = "the review of a title the firm already holds").
# A firm known not to hold it (FALSE, not empty) is not being re-reviewed: an empty flag is read as a
# new application only, however the standard reads the flag.
REVIEW_TITLE = {"little_giant": "cert_little_giant_valid", "specialized_sme": "cert_specialized_valid"}
_READS_REVIEW: dict[tuple[int, ...], tuple[list[Edition], bool]] = {}


def reads_review(eds: Iterable[Edition]) -> bool:
    """Whether anything of these editions reads `is_review`: their choice (select_when, applies_when)
    or a condition, route, indicator, level or note of any variant.

    Why: a firm-year with `is_review` empty is then evaluated both as a new application and as a
    re-review, and only a verdict both readings share is given (decision 0087); a standard that
    never reads the flag is evaluated once."""
    eds = list(eds)
    key = tuple(id(e) for e in eds)
    hit = _READS_REVIEW.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], eds, strict=True)):
        return hit[1]
    found = False
    for e in eds:
        items = [e.select_when, *(a.applies for a in e.amendments), *(o.applies for o in e.overlays)]
        for v in e.variants.values():
            items += [
                *v.conditions,
                *(it for rt in v.routes for it in rt.items),
                *(lv.item for lv in v.levels),
            ]
            items += [v.qualified, *(item for item, _text in v.notes)]
            if any(REVIEW in ind.fields for ind in v.indicators):
                found = True
            if v.score_node is not None and REVIEW in E.columns(v.score_node):
                found = True
        if any(it is not None and REVIEW in it.fields for it in items):
            found = True
    _READS_REVIEW[key] = (eds, found)
    return found
