"""Day tallies: a learner's answers counted per study day and bank as each is recorded.

`record` runs inside the answer's transaction, so the counts can never disagree with the
review log; `recount` rebuilds them from the log (after an import, or when the learner's time
zone moves their days). Readers take a range of days, so their cost follows the days shown.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, insert, text

from quiz.core import days
from quiz.core.clock import study_day
from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.models import Card, DayTally, Question, Review, User

COUNTS = ("answered", "correct", "introduced", "reviewed", "duration_ms")


def increments(review: Review) -> dict[str, int]:
    """What one answer adds to its day's tally."""
    return {
        "answered": 1,
        "correct": int(review.score >= 1.0),
        "introduced": int(review.scheduled and review.phase_before == int(Phase.NEW)),
        "reviewed": int(review.scheduled and review.phase_before == int(Phase.REVIEW)),
        "duration_ms": review.duration_ms,
    }


def record(user: User, bank_id: str, review: Review, *, sign: int = 1) -> None:
    """Add `review` to its study day's tally (or take it away again with `sign=-1`)."""
    day = study_day(review.reviewed_at, user.time_zone).day
    counts = {name: sign * value for name, value in increments(review).items()}
    db.session.connection().execute(_UPSERT, dict(user_id=user.id, day=day, bank_id=bank_id,
                                                  **counts))


# `record`'s statement: an upsert, so two answers of the same learner at once cannot collide
# on the first row of the day (a collision would fail the second answer's whole transaction).
# Written out because SQLAlchemy does not cache the compiled form of its ON CONFLICT
# constructs, and compiling one took longer than running it, in every answer. SQLite and
# PostgreSQL spell it alike.
_UPSERT = text(
    "INSERT INTO day_tally (user_id, day, bank_id, answered, correct, introduced, reviewed,"
    " duration_ms)"
    " VALUES (:user_id, :day, :bank_id, :answered, :correct, :introduced, :reviewed,"
    " :duration_ms)"
    " ON CONFLICT (user_id, day, bank_id) DO UPDATE SET"
    " answered = day_tally.answered + excluded.answered,"
    " correct = day_tally.correct + excluded.correct,"
    " introduced = day_tally.introduced + excluded.introduced,"
    " reviewed = day_tally.reviewed + excluded.reviewed,"
    " duration_ms = day_tally.duration_ms + excluded.duration_ms"
).bindparams(*(bindparam(name, type_=DayTally.__table__.c[name].type)
               for name in ("user_id", "day", "bank_id", *COUNTS)))


def recount(user: User) -> None:
    """Rebuild the learner's tallies from their review log (the caller commits)."""
    db.session.execute(delete(DayTally).where(DayTally.user_id == user.id))
    rows = db.session.execute(
        db.select(Review.reviewed_at, Question.bank_id, Review.score, Review.scheduled,
                  Review.phase_before, Review.duration_ms)
        .join(Card, Card.id == Review.card_id).join(Question, Question.id == Card.question_id)
        .where(Review.user_id == user.id).order_by(Review.reviewed_at)).all()
    if not rows:
        return
    first = study_day(rows[0].reviewed_at, user.time_zone).day
    last = study_day(rows[-1].reviewed_at, user.time_zone).day
    placed = days.study_days([row.reviewed_at for row in rows], first=first, last=last,
                             tz_name=user.time_zone)
    tallies: dict[tuple[date, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNTS, 0))
    for row, day in zip(rows, placed, strict=True):
        tally = tallies[(day, row.bank_id)]
        for name, value in increments(row).items():
            tally[name] += value
    db.session.execute(insert(DayTally), [
        dict(user_id=user.id, day=day, bank_id=bank_id, **counts)
        for (day, bank_id), counts in tallies.items()])


class DayTotals(NamedTuple):
    """One study day's counts, summed over banks (a tuple: a year of them is built on every
    dashboard, and a frozen dataclass cost twice as much to make)."""

    day: date
    answered: int
    correct: int


def per_day(user: User, first: date, last: date) -> dict[date, DayTotals]:
    """The learner's days with answers from `first` to `last`, summed over banks."""
    rows = db.session.connection().execute(
        _PER_DAY, {"user_id": user.id, "first": first, "last": last}).all()
    return {day: DayTotals(day, int(answered), int(correct))
            for day, answered, correct in rows if answered}


# Every activity figure of the dashboard reads it: built once, run through the Core connection.
_PER_DAY = (db.select(DayTally.day, func.sum(DayTally.answered), func.sum(DayTally.correct))
            .where(DayTally.user_id == bindparam("user_id"), DayTally.day >= bindparam("first"),
                   DayTally.day <= bindparam("last"))
            .group_by(DayTally.day))


def days_studied(user: User, *, before: date, count: int) -> list[date]:
    """Up to `count` most recent days with an answer on or before `before`, newest first."""
    return list(db.session.scalars(
        db.select(DayTally.day).where(DayTally.user_id == user.id, DayTally.day <= before,
                                      DayTally.answered > 0)
        .group_by(DayTally.day).order_by(DayTally.day.desc()).limit(count)))


def today_in_bank(user: User, day: date, bank_id: str) -> Any:
    """Today's tally in one bank (introduced and reviewed so far), or None."""
    return db.session.execute(
        db.select(DayTally.introduced, DayTally.reviewed)
        .where(DayTally.user_id == user.id, DayTally.day == day, DayTally.bank_id == bank_id)
    ).first()


def introduced_by_bank(user: User, day: date) -> dict[str, int]:
    """New questions started today, per bank (the daily new limit's count)."""
    return dict(db.session.execute(
        db.select(DayTally.bank_id, DayTally.introduced)
        .where(DayTally.user_id == user.id, DayTally.day == day)).all())


def week_range(today: date, weeks: int) -> tuple[date, list[date]]:
    """The Mondays of the last `weeks` weeks ending with today's, and the first of them."""
    mondays = [days.week_start(today) - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    return mondays[0], mondays
