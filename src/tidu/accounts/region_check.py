"""Does the credit code's registration authority sit where the registrant says the firm is registered?

Characters 3–8 of a 统一社会信用代码 are the region code of the authority that issued it
(domain/taxonomies.md §8.1). A firm may have moved since (taxonomies.md §7: its jurisdiction is its
registration region), so a difference is not an error; but it is what a squatter's registration looks
like, so the official who reviews the registration must see it. The comparison is made at the level
the issuing code allows:

- the same county code: consistent;
- an authority above county level (a province 440000, a city 440300 such as Shenzhen's market
  regulator, or a city's old 市辖区 code 440301 no longer in the table): consistent when the chosen
  region lies under it;
- a retired county code (莱城区 371202 went to 济南 in 2019): compared at the level that still exists,
  its city if that is current, else its province;
- otherwise a different region in the same province is FLAG (accepted, shown to the county), and a
  code from another province, or one whose province does not exist, is HOLD (the county must confirm
  before the account opens).

`compare` is pure (it is given what the region table says); `credit_code_region_check` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from tidu.regions.models import Region, RegionLevel

OK, FLAG, HOLD = "ok", "flag", "hold"


class RegionFacts(NamedTuple):
    """What the table knows of one code."""

    level: str  # province / city / county
    active: bool
    label: str  # e.g. 广东省深圳市南山区


@dataclass(frozen=True)
class RegionCheck:
    verdict: str  # OK, FLAG or HOLD
    code_region: str  # characters 3–8 of the credit code
    code_label: str  # "440305 广东省深圳市南山区" / "371202 莱城区（已撤销）" / "999999（区划代码表中没有）"
    chosen_label: str
    scope: str  # the level compared at: county, city, province

    @property
    def ok(self) -> bool:
        return self.verdict == OK

    @property
    def message(self) -> str:
        if self.ok:
            return ""
        # Stored with the request and read by the county: always in Chinese, whatever the registrant's language.
        text = f"信用代码登记机关所在地（{self.code_label}）与所选注册地（{self.chosen_label}）不一致"
        if self.verdict == HOLD:
            text += "，且不在同一省份，需所在地主管部门确认后才能开通"
        return text


def _prefix_for(level: str, code: str) -> str:
    prefixes: dict[str, str] = {RegionLevel.PROVINCE: code[:2], RegionLevel.CITY: code[:4]}
    return prefixes.get(level, code)


def compare(code_region: str, chosen: str, facts: dict[str, RegionFacts], *, chosen_label: str = "") -> RegionCheck:
    """Compare the issuing region `code_region` with the chosen registration region `chosen`.

    `facts` holds what the region table says of code_region, its city (PPCC00) and province (PP0000).

    >>> f = {"440300": RegionFacts("city", True, "广东省深圳市"), "440000": RegionFacts("province", True, "广东省"),
    ...      "440305": RegionFacts("county", True, "广东省深圳市南山区")}
    >>> [compare(c, "440305", f).verdict for c in ("440305", "440300", "440000", "440304", "440301", "450103")]
    ['ok', 'ok', 'ok', 'flag', 'ok', 'hold']
    """
    city, province = code_region[:4] + "00", code_region[:2] + "0000"
    own = facts.get(code_region)
    if own is not None:
        label = f"{code_region} {own.label}" + ("" if own.active else "（已撤销）")
    else:
        label = f"{code_region}（区划代码表中没有）"

    if own is not None and (own.active or own.level != RegionLevel.COUNTY):
        scope = own.level  # a current code, or an authority above county level (current or not)
    elif own is not None:  # a retired county: its city if that still exists, else its province
        city_facts = facts.get(city)
        scope = RegionLevel.CITY if city_facts is not None and city_facts.active else RegionLevel.PROVINCE
    elif code_region[4:] in {"00", "01"} and city in facts:  # a city authority, or its old 市辖区 code
        scope = RegionLevel.CITY
    else:
        scope = "unknown"

    if province not in facts:
        verdict = HOLD
    elif scope != "unknown" and chosen.startswith(_prefix_for(scope, code_region)):
        verdict = OK
    else:
        verdict = FLAG if chosen[:2] == code_region[:2] else HOLD
    if scope == "unknown":
        scope = RegionLevel.COUNTY
    return RegionCheck(verdict=verdict, code_region=code_region, code_label=label,
                       chosen_label=chosen_label or chosen, scope=str(scope))


def credit_code_region_check(credit_code: str, chosen: Region) -> RegionCheck:
    """The check for a (valid) credit code and the chosen registration region, with one query."""
    code_region = credit_code[2:8]
    codes = {code_region, code_region[:4] + "00", code_region[:2] + "0000"}
    facts = {
        r.code: RegionFacts(r.level, r.active, r.full_name)
        for r in Region.objects.filter(code__in=codes).select_related("parent__parent")
    }
    return compare(code_region, chosen.code, facts, chosen_label=f"{chosen.code} {chosen.full_name}")
