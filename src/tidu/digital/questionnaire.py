"""Questionnaire definitions (versioned data files) and their scoring and diagnosis. No Django here.

A definition lives in ``questionnaires/<edition>/<category>.yaml``; a category may ``extends`` another
and replace items or whole dimensions. Scoring adds the points of the chosen options (multi-select:
every ticked option; an exclusive "none" option stands alone). Scenario items (``type: level``) are
rated 0–4 and are not part of the 100 points. The level is given only when every item is answered.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

EDITIONS = ("2024",)
CURRENT_EDITION = "2024"
CATEGORIES = {"manufacturing": "制造业", "producer_services": "生产性服务业", "other": "其他行业"}
LEVEL_LABELS = {0: "未达到一级", 1: "一级", 2: "二级", 3: "三级", 4: "四级"}
TWO = Decimal("0.01")

# 生产性服务业 by GB/T 4754-2017 division (after 国家统计局《生产性服务业统计分类（2019）》, at division
# level: a division counts when most of its classes are producer services).
PRODUCER_SERVICE_DIVISIONS = frozenset({
    "F51",  # 批发业
    "G53", "G54", "G55", "G56", "G57", "G58", "G59", "G60",  # 交通运输、仓储和邮政业
    "I63", "I64", "I65",  # 信息传输、软件和信息技术服务业
    "J66", "J67", "J68", "J69",  # 金融业
    "L71", "L72",  # 租赁和商务服务业
    "M73", "M74", "M75",  # 科学研究和技术服务业
    "N77",  # 生态保护和环境治理业
    "O81",  # 机动车、电子产品和日用产品修理业
})


def category_for_industry(industry_code: str) -> str:
    """The questionnaire a firm takes by default: section C → manufacturing; listed service divisions
    → producer_services; everything else → other.

    >>> category_for_industry("C3484"), category_for_industry("I6513"), category_for_industry("H6210")
    ('manufacturing', 'producer_services', 'other')
    """
    code = (industry_code or "").strip().upper()
    if code.startswith("C"):
        return "manufacturing"
    if code[:3] in PRODUCER_SERVICE_DIVISIONS:
        return "producer_services"
    return "other"


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    points: Decimal
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: str  # single | multi | level
    options: tuple[Option, ...] = ()
    levels: tuple[str, ...] = ()  # for type level: descriptions of levels 1..4
    note: str = ""

    @property
    def max_points(self) -> Decimal:
        if self.type == "multi":
            return sum((o.points for o in self.options), Decimal(0))
        if self.type == "single":
            return max((o.points for o in self.options), default=Decimal(0))
        return Decimal(0)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class SubDimension:
    id: str
    name: str
    questions: tuple[Question, ...]

    @property
    def max_points(self) -> Decimal:
        return sum((q.max_points for q in self.questions), Decimal(0))


@dataclass(frozen=True)
class Dimension:
    id: str
    name: str
    scored: bool
    subdimensions: tuple[SubDimension, ...]
    max: Decimal
    note: str = ""

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.subdimensions for q in s.questions]


@dataclass(frozen=True)
class Band:
    level: int
    label: str
    min: Decimal
    description: str


@dataclass(frozen=True)
class Questionnaire:
    edition: str
    category: str
    title: str
    document: str
    provisional: bool
    adapted: bool
    level_rule: str
    bands: tuple[Band, ...]  # highest first
    dimensions: tuple[Dimension, ...]
    digest: str  # sha256 of the resolved definition: stored with every result

    @property
    def questions(self) -> list[Question]:
        return [q for d in self.dimensions for q in d.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def level_for(self, score: Decimal) -> int:
        """The band of a complete score (a boundary score belongs to the higher level)."""
        return next((b.level for b in self.bands if score >= b.min), 0)

    def band(self, level: int) -> Band | None:
        return next((b for b in self.bands if b.level == level), None)


def _raw(edition: str, category: str) -> dict[str, Any]:
    path = resources.files("tidu.digital").joinpath(f"questionnaires/{edition}/{category}.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    base = copy.deepcopy(_raw(edition, base_name))
    replace_items = data.pop("replace_items", {}) or {}
    replace_dims = data.pop("replace_dimensions", {}) or {}
    for dim in base["dimensions"]:
        for sub in dim["subdimensions"]:
            sub["items"] = [replace_items.get(item["id"], item) for item in sub["items"]]
    base["dimensions"] = [replace_dims.get(d["id"], d) for d in base["dimensions"]]
    base.update(data)
    return base


@cache
def load_questionnaire(edition: str, category: str) -> Questionnaire:
    """The resolved definition of one edition and category (KeyError when there is none)."""
    if edition not in EDITIONS or category not in CATEGORIES:
        raise KeyError(f"no questionnaire {edition}/{category}")
    data = _raw(edition, category)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    dims = []
    for d in data["dimensions"]:
        subs = tuple(
            SubDimension(s["id"], s["name"], tuple(
                Question(
                    id=q["id"], text=q["text"], type=q["type"], note=q.get("note", ""),
                    options=tuple(Option(o["id"], o["text"], Decimal(str(o["points"])), bool(o.get("exclusive")))
                                  for o in q.get("options", [])),
                    levels=tuple(q.get("levels", [])),
                ) for q in s["items"]))
            for s in d["subdimensions"]
        )
        scored = d.get("scored", True)
        dims.append(Dimension(d["id"], d["name"], scored, subs, Decimal(str(d.get("max", 0))), d.get("note", "")))
    bands = tuple(sorted((Band(int(b["level"]), b["label"], Decimal(str(b["min"])), b.get("description", ""))
                          for b in data["levels"]), key=lambda b: -b.level))
    return Questionnaire(
        edition=str(data["edition"]), category=data["category"], title=data["title"],
        document=data.get("document", ""), provisional=bool(data.get("provisional")),
        adapted=bool(data.get("adapted")), level_rule=data.get("level_rule", ""), bands=bands,
        dimensions=tuple(dims), digest=digest,
    )


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Part:
    id: str
    name: str
    score: Decimal
    max: Decimal

    @property
    def ratio(self) -> float:
        return float(self.score / self.max) if self.max else 0.0


@dataclass
class Score:
    complete: bool
    missing: list[Question]
    problems: list[str]  # answers that do not fit the question (unknown option, "none" with others)
    total: Decimal
    level: int | None  # None when incomplete: no level is given on partial answers
    dimensions: list[Part]
    subdimensions: list[tuple[str, Part]]  # (dimension id, part)
    question_points: dict[str, Decimal]
    scenario_levels: dict[str, int] = field(default_factory=dict)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level] if self.level is not None else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": str(self.total), "level": self.level, "complete": self.complete,
            "dimensions": [{"id": p.id, "name": p.name, "score": str(p.score), "max": str(p.max)} for p in self.dimensions],
            "subdimensions": [{"dimension": d, "id": p.id, "name": p.name, "score": str(p.score), "max": str(p.max)}
                              for d, p in self.subdimensions],
            "scenario_levels": self.scenario_levels,
        }


def _chosen(answer: Any) -> list[str]:
    if answer is None or answer == "":
        return []
    if isinstance(answer, list | tuple):
        return [str(a) for a in answer if str(a) != ""]
    return [str(answer)]


def score_answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> Score:
    """Points per question, sub-dimension and dimension, the total and (when complete) the level."""
    missing: list[Question] = []
    problems: list[str] = []
    points: dict[str, Decimal] = {}
    scenario_levels: dict[str, int] = {}
    for q in questionnaire.questions:
        chosen = _chosen(answers.get(q.id))
        if not chosen:
            missing.append(q)
            continue
        if q.type == "level":
            if len(chosen) != 1 or chosen[0] not in {"0", "1", "2", "3", "4"}:
                problems.append(f"“{q.text}”的等级应为0～4")
                continue
            scenario_levels[q.id] = int(chosen[0])
            continue
        options = [q.option(c) for c in chosen]
        if any(o is None for o in options):
            problems.append(f"“{q.text}”的选项无效")
            continue
        picked = [o for o in options if o is not None]
        if q.type == "single" and len(picked) != 1:
            problems.append(f"“{q.text}”只能选一项")
            continue
        if q.type == "multi" and len(picked) > 1 and any(o.exclusive for o in picked):
            problems.append(f"“{q.text}”选了“{next(o.text for o in picked if o.exclusive)}”就不能再选其他项")
            continue
        points[q.id] = sum((o.points for o in dict.fromkeys(picked)), Decimal(0))
    dims: list[Part] = []
    subs: list[tuple[str, Part]] = []
    for d in questionnaire.dimensions:
        if not d.scored:
            for s in d.subdimensions:
                rated = [scenario_levels[q.id] for q in s.questions if q.id in scenario_levels]
                subs.append((d.id, Part(s.id, s.name, Decimal(sum(rated)), Decimal(4 * len(s.questions)))))
            continue
        total_d = Decimal(0)
        for s in d.subdimensions:
            got = sum((points.get(q.id, Decimal(0)) for q in s.questions), Decimal(0))
            subs.append((d.id, Part(s.id, s.name, got.quantize(TWO, ROUND_HALF_UP), s.max_points)))
            total_d += got
        dims.append(Part(d.id, d.name, total_d.quantize(TWO, ROUND_HALF_UP), d.max))
    total = sum((p.score for p in dims), Decimal(0)).quantize(TWO, ROUND_HALF_UP)
    complete = not missing and not problems
    return Score(
        complete=complete, missing=missing, problems=problems, total=total,
        level=questionnaire.level_for(total) if complete else None,
        dimensions=dims, subdimensions=subs, question_points=points, scenario_levels=scenario_levels,
    )


# ---------------------------------------------------------------------------------------------
# Diagnosis


@dataclass(frozen=True)
class Gain:
    question: Question
    points_now: Decimal
    points_available: Decimal
    best_option: str


@dataclass
class Diagnosis:
    weakest: list[Part]  # scored sub-dimensions with the lowest share of their points
    weakest_scenarios: list[tuple[Question, int]]  # lowest-rated business scenarios
    next_level: int | None
    next_label: str
    points_to_next: Decimal | None
    next_description: str
    gains: list[Gain]  # the questions with the most points still to gain, most first


def diagnose(questionnaire: Questionnaire, score: Score, *, weakest: int = 3, gains: int = 5) -> Diagnosis:
    """Weakest areas, what the next level needs (points and where they can come from)."""
    scored_subs = [p for d, p in score.subdimensions if any(x.id == d and x.scored for x in questionnaire.dimensions)]
    weak = sorted((p for p in scored_subs if p.score < p.max), key=lambda p: (p.ratio, p.score))[:weakest]
    scenarios = [(questionnaire.question(qid), lvl) for qid, lvl in score.scenario_levels.items()]
    weak_sc = sorted(((q, lvl) for q, lvl in scenarios if q is not None and lvl < 4), key=lambda x: x[1])[:weakest]
    level = score.level or 0
    nxt = questionnaire.band(level + 1) if level < 4 else None
    options: list[Gain] = []
    for q in questionnaire.questions:
        if q.type == "level":
            continue
        now = score.question_points.get(q.id, Decimal(0))
        room = q.max_points - now
        if room > 0:
            best = max((o for o in q.options if not o.exclusive), key=lambda o: o.points)
            options.append(Gain(q, now, room, best.text if q.type == "single" else "勾选其余措施"))
    options.sort(key=lambda g: -g.points_available)
    return Diagnosis(
        weakest=weak, weakest_scenarios=weak_sc,
        next_level=nxt.level if nxt else None, next_label=nxt.label if nxt else "",
        points_to_next=(nxt.min - score.total).quantize(TWO) if nxt else None,
        next_description=nxt.description if nxt else "",
        gains=options[:gains],
    )
