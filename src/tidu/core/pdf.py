"""The one Chinese font every PDF of the platform embeds, so reports read the same on any machine.

reportlab cannot embed CFF-flavoured OpenType (Noto CJK), so we use WenQuanYi Zen Hei's TrueType
collection (Debian fonts-wqy-zenhei; `make run` and `make test` install it), subset into each file.
A built-in CID font would leave the glyphs to the reader's machine (tofu elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

from tidu.core.errors import ErrorCode, TiduError

FONT_NAME = "TiduCJK"
FONT_CANDIDATES = (
    os.environ.get("TIDU_CJK_FONT", ""),
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def cjk_font() -> str:
    """Register the embedded Chinese font once and return its reportlab name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    for candidate in FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont(FONT_NAME, candidate, subfontIndex=0))
            return FONT_NAME
    raise TiduError(ErrorCode.VALIDATION, detail="服务器缺少中文字体（fonts-wqy-zenhei），暂时无法生成PDF报告。")
