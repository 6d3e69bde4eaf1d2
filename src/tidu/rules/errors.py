"""Errors of the criteria engine: every pack problem names its file, line and reason."""

from __future__ import annotations

from enum import StrEnum


class RulesErrorCode(StrEnum):
    PACK_INVALID = "rules.pack_invalid"
    EXPR_INVALID = "rules.expr_invalid"
    UNKNOWN_STANDARD = "rules.unknown_standard"
    UNKNOWN_EDITION = "rules.unknown_edition"


class RulesError(Exception):
    """Base error of tidu.rules: a code plus a Chinese message."""

    code: RulesErrorCode = RulesErrorCode.PACK_INVALID

    def __init__(self, message: str, *, code: RulesErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message


class PackError(RulesError):
    """A pack file that cannot be loaded: where (file:line) and why."""

    def __init__(self, reason: str, *, file: str = "", line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}" if where else reason, code=RulesErrorCode.PACK_INVALID)


class ExprError(RulesError):
    """An expression outside the safe SQL subset (raised without a location; loaders add it)."""

    code = RulesErrorCode.EXPR_INVALID


class SelectionError(RulesError):
    code = RulesErrorCode.UNKNOWN_EDITION
