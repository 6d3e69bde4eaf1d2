"""Files and charts of the self-assessment: the diagnosis as a Chinese PDF, the distribution of
levels as an inline SVG chart and as an Excel workbook. The PDF embeds the platform's Chinese font
(tidu.core.pdf), so it reads the same on any machine."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from tidu.core.pdf import cjk_font
from tidu.core.text import neutralise_cell
from tidu.digital.questionnaire import LEVEL_LABELS
from tidu.digital.selectors import Distribution

LEVEL_COLOURS = {0: "#c9ced6", 1: "#f2c14e", 2: "#f08a4b", 3: "#2f8fce", 4: "#1a7f37"}


def diagnosis_pdf(context: dict[str, Any]) -> bytes:
    """The result page as an A4 PDF in Chinese."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName=cjk_font(), fontSize=10.5, leading=16, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4)
    a, q, score, diag = context["a"], context["q"], context["score"], context["diagnosis"]
    story: list[Any] = [
        Paragraph(escape(f"数字化水平评测诊断报告：{a.enterprise.name}"), h1),
        Paragraph(escape(f"{q.title}；评测日期 {a.assessed_on:%Y-%m-%d}"), body),
        Paragraph(escape(f"总分 {a.score} 分，等级：{context['level_label']}"
                         + ("（暂定：" + q.level_rule + "）" if q.provisional else "")), body),
        Paragraph("各维度得分", h2),
    ]
    rows = [["维度", "得分", "满分"]] + [[p.name, str(p.score), str(p.max)] for p in score.dimensions]
    table = Table(rows, colWidths=[60 * mm, 30 * mm, 30 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), body.fontName), ("FONTSIZE", (0, 0), (-1, -1), 10),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4"))]))
    story += [table, Paragraph("薄弱环节", h2)]
    story += [Paragraph(escape(f"· {p.name}：{p.score}/{p.max} 分（{p.ratio:.0%}）"), body) for p in diag.weakest]
    story += [Paragraph(escape(f"· 场景“{sq.text}”：{lvl}级"), body) for sq, lvl in diag.weakest_scenarios]
    story.append(Paragraph("迈向下一级", h2))
    if diag.next_level:
        story.append(Paragraph(escape(f"距{diag.next_label}还差 {diag.points_to_next} 分。{diag.next_label}的要求："
                                      f"{diag.next_description}。提分空间最大的题目："), body))
        story += [Paragraph(escape(f"· {g.question.text}：还可得 {g.points_available} 分（{g.best_option}）"), body)
                  for g in diag.gains]
    else:
        story.append(Paragraph("已达到最高等级（四级）。", body))
    story.append(Paragraph("同行对比", h2))
    story += [Paragraph(escape(p.message), body) for p in context["peers"]]
    story += [Spacer(1, 8 * mm), Paragraph(escape("本报告由梯度平台根据企业自评生成，仅供参考；正式评测以国家平台"
                                                  "（zjtx.miit.gov.cn）结果为准。"), body)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title="数字化水平评测诊断报告")
    doc.build(story)
    return buffer.getvalue()


def distribution_svg(dist: Distribution, *, width: int = 760) -> str:
    """Horizontal stacked bars, one per sub-industry, coloured by level (inline SVG, no script)."""
    bar_h, gap, left, top = 22, 8, 230, 34
    height = top + len(dist.rows) * (bar_h + gap) + 10
    biggest = max((r["total"] for r in dist.rows), default=1) or 1
    scale = (width - left - 60) / biggest
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="数字化水平等级分布" '
             f'viewBox="0 0 {width} {height}" width="100%" font-size="12">']
    x: float = left
    for lvl in dist.levels:  # legend
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{LEVEL_COLOURS[lvl]}"/>'
                     f'<text x="{x + 16}" y="17">{escape(LEVEL_LABELS[lvl])}</text>')
        x += 90
    for i, row in enumerate(dist.rows):
        y = top + i * (bar_h + gap)
        label = escape(f"{row['division']} {row['name']}"[:18])
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{label}</text>')
        x = float(left)
        for lvl in dist.levels:
            n = row["counts"][lvl]
            if not n:
                continue
            w = n * scale
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{LEVEL_COLOURS[lvl]}">'
                         f'<title>{label} {escape(LEVEL_LABELS[lvl])}：{n}家</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{row["total"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def distribution_xlsx(dist: Distribution) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "数字化水平等级分布"
    sheet.append(["行业大类代码", "行业大类", *[LEVEL_LABELS[lvl] for lvl in dist.levels], "合计"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in dist.rows:
        # text cells neutralised like every export (tidu.core.text): a name never runs as a formula
        sheet.append([neutralise_cell(row["division"]), neutralise_cell(row["name"]),
                      *[row["counts"][lvl] for lvl in dist.levels], row["total"]])
    sheet.append(["合计", "", *[dist.totals[lvl] for lvl in dist.levels], dist.firms])
    sheet.column_dimensions["B"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
