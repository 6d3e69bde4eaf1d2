"""Amounts that look typed in 元 into a 万元 box: questioned before they are saved, never refused.

A small firm's accountant keeps the books in 元; typing 52,000,000 into a box that means 万元 makes
revenue 5,200 亿元. Two signs, each from data rather than a guessed constant:

- the amount is 1,000 times or more the same field of the previous fiscal year (a real firm does not
  grow a thousandfold in a year; a 元/万元 slip multiplies by exactly 10,000);
- the amount reaches the revenue or total-assets level at which 《中小企业划型标准规定》 starts calling a
  firm of its industry group large (domain/size-classes.md §4, read from the size_class pack; the higher
  of the two where the group uses both): no single figure of an SME registered here is expected there.

Only amounts that change are questioned, so a figure confirmed once is not questioned again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from tidu.enterprises.models import MONEY_FIELDS, REGISTRY_NAME
from tidu.enterprises.money import yuan_to_wan_display, yuan_to_wan_text
from tidu.enterprises.registry import label

GROWTH_FACTOR = 1000  # "1,000× or more the previous year's value of the same field"


@dataclass(frozen=True)
class Suspicion:
    field: str  # model field name (or the engine record's name for what-if)
    label: str
    value: int  # yuan
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "code": "money_unit_suspect", "message": self.message,
                "value_wan": yuan_to_wan_text(self.value)}


@functools.cache
def _size_pack() -> tuple[dict[str, dict[str, int]], dict[str, str], str, Any]:
    """(large lower limits per group, group labels, fallback group, group of a code), loaded once."""
    from tidu.rules import load_packs

    packs = load_packs()
    info = packs.size_info or {}
    return (info.get("large", {}), info.get("labels", {}), str(info.get("fallback_group", "other")),
            packs.size_group_fn)


def size_group(industry_code: str) -> str | None:
    """The size-class industry group of a GB/T 4754 code (longest listed prefix), as the size_class pack says."""
    return _size_pack()[3]({"industry_code": industry_code}) if industry_code else None


def money_ceiling(industry_code: str) -> tuple[int, str, str] | None:
    """(yuan, indicator name, group label): the highest money limit (营业收入 or 资产总额) at which the
    firm's industry group starts to be large; for a group classified on employees only (or an unknown
    industry), the highest such limit of any group."""
    large, labels, fallback, _fn = _size_pack()
    names = {"Y": "营业收入", "Z": "资产总额"}
    group = size_group(industry_code) or fallback
    own = [(n, names[k], labels.get(group, group)) for k, n in large.get(group, {}).items() if k in names]
    if own:
        return max(own)
    every = [(n, names[k], "") for lims in large.values() for k, n in lims.items() if k in names]
    return max(every) if every else None


def _wan(yuan: int) -> str:
    return yuan_to_wan_display(yuan)


def yuan_suspicions(*, values: dict[str, Any], before: dict[str, Any] | None = None,
                    previous: dict[str, Any] | None = None, industry_code: str = "",
                    labels: dict[str, str] | None = None, in_yuan: bool = False) -> list[Suspicion]:
    """The amounts of `values` (yuan, keyed by model field) that look typed in 元.

    `before`: the stored values (unchanged amounts are not questioned); `previous`: the previous fiscal
    year's values; `labels`: field → Chinese label when the keys are not model fields (what-if).
    """
    out: list[Suspicion] = []
    ceiling = money_ceiling(industry_code)
    # a person typed 万元 (the forms); a program sent yuan (the API)
    ask = "请核对金额单位（本接口金额以元为单位）。" if in_yuan else "是否误按“元”填写？金额应按万元填写。"
    for f, v in values.items():
        if f not in MONEY_FIELDS and labels is None:
            continue
        if v is None or isinstance(v, bool) or (before is not None and before.get(f) == v):
            continue
        v = int(v)
        name = (labels or {}).get(f) or label(REGISTRY_NAME.get(f, f))
        last = (previous or {}).get(f)
        if last is not None and int(last) > 0 and abs(v) >= GROWTH_FACTOR * int(last):
            times = abs(v) // int(last)
            out.append(Suspicion(f, name, v, (
                f"您填写的{name}（{_wan(v)}万元）是上年的 {times:,} 倍（上年为 {_wan(int(last))}万元），{ask}")))
            continue
        if ceiling is not None and abs(v) >= ceiling[0]:
            limit, indicator, group = ceiling
            whose = f"{group}大型企业的{indicator}标准" if group else f"各行业大型企业{indicator}标准中的最高一档"
            out.append(Suspicion(f, name, v, (
                f"您填写的{name}（{_wan(v)}万元）已达到{whose}（{_wan(limit)}万元），{ask}")))
    return out


def year_suspicions(*, enterprise: Any, fiscal_year: int, values: dict[str, Any],
                    in_yuan: bool = False) -> list[Suspicion]:
    """`yuan_suspicions` of the amounts about to be saved for one firm-year, against its stored row and
    the previous fiscal year's row (one query for both)."""
    from tidu.enterprises.models import EnterpriseYear

    rows = {r.fiscal_year: r for r in EnterpriseYear.objects.filter(
        enterprise=enterprise, fiscal_year__in=(fiscal_year, fiscal_year - 1))}
    stored, last = rows.get(fiscal_year), rows.get(fiscal_year - 1)
    return yuan_suspicions(
        values={f: v for f, v in values.items() if f in MONEY_FIELDS},
        before={f: getattr(stored, f) for f in MONEY_FIELDS} if stored is not None else None,
        previous={f: getattr(last, f) for f in MONEY_FIELDS} if last is not None else None,
        industry_code=getattr(enterprise, "industry_code", "") or "",
        in_yuan=in_yuan,
    )


def stored_year_suspicions(row: Any) -> list[Suspicion]:
    """The saved amounts of one firm-year that look typed in 元: what an official checks before verifying."""
    from tidu.enterprises.models import EnterpriseYear

    last = EnterpriseYear.objects.filter(enterprise_id=row.enterprise_id, fiscal_year=row.fiscal_year - 1).first()
    found = yuan_suspicions(
        values={f: getattr(row, f) for f in MONEY_FIELDS},
        previous={f: getattr(last, f) for f in MONEY_FIELDS} if last is not None else None,
        industry_code=row.enterprise.industry_code or "",
    )
    # The firm typed these; the official reads them: the same facts, addressed to the reader.
    return [Suspicion(s.field, s.label, s.value, s.message.replace("您填写的", "企业填报的", 1)) for s in found]
