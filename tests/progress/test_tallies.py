"""Day tallies give exactly the figures the review log gives.

The dashboard once recounted the whole review log on every visit; it now reads counts kept as
answers are recorded. These tests keep the old way as an oracle (every review placed on the
learner's study day by `quiz.core.days`) and check the figures stay equal, across DST changes,
practice answers, tests, a change of time zone and an import."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from quiz.accounts import service
from quiz.core import days
from quiz.core.clock import study_day
from quiz.extensions import db
from quiz.models import DayTally, Review, User
from quiz.progress import stats
from quiz.study import tallies
from tests.builders_history import RIGHT, History


def oracle(user: User, now: datetime) -> tuple[list[int], list[tuple[int, int]], int]:
    """Answers per day over the heatmap's year, answers and right answers per week over the
    accuracy chart's weeks, and the streak, straight from the review log."""
    reviews = db.session.scalars(db.select(Review).where(Review.user_id == user.id)).all()
    today = study_day(now, user.time_zone).day
    placed = [(study_day(r.reviewed_at, user.time_zone).day, r.score >= 1.0) for r in reviews]
    per_day = Counter(day for day, _ in placed)
    first = today - timedelta(days=stats.HEATMAP_DAYS - 1)
    heatmap = [per_day[day] for day in days.days_between(first, today)]
    mondays = [days.week_start(today) - timedelta(weeks=back)
               for back in range(stats.ACCURACY_WEEKS - 1, -1, -1)]
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, right in placed:
        if mondays[0] <= day <= today:
            weeks[days.week_start(day)][0] += 1
            weeks[days.week_start(day)][1] += right
    return (heatmap, [tuple(weeks[monday]) for monday in mondays],
            days.streak(set(per_day), today))


def figures(user: User, now: datetime) -> tuple[list[int], list[tuple[int, int]], int]:
    dashboard = stats.dashboard(user, now)
    return ([d.count for d in dashboard.days], [(w.answered, w.correct) for w in dashboard.weeks],
            dashboard.streak)


@pytest.fixture
def busy_learner(build, clock):
    """Ten weeks of study in New York around the March DST change, at random hours (late
    nights included, which belong to the day before), with practice answers and a test."""
    build.banks()
    user = build.user(time_zone="America/New_York")
    history = History(user, clock)
    rng = random.Random(7)
    start = datetime(2026, 2, 1, 12, tzinfo=UTC)
    questions = sorted(RIGHT)
    for offset in range(70):
        if rng.random() < 0.2:
            continue  # a day off breaks the streak now and then
        day = start + timedelta(days=offset)
        history.study(day + timedelta(hours=rng.choice([0, 3, 9, 13, 14.5, 15.9])))
        for _ in range(rng.randint(1, 4)):
            clock.advance(minutes=rng.randint(1, 90))
            history.answer(rng.choice(questions), rng.random() < 0.7)
        if offset % 9 == 0:
            history.practice(rng.choice(questions), True, at=clock.advance(minutes=5))
    history.test(clock.advance(hours=1), ["demo-mc", "demo-tf"])
    history.answer("demo-mc", True, at=clock.advance(minutes=1))
    return user, clock.advance(hours=2)


def test_dashboard_figures_equal_the_review_logs(busy_learner):
    user, now = busy_learner
    assert figures(user, now) == oracle(user, now)
    assert figures(user, now)[2] > 0  # the history ends with a streak worth checking


def test_figures_stay_equal_after_the_learner_changes_time_zone(busy_learner):
    user, now = busy_learner
    settings = {name: getattr(user, name) for name in service.SETTINGS}
    service.save_settings(user, {**settings, "time_zone": "Asia/Kathmandu"})
    assert figures(user, now) == oracle(user, now)


def test_recounting_gives_the_tallies_the_answers_kept(busy_learner):
    user, _now = busy_learner

    def snapshot() -> list[tuple]:
        return [tuple(row) for row in db.session.execute(
            db.select(DayTally.day, DayTally.bank_id, DayTally.answered, DayTally.correct,
                      DayTally.introduced, DayTally.reviewed, DayTally.duration_ms)
            .where(DayTally.user_id == user.id).order_by(DayTally.day, DayTally.bank_id))]

    kept = snapshot()
    tallies.recount(user)
    db.session.commit()
    assert snapshot() == kept and len(kept) > 40


def test_a_streak_longer_than_a_read_window_is_counted_whole(build, clock, monkeypatch):
    monkeypatch.setattr(stats, "STREAK_WINDOW", 3)
    build.banks()
    user = build.user()
    history = History(user, clock)
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for offset in (0, 2, 3, 4, 5, 6, 7, 8):  # a gap on the 2nd, then seven days running
        history.study(start + timedelta(days=offset))
        history.answer("demo-tf", True)
    assert stats.current_streak(user, start + timedelta(days=8, hours=1)) == 7
    assert stats.current_streak(user, start + timedelta(days=9, hours=1)) == 7  # yesterday's
    assert stats.current_streak(user, start + timedelta(days=10, hours=1)) == 0
