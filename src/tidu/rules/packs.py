"""The `Packs` facade: the one public entry to the criteria engine.

`load_packs()` reads and compiles packs/ (`tidu.rules.loader` parses, `tidu.rules.compiler` builds
the editions and variants); `Packs` adds what the apps call: `explain` (one firm-year, with the
reasons and, on request, the gaps), `compile_sql` (one SELECT for batches). Lower engine modules
never import this one (import-linter layers contract in .importlinter).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tidu.rules import gaps as _gaps
from tidu.rules.compiler import CompiledPacks, Scope, compile_tree
from tidu.rules.editions import Selector, check_edition, check_standards, variant_key
from tidu.rules.errors import PackError
from tidu.rules.evaluate import explain as _explain
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
    "load_packs",
    "read_yaml",
    "repo_packs_dir",
    "variant_key",
]


class Packs(CompiledPacks):
    """All loaded packs: pick the edition for a row, explain a firm-year, compile SQL for batches."""

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


def load_packs(path: str | os.PathLike[str] | None = None) -> Packs:
    """Load, check and compile every pack under `path` (default: the repository's packs/)."""
    root = Path(path) if path is not None else repo_packs_dir()
    if not root.is_dir():
        raise PackError(f"packs 目录不存在：{root}")
    return Packs(**compile_tree(root))
