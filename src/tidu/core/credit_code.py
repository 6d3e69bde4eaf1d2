"""统一社会信用代码 for the web side: the shared check from `tidu.rules.credit_code`, raised as a TiduError.

The check itself lives in the engine package so that forms, the importer and `tidu evaluate`
accept exactly the same codes; this module only turns a failure into the platform's error type.
"""

from __future__ import annotations

from tidu.core.errors import ErrorCode, TiduError
from tidu.rules.credit_code import CHARSET, check_character, credit_code_problem, make_credit_code
from tidu.rules.credit_code import normalize as normalize_credit_code

__all__ = [
    "CHARSET",
    "check_character",
    "credit_code_problem",
    "make_credit_code",
    "normalize_credit_code",
    "validate_credit_code",
]


def validate_credit_code(raw: str) -> str:
    """Return the normalised code or raise TiduError(CREDIT_CODE_INVALID)."""
    code = normalize_credit_code(raw)
    reason = credit_code_problem(code)
    if reason:
        raise TiduError(ErrorCode.CREDIT_CODE_INVALID, field="credit_code", value=raw, reason=reason)
    return code
