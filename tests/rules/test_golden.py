"""Golden explanations: the result JSON of a few firms per standard, pinned byte for byte.

A stored result names the packs it was computed with (`pack_digest`); evaluated again with the
same packs it must give the very same bytes, or a stored explanation could no longer be trusted.
A pack or engine change that is meant to change explanations regenerates the files
(`tests/rules/golden/regenerate.py`) and the diff shows what every stored result would see.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tidu.rules import Packs, canonical_json, load_packs
from tidu.rules.fields import coerce_record

GOLDEN = Path(__file__).with_name("golden")
CASES = sorted(p for p in GOLDEN.glob("*.json") if not p.name.endswith(".input.json"))
REGENERATE = "packs or engine changed on purpose? run tests/rules/golden/regenerate.py and review the diff"


@pytest.fixture(scope="module")
def packs() -> Packs:
    return load_packs()


def test_every_standard_has_golden_firms() -> None:
    from tidu.rules import STANDARDS

    standards = {json.loads(p.read_text(encoding="utf-8"))["standard"] for p in CASES}
    assert standards == set(STANDARDS)
    verdicts = {json.loads(p.read_text(encoding="utf-8"))["verdict"] for p in CASES}
    assert verdicts == {"true", "false", "unknown"}


@pytest.mark.parametrize("golden", CASES, ids=[p.stem for p in CASES])
def test_a_stored_result_is_reproduced_byte_for_byte(golden: Path, packs: Packs) -> None:
    stored = golden.read_bytes()
    recorded = json.loads(stored)
    case = json.loads(golden.with_suffix(".input.json").read_text(encoding="utf-8"))
    assert recorded["pack_digest"] == packs.digest, f"the packs are not those of {golden.name}: {REGENERATE}"
    record, errors, _warnings = coerce_record(case["record"], require_key=False)
    assert not errors, [e.message for e in errors]
    today = dt.date.fromisoformat(case["today"])
    again = packs.explain(record, standards=[case["standard"]], today=today, gaps=True)[case["standard"]]
    assert canonical_json(again.as_json()).encode("utf-8") == stored, REGENERATE
