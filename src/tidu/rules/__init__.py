"""tidu.rules — the criteria engine: versioned packs → explain one firm-year, or SQL for batches.

Pure Python (no Django). `load_packs()` reads and compiles packs/; `Packs.explain(record)` gives a
`LadderResult` (per-standard verdict, score, level, path, reasons); `Packs.compile_sql(dialect)`
gives one SELECT computing the same contract columns in DuckDB, PostgreSQL or Spark SQL.
"""

from tidu.rules.errors import ExprError, PackError, RulesError, SelectionError
from tidu.rules.model import (
    STANDARDS,
    ConditionResult,
    IndicatorResult,
    LadderResult,
    LevelResult,
    RouteResult,
    StandardResult,
    Tri,
    UnknownField,
    contract_columns,
)
from tidu.rules.packs import Packs, load_packs

__all__ = [
    "STANDARDS",
    "ConditionResult",
    "ExprError",
    "IndicatorResult",
    "LadderResult",
    "LevelResult",
    "PackError",
    "Packs",
    "RouteResult",
    "RulesError",
    "SelectionError",
    "StandardResult",
    "Tri",
    "UnknownField",
    "contract_columns",
    "load_packs",
]
