"""Promised response times in Chinese working days (the calendar of `tidu.journey.workdays`).

The clock starts on the first working day after the request is submitted (a request sent on Friday
evening or before a holiday does not lose a day); the provider must respond by the end of `due_on`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from tidu.journey.workdays import calendar_overrides, next_working_day, working_period


def response_due(
    submitted_on: dt.date, response_days: int, overrides: dict[dt.date, bool] | None = None
) -> dt.date:
    """The last day on which a response keeps the promise.

    >>> response_due(dt.date(2026, 9, 30), 3, {})  # holidays 1–7 October; Saturday 10 October is worked
    datetime.date(2026, 10, 10)
    >>> response_due(dt.date(2026, 12, 4), 2, {})  # a Friday: Monday and Tuesday
    datetime.date(2026, 12, 8)
    """
    start = next_working_day(submitted_on, overrides)
    return working_period(start, response_days, overrides).ends_on


def response_due_from_db(submitted_on: dt.date, response_days: int) -> dt.date:
    """`response_due` with the administrators' calendar entries (one query)."""
    return response_due(submitted_on, response_days, calendar_overrides(submitted_on))


class Timeliness(StrEnum):
    WAITING = "waiting"  # no response yet, still within the promise
    OVERDUE = "overdue"  # no response and the promised day has passed
    ON_TIME = "on_time"  # responded on or before the promised day
    LATE = "late"  # responded, but after the promised day


LABELS = {
    Timeliness.WAITING: "待响应",
    Timeliness.OVERDUE: "已逾期未响应",
    Timeliness.ON_TIME: "按时响应",
    Timeliness.LATE: "逾期响应",
}


def timeliness(*, due_on: dt.date, responded_on: dt.date | None, today: dt.date) -> Timeliness:
    """Whether the promise was (or is being) kept.

    >>> timeliness(due_on=dt.date(2026, 12, 8), responded_on=None, today=dt.date(2026, 12, 8))
    <Timeliness.WAITING: 'waiting'>
    >>> timeliness(due_on=dt.date(2026, 12, 8), responded_on=None, today=dt.date(2026, 12, 9))
    <Timeliness.OVERDUE: 'overdue'>
    >>> timeliness(due_on=dt.date(2026, 12, 8), responded_on=dt.date(2026, 12, 9), today=dt.date(2026, 12, 20))
    <Timeliness.LATE: 'late'>
    """
    if responded_on is None:
        return Timeliness.OVERDUE if today > due_on else Timeliness.WAITING
    return Timeliness.LATE if responded_on > due_on else Timeliness.ON_TIME
