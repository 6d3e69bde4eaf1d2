"""Relevance of the scenario library search: a labelled query set, recall@5 reported and held ≥ 0.9."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tidu.matching import Index, Query
from tidu.scenarios.search_items import scenario_index

HERE = Path(__file__).parent
LIBRARY = HERE.parents[1] / "src" / "tidu" / "scenarios" / "data" / "scenarios.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "relevance.yaml").read_text(encoding="utf-8"))["queries"]


@pytest.fixture(scope="module")
def index() -> Index:
    return scenario_index(yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["scenarios"])


def recall_at_5(index: Index, case: dict[str, Any]) -> float:
    top = [r.id for r in index.search(Query(case["q"], limit=5))]
    return sum(1 for e in case["expected"] if e in top) / len(case["expected"])


def test_the_labelled_set_has_at_least_30_queries_of_every_kind() -> None:
    assert len(CASES) >= 30
    assert {c["kind"] for c in CASES} >= {"short", "long", "colloquial", "typo", "pinyin"}


def test_recall_at_5_on_the_labelled_set_is_at_least_0_9(index: Index) -> None:
    per_case = [(c, recall_at_5(index, c)) for c in CASES]
    recall = sum(r for _, r in per_case) / len(per_case)
    by_kind: dict[str, list[float]] = {}
    for case, r in per_case:
        by_kind.setdefault(case["kind"], []).append(r)
    print(f"\nrecall@5 = {recall:.3f} over {len(per_case)} queries; "
          + ", ".join(f"{k} {sum(v) / len(v):.2f} (n={len(v)})" for k, v in sorted(by_kind.items())))
    misses = [c["q"] for c, r in per_case if r < 1]
    assert recall >= 0.9, f"recall@5 {recall:.3f}; missed: {misses}"


@pytest.mark.parametrize("case", [c for c in CASES if c["kind"] == "typo"], ids=lambda c: c["q"])
def test_a_pinyin_input_typo_still_finds_the_scenario_first(index: Index, case: dict[str, Any]) -> None:
    assert index.search(Query(case["q"], limit=1))[0].id == case["expected"][0]
