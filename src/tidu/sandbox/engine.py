"""The threshold sandbox without Django: the thresholds a pack writes, an edited copy of the pack tree,
and one DuckDB query that evaluates a register with the packs in force and with the copy.

The sandbox uses only the engine's public API (`load_packs` on a directory, `Packs.compile_sql`,
`tidu.rules.batch.duckdb_connection`); the copy is plain YAML in a temporary directory, so the packs in
force are never opened for writing (decision 0099).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from tidu.rules.fields import FIELDS

# The rungs an official can try thresholds on (size class and digital level are tables, not floors).
STANDARDS: dict[str, str] = {
    "tech_sme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "specialized_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
}

# `field OP number` inside a condition; a field after an arithmetic operator is not a floor of it.
_COMPARISON = re.compile(r"(?P<field>[a-z_][a-z0-9_]*)\s*(?P<op>>=|<=|>|<)\s*(?P<num>-?\d+(?:\.\d+)?)")
OPS = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于"}


class SandboxInputError(ValueError):
    """An edit the sandbox refuses; the message is for the official (Chinese)."""


@dataclass(frozen=True)
class Threshold:
    """One number of a pack an official may change: where it is written and in what unit it is shown."""

    id: str  # "<file>#<condition id>#<k>" (k-th comparison of the condition) or "<file>#route:<path>#score"
    file: str  # relative to the packs directory
    edition: str
    title: str
    document: str
    condition_id: str
    condition_label: str
    clause: str
    field: str
    field_label: str
    op: str
    value: Decimal  # as the pack writes it: yuan, a fraction, a count, points
    unit: str  # "wan" | "percent" | "plain" | "score"
    unit_label: str

    @property
    def shown(self) -> Decimal:
        """The value in the unit the official types (万元, %)."""
        return to_shown(self.unit, self.value)

    @property
    def op_label(self) -> str:
        return OPS.get(self.op, self.op)


def to_shown(unit: str, value: Decimal) -> Decimal:
    if unit == "wan":
        return _plain(value / 10000)
    if unit == "percent":
        return _plain(value * 100)
    return _plain(value)


def _plain(d: Decimal) -> Decimal:
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral() else d


def _derived_units(root: Path) -> dict[str, tuple[str, str]]:
    data = yaml.safe_load((root / "derived.yaml").read_text(encoding="utf-8")) or {}
    return {
        name: (str(spec.get("unit") or ""), str(spec.get("label") or name))
        for name, spec in (data.get("derived") or {}).items()
    }


def _unit_of(name: str, derived: Mapping[str, tuple[str, str]]) -> tuple[str, str, str] | None:
    """(unit kind, unit label, field label) of a compared quantity; None for what is not a threshold."""
    spec = FIELDS.get(name)
    if spec is not None:
        kind, label = spec.type, spec.label
        if kind == "money":
            return "wan", "万元", label
        if kind == "fraction":
            return "percent", "%", label
        if kind in {"count", "int"}:
            return "plain", {"persons": "人", "items": "项", "year": "年"}.get(spec.unit, ""), label
        if kind == "decimal":
            return "score", "分", label
        return None  # ranks, dates, texts: not a floor an official moves
    if name in derived:
        unit, label = derived[name]
        if unit == "yuan":
            return "wan", "万元", label
        if unit == "fraction":
            return "percent", "%", label
        if unit == "years":
            return "plain", "年", label
    return None


def _editions_in_force(root: Path, standard: str, today: dt.date) -> list[Path]:
    out = []
    for f in sorted((root / standard).glob("*.yaml")):
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if (start is None or start <= today) and (end is None or today < end):
            out.append(f)
    return out


def thresholds(root: Path, standard: str, today: dt.date) -> list[Threshold]:
    """The numeric floors and ceilings of the standard's editions in force on `today` (their amendments
    and provincial overlays included), in the order the packs write them."""
    if standard not in STANDARDS:
        raise SandboxInputError("请选择一项认定标准。")
    derived = _derived_units(root)
    out: list[Threshold] = []
    for base in _editions_in_force(root, standard, today):
        files = [base, *sorted(base.with_suffix("").rglob("*.yaml"))]
        for f in files:
            data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
            rel = f.relative_to(root).as_posix()
            common = {
                "file": rel,
                "edition": str(data.get("edition") or ""),
                "title": str(data.get("title") or ""),
                "document": str(data.get("document") or ""),
            }
            conds = [*(data.get("conditions") or []), *(data.get("add_conditions") or [])]
            conds += [c for c in data.get("replace_conditions") or [] if "expr" in c]
            for cond in conds:
                text = str(cond.get("expr") or "")
                for k, m in enumerate(_COMPARISON.finditer(text)):
                    if text[: m.start()].rstrip()[-1:] in {"/", "*", "+", "-"}:
                        continue
                    unit = _unit_of(m["field"], derived)
                    if unit is None:
                        continue
                    out.append(
                        Threshold(
                            id=f"{rel}#{cond['id']}#{k}",
                            condition_id=str(cond["id"]),
                            condition_label=str(cond.get("label") or ""),
                            clause=str(cond.get("clause") or ""),
                            field=m["field"],
                            field_label=unit[2],
                            op=m["op"],
                            value=Decimal(m["num"]),
                            unit=unit[0],
                            unit_label=unit[1],
                            **common,
                        )
                    )
            for route in data.get("routes") or []:
                if route.get("score_at_least") is not None:
                    out.append(
                        Threshold(
                            id=f"{rel}#route:{route['path']}#score",
                            condition_id=f"route:{route['path']}",
                            condition_label=str(route.get("label") or ""),
                            clause=str(route.get("clause") or ""),
                            field="score",
                            field_label="综合评价得分",
                            op=">=",
                            value=Decimal(str(route["score_at_least"])),
                            unit="score",
                            unit_label="分",
                            **common,
                        )
                    )
    return out


# Sensible bounds, in the unit shown (万元, %, count, points): beyond them an edit is a typing error.
MAX_WAN = Decimal(100_000_000)  # 1万亿元
MAX_PLAIN = Decimal(1_000_000)


def check_edit(t: Threshold, text: str) -> Decimal:
    """The new value as the pack writes it (yuan, fraction …) from what the official typed, or a
    Chinese refusal."""
    raw = (text or "").strip().replace(",", "").replace("，", "").rstrip("%").rstrip("万元").strip()
    try:
        shown = Decimal(raw)
    except InvalidOperation:
        raise SandboxInputError(f"“{t.field_label}”的新值“{text}”不是数字。") from None
    if not shown.is_finite():
        raise SandboxInputError(f"“{t.field_label}”的新值“{text}”不是数字。")
    if shown < 0:
        raise SandboxInputError(f"“{t.field_label}”的新值不能为负数。")
    if t.unit == "wan":
        if shown > MAX_WAN:
            raise SandboxInputError(f"“{t.field_label}”的新值超过1万亿元，请检查单位（万元）。")
        yuan = shown * 10000
        if yuan != yuan.to_integral():
            raise SandboxInputError(f"“{t.field_label}”最多精确到0.0001万元（1元）。")
        return _plain(yuan)
    if t.unit == "percent":
        if shown > 100:
            raise SandboxInputError(f"“{t.field_label}”是比例，新值不能超过100%。")
        return _plain(shown / 100)
    if t.unit == "score":
        if shown > 100:
            raise SandboxInputError(f"“{t.field_label}”的新值不能超过100分。")
        return _plain(shown)
    if shown != shown.to_integral():
        raise SandboxInputError(f"“{t.field_label}”的新值应为整数。")
    if shown > MAX_PLAIN:
        raise SandboxInputError(f"“{t.field_label}”的新值过大。")
    return _plain(shown)


def _literal(value: Decimal) -> str:
    return format(value, "f")


def _replace_kth(text: str, k: int, value: Decimal) -> str:
    m = list(_COMPARISON.finditer(text))[k]
    return text[: m.start("num")] + _literal(value) + text[m.end("num") :]


@contextmanager
def edited_tree(root: Path, edits: Mapping[str, Decimal]) -> Iterator[Path]:
    """A temporary copy of the packs directory with `edits` (threshold id -> value in pack units)
    written into it; removed on exit. The packs in force are only read."""
    tmp = Path(tempfile.mkdtemp(prefix="tidu-sandbox-"))
    try:
        copy = tmp / "packs"
        shutil.copytree(root, copy)
        by_file: dict[str, list[tuple[str, str, Decimal]]] = {}
        for tid, value in edits.items():
            file, cond, k = tid.split("#")
            by_file.setdefault(file, []).append((cond, k, value))
        for file, changes in by_file.items():
            path = copy / file
            if not path.resolve().is_relative_to(copy.resolve()) or not path.is_file():
                raise SandboxInputError("门槛不存在，请重新打开沙盘。")
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for cond, k, value in changes:
                _apply(data, cond, k, value)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        yield copy
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _apply(data: dict[str, Any], cond: str, k: str, value: Decimal) -> None:
    if cond.startswith("route:"):
        for route in data.get("routes") or []:
            if route.get("path") == cond[len("route:") :]:
                route["score_at_least"] = int(value) if value == value.to_integral() else float(value)
                return
        raise SandboxInputError("门槛不存在，请重新打开沙盘。")
    for key in ("conditions", "add_conditions", "replace_conditions"):
        for c in data.get(key) or []:
            if str(c.get("id")) == cond and "expr" in c:
                c["expr"] = _replace_kth(str(c["expr"]), int(k), value)
                return
    raise SandboxInputError("门槛不存在，请重新打开沙盘。")


# ---------------------------------------------------------------------------------------------
# Evaluation: one query, both packs, grouped by region and industry section


@dataclass
class Group:
    region_code: str
    section: str
    firms: int
    before: int
    after: int
    entering: list[str] = field(default_factory=list)  # credit codes
    leaving: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    firms: int = 0
    before: int = 0
    after: int = 0
    entering: int = 0
    leaving: int = 0
    groups: list[Group] = field(default_factory=list)


def needed_columns(
    packs: Any, standard: str, edition: str, columns: Sequence[str], today: dt.date
) -> list[str]:
    """The columns of `columns` the standard's compiled SELECT really reads.

    The compiled SELECT first casts every column it is given (one CTE); reading 100 columns of a large
    Parquet register costs more than the evaluation. A column named only there (twice: the source
    column and its alias) is never used by an expression, so it is left out; the keys always stay."""
    sql = packs.compile_sql(
        dialect="duckdb",
        table="__probe",
        standards=[standard],
        editions={standard: edition},
        today=today,
        columns=list(columns),
    )
    return [c for c in columns if c in KEEP or sql.count(f'"{c}"') > 2]


KEEP = frozenset({"credit_code", "year", "as_of", "region_code", "industry_code"})


def qualifying_sql(
    packs: Any, standard: str, edition: str, source: str, columns: Sequence[str], today: dt.date
) -> str:
    """The keys of the rows that qualify under `packs` (the edition named: the rules as they stand today)."""
    sql = packs.compile_sql(
        dialect="duckdb",
        table=source,
        standards=[standard],
        editions={standard: edition},
        today=today,
        columns=list(columns),
    )
    return (
        f'SELECT credit_code, year FROM ({sql}) AS evaluated WHERE CAST("{standard}__qualified" AS VARCHAR) = '
        "'"
        "true"
        "'"
        ""
    )


@dataclass
class Baseline:
    """The register under the packs in force: which rows qualify and the firms per group. Computed once
    per connection and reused by every edit tried on the same register (the sandbox's second question
    costs one evaluation, not two)."""

    table: str
    groups: dict[tuple[str, str], int]
    columns: list[str]  # the columns the standard reads (`needed_columns`)


def baseline(
    con: Any, real: Any, standard: str, edition: str, source: str, columns: Sequence[str], today: dt.date
) -> Baseline:
    name = f"sandbox_before_{standard}"
    columns = needed_columns(real, standard, edition, columns, today)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS "
        + qualifying_sql(real, standard, edition, source, columns, today)
    )
    groups = {
        (r, s): n
        for r, s, n in con.execute(
            f"SELECT COALESCE(region_code, ''), COALESCE(substr(industry_code, 1, 1), ''), count(*) "
            f"FROM {source} GROUP BY ALL"
        ).fetchall()
    }
    return Baseline(name, groups, columns)


# Derived quantities whose SQL the sandbox may write itself for the pre-filter: `a / b` or `a + b` of
# registry fields (packs/derived.yaml). Anything else is evaluated in full.
_SIMPLE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*([/+])\s*([a-z_][a-z0-9_]*)\s*$")


def _quantity_sql(name: str, derived_exprs: Mapping[str, str], columns: Sequence[str]) -> str | None:
    if name in FIELDS:
        return f'CAST("{name}" AS DOUBLE)' if name in columns else None
    m = _SIMPLE.match(derived_exprs.get(name, ""))
    if m is None or m[1] not in columns or m[3] not in columns:
        return None
    a, b = f'CAST("{m[1]}" AS DOUBLE)', f'CAST("{m[3]}" AS DOUBLE)'
    return f"({a} / NULLIF({b}, 0))" if m[2] == "/" else f"({a} + {b})"


def _derived_exprs() -> dict[str, str]:
    from tidu.rules.packs import repo_packs_dir

    data = yaml.safe_load((repo_packs_dir() / "derived.yaml").read_text(encoding="utf-8")) or {}
    return {k: str(v.get("expr") or "") for k, v in (data.get("derived") or {}).items()}


def candidates_where(edits: Sequence[tuple[Threshold, Decimal]], columns: Sequence[str]) -> str | None:
    """A WHERE clause keeping every row whose verdict an edit could change, or None (evaluate all).

    A comparison `q OP t` gives the same truth value for t_old and t_new unless q lies between them
    (ends included); an unknown q is unknown under both, but is kept anyway (the engine, not this
    clause, decides what unknown means). A small tolerance keeps ratios computed in floating point."""
    derived = _derived_exprs()
    parts = []
    for t, new in edits:
        if t.field == "score":
            return None
        q = _quantity_sql(t.field, derived, columns)
        if q is None:
            return None
        lo, hi = sorted((float(t.value), float(new)))
        eps = 1e-9 * max(1.0, abs(lo), abs(hi))
        parts.append(f"({q} IS NULL OR {q} BETWEEN {lo - eps!r} AND {hi + eps!r})")
    return " OR ".join(parts) if parts else None


def run_compare(
    con: Any,
    real: Any,
    edited: Any,
    standard: str,
    edition: str,
    source: str,
    columns: Sequence[str],
    today: dt.date,
    before: Baseline | None = None,
    edits: Sequence[tuple[Threshold, Decimal]] = (),
) -> Comparison:
    """Both verdicts over the register `source` (a table or view with the registry's column names),
    grouped by region code and industry section. Only the qualifying rows are kept between the two
    evaluations: the sets are small, the register large. With `edits` (the thresholds changed and their
    new values) the copy is evaluated only on the rows an edit can affect (`candidates_where`)."""
    before = before or baseline(con, real, standard, edition, source, columns, today)
    columns = before.columns
    where = candidates_where(edits, columns) if edits else None
    if where is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE sandbox_after AS "
            + qualifying_sql(edited, standard, edition, source, columns, today)
        )
    else:
        # Only rows whose compared quantity lies between the old and the new threshold can change
        # verdict; every other row keeps the verdict it has under the packs in force.
        con.execute(f"CREATE OR REPLACE TEMP VIEW sandbox_cand AS SELECT * FROM {source} WHERE {where}")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE sandbox_cand_keys AS SELECT credit_code, year FROM sandbox_cand"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE sandbox_after AS "
            f"SELECT credit_code, year FROM {before.table} b WHERE NOT EXISTS (SELECT 1 FROM sandbox_cand_keys c "
            "WHERE c.credit_code = b.credit_code AND c.year IS NOT DISTINCT FROM b.year) UNION ALL "
            + qualifying_sql(edited, standard, edition, "sandbox_cand", columns, today)
        )
    rows = con.execute(
        f"""
WITH k AS (SELECT credit_code, year, bool_or(side) AS before, bool_or(NOT side) AS after
           FROM (SELECT credit_code, year, TRUE AS side FROM {before.table}
                 UNION ALL SELECT credit_code, year, FALSE FROM sandbox_after) GROUP BY ALL),
     s AS (SELECT credit_code, year, COALESCE(region_code, '') AS region_code,
                  COALESCE(substr(industry_code, 1, 1), '') AS section
           FROM {source} WHERE credit_code IN (SELECT credit_code FROM k))
SELECT s.region_code, s.section,
       count(*) FILTER (WHERE k.before) AS before,
       count(*) FILTER (WHERE k.after) AS after,
       list(s.credit_code ORDER BY s.credit_code) FILTER (WHERE k.after AND NOT k.before) AS entering,
       list(s.credit_code ORDER BY s.credit_code) FILTER (WHERE k.before AND NOT k.after) AS leaving
FROM k JOIN s ON s.credit_code = k.credit_code AND s.year IS NOT DISTINCT FROM k.year
GROUP BY ALL ORDER BY 1, 2"""
    ).fetchall()
    found = {(r[0], r[1]): r for r in rows}
    out = Comparison()
    for key in sorted(set(before.groups) | set(found)):
        _r, _s, b, a, entering, leaving = found.get(key, (*key, 0, 0, [], []))
        g = Group(key[0], key[1], before.groups.get(key, 0), b, a, list(entering or []), list(leaving or []))
        out.groups.append(g)
        out.firms += g.firms
        out.before += b
        out.after += a
        out.entering += len(g.entering)
        out.leaving += len(g.leaving)
    return out


def edition_in_force(root: Path, standard: str, today: dt.date) -> str:
    """The edition of `standard` in force on `today` (the newest when two overlap)."""
    files = _editions_in_force(root, standard, today)
    if not files:
        raise SandboxInputError("该认定标准今天没有生效的版本。")
    return files[-1].stem


# Arrow types of the registry's SQL types (as the CLI writes typed Parquet).
def arrow_table(records: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Any:
    """Typed records (the registry's names) → an Arrow table the compiled SQL reads."""
    from fractions import Fraction

    import pyarrow as pa

    types = {
        "money": pa.int64(),
        "count": pa.int32(),
        "rank": pa.int32(),
        "int": pa.int32(),
        "fraction": pa.decimal128(18, 6),
        "decimal": pa.decimal128(18, 4),
        "bool": pa.bool_(),
        "date": pa.date32(),
    }

    def value(v: Any) -> Any:
        if isinstance(v, Fraction):
            return Decimal(v.numerator) / Decimal(v.denominator)
        return v

    schema = pa.schema([pa.field(n, types.get(FIELDS[n].type, pa.string())) for n in names])
    arrays = []
    for f in schema:
        vals = [value(r.get(f.name)) for r in records]
        if pa.types.is_string(f.type):
            vals = [None if v is None else str(v) for v in vals]
        if pa.types.is_decimal(f.type):
            vals = [
                None if v is None else Decimal(v).quantize(Decimal(1).scaleb(-f.type.scale)) for v in vals
            ]
        arrays.append(pa.array(vals, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)
