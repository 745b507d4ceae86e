"""A learner's progress: every figure on the dashboard, and the history of one question.

Each figure is one function of (user, now) that runs a fixed number of aggregated queries
on indexed columns (never one per card). Timestamps are fetched as they are and placed on
the learner's study days in Python (`quiz.core.days`), so SQLite and PostgreSQL agree.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func

from quiz.banks import spec
from quiz.core import days as calendar
from quiz.core import grading, scheduling
from quiz.core.clock import study_date, study_day
from quiz.core.scheduling import Phase, Rating
from quiz.extensions import db
from quiz.models import Bank, Card, Question, QuestionTag, Review, User
from quiz.study import tallies
from quiz.study.attempts import test_attempts
from quiz.study.policy import policy_for
from quiz.study.selection import load_question

HEATMAP_DAYS = 365
ACCURACY_WEEKS = 12
FORECAST_DAYS = 30
LAPSED_LIMIT = 10
TESTS_SHOWN = 30
# Answers on one page of a question's history: a screen or two, whatever the history's length.
HISTORY_PAGE = 25
# The streak is read a year at a time, going further back only while it lasts.
STREAK_WINDOW = 366


@dataclass(frozen=True)
class DayCount:
    """A number for one study day (reviews done, or cards due)."""

    day: date
    count: int


@dataclass(frozen=True)
class WeekAccuracy:
    """Answers and right answers in one week (Monday to Sunday, by study day)."""

    week: date
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class StateCounts:
    """The learner's active questions by where their cards stand."""

    new: int
    learning: int
    review: int
    relearning: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review + self.relearning


@dataclass(frozen=True)
class MasteryRow:
    """The average chance of recalling the studied cards of one era or theme right now."""

    key: str
    title: str
    cards: int
    retrievability: float | None


@dataclass(frozen=True)
class Mastery:
    """Mastery by era and by theme, in the order the bank format lists them."""

    eras: list[MasteryRow]
    themes: list[MasteryRow]


@dataclass(frozen=True)
class Lapsed:
    """A question the learner keeps forgetting."""

    question_id: str
    text: str
    lapses: int


@dataclass(frozen=True)
class ScoredTest:
    """A finished practice test and its score (0..1: the sum of marks over its length)."""

    session_id: int
    day: date
    ended_at: datetime
    questions: int
    score: float

    @property
    def percent(self) -> float:
        return self.score * 100


@dataclass(frozen=True)
class Dashboard:
    """Every figure on the dashboard, computed for one moment."""

    today: date
    streak: int
    states: StateCounts
    days: list[DayCount]
    weeks: list[WeekAccuracy]
    mastery: Mastery
    forecast: list[DayCount]
    lapsed: list[Lapsed]
    tests: list[ScoredTest]

    @property
    def reviews_today(self) -> int:
        return self.days[-1].count if self.days else 0


def _year(user: User, today: date) -> dict[date, tallies.DayTotals]:
    """The learner's day tallies over the heatmap's year, which every activity figure reads."""
    return tallies.per_day(user, today - timedelta(days=HEATMAP_DAYS - 1), today)


def reviews_per_day(user: User, now: datetime, *, days: int = HEATMAP_DAYS,
                    year: dict[date, tallies.DayTotals] | None = None) -> list[DayCount]:
    """Answers (scheduled and practice) on each of the last `days` study days, oldest first."""
    today = study_day(now, user.time_zone).day
    first = today - timedelta(days=days - 1)
    counted = year if year is not None and days <= HEATMAP_DAYS else tallies.per_day(
        user, first, today)
    return [DayCount(day, counted[day].answered if day in counted else 0)
            for day in calendar.days_between(first, today)]


def weekly_accuracy(user: User, now: datetime, *, weeks: int = ACCURACY_WEEKS,
                    year: dict[date, tallies.DayTotals] | None = None) -> list[WeekAccuracy]:
    """Right answers over answers in each of the last `weeks` weeks, oldest first."""
    today = study_day(now, user.time_zone).day
    mondays = [calendar.week_start(today) - timedelta(weeks=back)
               for back in range(weeks - 1, -1, -1)]
    counted = year if year is not None and today - mondays[0] < timedelta(
        days=HEATMAP_DAYS) else tallies.per_day(user, mondays[0], today)
    answered: dict[date, int] = defaultdict(int)
    correct: dict[date, int] = defaultdict(int)
    for day, totals in counted.items():
        if mondays[0] <= day <= today:
            week = calendar.week_start(day)
            answered[week] += totals.answered
            correct[week] += totals.correct
    return [WeekAccuracy(week, answered[week], correct[week]) for week in mondays]


def current_streak(user: User, now: datetime, *,
                   year: dict[date, tallies.DayTotals] | None = None) -> int:
    """Consecutive study days with at least one answer, ending today or yesterday (a learner
    who has not studied yet today keeps yesterday's streak until the day is over)."""
    today = study_day(now, user.time_zone).day
    if year is not None:
        length = calendar.streak(set(year), today)
        if length < HEATMAP_DAYS - 1:  # it began inside the year already read
            return length
    expected, length, before = None, 0, today
    while True:
        # Newest first, a window at a time: a streak of years costs a read per year.
        window = tallies.days_studied(user, before=before, count=STREAK_WINDOW)
        for day in window:
            if expected is None:  # the first studied day must be today or yesterday
                if day < today - timedelta(days=1):
                    return 0
                expected = day
            if day != expected:
                return length
            length, expected = length + 1, day - timedelta(days=1)
        if len(window) < STREAK_WINDOW:
            return length
        before = window[-1] - timedelta(days=1)


# The dashboard's statements, built once with bound parameters (`user_id`, and `ids` for a
# list): on a page of a dozen small reads, building and keying each statement cost more than
# the database took to run it.
_STUDIED = (Card.user_id == bindparam("user_id"), Question.retired_at.is_(None),
            Card.phase != int(Phase.NEW))
# Recall reads the first four columns in this order (scheduling.recall_by_question).
_STUDIED_CARDS = (db.select(Card.question_id, Card.phase, Card.stability, Card.last_review,
                            Question.era, Card.due)
                  .join(Question, Question.id == Card.question_id).where(*_STUDIED))
# A row per theme with its studied questions' ids joined by spaces (ids have none): a few
# rows rather than one per card and theme, each of which cost more to fetch than to sum.
_STUDIED_TAGS = (db.select(QuestionTag.tag, func.aggregate_strings(QuestionTag.question_id, " "))
                 .join(Card, Card.question_id == QuestionTag.question_id)
                 .join(Question, Question.id == Card.question_id).where(*_STUDIED)
                 .group_by(QuestionTag.tag))
_ACTIVE_QUESTIONS = db.select(func.sum(Bank.active_questions))


@functools.cache
def _most_lapsed(dialect: str) -> Any:
    """Sorted and cut in the database: the page shows ten, whatever the number of lapsed
    cards; with the three texts `question_text` reads, not each whole stored question."""
    def by_id(column: Any) -> Any:
        # Ties go by id in code-point order on both databases (SQLite's own): a PostgreSQL
        # database in a locale such as en_US would otherwise sort ids ignoring their hyphens.
        return column.collate("C") if dialect == "postgresql" else column

    top = (db.select(Card.question_id, Card.lapses)
           .join(Question, Question.id == Card.question_id)
           .where(*_STUDIED, Card.lapses > 0)
           .order_by(Card.lapses.desc(), by_id(Card.question_id)).limit(bindparam("limit"))
           .subquery("lapsed"))
    # The texts of the ten only: asked for beside the sort, they were read out of the stored
    # question of every lapsed card before it (PostgreSQL parses a json value anew each time:
    # 3 ms for a learner who had forgotten 300 questions).
    return (db.select(top.c.question_id, top.c.lapses,
                      *(Question.spec[key].as_string() for key in ("prompt", "front", "text")))
            .join(Question, Question.id == top.c.question_id)
            .order_by(top.c.lapses.desc(), by_id(top.c.question_id)))


def studied_cards(user: User) -> list[Any]:
    """The learner's studied cards of active questions, as plain rows: one read that the
    states, mastery and forecast figures share. Through the Core connection: a
    learner who has studied every question has hundreds of cards, and loading each as an ORM
    object cost more than the rest of the page."""
    return db.session.connection().execute(_STUDIED_CARDS, {"user_id": user.id}).all()


def cards_by_state(user: User, now: datetime, studied: list[Any] | None = None) -> StateCounts:
    """Active questions by state; "new" counts questions never studied or reset by a revision."""
    active = db.session.connection().execute(_ACTIVE_QUESTIONS).scalar()
    phases = Counter(row.phase for row in (studied_cards(user) if studied is None else studied))
    return StateCounts(new=(active or 0) - sum(phases.values()),
                       learning=phases[int(Phase.LEARNING)], review=phases[int(Phase.REVIEW)],
                       relearning=phases[int(Phase.RELEARNING)])


def mastery(user: User, now: datetime, studied: list[Any] | None = None) -> Mastery:
    """Average retrievability now of the learner's studied active cards, by era and by theme."""
    rows = studied_cards(user) if studied is None else studied
    tags = db.session.connection().execute(_STUDIED_TAGS, {"user_id": user.id}).all()
    recall = scheduling.recall_by_question(rows, now, policy_for(user, fuzzing=False))
    by_era: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_era[row.era].append(recall[row.question_id])
    by_tag = {tag: [recall[question_id] for question_id in joined.split(" ")]
              for tag, joined in tags}
    return Mastery(eras=[_mastery_row(key, spec.ERA_TITLES[key], by_era[key])
                         for key in spec.ERAS],
                   themes=[_mastery_row(key, spec.TAG_TITLES[key], by_tag.get(key, []))
                           for key in spec.TAGS])


def _mastery_row(key: str, title: str, values: list[float]) -> MasteryRow:
    return MasteryRow(key, title, len(values), sum(values) / len(values) if values else None)


def due_forecast(user: User, now: datetime, studied: list[Any] | None = None, *,
                 days: int = FORECAST_DAYS) -> list[DayCount]:
    """Cards due on each of the next `days` study days from today; overdue cards count today."""
    today = study_day(now, user.time_zone)
    dues = [row.due for row in (studied_cards(user) if studied is None else studied)
            if row.due is not None]
    counts = calendar.forecast(dues, today=today, days=days, tz_name=user.time_zone)
    return [DayCount(day, count) for day, count in counts.items()]


def most_lapsed(user: User, now: datetime, *, limit: int = LAPSED_LIMIT) -> list[Lapsed]:
    """The active questions the learner has forgotten most often after learning them."""
    connection = db.session.connection()
    rows = connection.execute(_most_lapsed(connection.dialect.name),
                              {"user_id": user.id, "limit": limit})
    return [Lapsed(question_id, question_text({"prompt": prompt, "front": front,
                                               "text": text or ""}), lapses)
            for question_id, lapses, prompt, front, text in rows]


def scored_tests(user: User, now: datetime) -> list[ScoredTest]:
    """The finished tests among the learner's last TESTS_SHOWN practice tests, oldest first,
    each scored as on the tests page (the tests page lists them all)."""
    # The latest only: the chart's cost then follows the tests it shows, not every test
    # a learner has ever taken.
    finished = sorted((a for a in test_attempts(user, now, latest=TESTS_SHOWN)
                       if a.finished_at is not None and a.summary.possible),
                      key=lambda a: (a.finished_at, a.session.id))
    return [ScoredTest(a.session.id, study_date(a.finished_at, user.time_zone),
                       a.finished_at, a.summary.possible, a.summary.score) for a in finished]


def dashboard(user: User, now: datetime) -> Dashboard:
    """Every dashboard figure for `user` at `now`."""
    today = study_day(now, user.time_zone).day
    year = _year(user, today)
    studied = studied_cards(user)
    return Dashboard(today=today, streak=current_streak(user, now, year=year),
                     states=cards_by_state(user, now, studied),
                     days=reviews_per_day(user, now, year=year),
                     weeks=weekly_accuracy(user, now, year=year),
                     mastery=mastery(user, now, studied),
                     forecast=due_forecast(user, now, studied),
                     lapsed=most_lapsed(user, now), tests=scored_tests(user, now))


def question_text(stored: dict[str, Any]) -> str:
    """A one-line form of a stored question: its prompt, a flashcard's front, a blanked cloze."""
    text = stored.get("prompt") or stored.get("front")
    if text:
        return str(text)
    return spec.CLOZE_GAP.sub("…", str(stored.get("text", "")))


@dataclass(frozen=True)
class PastAnswer(grading.Scored):
    """One of the learner's answers to a question, as the history table shows it."""

    reviewed_at: datetime
    rating: Rating
    score: float
    given: str
    duration_ms: int
    scheduled: bool


@dataclass(frozen=True)
class QuestionHistory:
    """A question with the learner's answers to it and their memory of it now."""

    question: Question
    model: Any
    expected: str
    card: Card | None
    answers: list[PastAnswer]
    retrievability: float | None
    page: int = 1
    has_older: bool = False

    @property
    def phase(self) -> Phase:
        return Phase(self.card.phase) if self.card else Phase.NEW

    @property
    def era_title(self) -> str:
        return spec.ERA_TITLES.get(self.question.era, self.question.era)

    @property
    def theme_titles(self) -> list[str]:
        return [spec.TAG_TITLES.get(tag, tag) for tag in self.question.tag_names]

    @property
    def choices(self) -> list[str]:
        """The choices of a multiple-choice or multiple-select question, in bank order."""
        return [spec.choice_text(choice) for choice in getattr(self.model, "choices", None) or []]


def question_history(user: User, question: Question, now: datetime, *,
                     page: int = 1) -> QuestionHistory:
    """The learner's memory of `question` at `now` and one page of their answers to it,
    newest first (`HISTORY_PAGE` a page, so a long history costs no more to show)."""
    model = load_question(question)
    card = db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                    Card.question_id == question.id)).first()
    reviews = [] if card is None else db.session.scalars(
        db.select(Review).where(Review.card_id == card.id, Review.user_id == user.id)
        .order_by(Review.reviewed_at.desc(), Review.seq.desc())
        .offset((page - 1) * HISTORY_PAGE).limit(HISTORY_PAGE + 1)).all()
    recall = None
    if card is not None and card.phase != int(Phase.NEW):
        recall = scheduling.retrievability(card.memory, now=now,
                                           policy=policy_for(user, fuzzing=False))
    answers = [PastAnswer(review.reviewed_at, Rating(review.rating), review.score,
                          _given(model, review.response, review.rating), review.duration_ms,
                          review.scheduled) for review in reviews[:HISTORY_PAGE]]
    return QuestionHistory(question, model, grading.expected_answer(model), card, answers,
                           recall, page=page, has_older=len(reviews) > HISTORY_PAGE)


def _given(model: Any, response: Any, rating: int) -> str:
    """What the learner answered, in words (re-marked with the grader that marked it)."""
    if isinstance(model, spec.Flashcard):
        return f"Rated {Rating(rating).name.title()}"
    try:
        return grading.grade(model, response).given
    except (TypeError, ValueError):
        # The question changed since this answer (or it came from an imported file in an
        # older shape): show what was stored rather than fail. InvalidResponse is a ValueError.
        return response if isinstance(response, str) else json.dumps(response,
                                                                     ensure_ascii=False)
