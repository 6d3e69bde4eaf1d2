"""The one seam between the journey and the criteria engine: `assess` returns the plain result that an
application freezes at submission.

It runs `tidu.rules` on the application's record for the round's tier and keeps the engine's result
JSON (edition, amendments, overlay, verdict, score, every condition and indicator with its clause,
and the digest of the pack files used). Whatever this returns is stored as JSON and never recomputed, so a
new pack edition or a changed engine never rewrites a submitted application. If the engine cannot
run, the result says so ("engine": "error") and officials judge from the frozen figures.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

logger = logging.getLogger(__name__)

ENGINE = "tidu.rules"


@functools.cache
def _packs() -> Any:
    from tidu.rules.packs import default_packs

    return default_packs()  # load once per process (shared with 我的梯度), then compute


def edition_for(tier: str, *, as_of: dt.date, year: int, is_review: bool = False) -> str:
    """The edition ("<standard>/<edition>") the engine applies to `tier` for evaluation year `year` on
    `as_of` (the same selection `assess` makes: select_when, then the edition in force that day)."""
    from tidu.rules.evaluate import select_edition

    ed = select_edition(_packs(), tier, {"as_of": as_of, "year": year, "is_review": is_review})
    return f"{tier}/{ed.edition}"


def assess(record: dict[str, Any], *, tier: str, as_of: dt.date, is_review: bool = False) -> dict[str, Any]:
    """The engine's judgement of `record` for `tier` as of `as_of`, as plain JSON-able data.

    The engine's result JSON (`StandardResult.as_json`, docs/rules.md: schema_version, standard,
    edition, pack_digest, verdict, score, level, path, every condition and indicator with its
    clause …) plus what the journey adds: tier, is_review and pack_edition "<standard>/<edition>".
    Results frozen before the schema are read with `tidu.rules.read_result_json`.
    """
    from tidu.rules.model import RESULT_SCHEMA_VERSION

    base: dict[str, Any] = {"schema_version": RESULT_SCHEMA_VERSION, "engine": ENGINE, "tier": tier,
                            "as_of": as_of.isoformat(), "is_review": is_review, "pack_edition": "",
                            "pack_digest": "", "verdict": None}
    try:
        from tidu.rules.fields import coerce_record

        typed, _errors, _warnings = coerce_record({**record, "as_of": as_of, "is_review": is_review},
                                                  require_key=False)
        res = _packs().explain(typed, standards=[tier], today=as_of)[tier]
    except Exception as exc:  # the firm can still submit; the officials see that no verdict was frozen
        logger.exception("criteria engine failed for %s", record.get("credit_code"))
        return base | {"engine": "error", "note": f"评价引擎未能给出结果：{type(exc).__name__}"}
    return base | res.as_json() | {"pack_edition": f"{res.standard}/{res.edition}"}
