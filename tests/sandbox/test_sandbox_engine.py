"""The sandbox's counts equal the edited pack evaluated row by row by the Python engine, over a
generated register; the packs in force are never written; edits out of bounds are refused in Chinese."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tidu.rules.batch import duckdb_connection
from tidu.rules.fields import FIELDS
from tidu.rules.packs import default_packs, load_packs, repo_packs_dir
from tidu.sandbox import engine as E

DAY = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sandbox") / "register.parquet"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tidu.cli.main",
            "synth",
            "--firms",
            "1500",
            "--years",
            "2",
            "--seed",
            "7",
            "--first-year",
            "2025",
            "-o",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(root.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _threshold(standard: str, field: str) -> E.Threshold:
    return next(t for t in E.thresholds(repo_packs_dir(), standard, DAY) if t.field == field)


def _python_sets(packs: object, rows: list[dict], standard: str, edition: str) -> set[tuple[str, int]]:
    out = set()
    for r in rows:
        res = packs.explain(r, standards=[standard], editions={standard: edition}, today=DAY)  # type: ignore[attr-defined]
        if res.standards[standard].qualified == "true":
            out.add((r["credit_code"], r["year"]))
    return out


@pytest.mark.parametrize(
    ("standard", "field", "new"),
    [
        ("innovative_sme", "score", "70"),  # the pass mark raised: firms drop out
        ("tech_sme", "score", "50"),  # lowered: firms enter
        ("tech_sme", "revenue_y1", "5000"),  # 2亿元 ceiling to 5000万元
        ("specialized_sme", "rd_ratio_y1", "8"),  # a derived ratio, typed in %: 3% → 8%
        ("tech_sme", "staff_total_y1", "50"),  # 500 staff → 50
    ],
)
def test_counts_equal_the_edited_pack_row_by_row(register: Path, standard: str, field: str, new: str) -> None:
    root = repo_packs_dir()
    before_hash, real = _tree_hash(root), default_packs()
    digest = real.digest
    t = _threshold(standard, field)
    edition = E.edition_in_force(root, standard, DAY)
    with E.edited_tree(root, {t.id: E.check_edit(t, new)}) as copy:
        edited = load_packs(copy, cache=False)
    assert edited.digest != digest  # the copy really differs

    con = duckdb_connection(threads=1)
    con.execute(f"CREATE VIEW reg AS SELECT * FROM read_parquet('{register}')")
    cols = [c for (c, *_rest) in con.execute("DESCRIBE reg").fetchall() if c in FIELDS]
    full = E.run_compare(con, real, edited, standard, edition, "reg", cols, DAY)
    # The pre-filtered path (only rows the edit can affect get the edited pack) gives the same answer.
    edits = [(t, E.check_edit(t, new))]
    assert (E.candidates_where(edits, cols) is None) == (field == "score")
    got = E.run_compare(con, real, edited, standard, edition, "reg", cols, DAY, edits=edits)
    assert [(g.region_code, g.section, g.before, g.after, g.entering, g.leaving) for g in got.groups] == [
        (g.region_code, g.section, g.before, g.after, g.entering, g.leaving) for g in full.groups
    ]

    rows = pq.read_table(register).to_pylist()
    want_before = _python_sets(real, rows, standard, edition)
    want_after = _python_sets(edited, rows, standard, edition)
    assert got.firms == len(rows)
    assert got.before == len(want_before)
    assert got.after == len(want_after)
    entering = {c for g in got.groups for c in g.entering}
    leaving = {c for g in got.groups for c in g.leaving}
    assert entering == {c for c, _y in want_after - want_before}
    assert leaving == {c for c, _y in want_before - want_after}
    assert want_before != want_after  # the edit changes something on this register: not an empty check
    # Never the packs in force: same files, same digest, same verdicts as a fresh load.
    assert _tree_hash(root) == before_hash
    assert load_packs(root, cache=False).digest == digest
    assert _python_sets(load_packs(root, cache=False), rows[:300], standard, edition) == {
        k for k in want_before if k in {(r["credit_code"], r["year"]) for r in rows[:300]}
    }


def test_thresholds_show_the_pack_value_in_wan_and_percent_with_the_document() -> None:
    t = _threshold("specialized_sme", "revenue_y1")
    assert (t.shown, t.unit_label, t.op) == (Decimal(1500), "万元", ">=")  # 2号 附件1: 1500万元以上
    assert "2号" in t.document
    r = _threshold("specialized_sme", "rd_ratio_y1")
    assert (r.shown, r.unit_label) == (Decimal(3), "%")
    assert E.check_edit(t, "2000") == Decimal(20_000_000)
    assert E.check_edit(r, "4") == Decimal("0.04")


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("revenue_y1", "-100", "不能为负数"),
        ("rd_ratio_y1", "120", "不能超过100%"),
        ("rd_ratio_y1", "四", "不是数字"),
        ("niche_years", "2.5", "应为整数"),
    ],
)
def test_edits_out_of_bounds_are_refused_in_chinese(field: str, text: str, words: str) -> None:
    with pytest.raises(E.SandboxInputError, match=words):
        E.check_edit(_threshold("specialized_sme", field), text)
