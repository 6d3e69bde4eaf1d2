"""Compiled packs (what the loader builds) and results (what `explain` returns).

Everything here is plain data: the loader (`tidu.rules.packs`) fills the compiled side once at load
time, the Python evaluator (`tidu.rules.evaluate`) and the SQL compiler (`tidu.rules.sql`) read it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
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


ENGINE = "tidu.rules"
# Version of the result JSON (StandardResult.as_json, docs/rules.md): raise it when a key changes
# meaning or goes away; adding a key keeps the version. Version 0 is the unversioned journey form
# stored before it (read by `read_result_json`).
RESULT_SCHEMA_VERSION = 1


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
    pack_digest: str = ""  # sha256 of the pack files it was computed with (Packs.digest)
    as_of: dt.date | None = None  # the evaluation date the edition was chosen for
    # the raw values behind this result, for the gap search to start from instead of evaluating the
    # variant again: (variant, record, condition values, indicator (lo, hi), route item values, level
    # values) — evaluate.evaluate_variant; not part of the result's schema
    raw: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        """This result in the stored and published schema (docs/rules.md, "Result JSON", version
        RESULT_SCHEMA_VERSION): plain JSON values only, numbers as canonical text, so that the same
        record and the same packs give the same bytes (`canonical_json`)."""
        q = self.qualified.value
        lo_hi = self.score_range
        steps = [(None, c) for c in self.conditions] + [(r.path, c) for r in self.routes for c in r.items]
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "engine": ENGINE,
            "standard": self.standard,
            "edition": self.edition,
            "title": self.title,
            "document": self.document,
            "amendments": list(self.amendments),
            "overlay": self.overlay,
            "pack_digest": self.pack_digest,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "provisional": bool(self.provisional),
            "verdict": q,
            "verdict_could_change": bool(self.verdict_could_change),
            "score": format_number(self.score) if self.score is not None else None,
            "score_range": [format_number(lo_hi[0]), format_number(lo_hi[1])] if lo_hi else None,
            "level": self.level,
            "level_label": self.level_label,
            "path": self.path if q == Tri.TRUE.value else None,
            "routes": [
                {"path": r.path, "label": r.label, "clause": r.clause, "value": r.value.value}
                for r in self.routes
            ],
            "conditions": [
                {
                    "id": c.id,
                    "route": route,
                    "label": c.label,
                    "clause": c.clause,
                    "value": c.value.value,
                    "detail": c.detail_zh,
                    "fields": list(c.fields),
                    "provisional": bool(c.provisional),
                }
                for route, c in steps
            ],
            "groups": [
                {
                    "id": g.id,
                    "label": g.label,
                    "points_lo": _num(g.points_lo),
                    "points_hi": _num(g.points_hi),
                    "max": _num(g.max),
                    "pass_min": _num(g.pass_min),
                }
                for g in self.groups
            ],
            "indicators": [
                {
                    "id": i.id,
                    "group": i.group,
                    "label": i.label,
                    "clause": i.clause,
                    "value": i.value_text,
                    "band": i.band_label,
                    "points_lo": _num(i.points_lo),
                    "points_hi": _num(i.points_hi),
                    "max": _num(i.max),
                    "fields": list(i.fields),
                    "provisional": bool(i.provisional),
                }
                for i in self.indicators
            ],
            "levels": [
                {
                    "id": lv.id,
                    "level": lv.level,
                    "label": lv.label,
                    "value": lv.value.value,
                    "fields": list(lv.fields),
                }
                for lv in self.levels
            ],
            "unknown_fields": [
                {
                    "field": u.field,
                    "label": u.label,
                    "items": list(u.items),
                    "could_change_verdict": bool(u.could_change_verdict),
                }
                for u in self.unknown_fields
            ],
            "gaps": [
                {
                    "effect": g.effect_zh,
                    "makes_qualified": bool(g.makes_qualified),
                    "points_gain": _num(g.points_gain),
                    "changes": [
                        {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in g.changes
                    ],
                }
                for g in self.gaps
            ],
            "readings": list(self.readings),
            "notes": list(self.notes),
        }

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

    def as_json(self) -> dict[str, Any]:
        """Every standard's `StandardResult.as_json`, with the firm-year they are about."""
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "engine": ENGINE,
            "credit_code": self.credit_code,
            "year": self.year,
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "standards": {s: r.as_json() for s, r in self.standards.items()},
        }

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


# ---------------------------------------------------------------------------------------------
# result JSON helpers


def _num(v: Any) -> str | None:
    return None if v is None else format_number(v)


def _plain(v: Any) -> Any:
    """A gap's old/new value as JSON: numbers as canonical text, dates ISO, the rest as is."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, Decimal | int | Fraction):
        return format_number(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def canonical_json(data: Any) -> str:
    """The one text form of a result: sorted keys, no spaces, UTF-8 Chinese kept (byte-stable)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_result_json(data: dict[str, Any]) -> dict[str, Any]:
    """A stored result in the current schema, whatever version it was stored in.

    Version 0 (journey applications frozen before the schema): the same keys for the verdict and
    the steps, `pack_hash` (a hash of the edition's own files) instead of `pack_digest`, the
    standard in `tier` and `pack_edition` "<standard>/<edition>"; the route items were not kept.
    Nothing is rewritten in the database: stored results are evidence, read through this.
    """
    version = data.get("schema_version", 0)
    if version == RESULT_SCHEMA_VERSION or not data:  # current, or nothing frozen yet (a draft)
        return data
    if version != 0:
        raise ValueError(f"未知的评价结果版本 {version!r}")
    out = dict(data)
    std, _, ed = str(data.get("pack_edition") or "").partition("/")
    out.setdefault("standard", std or data.get("tier"))
    out.setdefault("edition", ed)
    out.setdefault("pack_digest", "")  # unknown: the old hash covered other files
    out.setdefault("verdict_could_change", False)
    out.setdefault("score_range", None)
    for key in ("routes", "conditions", "groups", "indicators", "levels", "unknown_fields", "gaps"):
        out.setdefault(key, [])
    for key in ("amendments", "readings", "notes"):
        out.setdefault(key, [])
    out["conditions"] = [{"route": None, "provisional": False, **c} for c in out["conditions"]]
    out["schema_version"] = RESULT_SCHEMA_VERSION
    return out
