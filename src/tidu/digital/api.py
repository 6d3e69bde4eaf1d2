"""/api/v1/digital: questionnaire definitions and self-assessment results, under the web's permissions
(a result is seen by its firm, the officials of its jurisdiction and platform admins; others get 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from tidu.accounts.auth import API_AUTH
from tidu.core.errors import ErrorCode, TiduError
from tidu.digital.questionnaire import CATEGORIES, EDITIONS, load_questionnaire
from tidu.digital.selectors import assessment_get, peer_comparisons
from tidu.enterprises.api import ErrorOut, api_errors

router = Router(auth=API_AUTH, tags=["数字化水平评测"])


class ResultOut(Schema):
    id: int
    credit_code: str
    edition: str
    category: str
    score: str | None
    level: int | None
    assessed_on: dt.date | None
    dimensions: list[dict[str, Any]]
    peers: list[dict[str, Any]]


@router.get("/questionnaires/{edition}/{category}", response={200: dict[str, Any], 404: ErrorOut},
            summary="评测问卷定义")
@api_errors
def questionnaire(request: HttpRequest, edition: str, category: str) -> Any:
    if edition not in EDITIONS or category not in CATEGORIES:
        raise TiduError(ErrorCode.NOT_FOUND)
    q = load_questionnaire(edition, category)
    return {
        "edition": q.edition, "category": q.category, "title": q.title, "provisional": q.provisional,
        "digest": q.digest, "level_rule": q.level_rule,
        "levels": [{"level": b.level, "label": b.label, "min": str(b.min)} for b in q.bands],
        "dimensions": [{"id": d.id, "name": d.name, "scored": d.scored, "max": str(d.max), "questions": [
            {"id": x.id, "text": x.text, "type": x.type, "levels": list(x.levels),
             "options": [{"id": o.id, "text": o.text, "points": str(o.points)} for o in x.options]}
            for x in d.questions]} for d in q.dimensions],
    }


@router.get("/results/{pk}", response={200: ResultOut, 403: ErrorOut, 404: ErrorOut}, summary="评测结果与同行对比")
@api_errors
def result(request: HttpRequest, pk: int) -> Any:
    found = assessment_get(user=request.user, pk=pk)
    if found.status != "submitted":
        raise TiduError(ErrorCode.NOT_FOUND)
    return {
        "id": found.pk, "credit_code": found.enterprise.credit_code, "edition": found.edition,
        "category": found.category, "score": str(found.score) if found.score is not None else None,
        "level": found.level, "assessed_on": found.assessed_on,
        "dimensions": found.result.get("dimensions", []),
        "peers": [{"group": p.group, "firms": p.firms, "percentile": p.percentile, "withheld": p.withheld}
                  for p in peer_comparisons(found)],
    }
