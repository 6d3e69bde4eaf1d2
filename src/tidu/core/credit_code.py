"""统一社会信用代码 (GB 32100-2015) check, used until `tidu.rules.credit_code` exists.

`validate_credit_code` prefers the shared engine validator (tidu.rules.credit_code) so that the
web, the importer and the CLI agree; this module's own check is the same algorithm
(taxonomies.md §8.3) and only serves while that module is absent.
"""

from __future__ import annotations

from tidu.core.errors import ErrorCode, TiduError

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def normalize_credit_code(raw: str) -> str:
    """Upper-case and strip all whitespace (people paste codes with spaces)."""
    return "".join(str(raw).split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (taxonomies.md §8.3)."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    result = 31 - total % 31
    return CHARSET[0 if result == 31 else result]


def _local_problem(code: str) -> str | None:
    if len(code) != 18:
        return f"应为18位，实际为{len(code)}位"
    bad = [c for c in code if c not in VALUES]
    if bad:
        return f"含有不允许的字符“{bad[0]}”（不使用 I、O、S、V、Z）"
    if check_character(code[:17]) != code[17]:
        return "校验码（第18位）不正确，请核对是否有字符输错"
    return None


def credit_code_problem(raw: str) -> str | None:
    """None when the code is valid, else a short Chinese reason."""
    code = normalize_credit_code(raw)
    try:  # the shared validator, once engineer E3's module is in place
        from tidu.rules import credit_code as shared  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return _local_problem(code)
    for name in ("credit_code_problem", "problem", "explain"):
        fn = getattr(shared, name, None)
        if callable(fn):
            result = fn(code)
            if result is None or isinstance(result, str):
                return result
    for name in ("is_valid", "credit_code_valid", "validate"):
        fn = getattr(shared, name, None)
        if callable(fn):
            try:
                ok = fn(code)
            except ValueError as exc:
                return str(exc) or "校验失败"
            if isinstance(ok, bool):
                return None if ok else (_local_problem(code) or "校验失败")
    return _local_problem(code)


def validate_credit_code(raw: str) -> str:
    """Return the normalised code or raise TiduError(CREDIT_CODE_INVALID)."""
    code = normalize_credit_code(raw)
    reason = credit_code_problem(code)
    if reason:
        raise TiduError(ErrorCode.CREDIT_CODE_INVALID, field="credit_code", value=raw, reason=reason)
    return code


def make_credit_code(region_code: str, body8: str, *, prefix: str = "91") -> str:
    """Build a valid enterprise code from a region and an 8-character organisation body (demo data).

    The organisation-code check (§8.4) is computed too so the code looks real.
    """
    weights = [3, 7, 9, 10, 5, 8, 4, 2]

    def val(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    s = sum(val(c) * w for c, w in zip(body8, weights, strict=True))
    c9 = 11 - s % 11
    org_check = "X" if c9 == 10 else "0" if c9 == 11 else str(c9)
    first17 = f"{prefix}{region_code}{body8}{org_check}"
    return first17 + check_character(first17)
