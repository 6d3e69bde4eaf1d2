"""A chart as an Excel sheet (openpyxl) and the whole dashboard as a Chinese A4 PDF (tidu.core.pdf).

Both write the numbers of `selectors.Chart`, the same the page draws; a withheld cell reads "<5".
"""

from __future__ import annotations

import io
from html import escape
from typing import Any

from tidu.core.pdf import cjk_font
from tidu.insights.models import Standing
from tidu.insights.selectors import Chart

WITHHELD = "<5"


def chart_rows(chart: Chart) -> list[list[Any]]:
    """Header then one row per category: the category, then each series' value."""
    return [["类别", *[s["name"] for s in chart.series]], *chart.rows]


def chart_xlsx(chart: Chart, scope_label: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = chart.id[:31]
    ws.append([f"{chart.title} · {scope_label}"])
    ws["A1"].font = Font(bold=True)
    for row in chart_rows(chart):
        ws.append([_safe(v) for v in row])
    if chart.note:
        ws.append([])
        ws.append([chart.note])
    ws.column_dimensions["A"].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _safe(v: Any) -> Any:
    """Text cells never start a formula (a firm or region name typed as =…)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") and v != WITHHELD:
        return "'" + v
    return v


def dashboard_pdf(*, title: str, subtitle: str, charts: list[Chart],
                  lists: list[tuple[str, int, list[Standing]]]) -> bytes:
    """Every chart as a table, then the firm lists (first rows), on A4 in Chinese."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=12)
    small = ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10, textColor=colors.grey)
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f8")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def table(rows: list[list[Any]]) -> Table:
        return Table([[Paragraph(escape(str(v)), body) for v in r] for r in rows], repeatRows=1, style=style)

    story: list[Any] = [Paragraph(escape(title), h1), Paragraph(escape(subtitle), small), Spacer(1, 4 * mm)]
    for c in charts:
        story += [Paragraph(escape(c.title), h2), table(chart_rows(c))]
        if c.note:
            story.append(Paragraph(escape(c.note), small))
    for label, total, rows in lists:
        story.append(Paragraph(escape(f"{label}（共 {total} 家，列出前 {len(rows)} 家）"), h2))
        if rows:
            story.append(table([["企业名称", "统一社会信用代码", "注册地", "说明"],
                                *[[s.enterprise.name, s.enterprise.credit_code, s.region_code, explain(s)]
                                  for s in rows]]))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                      bottomMargin=14 * mm, title=title).build(story)
    return buf.getvalue()


def explain(s: Standing) -> str:
    """One line about a firm of a list: its rung, what is at risk, the expiry or the step."""
    parts = [s.get_rung_held_display()]
    if s.at_risk:
        parts.append("按最新数据不再符合所持称号标准")
    if s.expiring and s.expires_on:
        parts.append(f"称号有效期至 {s.expires_on:%Y-%m-%d}")
    if s.rung_reachable > s.rung_held:
        parts.append(f"已符合{s.get_rung_reachable_display()}标准")
    if s.step:  # the engine's own words for the gap (money in 万元, the points it brings)
        parts.append("差距：" + "；".join(dict.fromkeys(c["effect"] for c in s.step)))
    return "；".join(str(p) for p in parts)
