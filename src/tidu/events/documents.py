"""A participant's check-in QR code (SVG for the page, drawn into the PDF) and schedule PDF.

The QR encodes the signed check-in address; an official scans it (or opens it) and confirms arrival.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax.saxutils import escape

_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')


def _presentation_attributes(svg: str) -> str:
    """reportlab writes `style="fill: none; …"`; the Content-Security-Policy refuses inline style attributes
    (decision 0104), which would paint the QR's transparent background black. SVG takes the same properties as
    attributes (`fill="none"`), which no policy blocks."""

    def attributes(match: re.Match[str]) -> str:
        pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
        return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)

    return _STYLE_ATTR.sub(attributes, svg)


def _qr_drawing(url: str, size: float) -> Any:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def qr_svg(url: str, size: int = 180) -> str:
    """The QR code as an inline <svg> element (no XML prolog), for the schedule page."""
    from reportlab.graphics import renderSVG

    svg = renderSVG.drawToString(_qr_drawing(url, size))
    start = svg.find("<svg")
    return _presentation_attributes(svg[start:] if start >= 0 else svg)


def schedule_pdf(*, event: Any, registration: Any, rows: list[tuple[str, str, str, str]], checkin_url: str) -> bytes:
    """One participant's schedule: event, their meetings (time, table, partner, why), the check-in QR."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from tidu.core.pdf import cjk_font

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6)

    def p(text: str, style: ParagraphStyle = body) -> Any:
        return Paragraph(escape(text), style)

    story: list[Any] = [
        p(f"{event.title}：个人洽谈日程", h1),
        p(f"参会单位：{registration.organisation.name}（{registration.get_side_display()}）"),
        p(f"日期：{event.held_on:%Y-%m-%d}；地点：{event.venue}"),
        Spacer(1, 4 * mm),
    ]
    if rows:
        table = Table([[p(c, small) for c in ("时段", "桌号", "洽谈对象", "推荐理由")]]
                      + [[p(c, small) for c in row] for row in rows],
                      colWidths=[36 * mm, 16 * mm, 58 * mm, 64 * mm], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4"))]))
        story.append(table)
    else:
        story.append(p("暂无洽谈安排：主办方排程后将在此列出。"))
    story += [Spacer(1, 8 * mm), p("签到二维码（活动当天请出示给工作人员扫码签到）", small), _qr_drawing(checkin_url, 40 * mm)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"{event.title} 洽谈日程", author="梯度 Tidu")
    doc.build(story)
    return buffer.getvalue()
