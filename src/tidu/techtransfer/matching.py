"""How achievements, firms and needs meet (pure Python, no Django: the tests call it directly).

An achievement is a search item: its title counts most, then keywords, field and kind labels, then the
description. Its industry codes become an attribute, so a firm whose GB/T 4754 code they cover gets a boost
named in the reasons. A firm's query is its industry's name and its main products; a need's query is its
title, field and description. Reasons are the words that matched plus the boosts that applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tidu.matching import Boost, Filter, Index, Item, Query

FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.5, "field": 1.5, "kind": 1.0, "description": 1.0, "platform": 0.5}
INDUSTRY_BOOST = 2.0
MATURE_BOOST = 0.5


def industry_prefixes(raw: str) -> list[str]:
    """The industry codes an achievement names, upper-cased, in order, each once.

    >>> industry_prefixes("c34  C35,C34")
    ['C34', 'C35']
    """
    out: list[str] = []
    for part in raw.replace(",", " ").replace("，", " ").replace("、", " ").split():
        code = part.strip().upper()
        if code and code not in out:
            out.append(code)
    return out


def achievement_item(row: Mapping[str, Any]) -> Item:
    """An `Item` from an achievement as a mapping: id, title, keywords, field_label, kind_label, description,
    platform, industry_codes (text), field, kind, maturity."""
    return Item(
        id=str(row["id"]),
        fields={
            "title": str(row.get("title") or ""),
            "keywords": str(row.get("keywords") or ""),
            "field": str(row.get("field_label") or ""),
            "kind": str(row.get("kind_label") or ""),
            "description": str(row.get("description") or ""),
            "platform": str(row.get("platform") or ""),
        },
        attributes={
            "field": str(row.get("field") or ""),
            "kind": str(row.get("kind") or ""),
            "maturity": str(row.get("maturity") or ""),
            "industries": industry_prefixes(str(row.get("industry_codes") or "")),
        },
    )


def achievement_index(rows: Iterable[Mapping[str, Any]]) -> Index:
    index = Index(field_weights=FIELD_WEIGHTS)
    index.add_many(achievement_item(r) for r in rows)
    return index


@dataclass(frozen=True)
class Match:
    id: str
    score: float
    reasons: tuple[str, ...]


def _reasons(result: Any) -> tuple[str, ...]:
    words = result.explanation.matched_words[:6]
    reasons = [f"关键词相符：{'、'.join(words)}"] if words else []
    sounds = result.explanation.matched_sounds[:4]
    if sounds:
        reasons.append(f"读音相近：{'、'.join(sounds)}")
    reasons.extend(result.explanation.boosts_applied)
    return tuple(reasons)


def search(index: Index, text: str, *, field: str = "", kind: str = "", limit: int = 50) -> list[Match]:
    """Words typed by a firm (typos in pinyin tolerated), optionally one field and one kind."""
    filters = []
    if field:
        filters.append(Filter("field", "eq", field, label="技术领域"))
    if kind:
        filters.append(Filter("kind", "eq", kind, label="成果类型"))
    results = index.search(Query(text=text, filters=tuple(filters), limit=limit))
    return [Match(r.id, r.score, _reasons(r)) for r in results]


GENERIC_INDUSTRY_WORDS = ("制造业", "制造", "加工", "生产", "服务", "批发", "零售", "其他")


def firm_query_text(industry_label: str, products: Sequence[str]) -> str:
    """The words of a firm's industry name without the generic ones every name shares, and its products.

    >>> firm_query_text("机械零部件加工", ["不锈钢阀门"])
    '机械零部件 不锈钢阀门'
    """
    label = industry_label
    for word in GENERIC_INDUSTRY_WORDS:
        label = label.replace(word, " ")
    return " ".join(" ".join([label, *[p for p in products if p]]).split())


def for_firm(index: Index, *, industry_code: str, industry_label: str, products: Sequence[str],
             limit: int = 10) -> list[Match]:
    """Achievements for a firm: its industry name and products as words, its industry code as a boost.

    Only achievements with at least one reason are returned (matching words or the firm's industry)."""
    label = f"适用于贵企业所属行业（{industry_code} {industry_label}）".replace(" ）", "）")
    boosts = (
        Boost(Filter("industries", "covers", industry_code, label=label), INDUSTRY_BOOST),
        Boost(Filter("maturity", "eq", "industrial", label="成果已产业化，可直接应用"), MATURE_BOOST),
    )
    text = firm_query_text(industry_label, products)
    by_text = index.search(Query(text=text, boosts=boosts, limit=limit * 3)) if text else []
    by_industry = index.search(Query(filters=(boosts[0].filter,), boosts=boosts, limit=limit * 3))
    best: dict[str, Match] = {}
    for r in [*by_text, *by_industry]:
        m = Match(r.id, r.score, _reasons(r))
        if m.reasons and (r.id not in best or best[r.id].score < m.score):
            best[r.id] = m
    return sorted(best.values(), key=lambda m: (-m.score, m.id))[:limit]


def for_need(index: Index, *, title: str, description: str, field_label: str = "", limit: int = 5) -> list[Match]:
    """Achievements that could answer a large firm's need: the need's words, title first."""
    text = " ".join([title, title, field_label, description[:300]])
    results = index.search(Query(text=text, limit=limit, min_text_score=1.0))
    return [Match(r.id, r.score, _reasons(r)) for r in results if r.explanation.matched_words]
