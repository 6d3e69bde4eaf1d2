"""The recognition certificate (认定证书) as an A4 PDF in Chinese, with the platform's embedded font.

A revoked title still prints, so the firm and the officials keep a record of what was granted, but the
page says 已撤销 in large red type with the date and reason, and no longer calls itself valid; an expired
title says 已过期. Drawn on a canvas: the layout is fixed, one page.
"""

from __future__ import annotations

import datetime as dt
import io

from tidu.core.pdf import cjk_font
from tidu.journey.models import Recognition


def certificate_state(rec: Recognition, today: dt.date) -> str:
    """'revoked', 'expired', 'pending' (not yet in force) or 'valid'."""
    if rec.revoked_at is not None:
        return "revoked"
    if rec.valid_until < today:
        return "expired"
    return "pending" if rec.valid_from > today else "valid"


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for char in text:
        if stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def certificate_pdf(rec: Recognition, *, today: dt.date) -> bytes:
    """Firm name, credit code, tier, number, issuing region, validity; 已撤销 / 已过期 marked plainly."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    font = cjk_font()
    width, height = A4
    buffer = io.BytesIO()
    ent = rec.enterprise
    c = Canvas(buffer, pagesize=A4)
    c.setTitle(f"认定证书 {rec.number} {ent.name}")
    c.setAuthor("梯度 Tidu")
    c.setStrokeColor(colors.HexColor("#b8860b"))
    c.setLineWidth(3)
    c.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    c.setLineWidth(0.8)
    c.rect(18 * mm, 18 * mm, width - 36 * mm, height - 36 * mm)

    c.setFillColor(colors.black)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 55 * mm, "认定证书")
    c.setFont(font, 15)
    c.drawCentredString(width / 2, height - 68 * mm, rec.get_tier_display())

    region = rec.issuing_region.full_name if rec.issuing_region is not None else "全国"
    rows = [
        ("企业名称", ent.name),
        ("统一社会信用代码", ent.credit_code),
        ("认定类别", str(rec.get_tier_display())),
        ("证书编号", rec.number),
        ("认定地区", region),
        ("有效期", f"{rec.valid_from:%Y年%m月%d日} 至 {rec.valid_until:%Y年%m月%d日}"),
    ]
    y = height - 92 * mm
    label_x, value_x, value_width = 32 * mm, 72 * mm, width - 72 * mm - 32 * mm
    for label, value in rows:
        c.setFont(font, 12)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(label_x, y, label)
        c.setFillColor(colors.black)
        c.setFont(font, 13)
        for line in _wrap(value, value_width, font, 13) or [""]:
            c.drawString(value_x, y, line)
            y -= 7 * mm
        y -= 5 * mm

    state = certificate_state(rec, today)
    c.setFont(font, 11)
    text = {
        "valid": f"经审核，该企业符合{rec.get_tier_display()}认定条件，特发此证。",
        "pending": f"经审核，该企业符合{rec.get_tier_display()}认定条件，特发此证（自 {rec.valid_from} 起生效）。",
        "expired": f"本证书有效期已于 {rec.valid_until} 届满，现已过期。",
        "revoked": "本证书所载认定已被撤销，不再有效。",
    }[state]
    for line in _wrap(text, width - 64 * mm, font, 11):
        c.drawString(32 * mm, y, line)
        y -= 6 * mm

    if state in ("revoked", "expired"):
        mark = "已撤销" if state == "revoked" else "已过期"
        c.saveState()
        c.setFillColor(colors.HexColor("#c0392b"))
        c.setFillAlpha(0.45)  # a stamp over the facts, which stay readable
        c.setFont(font, 64)
        c.translate(width / 2, height / 2 - 20 * mm)
        c.rotate(24)
        c.drawCentredString(0, 0, mark)
        c.restoreState()
        if state == "revoked" and rec.revoked_at is not None:
            from django.utils import timezone

            c.setFillColor(colors.HexColor("#c0392b"))
            c.setFont(font, 11)
            y -= 4 * mm
            for line in _wrap(f"撤销日期：{timezone.localtime(rec.revoked_at):%Y-%m-%d}；撤销原因：{rec.revoked_reason}",
                              width - 64 * mm, font, 11):
                c.drawString(32 * mm, y, line)
                y -= 6 * mm

    c.setFillColor(colors.HexColor("#555555"))
    c.setFont(font, 9)
    c.drawString(32 * mm, 30 * mm, f"打印日期 {today:%Y-%m-%d}（北京时间）。认定状态以梯度平台及主管部门公告为准。")
    c.showPage()
    c.save()
    return buffer.getvalue()
