"""The `Packs` facade: the one public entry to the criteria engine.

`load_packs()` reads and compiles packs/ (`tidu.rules.loader` parses, `tidu.rules.compiler` builds
the editions and variants); `Packs` adds what the apps call: `explain` (one firm-year, with the
reasons and, on request, the gaps), `compile_sql` (one SELECT for batches). Lower engine modules
never import this one (import-linter layers contract in .importlinter).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

from tidu.rules import gaps as _gaps
from tidu.rules.compiler import CompiledPacks, Scope, compile_tree
from tidu.rules.editions import Selector, check_edition, check_standards, variant_key
from tidu.rules.errors import PackError
from tidu.rules.evaluate import explain as _explain
from tidu.rules.evaluate import prepare
from tidu.rules.loader import LineDict, LineList, read_yaml, repo_packs_dir
from tidu.rules.model import LadderResult
from tidu.rules.sql import compile_sql as _compile_sql

# Names other code imported from this module before it was split: kept as re-exports.
__all__ = [
    "LineDict",
    "LineList",
    "PackError",
    "Packs",
    "Scope",
    "Selector",
    "check_edition",
    "check_standards",
    "default_packs",
    "load_packs",
    "read_yaml",
    "repo_packs_dir",
    "variant_key",
]


class Packs(CompiledPacks):
    """All loaded packs: pick the edition for a row, explain a firm-year, compile SQL for batches."""

    _derived_fns: list[tuple[str, Any]] | None = None

    def explain(
        self,
        record: Mapping[str, Any],
        standards: Iterable[str] | None = None,
        editions: Mapping[str, str] | None = None,
        today: dt.date | None = None,
        gaps: bool = False,
    ) -> LadderResult:
        """Evaluate one firm-year against every (or the named) standard, with the reasons."""
        out = _explain(self, record, standards=standards, editions=editions, today=today)
        for s, res in out.standards.items():
            res.pack_digest, res.as_of = self.digest, out.as_of
            if gaps:
                res.gaps = _gaps.find_gaps(self, record, s, res, today=today)
        return out

    def derived(self, record: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
        """The quantities of packs/derived.yaml for one record, computed by the engine's own
        expressions (so a page shows exactly what the criteria read): ratios as Decimal (28
        significant digits), None when an input is missing or a denominator is zero or negative."""
        r = prepare(record, today)
        fns = self._derived_fns
        if fns is None:
            fns = self._derived_fns = [self.scope.display(n)[::2] for n in self.derived_names]
        out: dict[str, Any] = {}
        for name, fn in fns:
            try:
                v = fn(r)
            except (TypeError, ZeroDivisionError):  # a value of the wrong type: unknown, as in SQL
                v = None
            if isinstance(v, Fraction):
                if v.denominator == 1:
                    v = int(v)
                else:
                    with localcontext() as ctx:
                        ctx.prec = 28
                        v = Decimal(v.numerator) / Decimal(v.denominator)
            out[name] = v
        return out

    def compile_sql(
        self,
        dialect: str = "duckdb",
        table: str = "firm_years",
        standards: Iterable[str] | None = None,
        editions: Mapping[str, str] | None = None,
        today: dt.date | None = None,
        columns: Iterable[str] | None = None,
    ) -> str:
        """One SELECT over `table` giving credit_code, year and the contract columns."""
        return _compile_sql(
            self,
            dialect=dialect,
            table=table,
            standards=standards,
            editions=editions,
            today=today,
            columns=columns,
        )


@functools.cache
def default_packs() -> Packs:
    """The repository's packs, loaded once per process and shared by every app that evaluates."""
    return load_packs()


def load_packs(path: str | os.PathLike[str] | None = None) -> Packs:
    """Load, check and compile every pack under `path` (default: the repository's packs/)."""
    root = Path(path) if path is not None else repo_packs_dir()
    if not root.is_dir():
        raise PackError(f"packs 目录不存在：{root}")
    return Packs(**compile_tree(root))
