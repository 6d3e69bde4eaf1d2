"""The result JSON every app stores and the API returns (`StandardResult.as_json`, docs/rules.md):
one versioned schema, plain JSON values, the same bytes for the same record and packs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tidu.rules import RESULT_SCHEMA_VERSION, Packs, canonical_json, load_packs, read_result_json

RECORD: dict[str, Any] = {
    "credit_code": "91110108123456788E",
    "year": 2025,
    "as_of": dt.date(2025, 5, 1),
    "is_review": False,
    "industry_code": "C3911",
    "region_code": "110108",
    "employees_y1": 120,
    "revenue_y1": 80_000_000,
    "rd_y1": 4_000_000,
    "total_assets_y1": 60_000_000,
}
KEYS = {
    "schema_version", "engine", "standard", "edition", "title", "document", "amendments", "overlay",
    "pack_digest", "as_of", "provisional", "verdict", "verdict_could_change", "score", "score_range",
    "level", "level_label", "path", "routes", "conditions", "groups", "indicators", "levels",
    "unknown_fields", "gaps", "readings", "notes",
}  # fmt: skip


@pytest.fixture(scope="module")
def packs() -> Packs:
    return load_packs()


def test_every_standard_gives_the_documented_keys_with_the_pack_digest(packs: Packs) -> None:
    res = packs.explain(RECORD, gaps=True, today=dt.date(2025, 5, 1))
    assert set(res.standards) == set(packs.standards)
    for s, r in res.standards.items():
        d = r.as_json()
        assert set(d) == KEYS, s
        assert d["schema_version"] == RESULT_SCHEMA_VERSION and d["standard"] == s
        assert d["pack_digest"] == packs.digest and len(d["pack_digest"]) == 64
        assert d["as_of"] == "2025-05-01" and d["edition"] == r.edition
        assert d["verdict"] in ("true", "false", "unknown")
        assert d["path"] is None or d["verdict"] == "true"
        json.dumps(d)  # plain JSON values only (no Decimal, date, Fraction)
        for c in d["conditions"]:
            assert c["clause"], (s, c["id"])  # every step names its clause
            assert c["route"] is None or c["route"] in {x["path"] for x in d["routes"]}
        for i in d["indicators"]:
            assert i["clause"] and isinstance(i["points_lo"], str), (s, i["id"])


def test_route_items_are_steps_of_the_result(packs: Packs) -> None:
    r = packs.explain(RECORD, standards=["innovative_sme"])["innovative_sme"]
    d = r.as_json()
    assert [c["id"] for c in d["conditions"] if c["route"] is not None] == [i.id for i in r.route_items]


def test_the_same_record_gives_the_same_bytes(packs: Packs) -> None:
    one = canonical_json(packs.explain(dict(RECORD), gaps=True).as_json())
    two = canonical_json(load_packs().explain(dict(RECORD), gaps=True).as_json())
    assert one == two
    assert canonical_json({"b": 1, "a": "专精特新"}) == '{"a":"专精特新","b":1}'


def test_a_result_of_an_unknown_schema_version_is_refused() -> None:
    with pytest.raises(ValueError, match="未知的评价结果版本"):
        read_result_json({"schema_version": 99, "verdict": "true"})
    current = {"schema_version": RESULT_SCHEMA_VERSION, "verdict": "true"}
    assert read_result_json(current) is current
    assert read_result_json({}) == {}


def test_the_field_registry_is_one_set_of_objects() -> None:
    from tidu.rules.fieldinfo import field_infos
    from tidu.rules.fields import FIELDS

    assert all(FIELDS[n] is spec for n, spec in field_infos().items())
    assert list(FIELDS) == list(field_infos())


def test_derived_quantities_come_from_the_packs_expressions(packs: Packs) -> None:
    """fields.md §15: ratios exact, a zero denominator or a missing input unknown, full years."""
    from decimal import Decimal

    d = packs.derived(
        {"year": 2026, "rd_y1": 3_000_000, "revenue_y1": 60_000_000, "rd_y2": 5, "revenue_y2": 0,
         "main_rev_y1": 54_000_000, "main_rev_y2": 45_000_000, "main_rev_y3": 36_000_000,
         "founded_on": dt.date(2015, 3, 1), "equity_fin_y1": 1, "equity_fin_y2": 2}
    )  # fmt: skip
    assert list(d) == list(packs.derived_names)
    assert d["rd_ratio_y1"] == Decimal("0.05") and d["rd_ratio_y2"] is None
    assert d["main_growth_avg_2y"] == Decimal("0.225")  # (20% + 25%) / 2
    assert d["firm_age_years"] == 10 and d["equity_fin_2y"] == 3 and d["equity_fin_3y"] is None
