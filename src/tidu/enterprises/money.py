"""万元 ⇄ yuan, exactly. People type 万元 with up to 4 decimals; we store integer yuan.

>>> wan_to_yuan("1234.56")
12345600
>>> yuan_to_wan_text(12345600)
'1234.56'
>>> yuan_to_wan_display(-5_000), yuan_to_wan_display(520_000_000_000)
('-0.5', '52,000,000')
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from tidu.core.errors import ErrorCode, TiduError

YUAN_PER_WAN = 10_000
MAX_YUAN = 10**15
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


def wan_to_yuan(raw: str | int | Decimal, *, allow_negative: bool = False, field: str | None = None) -> int:
    """Exact conversion; rejects more than 4 decimals, negatives (unless allowed) and absurd sizes."""
    text = str(raw).translate(_FULLWIDTH).replace(",", "").replace(" ", "").strip()
    if text.endswith("万元"):
        text = text[:-2]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TiduError(ErrorCode.MONEY_INVALID, field=field, value=raw) from None
    if not value.is_finite():
        raise TiduError(ErrorCode.MONEY_INVALID, field=field, value=raw)
    yuan = value * YUAN_PER_WAN
    if yuan != yuan.to_integral_value():
        raise TiduError(ErrorCode.MONEY_TOO_PRECISE, field=field, value=raw)
    if yuan < 0 and not allow_negative:
        raise TiduError(ErrorCode.MONEY_NEGATIVE, field=field, value=raw)
    if abs(yuan) > MAX_YUAN:
        raise TiduError(ErrorCode.MONEY_TOO_LARGE, field=field, value=raw)
    return int(yuan)


def yuan_to_wan(yuan: int) -> Decimal:
    """Exact 万元 value of an integer yuan amount."""
    return (Decimal(int(yuan)) / YUAN_PER_WAN).quantize(Decimal("0.0001"))


def yuan_to_wan_text(yuan: int | None) -> str:
    """万元 without trailing zeros ('' for unknown), e.g. 12345600 → '1234.56'."""
    if yuan is None:
        return ""
    text = format(yuan_to_wan(yuan), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def yuan_to_wan_display(yuan: int) -> str:
    """万元 for reading, with thousands separators: 520000000000 → '52,000,000'; -5000 → '-0.5'."""
    text = yuan_to_wan_text(int(yuan))
    sign = "-" if text.startswith("-") else ""
    whole, _dot, frac = text.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}" + (f".{frac}" if frac else "")
