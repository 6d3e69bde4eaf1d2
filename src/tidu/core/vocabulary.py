"""The words users read for the platform's internal codes: standards, editions, the registry's "used by".

Pages, PDFs, the API's messages and the audit trail speak of the standards by their Chinese names,
never by their ids (`specialized_sme`) or the registry's abbreviations (`SP22`). One table, used everywhere.

>>> standard_name("little_giant")
'专精特新“小巨人”企业'
>>> edition_text("specialized_sme/2026")
'专精特新中小企业（2026年版）'
>>> citation_text("省级实施细则（如成都市通知），tiers.md §3")
'省级实施细则（如成都市通知）'
>>> used_by_text("SP22 (indicator 12), LG22 (N1 small tier)")
'专精特新中小企业（2022年版）、专精特新“小巨人”企业（2022年版）'
"""

from __future__ import annotations

import re

STANDARD_NAMES: dict[str, str] = {
    "size_class": "中小企业规模类型",
    "tech_sme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "specialized_sme": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "digital_level": "数字化水平",
}

# The registry's (data/fields.yaml `used_by`) abbreviations, see domain/fields.md "Conventions".
USED_BY_NAMES: dict[str, str] = {
    "SC": "中小企业规模类型",
    "TS": "科技型中小企业",
    "IN": "创新型中小企业",
    "SP22": "专精特新中小企业（2022年版）",
    "SP26": "专精特新中小企业（2026年版）",
    "LG22": "专精特新“小巨人”企业（2022年版）",
    "LG26": "专精特新“小巨人”企业（2026年版）",
    "DL": "数字化水平",
    "G": "各梯度通用条件",
}
_USED_BY_RE = re.compile(r"\b(SC|TS|IN|SP22|SP26|LG22|LG26|DL|G)\b")
_EDITION_YEAR = re.compile(r"(\d{4})")


def standard_name(standard: str) -> str:
    """The Chinese name of a standard id; an unknown id is returned as given (never raises)."""
    return STANDARD_NAMES.get(standard, standard)


def edition_year_text(edition: str) -> str:
    """'2022' or 'specialized_sme/2026' → '2026年版'; '' when no year is found."""
    m = _EDITION_YEAR.search(edition.rsplit("/", 1)[-1] if edition else "")
    return f"{m.group(1)}年版" if m else ""


def edition_text(pack_edition: str) -> str:
    """'standard/edition' (as stored with an application) → '创新型中小企业（2022年版）'."""
    standard, _sep, _edition = (pack_edition or "").partition("/")
    year = edition_year_text(pack_edition or "")
    name = standard_name(standard) if standard in STANDARD_NAMES else ""
    if name and year:
        return f"{name}（{year}）"
    return name or year


def used_by_text(used_by: str) -> str:
    """The registry's "used by" note as Chinese standard names, in order, without the English remarks."""
    names: list[str] = []
    for code in _USED_BY_RE.findall(used_by.replace("/", " ")):
        if USED_BY_NAMES[code] not in names:
            names.append(USED_BY_NAMES[code])
    return "、".join(names)


_DOC_REF = re.compile(r"[，,；;、\s]*\(?[\w-]+\.md(?:\s*§\s*[\d.]+)?\)?")


def citation_text(clause: str) -> str:
    """A pack's clause citation as users read it: the official document, without our research files."""
    return _DOC_REF.sub("", clause).strip(" ，,；;")
