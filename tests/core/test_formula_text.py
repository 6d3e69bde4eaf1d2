"""Formula injection: names that a spreadsheet would run are refused; exported text is disarmed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tidu.core.text import neutralise_cell, validate_no_formula_prefix


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", " =1"])
def test_formula_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_no_formula_prefix(name)
    assert "公式" in str(info.value.messages[0])


@pytest.mark.parametrize("name", ["深圳市某某科技有限公司", "A=B 科技", "中-德合作公司"])
def test_ordinary_names_pass(name: str) -> None:
    validate_no_formula_prefix(name)


def test_export_cells_are_disarmed_but_numbers_kept() -> None:
    assert neutralise_cell("=1+1") == "'=1+1"
    assert neutralise_cell("@cmd") == "'@cmd"
    assert neutralise_cell("正常名称") == "正常名称"
    assert neutralise_cell(-5) == -5
    assert neutralise_cell(None) is None
