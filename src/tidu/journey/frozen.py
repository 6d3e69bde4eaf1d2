"""Reading what an application froze when the firm locked it (the record it then submits): its figures
as labelled rows, each yearly figure with the provenance mark it had then, and a fingerprint of the
whole frozen record.

The detail page, the API and the printable application form (申报书) all read through here, so the
screen and the paper show the same frozen values and marks.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone

from tidu.enterprises import provenance, titles
from tidu.enterprises.registry import field_specs
from tidu.enterprises.selectors import YEARLY_RECORD_KEYS, evaluation_record_with_marks
from tidu.journey.models import Application


def figure_rows(figures: dict[str, Any], evaluation_year: int) -> list[dict[str, Any]]:
    """The frozen record as rows (name, label, value, type, badge), known fields with a value only.

    Yearly values carry their fiscal year (_y1 = the year before the evaluation year). `badge` is None
    for the firm's registration facts (name, founding date …), which are not yearly figures.
    Applications frozen before marks existed show their yearly figures as self-declared.
    """
    specs = field_specs()
    marks = figures.get(provenance.FROZEN_MARKS_KEY)
    rows = []
    for key, value in figures.items():
        spec = specs.get(key)
        if spec is None or value is None or value == "":
            continue
        label = spec.label
        if key[-3:] in ("_y1", "_y2", "_y3"):
            label = f"{label}（{evaluation_year - int(key[-1])}年）"
        if isinstance(marks, dict):
            mark = marks.get(key)
        else:
            mark = provenance.SELF_DECLARED if key in YEARLY_RECORD_KEYS else None
        rows.append({"name": key, "label": label, "value": value, "type": spec.type,
                     "badge": provenance.badge(mark) if mark is not None else None})
    return rows


def title_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The titles held as the freeze recorded them: each with its source (平台认定记录 with the number,
    or 自报 and flagged for checking); empty when nothing was frozen yet."""
    if not figures:
        return []
    marks = figures.get(provenance.FROZEN_MARKS_KEY)
    return titles.title_rows(figures, marks if isinstance(marks, dict) else {})


def rows_to_freeze(app: Application) -> list[dict[str, Any]]:
    """What locking `app` now would freeze: the firm's current figures and marks, as `figure_rows`
    (the draft shows them so the firm checks them before it signs the commitment and locks)."""
    record, marks = evaluation_record_with_marks(app.enterprise, app.evaluation_year, as_of=timezone.localdate())
    return figure_rows({**record, provenance.FROZEN_MARKS_KEY: marks}, app.evaluation_year)


def fingerprint(app: Application) -> str:
    """SHA-256 over the frozen figures, assessment and commitment: printed on the paper form and shown
    online, so a stamped copy can be matched against the record (first 16 hex digits shown). A new lock
    signs the commitment anew, so it always yields a new fingerprint."""
    payload = {
        "application": app.pk,
        "figures": app.frozen_figures,
        "assessment": app.frozen_assessment,
        "commitment": app.commitment_text,
        "signed_at": app.commitment_signed_at.isoformat() if app.commitment_signed_at else None,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
