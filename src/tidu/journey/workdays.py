"""Publicity periods in Chinese working days (法定节假日 and 调休 from `chinesecalendar`).

The package knows the years whose holiday notice was published (2004–2026 in 1.11.0) and raises for
later years. A period reaching such a year must not crash: administrators may enter the days of that
year (`CalendarDay`); without entries weekends alone count and the end date is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    working_days: int
    provisional: bool  # some day was counted by weekends only (its year's holidays are unknown)


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> tuple[bool, bool]:
    """(is it a working day, was that known): overrides first, then the package, then weekends."""
    if overrides and day in overrides:
        return overrides[day], True
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        # A year an administrator has entered is known: days not entered are ordinary days.
        entered = bool(overrides) and any(d.year == day.year for d in overrides or {})
        return day.weekday() < 5, entered


def working_period(starts_on: dt.date, working_days: int, overrides: dict[dt.date, bool] | None = None) -> Period:
    """The period of `working_days` working days starting on `starts_on` (counted if it is one).

    >>> working_period(dt.date(2026, 9, 30), 5).ends_on  # National Day; Saturday 10 Oct is worked
    datetime.date(2026, 10, 12)
    """
    if working_days < 1:
        raise ValueError("working_days must be positive")
    day, counted, provisional = starts_on, 0, False
    while True:
        workday, known = is_workday(day, overrides)
        if workday:
            counted += 1
            provisional = provisional or not known
            if counted == working_days:
                return Period(starts_on, day, working_days, provisional)
        elif not known:
            provisional = True
        day += dt.timedelta(days=1)


def next_working_day(after: dt.date, overrides: dict[dt.date, bool] | None = None) -> dt.date:
    """The first working day after `after` (the default start of a publicity published on `after`).

    >>> next_working_day(dt.date(2026, 9, 30))  # National Day holidays 1–7 October
    datetime.date(2026, 10, 8)
    """
    day = after + dt.timedelta(days=1)
    while not is_workday(day, overrides)[0]:
        day += dt.timedelta(days=1)
    return day


# Overrides are read this far past a period's start: the longest publicity (10 working days) plus the
# longest run of holidays (Spring Festival, National Day) fits well within it.
OVERRIDE_WINDOW_DAYS = 120


def calendar_overrides(start: dt.date, days: int = OVERRIDE_WINDOW_DAYS, *, until: dt.date | None = None,
                       ) -> dict[dt.date, bool]:
    """The administrators' entries from `start` to `until` (default: `days` later), in one query."""
    from tidu.journey.models import CalendarDay

    last = until or start + dt.timedelta(days=days)
    rows = CalendarDay.objects.filter(day__gte=start, day__lte=last)
    return {r.day: r.is_workday for r in rows}
