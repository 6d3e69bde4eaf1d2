"""Demo content for issue 5, called from `seed_demo`: the sample scenario library and paths, and
submitted self-assessments for demo firms so that peer comparisons and the distribution show data.

The named demo firm (user demo-firm) is left without a result: the demo starts with its first
assessment. Idempotent: firms that already have a result are skipped.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.digital.models import Assessment, AssessmentStatus
from tidu.digital.questionnaire import (
    CURRENT_EDITION,
    category_for_industry,
    load_questionnaire,
    score_answers,
)
from tidu.digital.services import _feed_enterprise_year
from tidu.enterprises.models import Enterprise, EnterpriseSource
from tidu.scenarios.services import library_seed_samples

DEMO_RESULTS = 160


def _random_answers(rng: random.Random, category: str, skill: float) -> dict[str, Any]:
    """Answers of a firm of the given digital maturity (0–1): better firms tick more and higher options."""
    q = load_questionnaire(CURRENT_EDITION, category)
    answers: dict[str, Any] = {}
    for item in q.questions:
        if item.type == "level":
            answers[item.id] = str(min(4, max(0, round(rng.gauss(skill * 4, 0.8)))))
        elif item.type == "multi":
            picked = [o.id for o in item.options if not o.exclusive and rng.random() < skill]
            answers[item.id] = picked or [next(o.id for o in item.options if o.exclusive)]
        else:
            ranked = sorted(item.options, key=lambda o: o.points)
            index = min(len(ranked) - 1, max(0, round(rng.gauss(skill * (len(ranked) - 1), 1))))
            answers[item.id] = ranked[index].id
    return answers


@transaction.atomic
def seed_digital_demo(*, exclude: Enterprise | None = None, count: int = DEMO_RESULTS) -> dict[str, int]:
    scenarios, paths = library_seed_samples()
    rng = random.Random(20261130)
    done = set(Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).values_list("enterprise_id", flat=True))
    candidates = Enterprise.objects.filter(source=EnterpriseSource.DEMO).exclude(pk__in=done)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    firms = list(candidates.order_by("id")[:count])
    now = timezone.now()
    for firm in firms:
        category = category_for_industry(firm.industry_code)
        q = load_questionnaire(CURRENT_EDITION, category)
        answers = _random_answers(rng, category, rng.betavariate(2.2, 2.0))
        score = score_answers(q, answers)
        result = Assessment.objects.create(
            enterprise=firm, edition=q.edition, category=category, suggested_category=category,
            status=AssessmentStatus.SUBMITTED, answers=answers, questionnaire_digest=q.digest, score=score.total,
            level=score.level, result=score.as_dict(), assessed_on=timezone.localdate(now), submitted_at=now,
        )
        _feed_enterprise_year(result)
    if firms:
        audit_record(actor=None, action="digital.demo.seed", data={"results": len(firms)})
    return {"scenarios": scenarios, "paths": paths, "results": len(firms)}
