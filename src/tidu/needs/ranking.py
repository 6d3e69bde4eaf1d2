"""Fit between needs and firms, with reasons, on `tidu.matching` (BM25 over text + named boosts).

Two directions share one scoring: the owner sees SMEs ranked for its need; an SME sees open needs ranked for
it. The pure part (profiles in, ranked ids and reasons out) needs no database, so benchmarks/needs_recall.py
runs it on a hand-labelled set; `firms_for_need` / `needs_for_firm` build the profiles from the register.

Reasons name only what the large firm may know: the field, titles held (public recognitions), region, past
accepted solutions on this platform, and words of the firm's name and main product. R&D and patent figures
count in the score but a reason never states a number: figures reach the owner only through a response's
shared figures. See docs/decisions/0093-needs-matching-and-funnel.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tidu.matching.index import Boost, Filter, Index, Item, Query
from tidu.needs.models import TEN_FIELD_CODE, NeedField

FIRM_FIELD_WEIGHTS = {"name": 1.0, "products": 2.0, "industry": 1.0, "cases": 1.0}
NEED_FIELD_WEIGHTS = {"title": 3.0, "indicators": 1.0, "description": 1.0}
# Boost weights: a field match counts like a strong keyword; titles follow the ladder.
W_FIELD = 3.0
W_TITLE = {"cert_little_giant_valid": 2.0, "cert_specialized_valid": 1.5, "cert_innovative_valid": 1.0,
           "cert_tech_sme_valid": 0.5}
TITLE_WORDS = {"cert_little_giant_valid": "专精特新“小巨人”企业", "cert_specialized_valid": "专精特新中小企业",
               "cert_innovative_valid": "创新型中小企业", "cert_tech_sme_valid": "科技型中小企业"}
W_STRONG_RD = 1.0
W_ACCEPTED = 1.5
W_SAME_CITY = 0.7
W_SAME_PROVINCE = 0.3
STRONG_PATENTS = 5  # invention patents
STRONG_RD_RATIO = 0.05  # R&D expense / revenue

# GB/T 4754 code prefixes → the need field a firm of that industry most likely serves (longest prefix wins).
INDUSTRY_FIELDS: dict[str, str] = {
    "C39": NeedField.ICT, "I65": NeedField.ICT, "I64": NeedField.ICT, "I63": NeedField.ICT,
    "C34": NeedField.ROBOTICS, "C3491": NeedField.ROBOTICS, "C342": NeedField.ROBOTICS, "C40": NeedField.ROBOTICS,
    "C374": NeedField.AEROSPACE, "C373": NeedField.MARINE, "C371": NeedField.RAIL, "C36": NeedField.VEHICLES,
    "C38": NeedField.POWER, "C3825": NeedField.ENERGY, "C3841": NeedField.VEHICLES, "C357": NeedField.AGRI,
    "C26": NeedField.MATERIALS, "C29": NeedField.MATERIALS, "C30": NeedField.MATERIALS, "C31": NeedField.MATERIALS,
    "C32": NeedField.MATERIALS, "C33": NeedField.MATERIALS, "C27": NeedField.BIOMED, "C358": NeedField.BIOMED,
    "N77": NeedField.ENERGY, "D44": NeedField.ENERGY, "M745": NeedField.OTHER,
}
_TEN_TO_FIELD = {code: f for f, code in TEN_FIELD_CODE.items()}


def industry_field(industry_code: str) -> str | None:
    best = max((p for p in INDUSTRY_FIELDS if industry_code.startswith(p)), key=len, default=None)
    return INDUSTRY_FIELDS[best] if best else None


@dataclass(frozen=True)
class FirmProfile:
    id: str
    name: str
    region_code: str
    industry_code: str = ""
    industry_name: str = ""
    products: str = ""  # main product and business, as the firm describes it
    ten_field: str = ""  # product_ten_fields_code
    titles: frozenset[str] = frozenset()  # cert_*_valid names held
    invention_patents: int = 0
    rd_ratio: float | None = None
    accepted_fields: frozenset[str] = frozenset()  # fields of needs whose solution it delivered (accepted)
    cases: str = ""  # titles of those needs

    def fields(self) -> list[str]:
        found = [f for f in (_TEN_TO_FIELD.get(self.ten_field), industry_field(self.industry_code)) if f]
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class NeedProfile:
    id: str
    title: str
    field: str
    region_code: str
    description: str = ""
    indicators: str = ""
    invited: frozenset[str] = frozenset()  # firm ids invited


@dataclass
class Ranked:
    id: str
    score: float
    reasons: list[str] = field(default_factory=list)


def field_label(value: str) -> str:
    return str(NeedField(value).label) if value in NeedField.values else value


def firm_item(p: FirmProfile) -> Item:
    strong = p.invention_patents >= STRONG_PATENTS or (p.rd_ratio is not None and p.rd_ratio >= STRONG_RD_RATIO)
    return Item(p.id, {"name": p.name, "products": p.products, "industry": p.industry_name, "cases": p.cases},
                {"fields": p.fields(), "titles": sorted(p.titles), "region": p.region_code,
                 "strong_rd": strong, "accepted": sorted(p.accepted_fields)})


def firm_index(profiles: Iterable[FirmProfile]) -> Index:
    index = Index(field_weights=FIRM_FIELD_WEIGHTS)
    index.add_many(firm_item(p) for p in profiles)
    return index


def _region_boosts(region_code: str, attribute: str = "region") -> list[Boost]:
    return [Boost(Filter(attribute, "prefix", region_code[:4], "与需求同在一个地级市"), W_SAME_CITY),
            Boost(Filter(attribute, "prefix", region_code[:2], "与需求同在一个省份"), W_SAME_PROVINCE)]


def _text_reason(words: Sequence[str]) -> str | None:
    return f"企业名称或主营产品与需求相关：{'、'.join(words[:5])}" if words else None


def rank_firms(index: Index, need: NeedProfile, *, limit: int = 10, exclude: Sequence[str] = (),
               region_prefix: str = "") -> list[Ranked]:
    """SMEs best fitting `need`, best first, each with its reasons in Chinese; only firms whose region code
    starts with `region_prefix` when one is given (an official's jurisdiction)."""
    label = field_label(need.field)
    boosts = [Boost(Filter("fields", "eq", need.field, f"主营领域属于{label}"), W_FIELD)]
    boosts += [Boost(Filter("titles", "eq", t, f"持有{TITLE_WORDS[t]}称号"), w) for t, w in W_TITLE.items()]
    boosts += [Boost(Filter("strong_rd", "eq", True, "知识产权和研发投入较多（具体数据以企业自愿共享为准）"), W_STRONG_RD),
               Boost(Filter("accepted", "eq", need.field, f"曾在本平台完成{label}方向的揭榜项目并通过验收"),
                     W_ACCEPTED)]
    boosts += _region_boosts(need.region_code)
    text = "\n".join([need.title, need.title, need.indicators, need.description])
    filters = (Filter("region", "prefix", region_prefix),) if region_prefix else ()
    results = index.search(Query(text=text, filters=filters, boosts=tuple(boosts), limit=limit + len(exclude),
                                 min_text_score=-1.0))
    out = []
    for r in results:
        if r.id in exclude:
            continue
        reasons = [x for x in [_text_reason(r.explanation.matched_words)] if x]
        reasons += [b for b in r.explanation.boosts_applied if b != "与需求同在一个省份"
                    or "与需求同在一个地级市" not in r.explanation.boosts_applied]
        out.append(Ranked(r.id, round(r.score, 2), reasons))
    return out[:limit]


def need_index(needs: Iterable[NeedProfile]) -> Index:
    index = Index(field_weights=NEED_FIELD_WEIGHTS)
    index.add_many(Item(n.id, {"title": n.title, "indicators": n.indicators, "description": n.description},
                        {"field": n.field, "region": n.region_code, "invited": sorted(n.invited)}) for n in needs)
    return index


def rank_needs(index: Index, firm: FirmProfile, *, limit: int = 20) -> list[Ranked]:
    """Open needs best fitting `firm`, best first, with reasons."""
    boosts = [Boost(Filter("field", "in", firm.fields(),
                           "需求领域与贵企业主营领域一致"), W_FIELD),
              Boost(Filter("invited", "eq", firm.id, "贵企业已受邀揭榜"), W_FIELD)]
    boosts += [Boost(Filter("region", "prefix", firm.region_code[:4], "需求方与贵企业同在一个地级市"), W_SAME_CITY),
               Boost(Filter("region", "prefix", firm.region_code[:2], "需求方与贵企业同在一个省份"), W_SAME_PROVINCE)]
    text = "\n".join([firm.name, firm.products, firm.products, firm.industry_name, firm.cases])
    results = index.search(Query(text=text, boosts=tuple(boosts), limit=limit, min_text_score=-1.0))
    out = []
    for r in results:
        reasons = [f"需求内容与贵企业相关：{'、'.join(r.explanation.matched_words[:5])}"] \
            if r.explanation.matched_words else []
        applied = r.explanation.boosts_applied
        reasons += [b for b in applied if not (b.endswith("同在一个省份") and "需求方与贵企业同在一个地级市" in applied)]
        out.append(Ranked(r.id, round(r.score, 2), reasons))
    return out


def need_profile(need: Any) -> NeedProfile:
    invited = frozenset(str(i.enterprise_id) for i in need.invitations.all())
    return NeedProfile(str(need.pk), need.title, need.field, need.region_id, need.description, need.indicators,
                       invited)
