"""统一社会信用代码 check character (GB 32100-2015, taxonomies.md §8) as the engine and CLI apply it."""

from __future__ import annotations

import pytest

from tidu.rules.credit_code import (
    CHARSET,
    WEIGHTS,
    check_character,
    credit_code_problem,
    is_valid,
    make_credit_code,
    org_code_ok,
)
from tidu.rules.fields import Code, coerce_record

WORKED_EXAMPLE = "91110108123456788E"  # taxonomies.md §8.5
VALID = [
    WORKED_EXAMPLE,
    "91320505407807009X",  # the contract sample
    "9144030569840185XW",
    make_credit_code("440305", "12345678"),
    make_credit_code("510104", "MA6CXYR1"),
    make_credit_code("650102", "00000001"),
]


def test_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_worked_example_reproduces_check_character_e() -> None:
    assert check_character("91110108123456788") == "E"
    assert make_credit_code("110108", "12345678") == WORKED_EXAMPLE
    assert org_code_ok(WORKED_EXAMPLE)


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_are_accepted(code: str) -> None:
    assert credit_code_problem(code) is None
    assert is_valid(code)


def test_lower_case_and_spaces_are_normalised() -> None:
    assert is_valid(" 9111 0108 1234 5678 8e ")


@pytest.mark.parametrize("code", VALID)
def test_every_single_character_corruption_is_rejected(code: str) -> None:
    tried = 0
    for i in range(18):
        for ch in CHARSET:
            if ch == code[i]:
                continue
            corrupted = code[:i] + ch + code[i + 1 :]
            assert credit_code_problem(corrupted) is not None, corrupted
            tried += 1
    assert tried == 18 * 30


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("9111010812345678", "18位"),
        ("91110108123456788EE", "18位"),
        ("9111010812345678OE", "不允许的字符"),
        ("91110108123456788I", "不允许的字符"),
        ("91110108123456788F", "校验码"),
    ],
)
def test_invalid_codes_are_explained_in_chinese(raw: str, reason: str) -> None:
    problem = credit_code_problem(raw)
    assert problem is not None and reason in problem


def test_a_row_with_a_bad_code_is_rejected_with_the_code_field() -> None:
    _, errors, _ = coerce_record({"credit_code": "91110108123456788F", "year": "2025"})
    assert [(e.field, e.code) for e in errors] == [("credit_code", Code.CREDIT_CODE_INVALID)]
    assert "校验码" in errors[0].message and "check character" in errors[0].message_en


def test_a_broken_organisation_code_check_is_only_a_warning() -> None:
    first17 = "91110108123456780"  # org-code check should be 8
    code = first17 + check_character(first17)
    record, errors, warnings = coerce_record({"credit_code": code, "year": "2025"})
    assert errors == [] and record["credit_code"] == code
    assert [w.code for w in warnings] == [Code.ORG_CODE_CHECK]
