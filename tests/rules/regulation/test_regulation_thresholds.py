"""Every threshold of every pack, checked against the regulation's own numbers (shared/domain/).

The generated boundary tests (tests/rules/test_boundaries.py) prove that each comparison flips exactly
where the pack says; these prove that the pack says what the regulation says. The numbers and the
outcomes come from files typed from shared/domain/ (thresholds/*.yaml, size_classes.yaml,
pass_marks.yaml): a constant mistyped in a pack, a ≥ written as >, or a size-table line moved by one
person fails here with the regulation's figure beside the engine's.
"""

from __future__ import annotations

import pytest
from regulation_support import (
    Explicit,
    Row,
    SizeRow,
    explicit_failures,
    failures,
    load_explicit,
    load_rows,
    load_size_rows,
    pack_thresholds,
    size_failures,
)

from tidu.rules import load_packs

PACKS = load_packs()
ROWS = load_rows()
SIZE_ROWS = load_size_rows()
EXPLICIT = load_explicit()


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_the_pack_gives_what_the_regulation_states_one_unit_below_at_and_above_the_threshold(
    row: Row,
) -> None:
    problems = failures(PACKS, row)
    assert not problems, f"{row.id} ({row.ref}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("row", SIZE_ROWS, ids=[r.id for r in SIZE_ROWS])
def test_each_size_table_line_takes_the_firm_into_its_class_exactly_at_the_limit(row: SizeRow) -> None:
    problems = size_failures(PACKS, row)
    assert not problems, f"{row.id} ({row.ref}):\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("mark", EXPLICIT, ids=[t.id for t in EXPLICIT])
def test_pass_marks_are_met_exactly_at_the_mark(mark: Explicit) -> None:
    problems = explicit_failures(PACKS, mark)
    assert not problems, f"{mark.id} ({mark.ref}):\n  " + "\n  ".join(problems)


def test_the_issue_s_named_thresholds_have_regulation_cases() -> None:
    """The lines a mutation of the packs once moved without any test noticing (issue 14)."""
    keys = {r.key for r in ROWS} | {r.key for r in SIZE_ROWS}
    assert ("size_class", "2011", "", "industry:small", "employees_y1", ">=", 20) in keys
    assert any(k[:5] == ("specialized_sme", "2022", "", "main_biz_ratio", "main_biz_ratio_y1") for k in keys)
    assert any(k[:5] == ("specialized_sme", "2022", "", "C2", "rd_ratio_y1") for k in keys)
    employee_lines = {(r.group, r.level) for r in SIZE_ROWS if r.letter == "X"}
    assert len(employee_lines) == 3 * 13  # 13 of the 16 groups classify on employees (size-classes.md §4)


def test_every_threshold_of_every_pack_has_a_hand_worked_case() -> None:
    """Walk the loaded packs; list every comparison with a number that no regulation case covers."""
    covered = {r.key for r in ROWS} | {r.key for r in SIZE_ROWS} | {t.key for t in EXPLICIT}
    missing = [t.name for t in pack_thresholds(PACKS) if t.key not in covered]
    assert not missing, (
        "thresholds without a case from shared/domain/ (add a row to tests/rules/regulation/thresholds/"
        "<standard>.yaml with the number domain/ gives; see README.md there):\n  "
        + "\n  ".join(sorted(missing))
    )


def test_every_regulation_case_matches_a_threshold_the_pack_has() -> None:
    """A case whose number no pack compares with: the pack lacks the regulation's line or words it otherwise."""
    have = {t.key for t in pack_thresholds(PACKS)}
    stray = [r.id for r in ROWS if r.key not in have]
    stray += [r.id for r in SIZE_ROWS if r.key not in have]
    stray += [r.id for r in EXPLICIT if r.key not in have]
    assert not stray, "regulation cases with no such threshold in the packs:\n  " + "\n  ".join(sorted(stray))
