"""The engines agree: the DuckDB batch path (SQL compiled from the packs, SQL validation of typed
Parquet) gives byte-identical output to `explain().to_row()` row by row."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from cli_support import TODAY

from tidu.cli.synth import generate


@pytest.fixture(scope="module")
def mixed_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every rung of the ladder: all drawn climbers of 30,000 firms plus 200 ordinary firms, 2 years."""
    t = generate(30000, seed=21, years=2, latent=True)
    rung = t.column("latent_rung")
    keep = pc.or_(pc.greater(rung, 0), pc.less(pc.cumulative_sum(pc.equal(rung, 0).cast("int64")), 401))
    t = t.filter(keep).drop_columns(["latent_rung"])
    path = tmp_path_factory.mktemp("engines") / "mixed.parquet"
    pq.write_table(t, path)
    return path


def _run(tidu: Any, src: Path, out: Path, engine: str) -> str:
    res = tidu("evaluate", str(src), "-o", str(out), "--engine", engine, "--today", TODAY.isoformat())
    assert res.status == 0, res.stderr
    return out.read_text(encoding="utf-8")


def _python_and_parquet_rows(tidu: Any, src: Path, tmp_path: Path) -> tuple[list[dict], list[dict]]:
    """The Python path's rows (CSV) and the default engine's rows (Parquet) of one file, as text."""
    _run(tidu, src, tmp_path / "py.csv", "python")
    res = tidu("evaluate", str(src), "-o", str(tmp_path / "db.parquet"), "--today", TODAY.isoformat())
    assert res.status == 0, res.stderr
    with open(tmp_path / "py.csv", encoding="utf-8", newline="") as fh:
        expected = [dict(r) for r in csv.DictReader(fh)]
    got = [
        {k: ("" if v is None else str(v)) for k, v in row.items()}
        for row in pq.read_table(tmp_path / "db.parquet").to_pylist()
    ]
    return expected, got


def test_python_and_duckdb_give_identical_output(tidu: Any, mixed_register: Path, tmp_path: Path) -> None:
    py = _run(tidu, mixed_register, tmp_path / "py.csv", "python")
    db = _run(tidu, mixed_register, tmp_path / "db.csv", "duckdb")
    assert py == db
    lines = py.splitlines()
    assert len(lines) > 500
    assert any(",true," in ln and ln.count("true") >= 5 for ln in lines)  # climbers reach the top rungs


def test_duckdb_parquet_output_is_text_and_equals_the_python_rows(
    tidu: Any, mixed_register: Path, tmp_path: Path
) -> None:
    """The Parquet fast path writes the closed columns through ENUM types: the file must still hold
    plain text columns with exactly the rows the Python path gives."""
    _run(tidu, mixed_register, tmp_path / "py.csv", "python")
    res = tidu(
        "evaluate", str(mixed_register), "-o", str(tmp_path / "db.parquet"), "--engine", "duckdb",
        "--today", TODAY.isoformat(),
    )  # fmt: skip
    assert res.status == 0, res.stderr
    table = pq.read_table(tmp_path / "db.parquet")
    assert all(str(f.type) == "string" for f in table.schema), table.schema
    with open(tmp_path / "py.csv", encoding="utf-8", newline="") as fh:
        expected = [dict(r) for r in csv.DictReader(fh)]
    got = [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in table.to_pylist()]
    assert got == expected


def _with_as_of(src: Path, dst: Path, days: list[str]) -> Path:
    """The register with its as_of dates cycled through `days` (rows on both sides of an edition switch)."""
    import datetime as dt

    import pyarrow as pa

    t = pq.read_table(src)
    as_of = [dt.date.fromisoformat(days[i % len(days)]) for i in range(t.num_rows)]
    t = t.set_column(t.schema.get_field_index("as_of"), "as_of", pa.array(as_of, type=pa.date32()))
    pq.write_table(t, dst)
    return dst


def test_batch_pins_an_edition_only_when_every_row_selects_it(mixed_register: Path, tmp_path: Path) -> None:
    """The Parquet path leaves out the editions no row selects (decided from the file's dates); rows on
    both sides of the 2026 switch keep every edition."""
    from tidu.rules import load_packs
    from tidu.rules.batch import ParquetBatch, Selection
    from tidu.rules.fields import FIELDS

    packs = load_packs()

    def pins(path: Path) -> dict[str, str]:
        cols = pq.read_schema(path).names
        job = ParquetBatch(packs, path, {c: c for c in cols if c in FIELDS}, Selection(today=TODAY))
        return job.pinned_editions()

    assert (
        pins(_with_as_of(mixed_register, tmp_path / "old.parquet", ["2025-06-30"]))["specialized_sme"]
        == "2022"
    )
    both = pins(_with_as_of(mixed_register, tmp_path / "both.parquet", ["2025-06-30", "2026-06-30"]))
    assert "specialized_sme" not in both and "little_giant" not in both


@pytest.mark.parametrize("days", [["2025-06-30"], ["2025-06-30", "2026-06-30", "2026-03-31", "2026-04-01"]])
def test_parquet_path_equals_python_with_and_without_pinned_editions(
    tidu: Any, mixed_register: Path, tmp_path: Path, days: list[str]
) -> None:
    src = _with_as_of(mixed_register, tmp_path / "in.parquet", days)
    expected, got = _python_and_parquet_rows(tidu, src, tmp_path)
    assert got == expected
    assert {r["specialized_sme__edition"] for r in got} >= ({"2022", "2026"} if len(days) > 1 else {"2022"})


def test_cells_that_need_normalising_are_evaluated_as_parsed(
    tidu: Any, mixed_register: Path, tmp_path: Path
) -> None:
    """A clean typed file is evaluated from its own columns; one text cell in lower case with spaces
    sends the evaluation through the parsed values, and both give the Python path's rows."""
    import pyarrow as pa

    from tidu.rules import load_packs
    from tidu.rules.batch import ParquetBatch, Selection
    from tidu.rules.fields import FIELDS

    t = pq.read_table(mixed_register)
    codes = t.column("industry_code").to_pylist()
    codes[3] = f" {codes[3].lower()} "
    messy = tmp_path / "messy.parquet"
    pq.write_table(
        t.set_column(t.schema.get_field_index("industry_code"), "industry_code", pa.array(codes)), messy
    )

    def direct(path: Path) -> bool:
        cols = pq.read_schema(path).names
        return ParquetBatch(
            load_packs(), path, {c: c for c in cols if c in FIELDS}, Selection(today=TODAY)
        )._direct()

    assert direct(mixed_register) and not direct(messy)
    expected, got = _python_and_parquet_rows(tidu, messy, tmp_path)
    assert got == expected


def test_a_normalised_cell_where_no_standard_reads_keeps_the_files_own_columns(
    tidu: Any, mixed_register: Path, tmp_path: Path
) -> None:
    """Whether a cell is trimmed matters only where the evaluation reads it: a firm name with spaces
    (no standard reads the name) leaves the evaluation on the file's columns, and the rows are still
    the Python path's. (An industry code needing trimming does not: every standard reads it, through
    the size class; see the test above.)"""
    import pyarrow as pa

    from tidu.rules import load_packs
    from tidu.rules.batch import ParquetBatch, Selection
    from tidu.rules.fields import FIELDS

    t = pq.read_table(mixed_register)
    names = t.column("name").to_pylist()
    names[5] = f"  {names[5]} "
    spaced = tmp_path / "spaced.parquet"
    pq.write_table(t.set_column(t.schema.get_field_index("name"), "name", pa.array(names)), spaced)
    job = ParquetBatch(
        load_packs(), spaced, {c: c for c in t.column_names if c in FIELDS}, Selection(today=TODAY)
    )
    assert "name" not in job._read_by_evaluation() and "industry_code" in job._read_by_evaluation()
    assert job._direct()
    expected, got = _python_and_parquet_rows(tidu, spaced, tmp_path)
    assert got == expected


def test_unicode_spaces_around_a_cell_are_trimmed_as_the_python_path_trims_them(
    tidu: Any, mixed_register: Path, tmp_path: Path
) -> None:
    """Cells typed in Chinese input methods often carry an ideographic space (U+3000) or a no-break
    space (U+00A0) around the value; Python's strip() removes every Unicode space, so the DuckDB path
    must too, or the same cell is valid in one engine and 不在列表中 in the other."""
    import pyarrow as pa

    t = pq.read_table(mixed_register)
    codes = t.column("industry_code").to_pylist()
    for i, (left, right) in enumerate([("\u3000", ""), ("", "\xa0"), ("\u2003", "\u3000"), ("\x1c", "\x85")]):
        codes[3 + i] = f"{left}{codes[3 + i]}{right}"
    credit = t.column("credit_code").to_pylist()
    credit[7] = f"\u3000{credit[7][:9]}\u3000{credit[7][9:]}\xa0"  # pasted with spaces inside too
    t = t.set_column(t.schema.get_field_index("industry_code"), "industry_code", pa.array(codes))
    padded = tmp_path / "padded.parquet"
    pq.write_table(t.set_column(t.schema.get_field_index("credit_code"), "credit_code", pa.array(credit)), padded)
    py = _run(tidu, padded, tmp_path / "py.csv", "python")  # every row valid: the spaces are stripped
    db = _run(tidu, padded, tmp_path / "db.csv", "duckdb")
    assert db == py


def test_the_sql_trim_set_is_every_character_python_strips() -> None:
    from tidu.rules.batch import SPACE_CODE_POINTS

    assert set(SPACE_CODE_POINTS) == {c for c in range(0x110000) if chr(c).isspace()}
