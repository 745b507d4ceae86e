"""The learner's study day: local time zone, 4 a.m. rollover, daylight-saving changes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from quiz.core.clock import ensure_utc, is_time_zone, study_day

UTC = UTC


def test_just_before_4am_local_still_counts_as_the_previous_day():
    # 03:59 in Karachi (UTC+5) is 22:59 UTC the evening before.
    day = study_day(datetime(2026, 3, 1, 22, 59, tzinfo=UTC), "Asia/Karachi")
    assert day.day == date(2026, 3, 1)
    assert day.start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)


def test_at_4am_local_a_new_day_begins():
    day = study_day(datetime(2026, 3, 1, 23, 0, tzinfo=UTC), "Asia/Karachi")
    assert day.day == date(2026, 3, 2)
    assert day.start == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)


def test_utc_learner_rolls_over_at_4am_utc():
    assert study_day(datetime(2026, 3, 2, 3, 59, tzinfo=UTC), "UTC").day == date(2026, 3, 1)
    assert study_day(datetime(2026, 3, 2, 4, 0, tzinfo=UTC), "UTC").day == date(2026, 3, 2)


def test_spring_forward_day_is_23_hours_long():
    # Europe/London moves to BST at 01:00 UTC on 29 March 2026.
    day = study_day(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), "Europe/London")
    assert day.day == date(2026, 3, 28)
    assert day.start == datetime(2026, 3, 28, 4, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 3, 29, 3, 0, tzinfo=UTC)  # 4 a.m. BST
    assert day.end - day.start == timedelta(hours=23)


def test_fall_back_day_is_25_hours_long_and_rollover_stays_at_4am_local():
    # America/New_York leaves DST at 06:00 UTC on 1 November 2026.
    day = study_day(datetime(2026, 10, 31, 18, 0, tzinfo=UTC), "America/New_York")
    assert day.start == datetime(2026, 10, 31, 8, 0, tzinfo=UTC)  # 4 a.m. EDT
    assert day.end == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # 4 a.m. EST
    assert day.end - day.start == timedelta(hours=25)
    just_before = study_day(datetime(2026, 11, 1, 8, 59, tzinfo=UTC), "America/New_York")
    assert just_before.day == date(2026, 10, 31)
    assert study_day(day.end, "America/New_York").day == date(2026, 11, 1)


def test_unknown_time_zone_falls_back_to_utc():
    day = study_day(datetime(2026, 3, 2, 5, 0, tzinfo=UTC), "Mars/Olympus_Mons")
    assert day.start == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert not is_time_zone("Mars/Olympus_Mons")
    assert is_time_zone("Asia/Karachi")


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        ensure_utc(datetime(2026, 3, 2, 5, 0))
