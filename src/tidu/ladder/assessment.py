"""The live self-assessment: the firm's latest fiscal year through the criteria engine, as plain data.

One function builds what the page, the htmx partial, the JSON API and the PDF all show, so the four
can never disagree. Nothing here writes: a what-if only overlays typed values on the record.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_noop

from tidu.core.errors import ErrorCode, TiduError
from tidu.enterprises import titles
from tidu.enterprises.models import Enterprise
from tidu.enterprises.selectors import (
    enterprise_get,
    evaluation_record_with_marks,
    latest_years,
    own_enterprise,
)
from tidu.rules.fields import effective_as_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Standards a firm climbs (size_class is a fact, not a rung; digital_level has its own questionnaire page).
SHOWN = ("tech_sme", "innovative_sme", "specialized_sme", "little_giant", "size_class", "digital_level")
# Chinese in the data, the PDF and the API; the page translates them ({% trans %}) in English.
VERDICTS = {"true": gettext_noop("符合"), "false": gettext_noop("不符合"), "unknown": gettext_noop("无法判断")}
PATHS = {"score": gettext_noop("评分达标"), "direct": gettext_noop("直通条件"), "general": gettext_noop("一般条件")}
TIER_LABELS = {"tech_sme": gettext_noop("科技型中小企业"), "innovative_sme": gettext_noop("创新型中小企业"),
               "specialized_sme": gettext_noop("专精特新中小企业"), "little_giant": gettext_noop("专精特新“小巨人”企业")}


@functools.cache
def packs() -> Any:
    """The criteria packs, loaded once per process (then every request only computes)."""
    from tidu.rules.packs import default_packs

    return default_packs()  # the same compiled packs as the journey and the firm page


def today_shanghai() -> dt.date:
    """Today in Beijing, from Django's clock (`timezone.now`) like every date of the journey."""
    return timezone.localdate(timezone=SHANGHAI)


@dataclass
class Assessment:
    enterprise: Enterprise
    fiscal_year: int | None  # the latest fiscal year on file (None: no figures yet)
    year: int | None  # the evaluation year (fiscal year + 1)
    record: dict[str, Any]
    standards: list[dict[str, Any]] = field(default_factory=list)
    highest_tier: str | None = None
    next_tier: str | None = None
    as_of: dt.date | None = None
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)  # record field → provenance of the saved figure
    # What the standings were computed from (packs digest, day, record): equal keys, equal standings.
    key: str = ""
    recognition_records: list[Any] | None = None  # all the firm's recognitions (revoked too), read once

    @property
    def highest_tier_label(self) -> str:
        return TIER_LABELS.get(self.highest_tier or "", "")

    @property
    def next_tier_label(self) -> str:
        return TIER_LABELS.get(self.next_tier or "", "")

    def verdicts(self) -> dict[str, str]:
        return {s["standard"]: s["qualified"] for s in self.standards}

    @property
    def titles(self) -> list[dict[str, Any]]:
        """The titles held on the evaluation date, each with its source (平台认定记录 … / 自报)."""
        return titles.title_rows(self.record, self.marks) if self.fiscal_year is not None else []


def firm_for(user: Any, credit_code: str | None = None) -> Enterprise:
    """The firm whose assessment `user` asks for: their own, or one they may see (else 404, no leak)."""
    if credit_code:
        return enterprise_get(user=user, credit_code=credit_code)
    ent = own_enterprise(user)
    if ent is None:
        raise TiduError(ErrorCode.PERMISSION_DENIED, message="“我的梯度”供企业用户使用；主管部门请从企业名录打开企业的梯度评估。")
    return ent


def base_record(enterprise: Enterprise, today: dt.date | None = None,
                recognitions: list[Any] | None = None) -> tuple[int | None, dict[str, Any], dict[str, Any]]:
    """(latest fiscal year, engine record for the following evaluation year, provenance mark of each
    figure of that record: 自报 / 已核实 / 来源：… / 平台认定记录) of a firm.

    The titles held are read on the evaluation date the engine will use with the same `today`
    (today capped at 31 December of the evaluation year), so the page's clock decides both.
    `recognitions`: all the firm's recognition records when the caller has them already.
    """
    rows = latest_years(enterprise)
    if not rows:
        return None, {}, {}
    latest = max(rows)
    as_of = effective_as_of({"year": latest + 1}, today or today_shanghai())
    record, marks = evaluation_record_with_marks(enterprise, latest + 1, as_of=as_of, rows=rows,
                                                 recognitions=recognitions)
    return latest, record, marks


def _standard(r: Any) -> dict[str, Any]:
    """One StandardResult as the page, the PDF and the API show it: the engine's own result JSON
    (`StandardResult.as_json`, schema in docs/rules.md) plus the words this page adds."""
    out: dict[str, Any] = r.as_json()
    q = out["verdict"]
    out["qualified"] = q  # the page's name for the verdict (the API keeps both)
    out["verdict_zh"] = VERDICTS.get(q, q)
    out["path_zh"] = PATHS.get(out["path"] or "", out["path"] or "") if q == "true" else ""
    return out


class _Explained:
    """The engine's answers for the records seen lately in this process (an LRU of `SIZE` entries).

    Keyed on what the answer depends on and nothing else: the packs' digest, the evaluation day and
    the whole record (figures, titles held, overrides of a what-if). A changed figure is a new key,
    so nothing is ever invalidated and no stale verdict can be served; a worker's packs are loaded
    once (`packs()`), and a new pack is a new digest. Each caller gets its own copy of every
    standard's dict (views add keys to them)."""

    SIZE = 2048

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[list[dict[str, Any]], str | None, str | None, dt.date | None]] = OrderedDict()
        self.hits = self.misses = 0

    @staticmethod
    def key(record: dict[str, Any], today: dt.date, digest: str) -> str:
        text = repr((digest, today.isoformat(), sorted(record.items(), key=lambda kv: kv[0])))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def get(self, key: str) -> tuple[list[dict[str, Any]], str | None, str | None, dt.date | None] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        standards, highest, next_tier, as_of = hit
        return [dict(s) for s in standards], highest, next_tier, as_of

    def put(self, key: str, value: tuple[list[dict[str, Any]], str | None, str | None, dt.date | None]) -> None:
        standards, highest, next_tier, as_of = value
        with self._lock:
            self._items[key] = ([dict(s) for s in standards], highest, next_tier, as_of)
            self._items.move_to_end(key)
            while len(self._items) > self.SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


EXPLAINED = _Explained()


def assess(enterprise: Enterprise, *, overrides: dict[str, Any] | None = None,
           today: dt.date | None = None) -> Assessment:
    """Run every standard on the firm's latest year (plus typed `overrides` for a what-if); no writes.

    The engine runs once per distinct (record, day, packs) in a process (`EXPLAINED`); the record
    itself is read from the database on every call, so a saved change shows at once."""
    today = today or today_shanghai()
    recognitions = _recognition_records(enterprise)
    fiscal_year, record, marks = base_record(enterprise, today, recognitions)
    if fiscal_year is None:
        return Assessment(enterprise=enterprise, fiscal_year=None, year=None, record={},
                          recognition_records=recognitions)
    record = {**record, **(overrides or {})}
    engine = packs()
    key = EXPLAINED.key(record, today, engine.digest)
    found = EXPLAINED.get(key)
    if found is None:
        result = engine.explain(record, today=today, gaps=True)
        order = {s: i for i, s in enumerate(SHOWN)}
        standards = [_standard(r) for r in sorted(result, key=lambda r: order.get(r.standard, 99))]
        found = (standards, result.highest_tier, result.next_tier, result.as_of)
        EXPLAINED.put(key, found)
    standards, highest, next_tier, as_of = found
    return Assessment(enterprise=enterprise, fiscal_year=fiscal_year, year=fiscal_year + 1, record=record,
                      standards=standards, highest_tier=highest, next_tier=next_tier, as_of=as_of, marks=marks,
                      key=key, recognition_records=recognitions)


def as_json(a: Assessment) -> dict[str, Any]:
    """The API shape of an assessment."""
    return {
        "credit_code": a.enterprise.credit_code, "name": a.enterprise.name, "fiscal_year": a.fiscal_year,
        "year": a.year, "as_of": a.as_of.isoformat() if a.as_of else None,
        "highest_tier": a.highest_tier, "next_tier": a.next_tier, "standards": a.standards,
    }


def _recognition_records(enterprise: Enterprise) -> list[Any]:
    try:
        from tidu.journey.models import Recognition
    except ImportError:  # pragma: no cover - the journey app is optional for this page
        return []
    return list(Recognition.objects.filter(enterprise=enterprise))


def recognitions_of(enterprise: Enterprise, today: dt.date | None = None,
                    records: list[Any] | None = None) -> list[dict[str, Any]]:
    """The firm's unrevoked recognitions with days to expiry (empty when the journey app has none).
    `records`: all the firm's recognition records when already read (`Assessment.recognition_records`)."""
    day = today or today_shanghai()
    if records is None:
        records = _recognition_records(enterprise)
    rows = []
    for rec in sorted((r for r in records if r.revoked_at is None), key=lambda r: (r.valid_until, r.pk), reverse=True):
        rows.append({"id": rec.pk, "tier": rec.tier, "tier_label": TIER_LABELS.get(rec.tier, rec.get_tier_display()),
                     "number": rec.number, "valid_from": rec.valid_from, "valid_until": rec.valid_until,
                     "days_left": (rec.valid_until - day).days, "expired": rec.valid_until < day})
    return rows
