"""`--engine auto` (the default): a small file is evaluated in Python (no DuckDB start-up), a larger
one in DuckDB, and the user gets the same rows either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_support import TODAY, write_csv, write_jsonl, write_parquet, write_xlsx

import tidu.cli.evaluate as evaluate_mod
from tidu.cli.evaluate import Options, choose_engine
from tidu.cli.synth import generate


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return generate(60, seed=8, years=2).to_pylist()  # 120 firm-years


def _opts(path: Path) -> Options:
    return Options(input=str(path), engine="auto")


def test_small_files_of_every_format_go_to_python(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    for path in (
        write_csv(tmp_path / "in.csv", rows),
        write_jsonl(tmp_path / "in.jsonl", rows),
        write_parquet(tmp_path / "in.parquet", rows),
        write_xlsx(tmp_path / "in.xlsx", rows),
    ):
        assert choose_engine(_opts(path)) == "python", path.name


def test_files_above_the_line_go_to_duckdb(
    rows: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = write_csv(tmp_path / "in.csv", rows)
    parquet_path = write_parquet(tmp_path / "in.parquet", rows)
    monkeypatch.setattr(evaluate_mod, "SMALL_INPUT_ROWS", 120)  # exactly the row count: still small
    assert choose_engine(_opts(csv_path)) == "python"
    assert choose_engine(_opts(parquet_path)) == "python"
    monkeypatch.setattr(evaluate_mod, "SMALL_INPUT_ROWS", 119)
    assert choose_engine(_opts(csv_path)) == "duckdb"
    assert choose_engine(_opts(parquet_path)) == "duckdb"


def test_an_explicit_engine_is_kept_and_stdin_is_treated_as_large(tmp_path: Path) -> None:
    assert choose_engine(Options(input="-", engine="auto")) == "duckdb"
    assert choose_engine(Options(input=str(tmp_path / "missing.csv"), engine="auto")) == "duckdb"
    tiny = write_csv(tmp_path / "in.csv", generate(1, seed=1).to_pylist())
    assert choose_engine(Options(input=str(tiny), engine="duckdb")) == "duckdb"


def test_auto_gives_the_duckdb_rows_on_both_sides_of_the_line(
    tidu: Any, rows: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = write_parquet(tmp_path / "in.parquet", rows)
    today = ("--today", TODAY.isoformat())
    ref = tidu("evaluate", str(src), "-o", str(tmp_path / "db.csv"), "--engine", "duckdb", *today)
    small = tidu("evaluate", str(src), "-o", str(tmp_path / "small.csv"), *today)
    monkeypatch.setattr(evaluate_mod, "SMALL_INPUT_ROWS", 10)
    large = tidu("evaluate", str(src), "-o", str(tmp_path / "large.csv"), *today)
    assert ref.status == small.status == large.status == 0
    assert "validation: python" in small.stderr and "validation: sql" in large.stderr
    expected = (tmp_path / "db.csv").read_text(encoding="utf-8")
    assert len(expected.splitlines()) == 121
    assert (tmp_path / "small.csv").read_text(encoding="utf-8") == expected
    assert (tmp_path / "large.csv").read_text(encoding="utf-8") == expected
