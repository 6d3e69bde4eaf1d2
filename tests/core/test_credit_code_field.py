"""统一社会信用代码 in forms: the shared check-character validator (GB 32100-2015, taxonomies.md §8)."""

from __future__ import annotations

import pytest

from tidu.accounts.forms import CreditCodeField
from tidu.core.credit_code import CHARSET, credit_code_problem, make_credit_code, validate_credit_code
from tidu.core.errors import TiduError

VALID = ["91110108123456788E"]  # the worked example of taxonomies.md §8.5
VALID += [make_credit_code(region, body) for region, body in [("440305", "12345678"), ("330106", "76543210"), ("441900", "00000001")]]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_are_accepted_and_normalised(code: str) -> None:
    field = CreditCodeField()
    assert field.clean(code) == code
    assert field.clean(" " + code.lower()[:9] + " " + code.lower()[9:]) == code


def test_every_single_character_corruption_of_a_valid_code_is_rejected() -> None:
    field = CreditCodeField()
    code = VALID[0]
    tried = 0
    for i in range(18):
        for ch in CHARSET:
            if ch == code[i]:
                continue
            corrupted = code[:i] + ch + code[i + 1:]
            assert credit_code_problem(corrupted), corrupted
            with pytest.raises(Exception, match="统一社会信用代码"):
                field.clean(corrupted)
            tried += 1
    assert tried == 18 * 30


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("9111010812345678", "18位"), ("91110108123456788EE", "18位"), ("9111010812345678OE", "不允许的字符"),
     ("91110108123456788F", "校验码")],
)
def test_invalid_codes_are_explained_in_chinese(raw: str, reason: str) -> None:
    with pytest.raises(TiduError) as exc:
        validate_credit_code(raw)
    assert reason in exc.value.message
    assert exc.value.field == "credit_code"
