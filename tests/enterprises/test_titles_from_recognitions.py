"""The titles a firm holds (cert_*_valid) come from the platform's own recognition records on the
evaluation date wherever the firm has a record of that tier; only titles the platform has no record of
are self-declared, marked 自报 and flagged for checking. domain/tiers.md §7 S1: the 2026 专精特新
standard requires a valid 科技型 or 创新型 title; §9: a title is valid for three years and a revoked
title is cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tidu.enterprises.models import EnterpriseYear
from tidu.enterprises.selectors import evaluation_record, evaluation_record_with_marks, evaluation_records
from tidu.enterprises.titles import title_rows
from tidu.journey.models import Recognition, Tier
from tidu.ladder.assessment import assess
from tidu.ladder.testing import make_climbing_firm

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 1)  # an evaluation date inside the 2026 专精特新 standard (from 2026-04-01)


def _firm(**declared: Any) -> Any:
    """The climbing firm of tidu.ladder.testing with no title declared (unless given)."""
    ent = make_climbing_firm()
    values = {"cert_tech_sme_valid": None, "cert_innovative_valid": None, "cert_specialized_valid": None,
              "cert_little_giant_valid": None} | declared
    EnterpriseYear.objects.filter(enterprise=ent, fiscal_year=2025).update(**values)
    return ent


def _title(ent: Any, tier: str = Tier.INNOVATIVE_SME, *, valid_from: dt.date = dt.date(2024, 3, 1),
           valid_until: dt.date = dt.date(2027, 2, 28), number: str = "44-CX-2024-00007") -> Recognition:
    return Recognition.objects.create(enterprise=ent, tier=tier, number=number, issuing_region_id="440000",
                                      valid_from=valid_from, valid_until=valid_until)


def _condition(ent: Any, standard: str, condition: str, today: dt.date = ON) -> str:
    a = assess(ent, today=today)
    [s] = [s for s in a.standards if s["standard"] == standard]
    [c] = [c for c in s["conditions"] if c["id"] == condition]
    return str(c["value"])


def test_a_valid_platform_recognition_of_innovative_meets_the_specialised_prerequisite_undeclared() -> None:
    ent = _firm()
    _title(ent)
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_innovative_valid"] is True
    assert marks["cert_innovative_valid"]["kind"] == "platform"
    assert marks["cert_innovative_valid"]["number"] == "44-CX-2024-00007"
    assert "declared" not in marks["cert_innovative_valid"]  # nothing was self-declared
    assert _condition(ent, "specialized_sme", "S1a") == "true"  # 科技和创新型 title held (tiers.md §7 S1)


def test_without_any_title_the_specialised_prerequisite_is_not_met_and_no_record_is_invented() -> None:
    ent = _firm()
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_innovative_valid"] is None and "cert_innovative_valid" not in marks
    assert _condition(ent, "specialized_sme", "S1a") == "unknown"


def test_after_the_title_expires_it_no_longer_counts_even_if_the_firm_still_declares_it() -> None:
    ent = _firm(cert_innovative_valid=True, cert_tech_sme_valid=False)
    _title(ent, valid_until=dt.date(2026, 2, 28))
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_innovative_valid"] is False  # the platform's record wins over the declaration
    assert marks["cert_innovative_valid"]["declared"] is True
    assert _condition(ent, "specialized_sme", "S1a") == "false"
    # On a day still inside its validity it counts.
    assert evaluation_record(ent, 2026, as_of=dt.date(2026, 2, 28))["cert_innovative_valid"] is True


def test_a_revoked_title_does_not_count_from_the_day_it_was_revoked() -> None:
    ent = _firm(cert_tech_sme_valid=False)
    rec = _title(ent)
    Recognition.objects.filter(pk=rec.pk).update(
        revoked_at=dt.datetime(2026, 5, 10, 9, 0, tzinfo=timezone.get_current_timezone()), revoked_reason="数据造假")
    assert evaluation_record(ent, 2026, as_of=ON)["cert_innovative_valid"] is False
    assert evaluation_record(ent, 2026, as_of=dt.date(2026, 5, 9))["cert_innovative_valid"] is True
    assert _condition(ent, "specialized_sme", "S1a") == "false"


def test_a_later_title_of_the_same_tier_decides_when_the_earlier_one_expired() -> None:
    ent = _firm()
    _title(ent, valid_from=dt.date(2021, 3, 1), valid_until=dt.date(2024, 2, 29), number="44-CX-2021-00001")
    _title(ent, valid_from=dt.date(2025, 9, 1), valid_until=dt.date(2028, 8, 31), number="44-CX-2025-00002")
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_innovative_valid"] is True and marks["cert_innovative_valid"]["number"] == "44-CX-2025-00002"


def test_a_self_declared_title_with_no_platform_record_counts_and_is_marked_for_checking() -> None:
    ent = _firm(cert_innovative_valid=True)
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_innovative_valid"] is True and marks["cert_innovative_valid"]["kind"] == "self"
    assert _condition(ent, "specialized_sme", "S1a") == "true"
    rows = {r["field"]: r for r in title_rows(record, marks)}
    assert rows["cert_innovative_valid"]["needs_check"] is True
    assert rows["cert_innovative_valid"]["badge"]["label"] == "自报"


def test_tech_sme_stays_self_declared_because_the_platform_does_not_recognise_it() -> None:
    ent = _firm(cert_tech_sme_valid=True)
    _title(ent)  # an innovative-SME record does not touch the 科技型 registration
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_tech_sme_valid"] is True and marks["cert_tech_sme_valid"]["kind"] == "self"
    assert "tech_sme" not in Tier.values  # no platform record could ever decide it


def test_a_specialised_record_decides_the_little_giant_prerequisite_field() -> None:
    ent = _firm(cert_specialized_valid=False)
    _title(ent, Tier.SPECIALIZED_SME, number="44-ZJTX-2025-00003", valid_from=dt.date(2025, 1, 1),
           valid_until=dt.date(2027, 12, 31))
    record, marks = evaluation_record_with_marks(ent, 2026, as_of=ON)
    assert record["cert_specialized_valid"] is True
    assert marks["cert_specialized_valid"]["number"] == "44-ZJTX-2025-00003"
    assert _condition(ent, "little_giant", "L1a") == "true"  # tiers.md §8 L1


def test_the_batch_records_read_the_same_titles() -> None:
    expired, valid = _firm(cert_innovative_valid=True), _firm()
    _title(expired, valid_until=dt.date(2026, 2, 28), number="44-CX-2023-00001")
    _title(valid, number="44-CX-2024-00002")
    from tidu.enterprises.models import Enterprise

    batch = {r["credit_code"]: r for r in evaluation_records(Enterprise.objects.filter(pk__in=[expired.pk, valid.pk]),
                                                              2026, as_of=ON)}
    assert batch[expired.credit_code]["cert_innovative_valid"] is False
    assert batch[valid.credit_code]["cert_innovative_valid"] is True
    for ent in (expired, valid):
        assert batch[ent.credit_code] == evaluation_record(ent, 2026, as_of=ON)
