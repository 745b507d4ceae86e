"""Choosing what to study: the day's counts, the next question of a session, and its progress."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_

from quiz.banks import spec
from quiz.core.clock import StudyDay, study_day
from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.models import (
    Bank,
    Card,
    DayTally,
    Question,
    Review,
    SessionKind,
    StudyOrder,
    StudySession,
    User,
)
from quiz.study import exams, tallies

# Like Anki's learn-ahead limit: a learning card due within this window is shown now rather
# than making the learner wait a few minutes with nothing to do.
LEARN_AHEAD = timedelta(minutes=20)


def today(user: User, now: datetime) -> StudyDay:
    """The learner's current study day (their time zone, rolling over at 4 a.m.)."""
    return study_day(now, user.time_zone)


# Validating a stored question is the costliest step of showing it; a question's content hash
# names its exact text, so the validated model can be kept for as long as that text lives.
_MODELS: dict[tuple[str, str], Any] = {}
_MODELS_MAX = 20_000


def load_question(question: Question) -> Any:
    """The spec model of a stored question, for rendering and grading."""
    key = (question.id, question.content_hash)
    model = _MODELS.get(key)
    if model is None:
        model = spec.QUESTION.validate_python(question.spec)
        if len(_MODELS) >= _MODELS_MAX:
            _MODELS.clear()  # a bank rewritten many times over: start afresh
        _MODELS[key] = model
    return model


@dataclass(frozen=True)
class BankCounts:
    """A bank on the home page: its size and, for a learner, what today holds."""

    bank: Bank
    total: int
    due: int = 0
    new: int = 0


def active() -> Any:
    """The condition that a question is active: still in its bank, not retired."""
    return Question.retired_at.is_(None)


def in_era_order() -> tuple[Any, ...]:
    """The ordering of banks as history runs, 1947 first, wherever a learner sees them
    listed."""
    era = case({era: rank for rank, era in enumerate(spec.ERAS)}, value=Bank.era,
               else_=len(spec.ERAS))
    return era, Bank.id


def _studied() -> Any:
    return Card.phase != int(Phase.NEW)


def _available(now: datetime) -> Any:
    """Cards that may be shown: not suspended, not buried for the day."""
    return and_(Card.suspended_at.is_(None),
                or_(Card.buried_until.is_(None), Card.buried_until <= now))


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def bank_counts(user: User | None, now: datetime) -> list[BankCounts]:
    """Every bank with active questions, in era order, with due and new counts for `user`
    today."""
    banks = db.session.scalars(db.select(Bank).where(Bank.active_questions > 0)
                               .order_by(*in_era_order())).all()
    if user is None:
        return [BankCounts(bank, bank.active_questions) for bank in banks]
    day = today(user, now)
    counts = {row.bank_id: row for row in db.session.execute(
        db.select(Question.bank_id,
                  _count(and_(_studied(), Card.due < day.end, _available(now))).label("due"),
                  _count(or_(_studied(), Card.suspended_at.is_not(None),
                             Card.buried_until > now)).label("unavailable"))
        .join(Card, Card.question_id == Question.id)
        .where(active(), Card.user_id == user.id).group_by(Question.bank_id))}
    introduced = tallies.introduced_by_bank(user, day.day)
    result = []
    for bank in banks:
        row = counts.get(bank.id)
        unseen = bank.active_questions - (row.unavailable if row else 0)
        started = introduced.get(bank.id, 0)
        allowance = max(0, exams.new_allowance(user, bank.id, unseen + started, now) - started)
        result.append(BankCounts(bank, bank.active_questions, row.due if row else 0,
                                 max(0, min(unseen, allowance))))
    return result


@dataclass(frozen=True)
class Today:
    """What today still holds in a bank (or in every bank): reviews due (within the daily
    review limit), cards in learning due today, and the new questions the daily new limit still
    allows; with what was done today, which the study order weighs."""

    reviews: int
    learning: int
    new: int
    reviewed: int = 0
    introduced: int = 0

    @property
    def due(self) -> int:
        return self.reviews + self.learning


def today_counts(user: User, bank_id: str | None, now: datetime) -> Today:
    """Reviews and learning cards due today and new questions still allowed, in one query."""
    day = today(user, now)
    values = {"user_id": user.id, "day": day.day, "day_end": day.end, "now": now}
    # Through the Core connection: plain numbers need none of the ORM's result handling.
    connection = db.session.connection()
    if bank_id is None:
        reviews, learning, _unavailable, done = connection.execute(
            _today_query(False), values).one()
        return _within_limits(user, reviews, learning, 0, done or 0, 0)
    reviews, learning, unavailable, done, active, started = connection.execute(
        _today_query(True), {**values, "bank_id": bank_id}).one()
    unseen = (active or 0) - int(unavailable)
    # The exam's pace counts what was unseen this morning, so it stays put through the day.
    per_day = exams.new_allowance(user, bank_id, unseen + (started or 0), now)
    allowance = max(0, min(unseen, per_day - (started or 0)))
    return _within_limits(user, reviews, learning, allowance, done or 0, started or 0)


@functools.cache
def _today_query(in_bank: bool) -> Any:
    """`today_counts`'s statement, built once with bound parameters: it runs on every
    question and answer, and building and keying it cost more than running it."""
    user_id, now, day = bindparam("user_id"), bindparam("now"), bindparam("day")
    shown = and_(_studied(), Card.due < bindparam("day_end"), _available(now))
    reviewed = (db.select(func.coalesce(func.sum(DayTally.reviewed), 0))
                .where(DayTally.user_id == user_id, DayTally.day == day)
                .scalar_subquery())
    query = (db.select(_count(and_(shown, Card.phase == int(Phase.REVIEW))),
                       _count(and_(shown, Card.phase != int(Phase.REVIEW))),
                       _count(or_(_studied(), Card.suspended_at.is_not(None),
                                  Card.buried_until > now)),
                       reviewed)
             .select_from(Card).join(Question, Question.id == Card.question_id)
             .where(Card.user_id == user_id, _in_scope(in_bank)))
    if not in_bank:
        return query
    bank_id = bindparam("bank_id")
    total = db.select(Bank.active_questions).where(Bank.id == bank_id).scalar_subquery()
    introduced = (db.select(DayTally.introduced)
                  .where(DayTally.user_id == user_id, DayTally.day == day,
                         DayTally.bank_id == bank_id).scalar_subquery())
    return query.add_columns(total, introduced)


def _within_limits(user: User, reviews: int, learning: int, new: int, reviewed: int,
                   introduced: int) -> Today:
    # The review limit counts the day's reviews in every bank, as Anki's does per profile.
    allowed = max(0, user.reviews_per_day - int(reviewed))
    return Today(min(int(reviews), allowed), int(learning), int(new), int(reviewed),
                 int(introduced))


def today_counts_for(user: User, session: StudySession, now: datetime) -> Today | None:
    """`today_counts` for a bank or due session, shared by its next question and its progress
    bar; None for practice runs and tests, which ask a fixed list."""
    if session.kind == SessionKind.BANK:
        return today_counts(user, session.bank_id, now)
    if session.kind == SessionKind.DUE:
        return today_counts(user, None, now)
    return None


@dataclass(frozen=True)
class Prompt:
    """The question to show next, with the sequence number its form must carry back."""

    question: Question
    model: Any
    card: Card | None
    seq: int

    @property
    def is_new(self) -> bool:
        return self.card is None or self.card.phase == int(Phase.NEW)


def question_with_card(user: User, question_id: str) -> tuple[Question, Card | None] | None:
    """A question with the learner's card for it (None if they never studied it), in one
    query; None if there is no such question."""
    found = db.session.execute(_QUESTION_WITH_CARD,
                               {"user_id": user.id, "question_id": question_id}).first()
    return None if found is None else (found[0], found[1])


# Every question and answer looks its question and card up: built once with bound parameters.
_QUESTION_WITH_CARD = (
    db.select(Question, Card)
    .outerjoin(Card, and_(Card.question_id == Question.id, Card.user_id == bindparam("user_id")))
    .where(Question.id == bindparam("question_id")))


def prompt_for(question: Question, card: Card | None) -> Prompt:
    """The prompt showing `question` to the holder of `card` (None: never studied)."""
    return Prompt(question, load_question(question), card, card.answers if card else 0)


def next_prompt(user: User, session: StudySession, now: datetime, *,
                counts: Today | None = None) -> Prompt | None:
    """The next question of the session, or None when it has nothing more to ask now."""
    if session.finished_at(now) is not None:
        return None
    if session.kind in (SessionKind.PRACTICE, SessionKind.TEST):
        return next_listed(user, session)
    bank_id = session.bank_id if session.kind == SessionKind.BANK else None
    counts = counts or today_counts(user, bank_id, now)
    return _next_scheduled(user, bank_id, now, counts)


def _in_scope(in_bank: bool) -> Any:
    """Active questions, of the bank the parameter `bank_id` names if `in_bank`."""
    return and_(Question.bank_id == bindparam("bank_id"), active()) if in_bank else active()


def _card_and_question(condition: Any, scope: Any) -> Any:
    """The first of the learner's (parameter `user_id`) cards in scope meeting `condition`."""
    return (db.select(Card, Question).join(Question, Question.id == Card.question_id)
            .where(scope, Card.user_id == bindparam("user_id"), condition)
            .order_by(Card.due, Card.id).limit(1))


def new_comes_first(order: str, counts: Today) -> bool:
    """Whether the next question should be a new one rather than a review, when both wait.

    Mixed spreads new questions evenly through the day's reviews: the next is new while the
    share of today's new questions already seen is behind the share of its reviews."""
    if order == StudyOrder.NEW_FIRST:
        return True
    if order == StudyOrder.REVIEWS_FIRST:
        return False
    new_total = counts.introduced + counts.new
    review_total = counts.reviewed + counts.reviews
    return counts.introduced * review_total < counts.reviewed * new_total


def _next_scheduled(user: User, bank_id: str | None, now: datetime,
                    counts: Today) -> Prompt | None:
    """Learning steps due now first, then the day's reviews and new questions in the
    learner's chosen order, within the daily limits; then learning steps due soon."""
    values = {"user_id": user.id, "now": now, "day_end": today(user, now).end,
              "ahead": now + LEARN_AHEAD}
    if bank_id is not None:
        values["bank_id"] = bank_id
    first, unseen, ahead = _scheduled_queries(bank_id is not None, counts.reviews > 0)
    found = db.session.execute(first, values).first()
    is_learning = found is not None and found[0].phase != int(Phase.REVIEW)
    if not is_learning and bank_id is not None and counts.new > 0 and (
            found is None or new_comes_first(user.study_order, counts)):
        new = db.session.execute(unseen, values).first()
        if new is not None:
            return prompt_for(*new)
    if found is None:
        found = db.session.execute(ahead, values).first()
    return prompt_for(found[1], found[0]) if found is not None else None


@functools.cache
def _scheduled_queries(in_bank: bool, with_reviews: bool) -> tuple[Any, Any, Any]:
    """`_next_scheduled`'s statements, built once with bound parameters (they run on every
    question): the first card due, the first unseen question, the first learning step due
    within the learn-ahead limit."""
    # As in Anki, a review card is due for the whole of its study day (FSRS keeps the time of
    # day of the last answer, which would otherwise hide it until that hour); learning steps
    # are minutes long, so those cards keep their exact times.
    now = bindparam("now")
    scope = _in_scope(in_bank)
    learning = and_(Card.phase.in_([int(Phase.LEARNING), int(Phase.RELEARNING)]),
                    _available(now))
    waiting = and_(learning, Card.due <= now)
    if with_reviews:  # within the daily review limit
        waiting = or_(waiting, and_(Card.phase == int(Phase.REVIEW), _available(now),
                                    Card.due < bindparam("day_end")))
    # One query for both: a learning step due now comes before any review.
    first = (_card_and_question(waiting, scope)
             .order_by(None).order_by(case((learning, 0), else_=1), Card.due, Card.id))
    unseen = _unseen(scope, now).order_by(Question.position, Question.id).limit(1)
    ahead = _card_and_question(and_(learning, Card.due <= bindparam("ahead")), scope)
    return first, unseen, ahead


def _unseen(scope: Any, now: Any) -> Any:
    """Active questions in scope that the learner (parameter `user_id`) has never studied (or
    that were reset), each with its card if it has one; suspended and buried ones wait."""
    return (db.select(Question, Card)
            .outerjoin(Card, and_(Card.question_id == Question.id,
                                  Card.user_id == bindparam("user_id")))
            .where(scope, or_(Card.id.is_(None),
                              and_(Card.phase == int(Phase.NEW), _available(now)))))


def answered_by_session(session_ids: list[int]) -> dict[int, set[str]]:
    """The questions answered in each of these sessions, in one query."""
    answered: dict[int, set[str]] = {}
    for session_id, question_id in db.session.connection().execute(
            _ANSWERED_BY_SESSION, {"ids": session_ids}):
        answered.setdefault(session_id, set()).add(question_id)
    return answered


def answered_ids(session: StudySession) -> set[str]:
    """The questions answered so far in `session`."""
    return answered_by_session([session.id]).get(session.id, set())


def retired_among(question_ids: list[str]) -> dict[str, datetime]:
    """When each retired question among `question_ids` was retired."""
    return dict(db.session.connection().execute(_RETIRED_AMONG, {"ids": question_ids}).all())


# Sessions' lookups by lists of ids, built once: the dashboard and every practice test page
# run them.
_ANSWERED_BY_SESSION = (db.select(Review.session_id, Card.question_id)
                        .join(Card, Card.id == Review.card_id)
                        .where(Review.session_id.in_(bindparam("ids", expanding=True))))
_RETIRED_AMONG = db.select(Question.id, Question.retired_at).where(
    Question.id.in_(bindparam("ids", expanding=True)), Question.retired_at.is_not(None))


def still_askable(session: StudySession, answered: set[str],
                  retired: dict[str, datetime]) -> list[str]:
    """A fixed list's questions not yet answered that count towards it. One retired from its
    bank before the session closed can no longer be asked, so it neither waits nor counts
    against a score; one retired after it closed still counts, so an old score never moves."""
    # A test takes one answer a question, so one with as many answers as questions has none
    # left, even when an answered question was since replaced (its card, and so the answer,
    # moved to the new id). The tests list skips the lookup for such a test on the same rule.
    if len(answered) >= len(session.question_ids):
        return []
    closed = session.ended_at or session.deadline
    return [q for q in session.question_ids if q not in answered
            and (q not in retired or (closed is not None and retired[q] > closed))]


def next_listed(user: User, session: StudySession) -> Prompt | None:
    """Practice and tests ask their fixed list of questions in order, each once."""
    answered = answered_ids(session)
    waiting = [q for q in session.question_ids if q not in answered]
    # A few waiting questions per query: some may have been retired since the session began.
    for start in range(0, len(waiting), 20):
        window = waiting[start:start + 20]
        found = {question.id: (question, card) for question, card in db.session.execute(
            db.select(Question, Card)
            .outerjoin(Card, and_(Card.question_id == Question.id, Card.user_id == user.id))
            .where(Question.id.in_(window), active()))}
        for question_id in window:
            if question_id in found:
                return prompt_for(*found[question_id])
    return None


def card_for(user: User, question_id: str) -> Card | None:
    """The learner's card for a question, if they have one."""
    return db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                    Card.question_id == question_id)).first()


def next_due(user: User, bank_id: str | None, now: datetime) -> datetime | None:
    """When the next question (of the bank, or of any bank) becomes available, if ever."""
    scope = _in_scope(bool(bank_id))
    values = {"user_id": user.id, "bank_id": bank_id}
    due = db.session.scalar(
        db.select(func.min(Card.due)).join(Question, Question.id == Card.question_id)
        .where(scope, Card.user_id == user.id, Card.phase != int(Phase.NEW),
               Card.suspended_at.is_(None)), values)
    if bank_id:
        # A buried question waits for tomorrow's rollover, as an unseen one does.
        unseen = db.session.scalar(db.select(func.count()).select_from(
            _unseen(scope, today(user, now).end).subquery()), values)
        if unseen:
            tomorrow = today(user, now).end
            due = min(due, tomorrow) if due else tomorrow
    return due


@dataclass(frozen=True)
class Progress:
    """How far through the session the learner is: answered so far and still to come now;
    for a bank or due session, what is to come split as Anki shows it."""

    done: int
    left: int
    today: Today | None = None

    @property
    def total(self) -> int:
        return self.done + self.left


def progress(user: User, session: StudySession, now: datetime, *,
             counts: Today | None = None) -> Progress:
    """Answered in this session, and what is left to study today (or in the test)."""
    if session.kind in (SessionKind.PRACTICE, SessionKind.TEST):
        answered = answered_ids(session)
        if session.finished_at(now) is not None:
            return Progress(len(answered), 0)
        return Progress(len(answered), len(still_askable(
            session, answered, retired_among(session.question_ids))))
    if session.finished_at(now) is not None:
        return Progress(session.answered, 0)
    bank_id = session.bank_id if session.kind == SessionKind.BANK else None
    counts = counts or today_counts(user, bank_id, now)
    return Progress(session.answered, counts.due + counts.new, counts)
