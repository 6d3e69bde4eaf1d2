"""The examples in the engine's docstrings run (they are its shortest documentation)."""

from __future__ import annotations

import doctest

import pytest

import tidu.digital.questionnaire
import tidu.matching.index
import tidu.matching.text


@pytest.mark.parametrize("module", [tidu.matching.text, tidu.matching.index, tidu.digital.questionnaire],
                         ids=lambda m: m.__name__)
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
