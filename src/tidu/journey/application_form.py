"""The application form (申报书) the province asks to be printed, stamped and handed in, as an A4 PDF.

Built only from what the application froze when the firm locked it (figures with their provenance marks,
the engine's assessment, the signed commitment) and its list of attachments (frozen by the lock too),
never from the live register: a firm that edits its figures after locking cannot make the paper differ
from the online record. Every page carries the record's fingerprint (`frozen.fingerprint`), which the
detail page also shows; the stamped scan is uploaded against that fingerprint, and unlocking discards
both (docs/decisions/0079-lock-print-stamp-submit.md).
"""

from __future__ import annotations

import io
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from tidu.core.errors import ErrorCode, TiduError
from tidu.core.pdf import cjk_font
from tidu.core.templatetags.tidu import wan
from tidu.core.vocabulary import citation_text, edition_year_text
from tidu.enterprises import provenance
from tidu.enterprises.audit_words import record_value_text
from tidu.journey import frozen
from tidu.journey.models import Application, AttachmentKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERDICTS = {"true": "满足", "false": "不满足", "unknown": "尚需审核判断"}
CONDITION_MARK = {"true": "✓ 满足", "false": "✗ 不满足", "unknown": "？ 待判断"}


def _value_text(row: dict[str, Any]) -> str:
    value = row["value"]
    if row["type"] == "money":
        return f"{wan(value)} 万元"
    if row["type"] == "bool" or isinstance(value, bool):
        return "是" if value else "否"
    return record_value_text(str(row.get("name", "")), value) or str(value)  # a choice by its name


def _when(value: Any) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else "—"


def application_form_pdf(app: Application) -> bytes:
    """The 申报书 of a locked (or submitted) application (the caller has checked that the user may see it)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if app.locked_at is None or not app.frozen_figures:
        raise TiduError(ErrorCode.VALIDATION, detail="申报尚未锁定，锁定后才能生成申报书")
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=4)
    subtitle = ParagraphStyle("subtitle", parent=body, alignment=1, spaceAfter=8)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4)

    def p(text: str, style: ParagraphStyle = body) -> Any:
        return Paragraph(escape(text), style)

    def table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Any:
        t = Table([[c if not isinstance(c, str) else p(c, small) for c in row] for row in rows],
                  colWidths=[w * mm for w in widths], repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")))
        t.setStyle(TableStyle(style))
        return t

    figures = app.frozen_figures
    result = app.frozen_assessment or {}
    digest = frozen.fingerprint(app)
    name = str(figures.get("name") or app.enterprise.name)
    region = app.enterprise.region  # the register's region of the code frozen below (reference data)
    region_code = str(figures.get("region_code") or app.enterprise.region_id)
    region_text = f"{region.full_name}（{region_code}）" if region.code == region_code else region_code

    story: list[Any] = [
        p(f"{app.round.get_tier_display()}申报书", title),
        p(app.round.name, subtitle),
        table([
            ["申报企业", name],
            ["统一社会信用代码", str(figures.get("credit_code") or "")],
            ["注册地", region_text],
            ["国民经济行业代码", str(figures.get("industry_code") or "—")],
            ["数据所属会计年度", f"{app.fiscal_year}年度（评价年度 {app.evaluation_year} 年）"],
            ["锁定时间", _when(app.locked_at)],
            ["申报编号", f"TIDU-{app.pk}"],
            ["数据指纹（SHA-256）", digest],
        ], [45, 129], header=False),
    ]

    rows = [r for r in frozen.figure_rows(figures, app.evaluation_year)
            if r["name"] not in {"credit_code", "name", "region_code", "industry_code", "year"}]  # in the header
    story += [p("一、企业数据", h2),
              p("“来源”一栏标明每项数据是企业自报、经主管部门核实，还是来自导入的官方数据（税务、统计等），"
                "均为锁定申报时的状态。金额单位：万元。", small)]
    story.append(table([["项目", "数值", "来源"]] + [[r["label"], _value_text(r), _source_text(r)] for r in rows],
                       [80, 44, 50]))

    story.append(p("二、自评结果（锁定时冻结）", h2))
    if result.get("engine") == "error" or not result.get("pack_edition"):
        story.append(p(str(result.get("note") or "锁定时评价引擎未给出结果，由主管部门根据上表数据审核。")))
    else:
        score = f"；得分 {result['score']}" if result.get("score") else ""
        story.append(p(f"评价标准：{result.get('title', '')}（{edition_year_text(str(result['pack_edition']))}）；"
                       f"结论：{VERDICTS.get(str(result.get('verdict')), '—')}{score}；评价基准日 {result.get('as_of', '')}"))
        if result.get("conditions"):
            story.append(table([["条件", "结果", "依据条款"]] + [
                [str(c.get("label", "")), str(c.get("detail") or CONDITION_MARK.get(str(c.get("value")), "")),
                 citation_text(str(c.get("clause") or ""))] for c in result["conditions"]], [78, 56, 40]))
        if result.get("indicators"):
            story.append(Spacer(1, 3 * mm))
            story.append(table([["评分指标", "取值", "得分/满分"]] + [
                [str(i.get("label", "")), str(i.get("value") or ""), _points(i)] for i in result["indicators"]],
                [86, 58, 30]))
    prereq = result.get("prerequisite")
    if prereq:
        story.append(p(f"申报前提：{prereq.get('title', '')}——满足：{prereq.get('label', '')}，"
                       + _title_source(prereq), small))
    flags = result.get("prescreen_flags") or []
    if flags:
        story.append(p("预审提示：" + "；".join(str(f.get("message", "")) for f in flags), small))

    # The stamped copy is made from this paper: it cannot be listed on it.
    attachments = list(app.attachments.exclude(kind=AttachmentKind.STAMPED_FORM))
    story.append(p("三、附件清单", h2))
    if attachments:
        story.append(table([["序号", "材料类型", "文件名", "大小", "SHA-256（前16位）"]] + [
            [str(n), str(a.get_kind_display()), a.original_name, f"{max(1, round(a.size / 1024))} KB", a.sha256[:16]]
            for n, a in enumerate(attachments, 1)], [10, 34, 62, 20, 48]))
    else:
        story.append(p("无附件。"))

    story.append(p("四、真实性承诺", h2))
    story.append(p(app.commitment_text or "—"))
    story.append(p(f"承诺签署时间：{_when(app.commitment_signed_at)}", small))
    stamp = Table([[p("企业盖章", body), p("法定代表人签字", body), p("日期", body)], ["", "", ""]],
                  colWidths=[58 * mm] * 3, rowHeights=[9 * mm, 32 * mm])
    stamp.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4"))]))
    story.append(KeepTogether([Spacer(1, 5 * mm), stamp, Spacer(1, 2 * mm),
                               p("日期请按“年 月 日”填写。本申报书由梯度平台根据申报锁定时冻结的数据生成，与平台上的申报记录一致；"
                                 "页脚的数据指纹可在平台申报详情页核对。解除锁定后本申报书作废，须重新锁定、下载并盖章。", small)]))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.drawString(18 * mm, 10 * mm, f"申报编号 TIDU-{app.pk} · 数据指纹 {digest[:16]}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=18 * mm, title=f"申报书 {name}", author="梯度 Tidu")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _title_source(prereq: dict[str, Any]) -> str:
    """Where the title an application relied on comes from: the platform record, or 自报 to be checked."""
    source = prereq.get("source") or {}
    if prereq.get("needs_check"):
        return f"{source.get('label', '自报')}（本平台无该称号的认定记录，需核验认定文件）"
    return f"{source.get('label', '')}（{source.get('title', '')}）"


def _source_text(row: dict[str, Any]) -> str:
    badge = row["badge"]
    if badge is None:  # the firm's basic facts (name, codes, founding date …), not yearly figures
        return "—"
    if badge["kind"] == provenance.MarkKind.SELF:
        return str(badge["label"])
    return f"{badge['label']}（{badge['title']}）"


def _points(i: dict[str, Any]) -> str:
    lo, hi = i.get("points_lo"), i.get("points_hi")
    pts = lo if lo == hi else f"{lo}～{hi}"
    return f"{pts if pts is not None else '—'} / {i.get('max') or '—'}"
