"""The one seam between the journey and the criteria engine: `assess` returns the plain result that an
application freezes at submission.

It runs `tidu.rules` on the application's record for the round's tier and keeps what a reviewer
needs: edition, amendments, overlay, verdict, score, every condition and indicator with its clause,
and a hash of the pack files used. Whatever this returns is stored as JSON and never recomputed, so a
new pack edition or a changed engine never rewrites a submitted application. If the engine cannot
run, the result says so ("engine": "error") and officials judge from the frozen figures.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

ENGINE = "tidu.rules"


@functools.cache
def _packs() -> Any:
    from tidu.rules import load_packs

    return load_packs()  # load once per process, then compute


def pack_hash(standard: str, edition: str) -> str:
    """SHA-256 over the edition file, its provincial overlays and the shared derived quantities."""
    from tidu.rules.packs import repo_packs_dir

    root = repo_packs_dir()
    files = [root / "derived.yaml", root / standard / f"{edition}.yaml"]
    overlay_dir = root / standard / edition
    if overlay_dir.is_dir():
        files += sorted(overlay_dir.glob("*.yaml"))
    digest = hashlib.sha256()
    for path in files:
        if Path(path).is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def edition_for(tier: str, *, as_of: dt.date, year: int, is_review: bool = False) -> str:
    """The edition ("<standard>/<edition>") the engine applies to `tier` for evaluation year `year` on
    `as_of` (the same selection `assess` makes: select_when, then the edition in force that day)."""
    from tidu.rules.evaluate import select_edition

    ed = select_edition(_packs(), tier, {"as_of": as_of, "year": year, "is_review": is_review})
    return f"{tier}/{ed.edition}"


def _str(value: Any) -> Any:
    return None if value is None else str(value)


def assess(record: dict[str, Any], *, tier: str, as_of: dt.date, is_review: bool = False) -> dict[str, Any]:
    """The engine's judgement of `record` for `tier` as of `as_of`, as plain JSON-able data.

    Keys: engine, tier, as_of, is_review, pack_edition ("<standard>/<edition>"), pack_hash, verdict
    ("true" | "false" | "unknown"), score, level, path, amendments, overlay, conditions, indicators,
    unknown_fields, notes, provisional.
    """
    base: dict[str, Any] = {"engine": ENGINE, "tier": tier, "as_of": as_of.isoformat(), "is_review": is_review,
                            "pack_edition": "", "pack_hash": "", "verdict": None}
    try:
        from tidu.rules.fields import coerce_record

        typed, _errors, _warnings = coerce_record({**record, "as_of": as_of, "is_review": is_review},
                                                  require_key=False)
        res = _packs().explain(typed, standards=[tier], today=as_of)[tier]
    except Exception as exc:  # the firm can still submit; the officials see that no verdict was frozen
        logger.exception("criteria engine failed for %s", record.get("credit_code"))
        return base | {"engine": "error", "note": f"评价引擎未能给出结果：{type(exc).__name__}"}
    return base | {
        "pack_edition": f"{res.standard}/{res.edition}",
        "pack_hash": pack_hash(res.standard, res.edition),
        "title": res.title,
        "document": res.document,
        "amendments": list(res.amendments),
        "overlay": res.overlay,
        "verdict": str(res.qualified),
        "score": _str(res.score),
        "level": res.level,
        "level_label": res.level_label,
        "path": res.path,
        "provisional": res.provisional,
        "conditions": [{"id": c.id, "label": c.label, "clause": c.clause, "value": str(c.value),
                        "detail": c.detail_zh, "fields": list(c.fields)} for c in res.conditions],
        "indicators": [{"id": i.id, "group": i.group, "label": i.label, "value": i.value_text,
                        "band": i.band_label, "points_lo": _str(i.points_lo), "points_hi": _str(i.points_hi),
                        "max": _str(i.max), "clause": i.clause} for i in res.indicators],
        "unknown_fields": [{"field": u.field, "label": u.label} for u in res.unknown_fields],
        "notes": list(res.notes),
    }
