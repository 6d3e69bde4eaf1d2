"""Money typed in 万元 is stored in yuan exactly: 1234.56 万元 = 12,345,600 yuan; at most 4 decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.forms import WanYuanField
from tidu.enterprises.money import MAX_YUAN, wan_to_yuan, yuan_to_wan, yuan_to_wan_text


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("1234.56", 12_345_600),
        ("0.0001", 1),
        ("0", 0),
        ("1", 10_000),
        ("1,234.5678", 12_345_678),
        ("１２３４．５６", 12_345_600),  # full-width digits from Chinese input methods
        (" 2000万元 ", 20_000_000),
        ("99999999999", 999_999_999_990_000),
        ("0.1", 1_000),
        ("3.3333", 33_333),
    ],
)
def test_wan_converts_exactly_to_yuan(typed: str, yuan: int) -> None:
    assert wan_to_yuan(typed) == yuan


@pytest.mark.parametrize(("typed", "code"), [
    ("0.00001", ErrorCode.MONEY_TOO_PRECISE),
    ("1234.56789", ErrorCode.MONEY_TOO_PRECISE),
    ("-1", ErrorCode.MONEY_NEGATIVE),
    ("abc", ErrorCode.MONEY_INVALID),
    ("1e3x", ErrorCode.MONEY_INVALID),
    ("NaN", ErrorCode.MONEY_INVALID),
    ("Infinity", ErrorCode.MONEY_INVALID),
    ("100000000001", ErrorCode.MONEY_TOO_LARGE),
])
def test_bad_amounts_are_rejected_with_their_reason(typed: str, code: ErrorCode) -> None:
    with pytest.raises(TiduError) as exc:
        wan_to_yuan(typed)
    assert exc.value.code == code


def test_the_boundary_of_size_is_inclusive() -> None:
    assert wan_to_yuan(str(MAX_YUAN // 10_000)) == MAX_YUAN
    with pytest.raises(TiduError):
        wan_to_yuan(str(Decimal(MAX_YUAN + 1) / 10_000))


def test_net_profit_may_be_negative() -> None:
    assert wan_to_yuan("-12.5", allow_negative=True) == -125_000


@given(st.integers(min_value=-MAX_YUAN, max_value=MAX_YUAN))
def test_every_yuan_amount_survives_display_and_reentry(yuan: int) -> None:
    assert wan_to_yuan(yuan_to_wan_text(yuan), allow_negative=True) == yuan
    assert yuan_to_wan(yuan) * 10_000 == yuan


def test_the_form_field_cleans_to_yuan_and_shows_wan() -> None:
    field = WanYuanField()
    assert field.clean("1234.56") == 12_345_600
    assert field.clean("") is None  # unknown stays unknown, never zero
    assert field.prepare_value(12_345_600) == "1234.56"
    with pytest.raises(forms.ValidationError, match="4位"):
        field.clean("1.23456")
    with pytest.raises(forms.ValidationError):
        field.clean("-5")
    assert WanYuanField(allow_negative=True).clean("-5") == -50_000
