"""GB/T 4754-2017 industry codes: shipped list, shape and membership checks, Chinese reasons."""

from __future__ import annotations

import pytest

from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises.industries import check_industry_code, industry_table
from tidu.enterprises.services import industry_code_validate


def test_the_list_has_all_20_sections_and_97_divisions() -> None:
    table = industry_table()
    assert [c for c, i in table.items() if i.level == "section"] == list("ABCDEFGHIJKLMNOPQRST")
    assert sum(1 for i in table.values() if i.level == "division") == 97
    assert table["C39"].name == "计算机、通信和其他电子设备制造业"
    assert table["I65"].name == "软件和信息技术服务业"


def test_every_listed_code_is_under_its_parent() -> None:
    table = industry_table()
    for code, item in table.items():
        if item.level == "division":
            assert code[0] in table
        if item.level in {"group", "class"}:
            assert code[: len(code) - 1] in table, code


@pytest.mark.parametrize("code", ["C3911", "c3911", "C39", "C", "I6513", "F5179", "E4811", "M7320", "C3441"])
def test_real_codes_pass(code: str) -> None:
    assert check_industry_code(code).ok


@pytest.mark.parametrize(
    ("code", "reason"),
    [("C391", None), ("X3911", "格式"), ("C39111", "格式"), ("3911", "格式"), ("A3911", "门类 C"), ("C9911", "没有大类 99"),
     ("C3918", "没有小类"), ("C2790", "没有中类")],
)
def test_wrong_codes_are_rejected_with_a_reason(code: str, reason: str | None) -> None:
    result = check_industry_code(code)
    if reason is None:
        assert result.ok
        return
    assert not result.ok
    assert reason in result.reason


def test_codes_below_an_unlisted_group_are_accepted_on_their_division_and_marked_inexact() -> None:
    result = check_industry_code("C1311")
    assert result.ok and not result.exact and result.name == "农副食品加工业"


def test_the_service_check_raises_coded_errors() -> None:
    assert industry_code_validate(" c3911 ") == "C3911"
    with pytest.raises(TiduError) as exc:
        industry_code_validate("C39X1")
    assert exc.value.code == ErrorCode.INDUSTRY_CODE_INVALID
    with pytest.raises(TiduError) as exc:
        industry_code_validate("C3918")
    assert exc.value.code == ErrorCode.INDUSTRY_CODE_UNKNOWN
