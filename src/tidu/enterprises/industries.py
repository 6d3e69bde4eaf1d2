"""GB/T 4754-2017 国民经济行业分类: the shipped code list and the `industry_code` check.

The list (data/gbt4754_2017.csv, written by us) holds all 20 sections and all 97 divisions, and
中类/小类 of the divisions the ladder meets most (chemicals, medicine, plastics, metal products,
machinery, vehicles, aerospace, electrical, electronics, instruments, software and internet, R&D
and technical services, warehousing, real estate). A listed 中类 has all its 小类 listed and is
checked strictly; in COMPLETE_DIVISIONS every 中类 is listed; elsewhere a code below the division
is checked for shape and division only (`exact=False`) until the full list is shipped.
Pure Python: the engine may use it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

CODE_RE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")
# Divisions whose every 中类 is in the list: an unlisted 中类 there is an error, not a gap in our list.
COMPLETE_DIVISIONS = frozenset({"C27", "C36", "C38", "C39", "C40", "G59", "I64", "I65", "K70", "M73", "M75"})


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    level: str  # section | division | group | class


@dataclass(frozen=True)
class IndustryCheck:
    code: str
    ok: bool
    name: str = ""
    exact: bool = True  # False: accepted on section + division only (the code list is partial there)
    reason: str = ""


@cache
def industry_table() -> dict[str, Industry]:
    text = resources.files("tidu.enterprises").joinpath("data/gbt4754_2017.csv").read_text(encoding="utf-8")
    return {row["code"]: Industry(row["code"], row["name"], row["level"]) for row in csv.DictReader(text.splitlines())}


def industry_name(code: str) -> str:
    item = industry_table().get(code)
    return item.name if item else ""


def industry_choices(level: str | None = None) -> list[tuple[str, str]]:
    return [(c, f"{c} {i.name}") for c, i in industry_table().items() if level is None or i.level == level]


def normalize_industry_code(raw: str) -> str:
    return "".join(str(raw).split()).upper()


def check_industry_code(raw: str) -> IndustryCheck:
    """Is `raw` a GB/T 4754-2017 code (section, 大类, 中类 or 小类)? Explains why not, in Chinese."""
    code = normalize_industry_code(raw)
    table = industry_table()
    if not CODE_RE.match(code):
        return IndustryCheck(code, False, reason="格式应为门类字母加2～4位数字，如 C3911")
    if code in table:
        return IndustryCheck(code, True, table[code].name)
    section, digits = code[0], code[1:]
    division = table.get(code[:3])
    if division is None:
        owner = next((c for c in table if len(c) == 3 and c[1:] == digits[:2]), None)
        if owner:
            return IndustryCheck(code, False, reason=f"大类 {digits[:2]} 属于门类 {owner[0]}（{table[owner[0]].name}），不属于门类 {section}")
        return IndustryCheck(code, False, reason=f"没有大类 {digits[:2]}")
    groups_listed = code[:3] in COMPLETE_DIVISIONS
    group = table.get(code[:4])
    if len(code) == 4:  # a 中类 not in the list
        if groups_listed:
            return IndustryCheck(code, False, reason=f"{division.name}下没有中类 {digits}")
        return IndustryCheck(code, True, division.name, exact=False)
    if group is not None:  # listed 中类: its 小类 are complete
        return IndustryCheck(code, False, reason=f"{group.name}下没有小类 {digits}")
    if groups_listed:
        return IndustryCheck(code, False, reason=f"{division.name}下没有中类 {digits[:3]}")
    return IndustryCheck(code, True, division.name, exact=False)
