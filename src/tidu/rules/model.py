"""Compiled packs (what the loader builds) and results (what `explain` returns).

Everything here is plain data: the loader (`tidu.rules.packs`) fills the compiled side once at load
time, the Python evaluator (`tidu.rules.evaluate`) and the SQL compiler (`tidu.rules.sql`) read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tidu.rules.expr import Fn, Node
from tidu.rules.values import Number, Tri
from tidu.rules.values import format_number as format_number  # re-exported: older import path
from tidu.rules.values import points_out as points_out
from tidu.rules.values import to_decimal as to_decimal

STANDARDS: tuple[str, ...] = (
    "size_class",
    "tech_sme",
    "innovative_sme",
    "specialized_sme",
    "little_giant",
    "digital_level",
)
OUTPUT_SUFFIXES: tuple[str, ...] = ("qualified", "score", "level", "path", "edition")
# The quality-SME ladder, lowest rung first (tech_sme and innovative_sme share the first rung).
LADDER: tuple[tuple[str, ...], ...] = (
    ("tech_sme", "innovative_sme"),
    ("specialized_sme",),
    ("little_giant",),
)


def contract_columns(standards: tuple[str, ...] | list[str] = STANDARDS) -> list[str]:
    """credit_code, year, then `<std>__<suffix>` for each standard (ARCHITECTURE.md)."""
    return ["credit_code", "year"] + [f"{s}__{x}" for s in standards for x in OUTPUT_SUFFIXES]


# ---------------------------------------------------------------------------------------------
# compiled packs


@dataclass(frozen=True)
class Where:
    """Where an item is written (for load errors and explanations)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass
class Item:
    """A condition, a route item, a level condition or a selection test: one boolean expression."""

    id: str
    label: str
    clause: str
    expr: str
    node: Node  # rewritten tree (zero → NULL)
    fn: Fn
    fields: tuple[str, ...]
    provisional: bool = False
    where: Where | None = None


@dataclass
class Band:
    when: str
    node: Node  # rewritten tree (zero → FALSE)
    fn: Fn
    points: Number
    label: str


@dataclass
class Indicator:
    id: str
    group: str | None
    label: str
    clause: str
    max: Number
    bands: list[Band]
    else_label: str
    points_expr: str | None
    points_node: Node | None
    points_fn: Fn | None
    fields: tuple[str, ...]
    shows: tuple[tuple[str, str, Fn], ...]  # (name, unit, display fn) of the quantities the bands test
    provisional: bool = False
    where: Where | None = None


@dataclass
class Group:
    id: str
    label: str
    max: Number | None
    pass_min: Number | None


@dataclass
class Route:
    path: str  # score | direct | general
    label: str
    clause: str
    kind: str  # score | any | all
    score_at_least: Number | None = None
    groups_at_least: bool = False
    indicators_nonzero: tuple[str, ...] = ()
    items: list[Item] = field(default_factory=list)


@dataclass
class Level:
    id: str
    level: str
    label: str
    clause: str
    item: Item


@dataclass
class Variant:
    """A concrete rule set: one edition with the amendments and overlay that apply to a row."""

    key: str
    standard: str
    edition: str
    amendments: tuple[str, ...]
    overlay: str | None
    title: str
    document: str
    provisional: bool
    readings: list[str]
    conditions: list[Item]
    groups: list[Group]
    indicators: list[Indicator]
    routes: list[Route]
    levels: list[Level]
    default_level: str | None
    default_label: str
    qualified: Item | None  # classification standards: expression over level conditions
    qualified_path: str
    score_output: bool
    score_node: Node | None
    score_fn: Fn | None
    notes: list[tuple[Item, str]] = field(default_factory=list)  # (test, Chinese warning when TRUE)


@dataclass
class Amendment:
    id: str
    title: str
    document: str
    applies: Item
    provisional: bool
    readings: list[str]
    raw: dict[str, Any]
    where: Where


@dataclass
class Overlay:
    province: str  # "510000"
    title: str
    document: str
    applies: Item | None
    provisional: bool
    readings: list[str]
    raw: dict[str, Any]
    where: Where


@dataclass
class Edition:
    standard: str
    edition: str
    title: str
    document: str
    effective_from: dt.date
    effective_to: dt.date | None
    select_when: Item | None
    amendments: list[Amendment]
    overlays: list[Overlay]
    variants: dict[str, Variant]
    where: Where

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class ConditionResult:
    id: str
    label: str
    clause: str
    value: Tri
    fields: tuple[str, ...]
    provisional: bool = False
    detail_fn: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @property
    def detail_zh(self) -> str:
        """Why, in Chinese: 满足 / 不满足 / 无法判断：缺少… (computed on first use)."""
        return self.detail_fn() if self.detail_fn is not None else ""


@dataclass
class IndicatorResult:
    id: str
    group: str | None
    label: str
    band_label: str
    points_lo: int | Decimal
    points_hi: int | Decimal
    max: int | Decimal
    fields: tuple[str, ...]
    clause: str = ""
    provisional: bool = False
    value_fn: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @property
    def value_text(self) -> str:
        """The measured quantity as officials read it (4.1%, 600万元, 9年; computed on first use)."""
        return self.value_fn() if self.value_fn is not None else ""


@dataclass
class GroupResult:
    id: str
    label: str
    points_lo: int | Decimal
    points_hi: int | Decimal
    max: int | Decimal | None
    pass_min: int | Decimal | None


@dataclass
class RouteResult:
    id: str  # the path name (score | direct | general)
    path: str
    label: str
    clause: str
    value: Tri
    items: list[ConditionResult] = field(default_factory=list)


@dataclass
class LevelResult:
    id: str
    level: str
    label: str
    value: Tri
    fields: tuple[str, ...] = ()


@dataclass
class UnknownField:
    field: str
    label: str
    items: list[str]  # ids of the conditions/indicators it leaves open
    could_change_verdict: bool


@dataclass
class StandardResult:
    standard: str
    edition: str
    title: str
    document: str
    amendments: list[str]
    overlay: str | None
    qualified: Tri
    score: Decimal | None
    score_range: tuple[Decimal, Decimal] | None
    level: str | None
    level_label: str
    path: str | None
    provisional: bool
    conditions: list[ConditionResult]
    indicators: list[IndicatorResult]
    groups: list[GroupResult]
    routes: list[RouteResult]
    levels: list[LevelResult]
    unknown_fn: Callable[[], list[UnknownField]] = field(repr=False, compare=False)
    verdict_could_change: bool
    readings: list[str]
    notes: list[str]
    score_output: bool = False
    gaps: list[Any] = field(default_factory=list)

    @property
    def unknown_fields(self) -> list[UnknownField]:
        """Unknown inputs that leave a condition, indicator or level open (computed on first use)."""
        return self.unknown_fn()

    @property
    def route_items(self) -> list[ConditionResult]:
        return [i for r in self.routes for i in r.items]

    def row(self) -> dict[str, str]:
        """This standard's five contract columns."""
        s = self.standard
        return {
            f"{s}__qualified": self.qualified.value,
            f"{s}__score": format_number(self.score) if self.score_output else "",
            f"{s}__level": self.level or "",
            f"{s}__path": (self.path or "") if self.qualified is Tri.TRUE else "",
            f"{s}__edition": self.edition,
        }

    to_row = row


@dataclass
class LadderResult:
    credit_code: str | None
    year: int | None
    as_of: dt.date | None
    standards: dict[str, StandardResult]

    def __getitem__(self, standard: str) -> StandardResult:
        return self.standards[standard]

    def __contains__(self, standard: object) -> bool:
        return standard in self.standards

    def __iter__(self) -> Any:
        return iter(self.standards.values())

    def to_row(self) -> dict[str, str]:
        """The contract columns of ARCHITECTURE.md, as strings (blank = empty)."""
        row = {
            "credit_code": self.credit_code or "",
            "year": "" if self.year is None else str(self.year),
        }
        for s in STANDARDS:
            if s in self.standards:
                row.update(self.standards[s].row())
        return row

    @property
    def highest_tier(self) -> str | None:
        """The highest rung of the ladder the firm qualifies for (evaluated standards only)."""
        best: str | None = None
        for rung in LADDER:
            for s in rung:
                r = self.standards.get(s)
                if r is not None and r.qualified is Tri.TRUE:
                    best = s
                    break
        return best

    @property
    def next_tier(self) -> str | None:
        """The rung above the highest one reached (None at the top)."""
        top = self.highest_tier
        if top is None:
            return "innovative_sme"
        for i, rung in enumerate(LADDER):
            if top in rung:
                return LADDER[i + 1][0] if i + 1 < len(LADDER) else None
        return None  # pragma: no cover
