"""Placing timestamps on study days, streaks and the due forecast (pure, no database)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from quiz.core import days
from quiz.core.clock import study_day

NEW_YORK = ZoneInfo("America/New_York")


def test_a_study_day_starts_at_4am_local_time_on_both_sides_of_a_dst_change():
    assert days.day_start(date(2026, 3, 7), "America/New_York") == datetime(
        2026, 3, 7, 9, 0, tzinfo=UTC)  # 04:00 EST
    assert days.day_start(date(2026, 3, 8), "America/New_York") == datetime(
        2026, 3, 8, 8, 0, tzinfo=UTC)  # 04:00 EDT
    assert days.day_start(date(2026, 3, 2), "Asia/Karachi") == datetime(
        2026, 3, 1, 23, 0, tzinfo=UTC)


def test_counting_by_day_agrees_with_the_clock_for_every_hour_of_a_dst_fortnight():
    moments = [datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=30 * n) for n in range(700)]
    first, last = date(2026, 3, 1), date(2026, 3, 14)
    placed = days.study_days(moments, first=first, last=last, tz_name="America/New_York")
    for moment, day in zip(moments, placed, strict=True):
        expected = study_day(moment, "America/New_York").day
        assert day == (expected if first <= expected <= last else None)


def test_count_by_day_includes_empty_days_and_ignores_moments_outside_the_range():
    moments = [datetime(2026, 3, 2, 12, tzinfo=UTC), datetime(2026, 3, 2, 13, tzinfo=UTC),
               datetime(2026, 3, 4, 3, tzinfo=UTC),  # 03:00 UTC: still 3 March's study day
               datetime(2026, 2, 1, tzinfo=UTC)]
    counts = days.count_by_day(moments, first=date(2026, 3, 1), last=date(2026, 3, 4),
                                  tz_name="UTC")
    assert counts == {date(2026, 3, 1): 0, date(2026, 3, 2): 2, date(2026, 3, 3): 1,
                      date(2026, 3, 4): 0}


def test_week_start_is_the_monday_of_the_week():
    assert days.week_start(date(2026, 3, 8)) == date(2026, 3, 2)  # a Sunday
    assert days.week_start(date(2026, 3, 9)) == date(2026, 3, 9)  # a Monday


def test_streak_ends_today_or_else_yesterday_and_stops_at_the_first_gap():
    today = date(2026, 3, 9)
    studied = [today - timedelta(days=n) for n in (1, 2, 3, 5)]
    assert days.streak(studied, today) == 3
    assert days.streak([*studied, today], today) == 4
    assert days.streak([today - timedelta(days=2)], today) == 0
    assert days.streak([], today) == 0


def test_forecast_counts_overdue_cards_today_and_drops_those_beyond_the_horizon():
    today = study_day(datetime(2026, 3, 9, 12, tzinfo=UTC), "UTC")
    dues = [datetime(2026, 1, 1, tzinfo=UTC),            # long overdue
            datetime(2026, 3, 10, 3, tzinfo=UTC),        # before 4 a.m.: still today
            datetime(2026, 3, 10, 5, tzinfo=UTC),        # tomorrow
            datetime(2026, 3, 11, 4, tzinfo=UTC),        # the last day shown
            datetime(2026, 3, 12, 4, tzinfo=UTC)]        # beyond three days
    counts = days.forecast(dues, today=today, days=3, tz_name="UTC")
    assert counts == {date(2026, 3, 9): 2, date(2026, 3, 10): 1, date(2026, 3, 11): 1}


def test_moments_in_any_zone_land_on_the_same_days_as_in_utc_and_naive_ones_are_refused():
    moment = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)  # before 4 a.m.: 9 March's study day
    in_tokyo = moment.astimezone(ZoneInfo("Asia/Tokyo"))
    placed = days.study_days([moment, in_tokyo], first=date(2026, 3, 9), last=date(2026, 3, 10),
                             tz_name="UTC")
    assert placed == [date(2026, 3, 9), date(2026, 3, 9)]
    with pytest.raises(TypeError):
        days.study_days([moment.replace(tzinfo=None)], first=date(2026, 3, 9),
                        last=date(2026, 3, 10), tz_name="UTC")
