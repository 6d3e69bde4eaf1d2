"""Answer sets for tests: everything at the bottom, everything at the top, and points added on top."""

from __future__ import annotations

from typing import Any

from tidu.digital.questionnaire import Questionnaire


def lowest(q: Questionnaire) -> dict[str, Any]:
    """Every question answered with its zero-point option (scenarios: not started)."""
    out: dict[str, Any] = {}
    for item in q.questions:
        if item.type == "level":
            out[item.id] = "0"
        elif item.type == "multi":
            out[item.id] = [next(o.id for o in item.options if o.exclusive)]
        else:
            out[item.id] = min(item.options, key=lambda o: o.points).id
    return out


def highest(q: Questionnaire) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in q.questions:
        if item.type == "level":
            out[item.id] = "4"
        elif item.type == "multi":
            out[item.id] = [o.id for o in item.options if not o.exclusive]
        else:
            out[item.id] = max(item.options, key=lambda o: o.points).id
    return out


def with_top(q: Questionnaire, *question_ids: str, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """`base` (default: lowest) with the named questions at their maximum."""
    out = dict(base or lowest(q))
    top = highest(q)
    for qid in question_ids:
        out[qid] = top[qid]
    return out
