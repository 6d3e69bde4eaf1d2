"""统一社会信用代码 (GB 32100-2015): the one check-character test shared by engine, CLI and web.

Pure Python (no Django) so that `tidu evaluate`, the importer and the forms agree on which codes
are valid. Algorithm and worked example: shared/domain/taxonomies.md §8.

>>> check_character("91110108123456788")
'E'
>>> credit_code_problem("91110108123456788E") is None
True
>>> credit_code_problem("91110108123456788F")
'校验码（第18位）不正确，请核对是否有字符输错'
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z (§8.2)
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code, positions 9–16 (§8.4)


def normalize(raw: object) -> str:
    """Upper-case and drop all whitespace (codes are pasted with spaces and in lower case)."""
    return "".join(str(raw).split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (taxonomies.md §8.3)."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    result = 31 - total % 31
    return CHARSET[0 if result == 31 else result]


def credit_code_problem(raw: object) -> str | None:
    """None when the code is valid, else a short Chinese reason (length, characters, check digit)."""
    code = normalize(raw)
    if len(code) != 18:
        return f"应为18位，实际为{len(code)}位"
    bad = [c for c in code if c not in VALUES]
    if bad:
        return f"含有不允许的字符“{bad[0]}”（不使用 I、O、S、V、Z）"
    if check_character(code[:17]) != code[17]:
        return "校验码（第18位）不正确，请核对是否有字符输错"
    return None


def credit_code_problem_en(raw: object) -> str | None:
    """English twin of `credit_code_problem` (for logs and the English error column)."""
    code = normalize(raw)
    if len(code) != 18:
        return f"must have 18 characters, has {len(code)}"
    bad = [c for c in code if c not in VALUES]
    if bad:
        return f"contains the character {bad[0]!r}, which is not allowed (no I, O, S, V, Z)"
    if check_character(code[:17]) != code[17]:
        return "the check character (position 18) is wrong"
    return None


def is_valid(raw: object) -> bool:
    """True when `raw` (after normalising) is a well-formed code with the right check character."""
    return credit_code_problem(raw) is None


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def org_check_character(body8: str) -> str:
    """Check character of the 9-character organisation code (GB 11714, taxonomies.md §8.4)."""
    c9 = 11 - sum(_org_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def org_code_ok(code: str) -> bool:
    """Whether positions 9–17 carry a valid GB 11714 check (a warning only: §8.4)."""
    body = code[8:16]
    if len(code) != 18 or not all(c.isdigit() or "A" <= c <= "Z" for c in body):
        return False
    return org_check_character(body) == code[16]


def region_of(code: str) -> str:
    """Region code of the registering authority (positions 3–8)."""
    return code[2:8]


def make_credit_code(region_code: str, body8: str, *, prefix: str = "91") -> str:
    """A valid code for a region and an 8-character organisation body (test and synthetic data).

    >>> make_credit_code("110108", "12345678")
    '91110108123456788E'
    """
    first17 = f"{prefix}{region_code}{body8}{org_check_character(body8)}"
    return first17 + check_character(first17)
