"""The on-disk cache of compiled packs: a warm start gives exactly what compiling gives, a changed
pack is never served stale, and a cache that cannot be read or written only costs the compilation."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest

from tidu.rules import canonical_json, load_packs
from tidu.rules.packs import repo_packs_dir

RECORDS: list[dict[str, Any]] = [
    {"credit_code": "91110108123456788E", "year": 2025, "industry_code": "C3911", "region_code": "510104",
     "employees_y1": 120, "revenue_y1": 80_000_000, "rd_y1": 4_000_000, "total_assets_y1": 60_000_000,
     "founded_on": dt.date(2015, 3, 1), "ip_c1_count": 2, "equity_fin_y1": 6_000_000},
    {"credit_code": "91440300MA5EXAMPL1", "year": 2024, "industry_code": "I6510", "is_review": True,
     "employees_y1": 30, "revenue_y1": 9_000_000, "rd_y1": 900_000},
]  # fmt: skip


def _explained(packs: Any) -> list[str]:
    return [
        canonical_json(packs.explain(dict(r), gaps=True, today=dt.date(2025, 6, 1)).as_json())
        for r in RECORDS
    ]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("TIDU_PACKS_CACHE_DIR", str(where))
    monkeypatch.delenv("TIDU_PACKS_CACHE", raising=False)
    return where


def test_a_warm_start_gives_what_compiling_gives(cache_dir: Path) -> None:
    fresh = load_packs(cache=False)
    first = load_packs()  # compiles and stores
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    warm = load_packs()  # read back
    assert warm.digest == fresh.digest
    assert _explained(warm) == _explained(fresh) == _explained(first)
    sql = fresh.compile_sql("duckdb", today=dt.date(2025, 6, 1))
    assert warm.compile_sql("duckdb", today=dt.date(2025, 6, 1)) == sql  # computed, then stored
    assert load_packs().compile_sql("duckdb", today=dt.date(2025, 6, 1)) == sql  # read back
    assert not list(cache_dir.glob("*.tmp"))


def test_a_changed_pack_is_compiled_again(cache_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "packs"
    shutil.copytree(repo_packs_dir(), root)
    before = load_packs(root)
    assert load_packs(root).digest == before.digest
    derived = root / "derived.yaml"
    text = derived.read_text(encoding="utf-8")
    derived.write_text(text.replace('expr: "rd_y1 + rd_y2"', 'expr: "rd_y1 + rd_y2 + 1"'), encoding="utf-8")
    after = load_packs(root)
    assert after.digest != before.digest
    rec = {"year": 2025, "rd_y1": 10, "rd_y2": 20}
    assert before.derived(rec)["rd_sum_2y"] == 30 and after.derived(rec)["rd_sum_2y"] == 31
    assert len(list(cache_dir.glob("*.pickle"))) == 2


def test_an_unwritable_or_broken_cache_only_costs_the_compilation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("TIDU_PACKS_CACHE_DIR", str(blocker / "cache"))  # mkdir fails
    expected = _explained(load_packs(cache=False))
    assert _explained(load_packs()) == expected

    where = tmp_path / "cache"
    monkeypatch.setenv("TIDU_PACKS_CACHE_DIR", str(where))
    load_packs()
    (stored,) = where.glob("*.pickle")
    stored.write_bytes(stored.read_bytes()[:1000])  # truncated (a crash mid-copy, a full disk)
    assert _explained(load_packs()) == expected
    assert stored.stat().st_size > 1000  # compiled again and rewritten whole


def _load_in_child(where: str) -> str:
    import os

    os.environ["TIDU_PACKS_CACHE_DIR"] = where
    return load_packs().digest


def test_two_processes_filling_the_cache_at_once_both_succeed(cache_dir: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        digests = pool.map(_load_in_child, [str(cache_dir)] * 2)
    assert digests[0] == digests[1] == load_packs().digest
    assert len(list(cache_dir.glob("*.pickle"))) == 1 and not list(cache_dir.glob("*.tmp"))


def test_every_expression_node_of_the_packs_reads_back_equal() -> None:
    """The cache stores each tree node as its class and field values (`_Pickler`): every node of the
    real packs, of every kind, comes back equal and of the same class."""
    import io
    import pickle

    from tidu.rules.packs import _NODE_TYPES, _Pickler

    seen: list[Any] = []

    class Recording(_Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) in _NODE_TYPES:
                seen.append(obj)
            return super().reducer_override(obj)

    Recording(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL).dump(load_packs(cache=False))
    kinds = {type(n).__name__ for n in seen}
    assert kinds >= {"Cmp", "And", "Or", "Case", "Prefix", "Macro", "Bounded", "Lit"}
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(seen)
    back = pickle.loads(buf.getvalue())
    assert back == seen
    assert [type(n) for n in back] == [type(n) for n in seen]
