"""The firms' ranking index, kept per process and brought up to date from a cheap version stamp.

Building the BM25 index of the whole register costs seconds per thousand firms (jieba), so it is built once
per process and then refreshed before every use: a stamp of the data the profiles read (row count and last
`updated_at` of firms, their years, recognitions, responses and needs, plus today's date) is compared with
the stamp of the cached index. Same stamp: the index is used as it is. Otherwise only the firms whose rows
changed since the previous stamp (minus a margin for transactions that committed late) are re-profiled and
replaced in the index; a deletion anywhere, or more than a fifth of the register (and 50 firms) changed, rebuilds it whole.
A new day re-profiles the firms whose recognitions started or ended in between. See decision 0110.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.journey.models import Recognition
from tidu.matching.index import Index
from tidu.needs.models import AcceptanceResult, Need, NeedResponse
from tidu.needs.ranking import firm_index, firm_item

STAMPED: dict[str, Any] = {"enterprise": Enterprise, "year": EnterpriseYear, "recognition": Recognition,
           "response": NeedResponse, "need": Need}
LATE_COMMIT_MARGIN = dt.timedelta(minutes=2)  # a row saved before the last stamp may commit after it
FULL_REBUILD_SHARE = 0.2

Stamp = tuple[dt.date, tuple[tuple[str, int, dt.datetime | None], ...]]


def data_stamp() -> Stamp:
    """(today, per table: name, row count, last update): one aggregate query per table."""
    rows = []
    for name, model in STAMPED.items():
        agg = model.objects.aggregate(n=Count("id"), at=Max("updated_at"))
        rows.append((name, int(agg["n"]), agg["at"]))
    return timezone.localdate(), tuple(rows)


@dataclass
class _Cached:
    stamp: Stamp | None = None
    index: Index | None = None
    rebuilds: int = 0
    refreshed: list[int] = field(default_factory=list)  # firms re-profiled by the last incremental refresh


_STATE = _Cached()
_LOCK = threading.Lock()


def _profiles(ids: list[int] | None) -> Any:
    from tidu.needs.recommend import firm_profiles

    qs = Enterprise.objects.all() if ids is None else Enterprise.objects.filter(pk__in=ids)
    return firm_profiles(qs).values()


def _changed_firms(old: Stamp, new: Stamp) -> set[int] | None:
    """Firms whose profile may differ between the two stamps; None when only a full rebuild is safe."""
    changed: set[int] = set()
    old_rows = {name: (n, at) for name, n, at in old[1]}
    for name, n, at in new[1]:
        old_n, old_at = old_rows[name]
        if (n, at) == (old_n, old_at):
            continue
        if n < old_n or old_at is None:
            return None  # something was deleted (or the table was empty): nothing says which firm it touched
        since = old_at - LATE_COMMIT_MARGIN
        if name == "enterprise":
            changed.update(Enterprise.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
        elif name == "year":
            changed.update(EnterpriseYear.objects.filter(updated_at__gte=since).values_list("enterprise_id", flat=True))
        elif name == "recognition":
            changed.update(Recognition.objects.filter(updated_at__gte=since).values_list("enterprise_id", flat=True))
        elif name == "response":
            changed.update(NeedResponse.objects.filter(updated_at__gte=since).values_list("enterprise_id", flat=True))
        else:  # a need's title or field names the cases of the firms that delivered it
            changed.update(NeedResponse.objects.filter(need__updated_at__gte=since, acceptance=AcceptanceResult.PASSED)
                           .values_list("enterprise_id", flat=True))
    old_day, new_day = old[0], new[0]
    if old_day != new_day:
        # recognitions that became valid or lapsed between the two days
        changed.update(Recognition.objects.filter(
            Q(valid_from__gt=old_day, valid_from__lte=new_day) | Q(valid_until__gte=old_day, valid_until__lt=new_day)
        ).values_list("enterprise_id", flat=True))
    return changed


def _refresh() -> Index:
    stamp = data_stamp()
    state = _STATE
    if state.index is not None and state.stamp == stamp:
        return state.index
    changed = _changed_firms(state.stamp, stamp) if state.index is not None and state.stamp is not None else None
    if changed is None or state.index is None or len(changed) > max(FULL_REBUILD_SHARE * len(state.index), 50):
        state.index = firm_index(_profiles(None))
        state.rebuilds += 1
        state.refreshed = []
    else:
        ids = sorted(changed)
        profiles = {p.id: p for p in _profiles(ids)}
        for pk in ids:
            profile = profiles.get(str(pk))
            if profile is None:
                state.index.remove(str(pk))
            else:
                state.index.add(firm_item(profile))  # replaces the firm's previous item
        state.refreshed = ids
    state.stamp = stamp
    return state.index


@contextmanager
def current_index() -> Iterator[Index]:
    """The up-to-date index of every firm of the register, held for the caller's search (one at a time)."""
    with _LOCK:
        yield _refresh()


def forget() -> None:
    """Drop the cached index (tests that rebuild the database between cases)."""
    with _LOCK:
        _STATE.stamp, _STATE.index = None, None


def state() -> _Cached:
    return _STATE
