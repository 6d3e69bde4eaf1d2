"""The diagnosis report as an A4 PDF in Chinese, readable on any machine (font: tidu.core.pdf)."""

from __future__ import annotations

import io
import math
from decimal import Decimal
from html import escape
from typing import Any

from tidu.core.pdf import cjk_font
from tidu.core.templatetags.tidu import wan
from tidu.enterprises import provenance
from tidu.enterprises.audit_words import record_value_text
from tidu.enterprises.registry import field_specs
from tidu.ladder.assessment import Assessment, today_shanghai

CONDITION_MARK = {"true": "✓ 满足", "false": "✗ 不满足", "unknown": "？ 无法判断"}


def _radar(groups: list[dict[str, Any]], font: str) -> Any:
    from reportlab.graphics.shapes import Drawing, Line, Polygon, String
    from reportlab.lib import colors

    groups = [g for g in groups if g.get("max")]
    if len(groups) < 3:
        return None
    size, r, n = 200.0, 60.0, len(groups)

    def xy(i: int, radius: float) -> tuple[float, float]:
        a = math.pi / 2 - 2 * math.pi * i / n
        return size / 2 + radius * math.cos(a), size / 2 + radius * math.sin(a)

    def ratio(p: str | None, m: str) -> float:
        return 0.0 if p is None else max(0.0, min(1.0, float(Decimal(p) / Decimal(m))))

    d = Drawing(size, size)
    for ring in (0.25, 0.5, 0.75, 1.0):
        d.add(Polygon([c for i in range(n) for c in xy(i, r * ring)], strokeColor=colors.lightgrey,
                      fillColor=None, strokeWidth=0.5))
    for i in range(n):
        d.add(Line(size / 2, size / 2, *xy(i, r), strokeColor=colors.lightgrey, strokeWidth=0.5))
    pts = [c for i, g in enumerate(groups) for c in xy(i, r * ratio(g["points_lo"], g["max"]))]
    d.add(Polygon(pts, fillColor=colors.HexColor("#2f8fce"), fillOpacity=0.35,
                  strokeColor=colors.HexColor("#1f6fa5"), strokeWidth=1.5))
    for i, g in enumerate(groups):
        x, y = xy(i, r + 14)
        anchor = "middle" if abs(x - size / 2) < 8 else ("start" if x > size / 2 else "end")
        d.add(String(x, y, f'{g["label"]} {g["points_lo"]}/{g["max"]}', fontName=font, fontSize=8,
                     textAnchor=anchor))
    return d


def diagnosis_pdf(a: Assessment) -> bytes:
    """Every standard's verdict, score, indicators, conditions, unknowns and gaps; editions and date."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4)
    h3 = ParagraphStyle("h3", parent=body, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=2)

    def p(text: str, style: ParagraphStyle = body) -> Any:
        return Paragraph(escape(text), style)

    def table(rows: list[list[Any]], widths: list[float]) -> Any:
        t = Table([[c if not isinstance(c, str) else p(c, small) for c in row] for row in rows],
                  colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4"))]))
        return t

    ent = a.enterprise
    story: list[Any] = [
        p(f"梯度培育诊断报告：{ent.name}", h1),
        p(f"统一社会信用代码 {ent.credit_code}；依据 {a.fiscal_year} 年度数据评估 {a.year} 年度；"
          f"报告日期 {today_shanghai():%Y-%m-%d}（北京时间）"),
    ]
    if a.fiscal_year is None:
        story.append(p("尚无年度数据，无法评估。请先在“我的企业”中填写年度数据。"))
    else:
        story.append(p(f"目前可达到的最高梯度：{a.highest_tier_label or '尚未达到任何梯度'}；"
                       f"下一步目标：{a.next_tier_label or '已达最高梯度'}"))
        rows = [["标准", "版本", "结论", "途径", "得分"]]
        for s in a.standards:
            rows.append([s["title"], s["edition"] + ("（暂按）" if s["provisional"] else ""), s["verdict_zh"],
                         s["path_zh"], _score_text(s)])
        story += [p("评估概览", h2), table(rows, [62, 26, 24, 26, 32])]
        story += [p(f"已获称号（评价基准日 {a.as_of:%Y-%m-%d}）" if a.as_of else "已获称号", h2),
                  p("本平台有认定记录的称号以认定记录为准（有效期、撤销）；本平台没有记录的称号按企业自报，"
                    "申报时由审核部门核验。", small),
                  table([["称号", "是否有效", "来源"], *_title_rows(a)], [50, 24, 100])]
        for s in a.standards:
            story.append(p(f"{s['title']}（{s['edition']}版{'，暂按' if s['provisional'] else ''}）", h2))
            story.append(p(f"结论：{s['verdict_zh']}" + (f"；途径：{s['path_zh']}" if s["path_zh"] else "")
                           + (f"；得分：{_score_text(s)}" if _score_text(s) else "")
                           + (f"；{s['level_label']}" if s["level_label"] else "") + f"；依据：{s['document']}"))
            chart = _radar(s["groups"], font)
            if chart is not None:
                story.append(chart)
            if s["indicators"]:
                story.append(p("评分指标", h3))
                story.append(table([["指标", "数值", "档位", "得分/满分"]] + [
                    [i["label"], i["value"], i["band"], f"{_pts(i)}/{i['max']}"] for i in s["indicators"]],
                    [66, 46, 38, 20]))
            if s["conditions"]:
                story.append(p("条件", h3))
                story.append(table([["条件", "结果", "说明"]] + [
                    [c["label"], CONDITION_MARK.get(c["value"], c["value"]), c["detail"]] for c in s["conditions"]],
                    [80, 26, 64]))
            if s["unknown_fields"]:
                story.append(p("缺少的数据：" + "、".join(u["label"] for u in s["unknown_fields"]), small))
            if s["gaps"]:
                story.append(p("改进建议", h3))
                story += [p(f"{n}. {g['effect']}", small) for n, g in enumerate(s["gaps"], 1)]
        if a.marks:
            story.append(p("评估所用数据及来源", h2))
            story.append(p("“来源”标明每项数据是企业自报、经主管部门核实，还是来自导入的官方数据（税务、统计等）。"
                           "金额单位：万元。", small))
            story.append(table([["项目", "数值", "来源"], *_figure_rows(a)], [84, 46, 44]))
        story.append(p("所用标准版本", h2))
        story += [p(f"· {s['title']}：{s['edition']}版" + (f"，修订 {'、'.join(s['amendments'])}" if s["amendments"] else "")
                    + (f"，地方细则 {s['overlay']}" if s["overlay"] else "") + ("（暂按）" if s["provisional"] else ""),
                    small) for s in a.standards]
    story += [Spacer(1, 6 * mm), p("本报告由梯度平台根据企业填报的数据自动生成，仅供自我评估参考；"
                                   "正式认定以主管部门审核结果为准。", small)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"梯度培育诊断报告 {ent.name}", author="梯度 Tidu")
    doc.build(story)
    return buffer.getvalue()


def _figure_rows(a: Assessment) -> list[list[str]]:
    """(label with its fiscal year, value, provenance badge) of every yearly figure the assessment used."""
    specs = field_specs()
    rows = []
    for key, mark in a.marks.items():
        spec = specs.get(key)
        value = a.record.get(key)
        if spec is None or not provenance.has_value(value):
            continue
        label = spec.label
        if key[-3:] in ("_y1", "_y2", "_y3") and a.year is not None:
            label = f"{label}（{a.year - int(key[-1])}年）"
        if spec.type == "money":
            shown = wan(value)
        elif spec.type == "bool" or isinstance(value, bool):
            shown = "是" if value else "否"
        else:
            shown = record_value_text(key, value) or _plain_text(value)  # a choice by its name, never its code
        rows.append([label, shown, provenance.mark_label(mark)])
    return rows


def _title_rows(a: Assessment) -> list[list[str]]:
    """(title, valid on the evaluation date, source with the record number or 自报 to be checked)."""
    rows = []
    for t in a.titles:
        value = "未填报" if t["value"] is None else ("是" if t["value"] else "否")
        badge = t["badge"]
        source = "—" if badge is None else (
            f"{badge['label']}（{badge['title']}）" if badge["kind"] == provenance.MarkKind.PLATFORM else badge["label"])
        if t["needs_check"]:
            source += "（需核验）"
        rows.append([t["label"], value, source])
    return rows


def _plain_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _pts(i: dict[str, Any]) -> str:
    return str(i["points_lo"]) if i["points_lo"] == i["points_hi"] else f"{i['points_lo']}–{i['points_hi']}"


def _score_text(s: dict[str, Any]) -> str:
    if s["score"] is not None:
        return f"{s['score']}分"
    if s["score_range"]:
        return f"{s['score_range'][0]}–{s['score_range'][1]}分"
    return ""
