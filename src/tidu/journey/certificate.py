"""The recognition certificate (认定证书) as an A4 PDF in Chinese, with the platform's embedded font.

A revoked title still prints, so the firm and the officials keep a record of what was granted, but the
page says 已撤销 in large red type with the date and reason, and no longer calls itself valid; an expired
title says 已过期. Drawn on a canvas: the layout is fixed, one page.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from django.utils import timezone

from tidu.core.pdf import cjk_font
from tidu.journey.authorities import issuing_authority
from tidu.journey.models import Recognition

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


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


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rename_notes(rec: Recognition) -> list[str]:
    """"于 YYYY年M月D日 经核准由“旧名”更名为“新名”" for each approved rename since the title was granted.

    Read through the firm's `register_changes` (tidu.changes), so the certificate states only what an
    official approved; a title whose recorded name differs without such a record says only 原名称."""
    if not rec.former_name:
        return []
    changes = rec.enterprise.register_changes.filter(field="name", approved_at__gt=rec.created_at).order_by(
        "approved_at", "id")
    notes = [f"于 {chinese_date(timezone.localtime(c.approved_at).date())} 经核准由“{c.old_value}”更名为“{c.new_value}”"
             for c in changes]
    return notes or [f"认定时企业名称为“{rec.granted_name}”"]


def _qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """A QR code of `url` with its bottom-left corner at (x, y), drawn as vectors (reportlab's own encoder)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def certificate_pdf(rec: Recognition, *, today: dt.date, verify_url: str = "") -> bytes:
    """Firm name (current, approved) with any approved renames noted, credit code, tier, number, issuing
    region, issuing authority, issue date, validity, and a QR code of the public verification page
    (`verify_url`); 已撤销 / 已过期 marked plainly."""
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
        ("发证机关", issuing_authority(rec)),
        ("发证日期", chinese_date(rec.valid_from)),
    ]
    y = height - 88 * mm
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
        y -= 4 * mm

    notes = rename_notes(rec)
    if notes:
        c.setFont(font, 10.5)
        c.setFillColor(colors.HexColor("#333333"))
        for note in notes:
            for line in _wrap(f"更名说明：{note}。", width - 64 * mm, font, 10.5):
                c.drawString(32 * mm, y, line)
                y -= 5.5 * mm
        y -= 3 * mm
        c.setFillColor(colors.black)

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
            c.setFillColor(colors.HexColor("#c0392b"))
            c.setFont(font, 11)
            y -= 4 * mm
            for line in _wrap(f"撤销日期：{timezone.localtime(rec.revoked_at):%Y-%m-%d}；撤销原因：{rec.revoked_reason}",
                              width - 64 * mm, font, 11):
                c.drawString(32 * mm, y, line)
                y -= 6 * mm

    c.setFillColor(colors.HexColor("#555555"))
    c.setFont(font, 9)
    if verify_url:
        qr_size = 30 * mm
        _qr(c, verify_url, width - 32 * mm - qr_size, 36 * mm, qr_size)
        c.drawRightString(width - 32 * mm, 33 * mm, "扫码核验证书")
        c.drawString(32 * mm, 38 * mm, "证书核验：")
        for i, line in enumerate(_wrap(verify_url, width - 100 * mm, font, 9)[:3]):
            c.drawString(32 * mm, 34 * mm - i * 4 * mm, line)
    c.drawString(32 * mm, 22 * mm, f"打印日期 {today:%Y-%m-%d}（北京时间）。认定状态以梯度平台及主管部门公告为准。")
    c.showPage()
    c.save()
    return buffer.getvalue()
