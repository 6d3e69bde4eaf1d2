"""The `Packs` facade: the one public entry to the criteria engine.

`load_packs()` reads and compiles packs/ (`tidu.rules.loader` parses, `tidu.rules.compiler` builds
the editions and variants); `Packs` adds what the apps call: `explain` (one firm-year, with the
reasons and, on request, the gaps), `compile_sql` (one SELECT for batches). Lower engine modules
never import this one (import-linter layers contract in .importlinter).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
import types
from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

from tidu.rules import expr as E
from tidu.rules import gaps as _gaps
from tidu.rules.compiler import CompiledPacks, Scope, closure_origin, compile_tree, remember
from tidu.rules.editions import Selector, check_edition, check_standards, variant_key
from tidu.rules.errors import PackError
from tidu.rules.evaluate import explain as _explain
from tidu.rules.evaluate import prepare
from tidu.rules.fields import today_shanghai
from tidu.rules.loader import LineDict, LineList, pack_digest, read_yaml, repo_packs_dir
from tidu.rules.model import LadderResult
from tidu.rules.sql import compile_sql as _compile_sql

logger = logging.getLogger(__name__)

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
    "packs_cache_dir",
    "read_yaml",
    "repo_packs_dir",
    "variant_key",
]


class Packs(CompiledPacks):
    """All loaded packs: pick the edition for a row, explain a firm-year, compile SQL for batches."""

    _derived_fns: list[tuple[str, Any]] | None = None
    _cache_file: Path | None = None  # where this compiled form is kept on disk (None: not cached)

    def explain(
        self,
        record: Mapping[str, Any],
        standards: Iterable[str] | None = None,
        editions: Mapping[str, str] | None = None,
        today: dt.date | None = None,
        gaps: bool = False,
    ) -> LadderResult:
        """Evaluate one firm-year against every (or the named) standard, with the reasons."""
        prepared = prepare(record, today)
        out = _explain(self, record, standards=standards, editions=editions, today=today, prepared=prepared)
        for s, res in out.standards.items():
            res.pack_digest, res.as_of = self.digest, out.as_of
            if gaps:
                res.gaps = _gaps.find_gaps(self, record, s, res, today=today, prepared=prepared)
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
        """One SELECT over `table` giving credit_code, year and the contract columns (kept beside
        the compiled packs in the on-disk cache: the same arguments on the same day read it back)."""
        standards = None if standards is None else list(standards)
        columns = None if columns is None else list(columns)
        file: Path | None = None
        if self._cache_file is not None:
            args = (dialect, table, standards, sorted((editions or {}).items()), columns)
            day = (today or today_shanghai()).isoformat()
            key = hashlib.sha256(repr((args, day)).encode()).hexdigest()[:24]
            file = self._cache_file.with_name(f"{self._cache_file.stem}.{key}.sql")
            with contextlib.suppress(OSError, UnicodeDecodeError):
                return file.read_text(encoding="utf-8")
        sql = _compile_sql(
            self,
            dialect=dialect,
            table=table,
            standards=standards,
            editions=editions,
            today=today,
            columns=columns,
        )
        if file is not None:
            _write_atomic(file, sql.encode("utf-8"))
        return sql


@functools.cache
def default_packs() -> Packs:
    """The repository's packs, loaded once per process and shared by every app that evaluates."""
    return load_packs()


def load_packs(path: str | os.PathLike[str] | None = None, *, cache: bool | None = None) -> Packs:
    """Load, check and compile every pack under `path` (default: the repository's packs/).

    The compiled form is kept on disk (`packs_cache_dir()`), keyed by the pack digest and the
    engine's own source, so a process that finds it skips YAML parsing and compilation. `cache=False`
    (or TIDU_PACKS_CACHE=off) always compiles; a missing, stale, unreadable or read-only cache only
    costs the compilation.
    """
    root = Path(path) if path is not None else repo_packs_dir()
    if not root.is_dir():
        raise PackError(f"packs 目录不存在：{root}")
    where = packs_cache_dir() if cache is not False else None
    if where is None:
        return Packs(**compile_tree(root))
    digest = pack_digest(root)
    file = where / f"{_cache_key(digest)}.pickle"
    hit = _read_cache(file, digest)
    if hit is not None:
        hit.root, hit._cache_file = root, file
        return hit
    packs = Packs(**compile_tree(root))
    if packs.digest == digest:  # unchanged while compiling: safe to keep
        _write_cache(file, packs)
        packs._cache_file = file
    return packs


# ---------------------------------------------------------------------------------------------
# the on-disk cache of compiled packs

CACHE_FORMAT = 1  # raise when the pickled layout changes in a way the source hash would not show


def packs_cache_dir() -> Path | None:
    """Where compiled packs are kept: TIDU_PACKS_CACHE_DIR, else $XDG_CACHE_HOME/tidu/packs (default
    ~/.cache/tidu/packs); None when TIDU_PACKS_CACHE is off/0/false."""
    if os.environ.get("TIDU_PACKS_CACHE", "").strip().lower() in ("0", "off", "false", "no"):
        return None
    env = os.environ.get("TIDU_PACKS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tidu" / "packs"


@functools.cache
def _engine_fingerprint() -> str:
    """sha256 of what the compiled form depends on besides the packs: the engine's source files, the
    field registry, the expression parser's version and Python's."""
    from importlib.util import find_spec

    # sqlglot's version file, read rather than imported: a start from the cache never parses, and
    # importing sqlglot (or importlib.metadata) would cost 0.04-0.1 s of every start
    spec = find_spec("sqlglot")
    parser = Path(spec.origin).with_name("_version.py").read_bytes() if spec and spec.origin else b""
    h = hashlib.sha256(f"{CACHE_FORMAT}|{sys.version}|".encode() + parser)
    here = Path(__file__).resolve().parent
    for f in sorted([*here.glob("*.py"), here / "data" / "fields.yaml"]):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _cache_key(digest: str) -> str:
    return hashlib.sha256(f"{digest}|{_engine_fingerprint()}".encode()).hexdigest()[:32]


class _Pickler(pickle.Pickler):
    """Stores each compiled closure as the tree it was built from (closures cannot be pickled), and each
    tree node as its class and field values, read back through the class's own __init__: a slotted frozen
    dataclass otherwise reads back through `dataclasses._dataclass_setstate`, which calls `fields()` per
    node (the packs hold about 13,000 nodes; the cache read 37 → 24 ms)."""

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _NODE_TYPES:
            return kind, tuple(getattr(obj, name) for name in kind.__slots__)
        if isinstance(obj, types.FunctionType):
            origin = closure_origin(obj)
            if origin is not None:
                return _rebuild, origin
        return NotImplemented


# the expression tree's node classes (frozen, slotted dataclasses whose __slots__ are their fields in order)
_NODE_TYPES: frozenset[type] = frozenset(
    c
    for c in vars(E).values()
    if isinstance(c, type)
    and c.__module__ == E.__name__
    and dataclasses.is_dataclass(c)
    and c.__dataclass_params__.frozen  # type: ignore[attr-defined]
    and "__slots__" in vars(c)
)


def _rebuild(node: Any, display: bool) -> Any:
    """A closure read back from the cache, built on its first call: a process that evaluates a few
    rows pays only for the variants it uses."""
    fn: Any = None

    def lazy(r: Any) -> Any:
        nonlocal fn
        if fn is None:
            fn = E.to_python(node, display=display)
        return fn(r)

    remember(lazy, node, display)
    return lazy


def _read_cache(file: Path, digest: str) -> Packs | None:
    try:
        with file.open("rb") as fh:
            packs = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, from another version …: compile instead
        logger.info("packs cache %s unreadable; compiling", file)
        return None
    if not isinstance(packs, Packs) or packs.digest != digest:
        return None
    return packs


CACHE_KEEP = 8  # compiled forms kept (packs directories and engine versions in use)
CACHE_KEEP_SQL = 64  # compiled SELECTs kept (dialects × standards × days)


def _prune(where: Path, pattern: str, keep: int) -> None:
    """Drop the oldest cache files beyond `keep` (test runs compile many pack copies)."""
    dated = []
    for f in where.glob(pattern):
        with contextlib.suppress(OSError):
            dated.append((f.stat().st_mtime, f))
    dated.sort(reverse=True)
    for _m, f in dated[keep:]:
        with contextlib.suppress(OSError):
            f.unlink()


def _write_atomic(file: Path, data: bytes) -> bool:
    """Write to a temporary file and rename it into place: readers never see half a file, and two
    processes writing at once each rename a complete one. Any failure (read-only dir) is ignored."""
    tmp: str | None = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=file.name + ".", suffix=".tmp", dir=file.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, file)
        tmp = None
        _prune(file.parent, "*.sql", CACHE_KEEP_SQL)
        return True
    except Exception as e:
        logger.info("packs cache %s not written: %s", file, e)
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_cache(file: Path, packs: Packs) -> None:
    """Pickle the compiled packs (closures as their trees) and write them atomically."""
    try:
        buf = io.BytesIO()
        _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(packs)
    except Exception as e:
        logger.warning("packs cache: compiled packs cannot be stored: %s", e)
        return
    if _write_atomic(file, buf.getvalue()):
        _prune(file.parent, "*.pickle", CACHE_KEEP)
