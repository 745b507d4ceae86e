"""Time and the learner's day: UTC everywhere, local days that roll over at 4 a.m.

Pure: no Flask, no database. Every function that needs "now" takes it as an argument,
so tests pass a fixed clock; only `utcnow` reads the real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Anki's choice: a late-night session still counts as the evening's day.
ROLLOVER_HOUR = 4


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (tests replace this with a fixed clock)."""
    return datetime.now(UTC)


def ensure_utc(moment: datetime) -> datetime:
    """Return `moment` in UTC, refusing naive datetimes (their meaning is a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: pass a timezone-aware one")
    return moment.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """The time zone called `name`, or UTC when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    return name in time_zone_names()


_ZONES: tuple[str, ...] | None = None


def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone name, sorted (computed once: it scans the tz database)."""
    global _ZONES
    if _ZONES is None:
        _ZONES = tuple(sorted(available_timezones() - {"localtime", "Factory"}))
    return _ZONES


@dataclass(frozen=True)
class StudyDay:
    """One learner's study day: its local date and its bounds as UTC instants."""

    day: date
    start: datetime
    end: datetime


def study_day(now: datetime, tz_name: str, *, rollover_hour: int = ROLLOVER_HOUR) -> StudyDay:
    """The study day that contains `now` for a learner in `tz_name`.

    The day runs from `rollover_hour` local time to the same hour the next local day, so
    it lasts 23 or 25 hours across a daylight-saving change.
    """
    tz = zone(tz_name)
    local = ensure_utc(now).astimezone(tz)
    day = local.date() if local.hour >= rollover_hour else local.date() - timedelta(days=1)
    return StudyDay(day=day, start=_local_instant(day, rollover_hour, tz),
                    end=_local_instant(day + timedelta(days=1), rollover_hour, tz))


def study_date(moment: datetime, tz_name: str, *, rollover_hour: int = ROLLOVER_HOUR) -> date:
    """The date of the study day that contains `moment` (`study_day(...).day`, cheaper)."""
    local = ensure_utc(moment).astimezone(zone(tz_name))
    return local.date() if local.hour >= rollover_hour else local.date() - timedelta(days=1)


@lru_cache(maxsize=4096)
def study_day_start(day: date, tz_name: str, *, rollover_hour: int = ROLLOVER_HOUR) -> datetime:
    """The UTC instant at which study day `day` begins for a learner in `tz_name`."""
    return _local_instant(day, rollover_hour, zone(tz_name))


def _local_instant(day: date, hour: int, tz: ZoneInfo) -> datetime:
    # A wall-clock hour that falls in a DST gap is read with fold=0, i.e. shifted forward by
    # zoneinfo; one that falls in an overlap takes its first occurrence. Both are what a
    # learner would call "4 a.m. that day".
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)
