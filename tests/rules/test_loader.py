"""Loading packs: a malformed pack fails at load time naming the file, the line and the reason.

Pack authors edit YAML by hand; they rely on the loader pointing at the exact line (an unknown
column, a YAML slip, a missing key) instead of a wrong verdict later.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tidu.rules import PackError, load_packs
from tidu.rules.errors import SelectionError
from tidu.rules.model import STANDARDS

PACK = """\
standard: tech_sme
edition: "2017"
title: 测试标准
effective_from: 2017-05-03
conditions:
  - id: T1
    label: 注册在境内
    expr: "registered_in_mainland"
  - id: T2
    label: 研发占比
    expr: "rd_ratio_y1 >= 0.03"
indicators:
  - id: rd
    max: 10
    bands:
      - {when: "rd_ratio_y1 >= 0.05", points: 10, label: "5%以上"}
      - {when: "rd_ratio_y1 >= 0.03", points: 5, label: "3%-5%"}
    else_label: "3%以下"
routes:
  - path: score
    score_at_least: 5
score_output: true
"""

DERIVED = """\
derived:
  rd_ratio_y1:
    label: 研发费用占比
    unit: fraction
    expr: "rd_y1 / revenue_y1"
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load_error(tmp_path: Path, files: dict[str, str]) -> PackError:
    root = write(tmp_path / "packs", {"derived.yaml": DERIVED, **files})
    with pytest.raises(PackError) as info:
        load_packs(root)
    return info.value


def test_minimal_pack_loads_and_explains(tmp_path: Path) -> None:
    root = write(tmp_path / "packs", {"derived.yaml": DERIVED, "tech_sme/2017.yaml": PACK})
    packs = load_packs(root)
    res = packs.explain({"year": 2025, "registered_in_mainland": True, "rd_y1": 5, "revenue_y1": 100})
    assert res["tech_sme"].qualified == "true"
    assert res["tech_sme"].score == 10
    assert list(res.standards) == ["tech_sme"]


def test_unknown_column_names_file_line_and_column(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, {"tech_sme/2017.yaml": PACK.replace('"registered_in_mainland"', '"registered_in_mars"')}
    )
    assert err.file.endswith("tech_sme/2017.yaml")
    assert err.line == 8
    assert "registered_in_mars" in err.reason
    assert str(err).startswith(f"{err.file}:8: ")


def test_unknown_column_in_a_band(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, {"tech_sme/2017.yaml": PACK.replace('"rd_ratio_y1 >= 0.05"', '"rd_ratio_y9 >= 0.05"')}
    )
    assert err.line == 16
    assert "rd_ratio_y9" in err.reason


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    broken = PACK.replace("    label: 注册在境内\n", "    label: [注册在境内\n")
    err = load_error(tmp_path, {"tech_sme/2017.yaml": broken})
    assert "YAML" in err.reason
    assert err.line is not None and 7 <= err.line <= 9


def test_missing_required_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, {"tech_sme/2017.yaml": PACK.replace("title: 测试标准\n", "")})
    assert "title" in err.reason
    assert err.line == 1


def test_condition_without_expr(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, {"tech_sme/2017.yaml": PACK.replace('    expr: "registered_in_mainland"\n', "")}
    )
    assert "expr" in err.reason
    assert err.line == 6


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    err = load_error(tmp_path, {"tech_sme/2017.yaml": PACK + "pass_score: 60\n"})
    assert "pass_score" in err.reason
    assert err.line == len(PACK.splitlines()) + 1


def test_disallowed_function(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        {"tech_sme/2017.yaml": PACK.replace('"registered_in_mainland"', '"GREATEST(rd_y1, rd_y2) > 0"')},
    )
    assert "GREATEST" in err.reason
    assert err.line == 8


def test_duplicate_key(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, {"tech_sme/2017.yaml": PACK.replace("title: 测试标准\n", "title: 测试标准\ntitle: 再次\n")}
    )
    assert "重复" in err.reason
    assert err.line == 4


def test_bands_must_run_best_first(tmp_path: Path) -> None:
    swapped = PACK.replace("points: 10, label", "points: 1, label")
    err = load_error(tmp_path, {"tech_sme/2017.yaml": swapped})
    assert "从高到低" in err.reason


def test_points_above_max(tmp_path: Path) -> None:
    err = load_error(tmp_path, {"tech_sme/2017.yaml": PACK.replace("points: 10,", "points: 11,")})
    assert "11" in err.reason
    assert err.line == 16


def test_edition_must_match_the_file_name(tmp_path: Path) -> None:
    err = load_error(tmp_path, {"tech_sme/2018.yaml": PACK})
    assert "2018" in err.reason
    assert err.line == 2


def test_unknown_standard(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, {"tech_smes/2017.yaml": PACK.replace("standard: tech_sme", "standard: tech_smes")}
    )
    assert "tech_smes" in err.reason
    assert err.line == 1


def test_amendment_replacing_a_missing_condition(tmp_path: Path) -> None:
    amendment = """\
    standard: tech_sme
    edition: "2017"
    amendment: "2025"
    applies_when: "year = 2025"
    replace_conditions:
      - id: T9
        expr: "TRUE"
    """
    err = load_error(tmp_path, {"tech_sme/2017.yaml": PACK, "tech_sme/2017/amendments/2025.yaml": amendment})
    assert err.file.endswith("amendments/2025.yaml")
    assert "T9" in err.reason
    assert err.line == 6


def test_bad_applies_when(tmp_path: Path) -> None:
    amendment = """\
    standard: tech_sme
    edition: "2017"
    amendment: "2025"
    applies_when: "yeer = 2025"
    """
    err = load_error(tmp_path, {"tech_sme/2017.yaml": PACK, "tech_sme/2017/amendments/2025.yaml": amendment})
    assert "yeer" in err.reason
    assert err.line == 4


def test_derived_macro_with_unknown_field(tmp_path: Path) -> None:
    root = write(
        tmp_path / "packs",
        {"derived.yaml": DERIVED + '  bad:\n    expr: "rd_y7 + 1"\n', "tech_sme/2017.yaml": PACK},
    )
    with pytest.raises(PackError) as info:
        load_packs(root)
    assert info.value.file.endswith("derived.yaml")
    assert info.value.line == 6
    assert "rd_y7" in info.value.reason


def test_amendment_applies_by_row(tmp_path: Path) -> None:
    amendment = """\
    standard: tech_sme
    edition: "2017"
    amendment: "2025"
    applies_when: "year = 2025"
    waive_conditions: [T2]
    add_conditions:
      - {id: A1, label: 未造假, expr: "NOT data_fraud_found"}
    """
    root = write(
        tmp_path / "packs",
        {
            "derived.yaml": DERIVED,
            "tech_sme/2017.yaml": PACK,
            "tech_sme/2017/amendments/2025.yaml": amendment,
        },
    )
    packs = load_packs(root)
    base = {"registered_in_mainland": True, "rd_y1": 1, "revenue_y1": 100, "data_fraud_found": False}
    r2024 = packs.explain({**base, "year": 2024})["tech_sme"]
    r2025 = packs.explain({**base, "year": 2025})["tech_sme"]
    assert [c.id for c in r2024.conditions] == ["T1", "T2"]
    assert [c.id for c in r2025.conditions] == ["T1", "A1"]
    assert r2025.amendments == ["2025"]


def test_env_variable_points_at_the_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write(tmp_path / "elsewhere", {"derived.yaml": DERIVED, "tech_sme/2017.yaml": PACK})
    monkeypatch.setenv("TIDU_PACKS_DIR", str(root))
    assert load_packs().root == root


def test_repository_packs_load_every_standard() -> None:
    packs = load_packs()
    assert packs.standards == STANDARDS
    assert [e.edition for e in packs.editions["little_giant"]] == ["2022", "2026"]
    lg22 = packs.edition("little_giant", "2022")
    assert {a.id for a in lg22.amendments} == {"2025", "2026"}
    sp22 = packs.edition("specialized_sme", "2022")
    assert [o.province for o in sp22.overlays] == ["510000"]
    assert "sc_industry_system" in packs.fields  # overlay-declared input
    with pytest.raises(SelectionError):
        packs.edition("little_giant", "2099")


def test_digest_names_the_exact_rules(tmp_path: Path) -> None:
    root = write(tmp_path / "packs", {"derived.yaml": DERIVED, "tech_sme/2017.yaml": PACK})
    first = load_packs(root).digest
    write(root, {"cases/tech_sme/2017/x.yaml": "cases: []\n"})
    assert load_packs(root).digest == first  # hand-worked cases are not rules
    write(root, {"tech_sme/2017.yaml": PACK.replace("score_at_least: 5", "score_at_least: 6")})
    assert load_packs(root).digest != first
