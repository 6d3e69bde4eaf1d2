"""`tidu evaluate` gives the same contract output whatever the input format (CSV, Excel, Parquet,
JSON Lines) and writes every output format with the same content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import (
    CONTRACT,
    TODAY,
    contract_rows,
    read_csv,
    typed,
    write_csv,
    write_jsonl,
    write_parquet,
    write_xlsx,
)

from tidu.cli.synth import generate
from tidu.rules.batch import output_columns

COLUMNS = output_columns(
    ["size_class", "tech_sme", "innovative_sme", "specialized_sme", "little_giant", "digital_level"]
)


def _rows() -> list[dict[str, Any]]:
    """The contract sample plus synthetic firm-years across the ladder (typed values)."""
    synth = generate(40, seed=11, years=2).to_pylist()
    return typed(contract_rows()) + synth


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("formats")
    rows = _rows()
    return {
        "csv": write_csv(d / "in.csv", rows),
        "xlsx": write_xlsx(d / "in.xlsx", rows),
        "parquet": write_parquet(d / "in.parquet", rows),
        "jsonl": write_jsonl(d / "in.jsonl", rows),
    }


def test_contract_sample_gives_the_contract_columns(tidu: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    res = tidu("evaluate", str(CONTRACT), "-o", str(out), "--today", TODAY.isoformat())
    assert res.status == 0, res.stderr
    rows = read_csv(out)
    assert list(rows[0]) == COLUMNS and len(COLUMNS) == 32
    assert [(r["credit_code"], r["year"]) for r in rows] == [
        ("91320505407807009X", "2025"),
        ("9144030569840185XW", "2026"),
    ]
    for r in rows:
        assert r["size_class__qualified"] in ("true", "false", "unknown")


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_every_input_format_gives_the_same_output(tidu: Any, inputs: dict[str, Path], tmp_path: Path,
                                                  engine: str) -> None:
    outputs = {}
    for fmt, path in inputs.items():
        out = tmp_path / f"{fmt}.csv"
        res = tidu("evaluate", str(path), "-o", str(out), "--engine", engine, "--today", TODAY.isoformat())
        assert res.status == 0, (fmt, res.stderr)
        outputs[fmt] = out.read_text(encoding="utf-8")
    assert outputs["csv"].count("\n") == len(_rows()) + 1
    for fmt in ("xlsx", "parquet", "jsonl"):
        assert outputs[fmt] == outputs["csv"], fmt


def test_output_formats_hold_the_same_table(tidu: Any, inputs: dict[str, Path], tmp_path: Path) -> None:
    import openpyxl
    import pyarrow.parquet as pq

    base = ["evaluate", str(inputs["csv"]), "--today", TODAY.isoformat()]
    res = tidu(*base)  # no -o: CSV on stdout
    assert res.status == 0
    expected = [dict(zip(COLUMNS, line.split(","), strict=True)) for line in res.stdout.splitlines()[1:]]
    assert res.stdout.splitlines()[0] == ",".join(COLUMNS)

    tidu(*base, "-o", str(tmp_path / "o.parquet"))
    assert pq.read_table(tmp_path / "o.parquet").to_pylist() == expected

    tidu(*base, "-o", str(tmp_path / "o.jsonl"))
    lines = (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == expected

    tidu(*base, "-o", str(tmp_path / "o.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    table = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == COLUMNS
    assert [dict(zip(COLUMNS, r, strict=True)) for r in table[1:]] == expected


def test_chinese_headers_and_unknown_columns(tidu: Any, tmp_path: Path) -> None:
    """Excel sheets with Chinese labels are read; unknown columns give one warning, not an error."""
    from tidu.rules.fields import FIELDS

    rows = contract_rows()
    relabelled = [{(FIELDS[k].label if k in ("name", "industry_code") else k): v for k, v in r.items()} | {
        "备注": "x", "extra": "y"} for r in rows]
    plain = write_csv(tmp_path / "plain.csv", rows)
    chinese = write_csv(tmp_path / "zh.csv", relabelled)
    a = tidu("evaluate", str(plain), "--today", TODAY.isoformat(), "--engine", "python")
    b = tidu("evaluate", str(chinese), "--today", TODAY.isoformat(), "--engine", "python")
    assert a.status == b.status == 0
    assert a.stdout == b.stdout
    assert b.stderr.count("警告") == 1 and "备注" in b.stderr and "extra" in b.stderr


def test_standards_and_edition_options(tidu: Any, tmp_path: Path) -> None:
    res = tidu("evaluate", str(CONTRACT), "--standards", "little_giant,size_class", "--engine", "python",
               "--edition", "little_giant=2022", "--today", TODAY.isoformat())
    assert res.status == 0, res.stderr
    header, *rows = res.stdout.splitlines()
    assert header.split(",") == output_columns(["size_class", "little_giant"])
    assert all(r.split(",")[-1] == "2022" for r in rows)  # little_giant__edition forced
    bad = tidu("evaluate", str(CONTRACT), "--standards", "gazelle")
    assert bad.status == 2


def test_text_array_holds_every_string_as_given() -> None:
    """The Parquet writer's string columns are built from their buffers (no pandas import): every
    kind of text comes back as written, the empty one and none at all included."""
    from tidu.cli.io import text_array

    values = ["", "合成企业（测试）", "a" * 1000, "x\ny", "\u3000", "91320505407807009X"]
    arr = text_array(values)
    arr.validate(full=True)
    assert arr.to_pylist() == values and arr.null_count == 0
    assert text_array([]).to_pylist() == []
