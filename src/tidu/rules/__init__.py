"""tidu.rules — the criteria engine: versioned packs → explain one firm-year, or SQL for batches.

Pure Python (no Django). `load_packs()` reads and compiles packs/; `Packs.explain(record)` gives a
`LadderResult` (per-standard verdict, score, level, path, reasons; `as_json()` is the stored and
published form, docs/rules.md); `Packs.derived(record)` the derived quantities of derived.yaml;
`Packs.compile_sql(dialect)` gives one SELECT computing the same contract columns in DuckDB,
PostgreSQL or Spark SQL. Everything outside the engine imports from here.
"""

from tidu.rules.errors import ExprError, PackError, RulesError, SelectionError
from tidu.rules.model import (
    RESULT_SCHEMA_VERSION,
    STANDARDS,
    ConditionResult,
    IndicatorResult,
    LadderResult,
    LevelResult,
    RouteResult,
    StandardResult,
    Tri,
    UnknownField,
    canonical_json,
    contract_columns,
    read_result_json,
)
from tidu.rules.packs import Packs, load_packs

__all__ = [
    "RESULT_SCHEMA_VERSION",
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
    "canonical_json",
    "contract_columns",
    "load_packs",
    "read_result_json",
]
