"""Threshold cases typed from shared/domain/, the pack's thresholds as written, and pack mutants.

Three things live here, shared by the threshold, completeness and mutation tests:

1. **Rows** (`thresholds/*.yaml`): one line of the regulation each — a quantity (a field of
   fields.md or a derived quantity of fields.md §15), the comparison and the number the domain
   reference gives, and the outcome it states one unit below, at and one unit above the number.
   `realize()` turns a row into three records: the quantity is made exact from its inputs
   (a ratio as numerator over a chosen denominator, a growth rate from three years of revenue,
   niche years from a start date), so "one unit" is 1 yuan, 1 person, 1 item, 1 year, 0.000001 of
   a fraction input or 0.01 of a platform score. Nothing here reads a number from the packs.
2. **Thresholds** (`pack_thresholds()`): every comparison of a quantity with a number in every
   pack file (conditions, bands, levels, routes, amendments, overlays, edition selection, the
   pack's own derived quantities), every line of the size table, every pass mark and every edition
   start date that decides which edition a firm-year gets — read from the loaded packs.
3. **Mutants** (`Mutant`): one threshold changed in the loaded packs in memory (a constant moved
   by one unit, ≥ ↔ >, ≤ ↔ <), recompiled through the packs' own expression scope, and put back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml

from tidu.rules import Packs
from tidu.rules import expr as E

HERE = Path(__file__).resolve().parent
ROWS_DIR = HERE / "thresholds"
REPO = HERE.parents[2]

SIDES = ("below", "at", "above")
INT_TYPES = {"money", "count", "rank", "int"}
# One unit of an input given directly (fields.md: fractions are exact decimals, platform scores have decimals).
DIRECT_UNIT = {"fraction": Fraction(1, 1_000_000), "decimal": Fraction(1, 100)}

# fields.md §15: ratios as numerator / denominator, with the denominator a row uses unless it says `den:`.
RATIOS: dict[str, tuple[str, str, int]] = {
    "rd_ratio_y1": ("rd_y1", "revenue_y1", 100_000_000),
    "rd_ratio_y2": ("rd_y2", "revenue_y2", 100_000_000),
    "rd_to_sales_y1": ("rd_y1", "revenue_y1", 100_000_000),
    "rd_to_cost_y1": ("rd_y1", "cost_expense_y1", 100_000_000),
    "main_biz_ratio_y1": ("main_rev_y1", "revenue_y1", 100_000_000),
    "debt_ratio_y1": ("total_liabilities_y1", "total_assets_y1", 100_000_000),
    "net_margin_y1": ("net_profit_y1", "revenue_y1", 100_000_000),
    "tech_staff_ratio_y1": ("tech_staff_y1", "staff_total_y1", 1_000),
    "rd_staff_ratio_y1": ("rd_staff_y1", "staff_total_y1", 1_000),
    # 小巨人 2026 L2: 近两年营业收入复合增长率 ≥ 5% tested as revenue_y1 ≥ 1.05² × revenue_y3 (fields.md §15)
    "revenue_y1 / revenue_y3": ("revenue_y1", "revenue_y3", 100_000_000),
}
# fields.md §15: sums of yearly amounts (the other years carry `rest`, the first year the remainder).
SUMS: dict[str, tuple[str, ...]] = {
    "rd_sum_2y": ("rd_y1", "rd_y2"),
    "equity_fin_2y": ("equity_fin_y1", "equity_fin_y2"),
    "equity_fin_3y": ("equity_fin_y1", "equity_fin_y2", "equity_fin_y3"),
}
# Levels of the digital-level packs read the platform level through the pack's own derived quantity.
ALIASES = {"dl_level_2022": "digital_level", "dl_level_2024": "digital_level"}


# ---------------------------------------------------------------------------------------------
# rows


@dataclass
class Row:
    standard: str
    edition: str
    file: str
    item: str  # the condition / indicator id as the pack names it (or level / edition / amendment)
    quantity: str
    op: str
    value: Any  # Fraction | int | date
    source: str  # "" for the edition itself, "+<amendment>", "@<province>"
    check: str  # indicator | condition | level | edition | amendment
    expect: tuple[Any, Any, Any]
    ref: str
    base: dict[str, Any]
    den: int | None = None
    rest: int | None = None
    force_edition: bool = True

    @property
    def id(self) -> str:
        return f"{self.standard}/{self.edition}{self.source}:{self.item}:{self.quantity}{self.op}{self.value}"

    @property
    def key(self) -> tuple[str, str, str, str, str, str, Any]:
        """What ties a row to a threshold of a pack: the item, the quantity, the comparison and the number."""
        return (self.standard, self.edition, self.source, self.item, self.quantity, self.op, self.value)


def _number(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v
    if isinstance(v, float):
        raise TypeError(f"write {v!r} as a quoted string: floats are not exact")
    if isinstance(v, int):
        return v
    f = Fraction(Decimal(str(v)))
    return int(f) if f.denominator == 1 else f


@cache
def load_rows() -> list[Row]:
    rows: list[Row] = []
    for path in sorted(ROWS_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in doc["editions"]:
            std, ed = doc["standard"], str(block["edition"])
            defaults = dict(block.get("base") or {})
            for raw in block["rows"]:
                base = {**defaults, **(raw.get("with") or {})}
                rows.append(
                    Row(
                        standard=std,
                        edition=ed,
                        file=path.name,
                        item=str(raw["item"]),
                        quantity=str(raw["quantity"]),
                        op=str(raw.get("op", ">=")),
                        value=_number(raw["value"]),
                        source=str(raw.get("source", "")),
                        check=str(raw.get("check", block.get("check", "auto"))),
                        expect=(raw["expect"][0], raw["expect"][1], raw["expect"][2]),
                        ref=str(raw.get("ref", "")),
                        base=base,
                        den=raw.get("den"),
                        rest=raw.get("rest"),
                        force_edition=bool(raw.get("force_edition", True)),
                    )
                )
    return rows


def _typed(packs: Packs, name: str, value: Any) -> Any:
    if value is None or name in ("year",):
        return value
    info = packs.fields.get(name)
    kind = info.type if info is not None else ""
    if kind in INT_TYPES:
        if isinstance(value, Fraction):
            assert value.denominator == 1, f"{name}={value} is not whole"
            value = value.numerator
        return int(value)
    if kind in ("fraction", "decimal"):
        return (
            Decimal(value.numerator) / Decimal(value.denominator)
            if isinstance(value, Fraction)
            else Decimal(str(value))
        )
    if kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return value


def realize(packs: Packs, row: Row, side: int) -> tuple[dict[str, Any], Any]:
    """(record, exact value of the quantity) with the quantity one unit below (-1), at (0), above (+1)."""
    v, q = row.value, ALIASES.get(row.quantity, row.quantity)
    rec: dict[str, Any] = dict(row.base)
    if q in RATIOS:
        num, den, d = RATIOS[q]
        d = row.den or d
        top = v * d
        assert Fraction(top).denominator == 1, f"{row.id}: {v} × {d} is not whole; choose another den"
        rec[den] = d
        rec[num] = int(top) + side
        got: Any = Fraction(rec[num], d)
    elif q == "main_growth_y1":  # (m1 − m2) / m2
        d = row.den or 100_000_000
        rec["main_rev_y2"] = d
        rec["main_rev_y1"] = int(d + v * d) + side
        got = Fraction(rec["main_rev_y1"] - d, d)
    elif (
        q == "main_growth_avg_2y"
    ):  # ((m1 − m2)/m2 + (m2 − m3)/m3) / 2 with m2 = m3: the first year carries it
        d = row.den or 100_000_000
        rec["main_rev_y3"] = d
        rec["main_rev_y2"] = d
        rec["main_rev_y1"] = int(d + 2 * v * d) + side
        got = Fraction(rec["main_rev_y1"] - d, d) / 2
    elif q in SUMS:
        first, *others = SUMS[q]
        rest = row.rest if row.rest is not None else 0
        for o in others:
            rec[o] = rest
        rec[first] = int(v) - rest * len(others) + side
        got = int(v) + side
    elif q == "niche_years":  # full years from the start date to 1 January of Y (fields.md §15)
        n = int(v) + side
        rec["niche_start_on"] = dt.date(int(rec["year"]) - n, 1, 1)
        got = n
    elif q == "award_prov_plus_best_rank_3y":  # min(national, provincial/ministerial) ignoring nulls
        rec.setdefault("award_natl_best_rank_3y", None)
        rec["award_prov_minist_best_rank_3y"] = int(v) + side
        got = int(v) + side
    elif q == "as_of":
        rec["as_of"] = v + dt.timedelta(days=side)
        got = rec["as_of"]
    elif q == "year":
        rec["year"] = int(v) + side
        got = rec["year"]
    else:
        info = packs.fields[q]
        got = int(v) + side if info.type in INT_TYPES else Fraction(v) + side * DIRECT_UNIT[info.type]
        rec[q] = got
    record = {k: _typed(packs, k, x) for k, x in rec.items()}
    if "as_of" not in record and record.get("year") is not None:
        record["as_of"] = dt.date(int(record["year"]), 6, 30)
    return record, got


def unit(packs: Packs, row: Row) -> Any:
    """One unit of the row's quantity: the step between its `at` and `above` records."""
    _r0, at = realize(packs, row, 0)
    _r1, above = realize(packs, row, 1)
    return above - at


def tri(value: Any) -> Any:
    value = getattr(value, "value", value)
    if value is None or value == "unknown":
        return None
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(str(value), value)


def outcome(packs: Packs, row: Row, record: Mapping[str, Any]) -> Any:
    """What the row states for one record: points, a condition's verdict, a level, an edition, an amendment."""
    editions = {row.standard: row.edition} if row.force_edition and row.check != "edition" else None
    result = packs.explain(dict(record), standards=[row.standard], editions=editions, gaps=False)[
        row.standard
    ]
    if row.check == "edition":
        return str(result.edition)
    if row.check == "amendment":  # the row's source names the amendment whose applies_when is tested
        return row.source[1:] in [str(a) for a in result.amendments]
    if row.check == "level":
        return None if result.level is None else str(result.level)
    if row.check == "qualified":
        return tri(result.qualified)
    if row.source.startswith("+"):
        want = row.source[1:]
        assert want in [str(a) for a in result.amendments], f"{row.id}: amendment {want} did not apply"
    if row.source.startswith("@"):
        assert result.overlay == row.source[1:], f"{row.id}: overlay {row.source[1:]} did not apply"
    for ind in result.indicators:
        if ind.id == row.item and row.check in ("auto", "indicator"):
            lo, hi = Decimal(str(ind.points_lo)), Decimal(str(ind.points_hi))
            return lo if lo == hi else (lo, hi)
    for c in [*result.conditions, *result.route_items]:
        if c.id == row.item:
            return tri(c.value)
    raise AssertionError(f"{row.id}: {row.item} is neither an indicator nor a condition of the result")


def expected(row: Row, side: int) -> Any:
    want = row.expect[side + 1]
    if row.check in ("edition", "level"):
        return None if want is None else str(want)
    if isinstance(want, bool) or want is None:
        return want
    return Decimal(str(want))


def failures(packs: Packs, row: Row) -> list[str]:
    """The sides on which the engine does not give what the regulation states (empty: the row holds)."""
    out = []
    for side in (-1, 0, 1):
        record, value = realize(packs, row, side)
        got, want = outcome(packs, row, record), expected(row, side)
        if got != want:
            out.append(f"{SIDES[side + 1]} ({row.quantity} = {value}): regulation {want!r}, engine {got!r}")
    return out


# size table rows (size-classes.md §4), typed in 万元 and persons
@dataclass
class SizeRow:
    group: str
    industry_code: str
    level: str  # large | medium | small: the class whose lower limit is tested
    letter: str  # X | Y | Z
    value: int  # persons or yuan
    limits: dict[str, int]  # every indicator's lower limit of that class (persons / yuan)
    ref: str

    @property
    def id(self) -> str:
        return f"size_class/2011:{self.group}:{self.level}:{self.letter}>={self.value}"

    @property
    def key(self) -> tuple[str, str, str, str, str, str, Any]:
        return (
            "size_class",
            "2011",
            "",
            f"{self.group}:{self.level}",
            SIZE_FIELDS[self.letter],
            ">=",
            self.value,
        )


SIZE_FIELDS = {"X": "employees_y1", "Y": "revenue_y1", "Z": "total_assets_y1"}
SIZE_ORDER = ("micro", "small", "medium", "large")


@cache
def load_size_rows() -> list[SizeRow]:
    doc = yaml.safe_load((HERE / "size_classes.yaml").read_text(encoding="utf-8"))
    out = []
    for g in doc["groups"]:
        for level in ("large", "medium", "small"):
            limits = {k: (int(n) * 10_000 if k != "X" else int(n)) for k, n in (g[level] or {}).items()}
            for letter, n in limits.items():
                out.append(SizeRow(g["id"], g["industry_code"], level, letter, n, limits, doc["ref"]))
    return out


def size_record(row: SizeRow, side: int) -> dict[str, Any]:
    """Every indicator of the group exactly on the class's lower limits, the tested one moved by `side`."""
    rec: dict[str, Any] = {"year": 2025, "as_of": dt.date(2025, 6, 30), "industry_code": row.industry_code}
    for letter, n in row.limits.items():
        rec[SIZE_FIELDS[letter]] = n + (side if letter == row.letter else 0)
    return rec


def size_expected(row: SizeRow, side: int) -> str:
    """N及以上 includes N (size-classes.md §3): at or above the limit → that class, below → one class down."""
    return row.level if side >= 0 else SIZE_ORDER[SIZE_ORDER.index(row.level) - 1]


def size_failures(packs: Packs, row: SizeRow) -> list[str]:
    out = []
    for side in (-1, 0, 1):
        record = size_record(row, side)
        got, want = size_outcome(packs, record), size_expected(row, side)
        if got != want:
            out.append(f"{SIDES[side + 1]}: 300号 gives {want}, engine {got} ({record})")
    return out


def size_outcome(packs: Packs, record: Mapping[str, Any]) -> str | None:
    r = packs.explain(dict(record), standards=["size_class"], gaps=False)["size_class"]
    return None if r.level is None else str(r.level)


# explicit cases (score pass marks, group minimums): whole records written by hand
@dataclass
class Explicit:
    standard: str
    edition: str
    item: str  # "score" or "group:<id>"
    value: Any
    records: list[tuple[str, dict[str, Any], dict[str, Any]]]  # (name, record, expect)
    ref: str
    unit: Any = 1

    @property
    def key(self) -> tuple[str, str, str, str, str, str, Any]:
        return (self.standard, self.edition, "", self.item, "score", ">=", self.value)

    @property
    def id(self) -> str:
        return f"{self.standard}/{self.edition}:{self.item}>={self.value}"


@cache
def load_explicit() -> list[Explicit]:
    doc = yaml.safe_load((HERE / "pass_marks.yaml").read_text(encoding="utf-8"))
    out = []
    for t in doc["thresholds"]:
        base = dict(t.get("base") or {})
        recs = [(c["name"], {**base, **c["record"]}, c["expect"]) for c in t["cases"]]
        out.append(
            Explicit(
                t["standard"], str(t["edition"]), t["item"], _number(t["value"]), recs, t["ref"], t["unit"]
            )
        )
    return out


def explicit_failures(packs: Packs, t: Explicit) -> list[str]:
    out = []
    for name, raw, expect in t.records:
        record = {k: _typed(packs, k, v) for k, v in raw.items()}
        record.setdefault("as_of", dt.date(int(record["year"]), 6, 30))
        res = packs.explain(record, standards=[t.standard], editions={t.standard: t.edition}, gaps=False)
        r = res[t.standard]
        got = {
            "qualified": tri(r.qualified),
            "path": (str(r.path) if r.path else None) if tri(r.qualified) is True else None,
            "score": None if r.score is None else Decimal(str(r.score)),
        }
        for k, want in expect.items():
            want = Decimal(str(want)) if k == "score" and want is not None else want
            if got[k] != want:
                out.append(f"{name}: {k} regulation {want!r}, engine {got[k]!r}")
    return out


# ---------------------------------------------------------------------------------------------
# the packs' thresholds, as written


@dataclass
class Threshold:
    """One comparison of a quantity with a number somewhere in the loaded packs."""

    standard: str
    edition: str
    source: str  # "" | "+<amendment>" | "@<province>"
    item: str
    quantity: str
    op: str
    value: Any
    kind: str  # expr | size | score | pass_min | date | local
    text: str = ""  # the expression as written
    index: int = 0  # which numeric comparison of `text` (pre-order)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        where = f"{self.standard}/{self.edition}{self.source}"
        return f"{where} {self.item}: {self.quantity} {self.op} {self.value}"

    @property
    def key(self) -> tuple[str, str, str, str, str, str, Any]:
        return (self.standard, self.edition, self.source, self.item, self.quantity, self.op, self.value)


def _render(n: E.Node) -> str | None:
    """The quantity side of a comparison as a row names it (None: not a plain quantity)."""
    if isinstance(n, E.Col):
        return n.name
    if isinstance(n, E.Coalesce) and isinstance(n.items[0], E.Col):
        return n.items[0].name  # COALESCE(digital_level, 0): an empty level counts as none
    if isinstance(n, E.Arith) and n.op == "/" and isinstance(n.a, E.Col) and isinstance(n.b, E.Col):
        return f"{n.a.name} / {n.b.name}"
    return None


def numeric_comparisons(node: E.Node) -> list[tuple[E.Cmp, str, str, Any]]:
    """(comparison, quantity, op with the quantity on the left, number) in pre-order."""
    flip = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "<>": "<>"}
    out: list[tuple[E.Cmp, str, str, Any]] = []

    def walk(n: E.Node) -> None:
        if isinstance(n, E.Cmp):
            for side, other, op in ((n.a, n.b, n.op), (n.b, n.a, flip[n.op])):
                if (
                    isinstance(other, E.Lit)
                    and isinstance(other.value, int | Fraction | dt.date)
                    and not isinstance(other.value, bool)
                ):
                    q = _render(side)
                    if q is not None:
                        out.append((n, q, op, other.value))
                        return
        for c in E.children(n):
            walk(c)

    walk(node)
    return out


def _source(packs: Packs, where: Any, ed: Any) -> str:
    file = str(getattr(where, "file", "") or "")
    for a in ed.amendments:
        if file and file == str(a.where.file):
            return f"+{a.id}"
    for o in ed.overlays:
        if file and file == str(o.where.file):
            return f"@{o.province}"
    return ""


def _holders(packs: Packs) -> Iterator[tuple[Any, Any, str, Any, str, bool | None]]:
    """(edition, owner, item id, object holding `expr`/`when`, text, zero) for every expression."""
    for eds in packs.editions.values():
        for ed in eds:
            if ed.select_when is not None:
                yield ed, ed, "select_when", ed.select_when, ed.select_when.expr, None
            for a in ed.amendments:
                yield ed, a, "applies_when", a.applies, a.applies.expr, None
            for o in ed.overlays:
                if o.applies is not None:
                    yield ed, o, "applies_when", o.applies, o.applies.expr, None
            for v in ed.variants.values():
                for c in v.conditions:
                    yield ed, c, c.id, c, c.expr, None
                for ind in v.indicators:
                    for b in ind.bands:
                        yield ed, ind, ind.id, b, b.when, False
                for route in v.routes:
                    for it in route.items:
                        yield ed, it, it.id, it, it.expr, None
                for lv in v.levels:
                    yield ed, lv.item, lv.id, lv.item, lv.item.expr, None


def _local_derived(packs: Packs, ed: Any) -> dict[str, str]:
    return dict(_local_derived_file(str(packs.root), str(ed.where.file)))


@cache
def _local_derived_file(root: str, file: str) -> tuple[tuple[str, str], ...]:
    """The derived quantities a pack file defines for itself, as written (`file` is as the loader names it)."""
    path = Path(root) / Path(file).relative_to(Path(root).name)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        (str(name), str(spec["expr"] if isinstance(spec, dict) else spec))
        for name, spec in (doc.get("derived") or {}).items()
    )


def pack_thresholds(packs: Packs) -> list[Threshold]:
    seen: dict[tuple[Any, ...], Threshold] = {}

    def add(t: Threshold) -> None:
        seen.setdefault((*t.key, t.kind, t.text, t.index), t)

    for ed, owner, item, obj, text, zero in _holders(packs):
        source = _source(packs, getattr(obj, "where", None), ed)
        if item in ("select_when", "applies_when"):
            source = _source(packs, getattr(owner, "where", None), ed) if item == "applies_when" else ""
        for i, (_cmp, q, op, value) in enumerate(numeric_comparisons(E.parse(text))):
            add(
                Threshold(
                    ed.standard, ed.edition, source, item, q, op, value, "expr", text, i, {"zero": zero}
                )
            )
    # derived quantities a pack defines for itself (digital level 2022: the score bands)
    for eds in packs.editions.values():
        for ed in eds:
            for name, text in _local_derived(packs, ed).items():
                for i, (_cmp, q, op, value) in enumerate(numeric_comparisons(E.parse(text))):
                    add(Threshold(ed.standard, ed.edition, "", name, q, op, value, "local", text, i))
            for v in ed.variants.values():
                for route in v.routes:
                    if route.kind == "score" and route.score_at_least is not None:
                        add(
                            Threshold(
                                ed.standard,
                                ed.edition,
                                "",
                                "score",
                                "score",
                                ">=",
                                route.score_at_least,
                                "score",
                            )
                        )
                        if route.groups_at_least:
                            for g in v.groups:
                                if g.pass_min is not None:
                                    add(
                                        Threshold(
                                            ed.standard,
                                            ed.edition,
                                            "",
                                            f"group:{g.id}",
                                            "score",
                                            ">=",
                                            g.pass_min,
                                            "pass_min",
                                            extra={"group": g.id},
                                        )
                                    )
            # a later edition's start decides the switch (the earlier one's end is overruled by it)
            if ed is not eds[0] and ed.select_when is None:
                add(
                    Threshold(
                        ed.standard, ed.edition, "", "edition", "as_of", ">=", ed.effective_from, "date"
                    )
                )
    # the size table (size_class): every lower limit of every class of every group
    size = next((e for e in packs.editions.get("size_class", [])), None)
    if size is not None:
        macros = packs.scope.macros
        for lv in ("large", "medium", "small"):
            for gid, cond in _size_group_conditions(macros[f"size_{lv}"]):
                for _cmp, q, op, value in numeric_comparisons(cond):
                    add(
                        Threshold(
                            "size_class",
                            size.edition,
                            "",
                            f"{gid}:{lv}",
                            q,
                            op,
                            value,
                            "size",
                            extra={"group": gid, "level": lv},
                        )
                    )
    return list(seen.values())


def _size_group_conditions(macro: E.Node) -> list[tuple[str, E.Node]]:
    assert isinstance(macro, E.Case)
    out = []
    for when, then in macro.whens:
        if isinstance(when, E.Cmp) and isinstance(when.a, E.Col) and when.a.name == "size_group":
            assert isinstance(when.b, E.Lit)
            out.append((str(when.b.value), then))
    return out


# ---------------------------------------------------------------------------------------------
# mutants


def _replace_nth(node: E.Node, index: int, new: Callable[[E.Cmp], E.Node]) -> E.Node:
    """`node` with its index-th numeric comparison (pre-order, as numeric_comparisons counts) replaced."""
    target = numeric_comparisons(node)[index][0]
    done = [False]

    def go(n: E.Node) -> E.Node:
        if done[0]:
            return n
        if n is target:
            done[0] = True
            return new(n)
        return _rebuild(n, go)

    return go(node)


def _rebuild(n: E.Node, f: Callable[[E.Node], E.Node]) -> E.Node:
    if isinstance(n, E.Cmp):
        return E.Cmp(n.op, f(n.a), f(n.b))
    if isinstance(n, E.Arith):
        return E.Arith(n.op, f(n.a), f(n.b))
    if isinstance(n, E.And):
        return E.And(tuple(f(x) for x in n.items))
    if isinstance(n, E.Or):
        return E.Or(tuple(f(x) for x in n.items))
    if isinstance(n, E.Not):
        return E.Not(f(n.a))
    if isinstance(n, E.Neg):
        return E.Neg(f(n.a))
    if isinstance(n, E.IsNull):
        return E.IsNull(f(n.a), n.negate)
    if isinstance(n, E.Coalesce):
        return E.Coalesce(tuple(f(x) for x in n.items))
    if isinstance(n, E.Case):
        return E.Case(tuple((f(w), f(t)) for w, t in n.whens), f(n.default))
    if isinstance(n, E.Macro):
        return E.Macro(n.name, f(n.body))
    return n


def mutate_cmp(cmp: E.Cmp, change: str, step: Any) -> E.Cmp:
    """Move the number by ±step, or swap ≥ ↔ > / ≤ ↔ < (the number side kept where it was)."""
    if change == "swap":
        swap = {">=": ">", ">": ">=", "<=": "<", "<": "<="}
        return E.Cmp(swap[cmp.op], cmp.a, cmp.b)
    sign = 1 if change == "up" else -1
    if isinstance(cmp.b, E.Lit):
        return E.Cmp(cmp.op, cmp.a, E.Lit(_shift(cmp.b.value, sign, step)))
    assert isinstance(cmp.a, E.Lit)
    return E.Cmp(cmp.op, E.Lit(_shift(cmp.a.value, sign, step)), cmp.b)


def _shift(v: Any, sign: int, step: Any) -> Any:
    if isinstance(v, dt.date):
        return v + sign * step
    out = Fraction(v) + sign * Fraction(step)
    return int(out) if out.denominator == 1 else out


def _compile(scope: Any, tree: E.Node, zero: bool | None) -> tuple[E.Node, E.Fn]:
    """What the packs' scope does with an expression's text, done on a tree."""
    expanded = scope.expand(tree)
    node = E.simplify(scope.rewriter.rewrite(expanded, zero))
    return node, E.to_python(node)


class Mutant:
    """One threshold changed in memory; `with mutant:` applies it, leaving restores the packs."""

    def __init__(self, packs: Packs, t: Threshold, change: str, step: Any) -> None:
        self.packs, self.t, self.change, self.step = packs, t, change, step
        self._undo: list[Callable[[], None]] = []

    @property
    def name(self) -> str:
        what = {"up": f"+{self.step}", "down": f"-{self.step}", "swap": "≥↔> / ≤↔<"}[self.change]
        return f"{self.t.name} [{what}]"

    def __enter__(self) -> Mutant:
        t = self.t
        if hasattr(self.packs, "_cache_file"):
            # compiled SELECTs are cached on disk by their arguments, not by what is in memory: none is
            # read or written while the packs are changed
            self._put(self.packs, "_cache_file", None)
        if t.kind == "expr":
            self._expr()
        elif t.kind == "local":
            self._local()
        elif t.kind == "size":
            self._size()
        elif t.kind == "score":
            self._attr_routes("score_at_least")
        elif t.kind == "pass_min":
            self._pass_min()
        elif t.kind == "date":
            ed = self._edition()
            self._put(
                ed, "effective_from", _shift(ed.effective_from, 1 if self.change == "up" else -1, self.step)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()

    def _edition(self) -> Any:
        return next(e for e in self.packs.editions[self.t.standard] if e.edition == self.t.edition)

    def _set(self, obj: Any, node: E.Node, fn: E.Fn) -> None:
        self._put(obj, "node", node)
        self._put(obj, "fn", fn)

    def _put(self, obj: Any, attr: str, value: Any) -> None:
        self._undo.append(partial(setattr, obj, attr, getattr(obj, attr)))
        setattr(obj, attr, value)

    def _mutated_tree(self, text: str) -> E.Node:
        return _replace_nth(E.parse(text), self.t.index, lambda c: mutate_cmp(c, self.change, self.step))

    def _scope(self, ed: Any, local_override: Mapping[str, str] | None = None) -> Any:
        local = _local_derived(self.packs, ed)
        if local_override:
            local.update(local_override)
        scope = self.packs.scope
        return scope.child({k: E.parse(v) for k, v in local.items()}, {}) if local else scope

    def _expr(self) -> None:
        t, ed = self.t, self._edition()
        scope = self._scope(ed)
        tree = self._mutated_tree(t.text)
        done: set[int] = set()
        levels_changed = False
        for hed, _owner, item, obj, text, zero in _holders(self.packs):
            if hed is not ed or item != t.item or text != t.text or id(obj) in done:
                continue
            if _source(self.packs, getattr(obj, "where", None), ed) != t.source and item not in (
                "select_when",
                "applies_when",
            ):
                continue
            done.add(id(obj))
            self._set(obj, *_compile(scope, tree, zero))
            levels_changed = levels_changed or any(
                lv.item is obj for v in ed.variants.values() for lv in v.levels
            )
        assert done, f"no expression found for {t.name}"
        if levels_changed:
            self._requalify(ed)

    def _requalify(self, ed: Any) -> None:
        for v in ed.variants.values():
            q = v.qualified
            if q is None:
                continue
            qn = E.simplify(E.substitute(E.parse(q.expr), {lv.id: lv.item.node for lv in v.levels}))
            self._set(q, qn, E.to_python(qn))

    def _local(self) -> None:
        t, ed = self.t, self._edition()
        text = E.parse(t.text)
        tree = _replace_nth(text, t.index, lambda c: mutate_cmp(c, self.change, self.step))
        scope = self._scope(ed)
        child = scope.child({t.item: tree}, {})
        for v in ed.variants.values():
            for lv in v.levels:
                if lv.item.expr and t.item in E.names(E.parse(lv.item.expr)):
                    self._set(lv.item, *_compile(child, E.parse(lv.item.expr), None))
        self._requalify(ed)

    def _size(self) -> None:
        """Change one line of one industry group: rows of that group read the changed line, others the
        loaded one (recompiling the whole 16-group table per change would take most of the suite's time)."""
        t, ed = self.t, self._edition()
        gid, lv = t.extra["group"], t.extra["level"]
        group_of = self.packs.size_group_fn
        conds: dict[str, E.Node] = {}
        for v in ed.variants.values():
            for level in v.levels:
                name = level.item.expr
                if name.startswith("size_") and name[5:] not in conds:
                    conds[name[5:]] = dict(_size_group_conditions(self.packs.scope.macros[name]))[gid]
        idx = next(
            i
            for i, (_c, q, _o, val) in enumerate(numeric_comparisons(conds[lv]))
            if q == t.quantity and val == t.value
        )
        conds[lv] = _replace_nth(conds[lv], idx, lambda c: mutate_cmp(c, self.change, self.step))
        compiled = {name: _compile(self.packs.scope, node, None) for name, node in conds.items()}

        def routed(changed: E.Fn, loaded: E.Fn) -> E.Fn:
            return lambda r: changed(r) if group_of(r) == gid else loaded(r)

        done: set[int] = set()
        for v in ed.variants.values():
            for level in v.levels:
                if level.item.expr == f"size_{lv}" and id(level.item) not in done:
                    done.add(id(level.item))
                    self._set(level.item, level.item.node, routed(compiled[lv][1], level.item.fn))
            q = v.qualified
            if q is not None and id(q) not in done:
                done.add(id(q))
                ids = {level.id: compiled[level.item.expr[5:]][0] for level in v.levels}
                qn = E.simplify(E.substitute(E.parse(q.expr), ids))
                self._set(q, q.node, routed(E.to_python(qn), q.fn))

    def _attr_routes(self, attr: str) -> None:
        ed = self._edition()
        sign = 1 if self.change == "up" else -1
        seen: set[int] = set()
        for v in ed.variants.values():
            for route in v.routes:
                if route.kind == "score" and id(route) not in seen:
                    seen.add(id(route))
                    self._put(route, attr, _shift(getattr(route, attr), sign, self.step))

    def _pass_min(self) -> None:
        ed = self._edition()
        sign = 1 if self.change == "up" else -1
        seen: set[int] = set()
        for v in ed.variants.values():
            for g in v.groups:
                if g.id == self.t.extra["group"] and id(g) not in seen:
                    seen.add(id(g))
                    self._put(g, "pass_min", _shift(g.pass_min, sign, self.step))
