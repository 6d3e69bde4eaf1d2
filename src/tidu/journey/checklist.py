"""The materials each tier asks for, as data: which attachment kinds exist for the tier, which are required
before submission, and the hint shown to the firm. `status` reads an application against its list.

Grounding (domain/tiers.md; docs/decisions/0079-lock-print-stamp-submit.md):
- 盖章申报书 — every tier: the printed application form, stamped, is what the province files; it must be
  printed from the application's current lock (its fingerprint).
- 营业执照 — every tier: the proof of G1 (registered in the PRC with independent legal personality, §3).
- 审计报告 / 财务报表 — required for 小巨人: "financial data from audited reports registered on the MOF
  auditors' platform" (2025 notice, §6.4 [V]; the 2026 notice adds that they show 主营业务收入 and
  主营业务成本 [S]); required for 专精特新 because C2 and C3 (§5.1) are hard thresholds on last year's
  revenue and R&D, which the reviewer checks against the accounts (the platform's reading); advised
  for 创新型, whose score reads the same ratios (§4.1) but whose rules name no material.
- 研发费用专项审计/鉴证报告 — offered where R&D is a hard condition (专精特新 C2, 小巨人 N1), never
  required: no text found requires it nationally; reviewers may return an application to ask for it.
- 知识产权证明, 股权融资证明 — offered where an indicator or condition reads them (IP: §4.1 #1, §5.2,
  §6.2 N3 — 2026 little giants' patents come from CNIPA; financing: D4, C3, N1 small tier; Guangdong 2026
  asks proof that the round sold ≤ 30% of the equity, §4.2).
- 其他 — anything else (awards, honours, R&D institution certificates: the direct conditions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tidu.journey import frozen
from tidu.journey.models import Application, Attachment, AttachmentKind, Tier


@dataclass(frozen=True)
class Item:
    kind: AttachmentKind
    required: bool
    hint: str | Promise


_LICENCE = Item(AttachmentKind.BUSINESS_LICENCE, True, _("营业执照副本扫描件，统一社会信用代码须与申报企业一致。"))
_STAMPED = Item(AttachmentKind.STAMPED_FORM, True,
                _("锁定后下载申报书，打印、加盖企业公章并由法定代表人签字，扫描后上传；须为当前锁定版本（页脚数据指纹一致）。"))
_OTHER = Item(AttachmentKind.OTHER, False, _("获奖证书、高新技术企业等荣誉证书、研发机构认定文件等其他证明材料。"))

CHECKLISTS: dict[str, tuple[Item, ...]] = {
    Tier.INNOVATIVE_SME: (
        _LICENCE,
        Item(AttachmentKind.FINANCIAL_REPORT, False,
             _("建议上传上年度财务报表或审计报告：研发费用占比、主营业务收入增长率、资产负债率等评分指标的依据。")),
        Item(AttachmentKind.IP_PROOF, False, _("与主导产品相关的有效知识产权证书（专利、软件著作权等）。")),
        Item(AttachmentKind.FINANCING_PROOF, False,
             _("以近三年合格机构投资者实缴股权融资满足直通条件时提供（部分省份另需证明该轮融资出让股权不超过30%）。")),
        _OTHER,
        _STAMPED,
    ),
    Tier.SPECIALIZED_SME: (
        _LICENCE,
        Item(AttachmentKind.FINANCIAL_REPORT, True,
             _("上年度审计报告或财务报表，须反映营业收入和研发费用（研发费用、营业收入条件的依据）。")),
        Item(AttachmentKind.RD_AUDIT, False, _("研发费用专项审计或鉴证报告，建议上传以便核实研发费用条件。")),
        Item(AttachmentKind.IP_PROOF, False, _("与主导产品相关的Ⅰ类、Ⅱ类知识产权证书。")),
        Item(AttachmentKind.FINANCING_PROOF, False, _("营业收入不足1000万元、以近两年股权融资满足条件时提供实缴凭证。")),
        _OTHER,
        _STAMPED,
    ),
    Tier.LITTLE_GIANT: (
        _LICENCE,
        Item(AttachmentKind.FINANCIAL_REPORT, True,
             _("近两年经会计师事务所审计的年度审计报告（须在财政部统一监管平台备案，反映主营业务收入和主营业务成本）。")),
        Item(AttachmentKind.RD_AUDIT, False, _("研发费用专项审计或鉴证报告，研发投入强度条件的依据，建议上传。")),
        Item(AttachmentKind.IP_PROOF, False,
             _("与主导产品相关、已实际应用的Ⅰ类知识产权证明（专利数据以国家知识产权局为准）。")),
        Item(AttachmentKind.FINANCING_PROOF, False, _("营业收入低于5000万元、以近两年股权融资满足研发条件时提供实缴凭证。")),
        _OTHER,
        _STAMPED,
    ),
}


def items_for(tier: str) -> tuple[Item, ...]:
    return CHECKLISTS[tier]


def kinds_for(tier: str) -> list[str]:
    return [str(item.kind) for item in CHECKLISTS[tier]]


def stamped_is_current(app: Application, att: Attachment, fingerprint: str | None = None) -> bool:
    """A stamped copy counts only while the application is locked with the record it was printed from."""
    if att.kind != AttachmentKind.STAMPED_FORM or not app.locked:
        return False
    return att.form_fingerprint == (fingerprint if fingerprint is not None else frozen.fingerprint(app))


def status(app: Application, attachments: list[Attachment] | None = None) -> list[dict[str, Any]]:
    """The tier's checklist against the application's attachments: one row per kind with the files of
    that kind, whether the kind is satisfied (`ok`), and for the stamped copy which files are stale."""
    atts = list(app.attachments.all()) if attachments is None else attachments
    fingerprint = frozen.fingerprint(app) if app.locked else ""
    rows = []
    for item in CHECKLISTS[app.tier]:
        files = [a for a in atts if a.kind == item.kind]
        if item.kind == AttachmentKind.STAMPED_FORM:
            current = [a for a in files if stamped_is_current(app, a, fingerprint)]
            ok = bool(current)
        else:
            current, ok = files, bool(files)
        rows.append({"kind": str(item.kind), "label": item.kind.label, "required": item.required, "hint": item.hint,
                     "files": files, "ok": ok, "stale": [a for a in files if a not in current]})
    return rows


def missing_required(app: Application, attachments: list[Attachment] | None = None) -> list[str]:
    """Labels of the required kinds not yet satisfied, in checklist order."""
    return [str(row["label"]) for row in status(app, attachments) if row["required"] and not row["ok"]]
