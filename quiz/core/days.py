"""Counting a learner's history by study day and week: the day arithmetic behind the dashboard.

Pure: no Flask, no database. Timestamps come in as UTC instants and are placed on the
learner's study days (their time zone, rolling over at 4 a.m., DST-aware) by the rules of
`quiz.core.clock`, so SQLite and PostgreSQL give identical results.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from quiz.core.clock import StudyDay, study_day, zone


def day_start(day: date, tz_name: str) -> datetime:
    """The UTC instant study day `day` begins for a learner in `tz_name`."""
    # Local noon always falls inside study day `day` (it runs from 4 a.m. to 4 a.m.), and no
    # zone changes its clocks at noon, so this reuses the clock's own rollover rule.
    noon = datetime.combine(day, time(12), tzinfo=zone(tz_name))
    return study_day(noon, tz_name).start


@lru_cache(maxsize=1024)
def _bounds(first: date, last: date, tz_name: str) -> tuple[datetime, ...]:
    # One boundary per day plus the end of the last: bisecting is exact across DST changes
    # and far cheaper than working out the study day of every timestamp on its own. The same
    # days come back on every page a learner opens today, so they are worked out once.
    return tuple(day_start(first + timedelta(days=offset), tz_name)
                 for offset in range((last - first).days + 2))


def days_between(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, both included."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def study_days(moments: Iterable[datetime], *, first: date, last: date,
               tz_name: str) -> list[date | None]:
    """The study day of each of `moments`, or None for one outside `first` to `last`."""
    days = days_between(first, last)
    bounds = _bounds(first, last, tz_name)
    placed: list[date | None] = []
    # Aware datetimes compare exactly whatever their zones, and a naive one raises TypeError
    # against the bounds: no conversion per moment, on pages that place hundreds of them.
    for moment in moments:
        index = bisect_right(bounds, moment) - 1
        placed.append(days[index] if 0 <= index < len(days) else None)
    return placed


def count_by_day(moments: Iterable[datetime], *, first: date, last: date,
                 tz_name: str) -> dict[date, int]:
    """How many of `moments` fall on each study day from `first` to `last` (zeros included)."""
    counts = dict.fromkeys(days_between(first, last), 0)
    for day in study_days(moments, first=first, last=last, tz_name=tz_name):
        if day is not None:
            counts[day] += 1
    return counts


def week_start(day: date) -> date:
    """The Monday of the week `day` belongs to."""
    return day - timedelta(days=day.weekday())


def streak(studied: Iterable[date], today: date) -> int:
    """Consecutive study days with a review, ending today, or yesterday if today is not done yet.

    A learner who has not studied yet today keeps yesterday's streak until the day is over.
    """
    days = set(studied)
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def forecast(dues: Iterable[datetime], *, today: StudyDay, days: int,
             tz_name: str) -> dict[date, int]:
    """Cards due on each of the `days` study days from today; anything overdue counts today."""
    last = today.day + timedelta(days=days - 1)
    horizon = day_start(last + timedelta(days=1), tz_name)
    # Overdue cards are moved to the start of today so that they are counted today.
    clamped = [max(due, today.start) for due in dues if due < horizon]
    return count_by_day(clamped, first=today.day, last=last, tz_name=tz_name)
