"""Studying: what comes next, recording an answer exactly once, and session summaries."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from quiz.banks import spec
from quiz.core import grading, scheduling
from quiz.core.clock import StudyDay, study_day
from quiz.core.scheduling import Phase, Rating
from quiz.extensions import add_one, db
from quiz.models import (
    Bank,
    Card,
    DayTally,
    Question,
    QuestionTag,
    Review,
    SessionKind,
    StudyOrder,
    StudySession,
    User,
)
from quiz.study import cards, exams, tallies, tuning
from quiz.study.policy import fuzz_seed, policy_for

# Like Anki's learn-ahead limit: a learning card due within this window is shown now rather
# than making the learner wait a few minutes with nothing to do.
LEARN_AHEAD = timedelta(minutes=20)
MAX_DURATION_MS = 10 * 60 * 1000


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


def _active() -> Any:
    return Question.retired_at.is_(None)


def _in_era_order() -> tuple[Any, ...]:
    # Banks as history runs, 1947 first, wherever a learner sees them listed.
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
                               .order_by(*_in_era_order())).all()
    if user is None:
        return [BankCounts(bank, bank.active_questions) for bank in banks]
    day = today(user, now)
    counts = {row.bank_id: row for row in db.session.execute(
        db.select(Question.bank_id,
                  _count(and_(_studied(), Card.due < day.end, _available(now))).label("due"),
                  _count(or_(_studied(), Card.suspended_at.is_not(None),
                             Card.buried_until > now)).label("unavailable"))
        .join(Card, Card.question_id == Question.id)
        .where(_active(), Card.user_id == user.id).group_by(Question.bank_id))}
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


def session_of(user: User, session_id: int) -> StudySession | None:
    """The learner's study session `session_id` with its bank, or None (another learner's
    session is as good as missing)."""
    return db.session.execute(_SESSION_OF, {"user_id": user.id, "id": session_id}).scalar()


def question_with_card(user: User, question_id: str) -> tuple[Question, Card | None] | None:
    """A question with the learner's card for it (None if they never studied it), in one
    query; None if there is no such question."""
    found = db.session.execute(_QUESTION_WITH_CARD,
                               {"user_id": user.id, "question_id": question_id}).first()
    return None if found is None else (found[0], found[1])


# The two lookups every question and answer make, built once with bound parameters: building
# and keying a statement cost more than running it.
_SESSION_OF = (db.select(StudySession).options(joinedload(StudySession.bank))
               .where(StudySession.id == bindparam("id"),
                      StudySession.user_id == bindparam("user_id")))
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
        return _next_listed(user, session)
    bank_id = session.bank_id if session.kind == SessionKind.BANK else None
    counts = counts or today_counts(user, bank_id, now)
    return _next_scheduled(user, bank_id, now, counts)


def _in_scope(in_bank: bool) -> Any:
    """Active questions, of the bank the parameter `bank_id` names if `in_bank`."""
    return and_(Question.bank_id == bindparam("bank_id"), _active()) if in_bank else _active()


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


def _answered_by_session(session_ids: list[int]) -> dict[int, set[str]]:
    """The questions answered in each of these sessions, in one query."""
    answered: dict[int, set[str]] = {}
    for session_id, question_id in db.session.connection().execute(
            _ANSWERED_BY_SESSION, {"ids": session_ids}):
        answered.setdefault(session_id, set()).add(question_id)
    return answered


def _answered_ids(session: StudySession) -> set[str]:
    return _answered_by_session([session.id]).get(session.id, set())


def _retired_among(question_ids: list[str]) -> dict[str, datetime]:
    """When each retired question among `question_ids` was retired."""
    return dict(db.session.connection().execute(_RETIRED_AMONG, {"ids": question_ids}).all())


# Sessions' and tests' lookups by lists of ids, built once: the dashboard and every practice
# test page run them.
_ANSWERED_BY_SESSION = (db.select(Review.session_id, Card.question_id)
                        .join(Card, Card.id == Review.card_id)
                        .where(Review.session_id.in_(bindparam("ids", expanding=True))))
_RETIRED_AMONG = db.select(Question.id, Question.retired_at).where(
    Question.id.in_(bindparam("ids", expanding=True)), Question.retired_at.is_not(None))
_TEST_TOTALS = (db.select(Review.session_id, func.count().label("answered"),
                          func.coalesce(func.sum(db.case((Review.score >= 1.0, 1), else_=0)), 0)
                          .label("correct"),
                          func.coalesce(func.sum(Review.score), 0.0).label("points"),
                          func.max(Review.reviewed_at).label("last"))
                .where(Review.session_id.in_(bindparam("ids", expanding=True)))
                .group_by(Review.session_id))


def _still_askable(session: StudySession, answered: set[str],
                   retired: dict[str, datetime]) -> list[str]:
    """A fixed list's questions not yet answered that count towards it. One retired from its
    bank before the session closed can no longer be asked, so it neither waits nor counts
    against a score; one retired after it closed still counts, so an old score never moves."""
    closed = session.ended_at or session.deadline
    return [q for q in session.question_ids if q not in answered
            and (q not in retired or (closed is not None and retired[q] > closed))]


def _next_listed(user: User, session: StudySession) -> Prompt | None:
    """Practice and tests ask their fixed list of questions in order, each once."""
    answered = _answered_ids(session)
    waiting = [q for q in session.question_ids if q not in answered]
    # A few waiting questions per query: some may have been retired since the session began.
    for start in range(0, len(waiting), 20):
        window = waiting[start:start + 20]
        found = {question.id: (question, card) for question, card in db.session.execute(
            db.select(Question, Card)
            .outerjoin(Card, and_(Card.question_id == Question.id, Card.user_id == user.id))
            .where(Question.id.in_(window), _active()))}
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
        answered = _answered_ids(session)
        if session.finished_at(now) is not None:
            return Progress(len(answered), 0)
        return Progress(len(answered), len(_still_askable(
            session, answered, _retired_among(session.question_ids))))
    if session.finished_at(now) is not None:
        return Progress(session.answered, 0)
    bank_id = session.bank_id if session.kind == SessionKind.BANK else None
    counts = counts or today_counts(user, bank_id, now)
    return Progress(session.answered, counts.due + counts.new, counts)


@dataclass(frozen=True)
class ClozePiece:
    """A run of cloze text, or a gap (numbered from 0) with its hint."""

    text: str = ""
    gap: int | None = None
    hint: str | None = None


def cloze_pieces(model: spec.Cloze) -> list[ClozePiece]:
    """The cloze text split into plain runs and gaps, for rendering input boxes inline."""
    pieces, last = [], 0
    for index, match in enumerate(spec.CLOZE_GAP.finditer(model.text)):
        pieces.append(ClozePiece(text=model.text[last:match.start()]))
        pieces.append(ClozePiece(gap=index, hint=spec.parse_gap(match.group(1)).hint))
        last = match.end()
    pieces.append(ClozePiece(text=model.text[last:]))
    return pieces


def shuffled(items: list[Any], *, user_id: int, question_id: str, seq: int) -> list[Any]:
    """`items` in an order fixed for this showing, so a reload shows the same order."""
    order = list(items)
    random.Random(f"{user_id}:{question_id}:{seq}").shuffle(order)  # noqa: S311 - not secret
    return order


def intervals(user: User, question_id: str, card: Card | None, now: datetime, *,
              fuzzing: bool, bank_id: str | None = None) -> dict[Rating, timedelta]:
    """What each self-rating would schedule, for the flashcard buttons: exactly what the
    answer will apply (the same fuzz seed, and the exam plan of the question's bank)."""
    memory = card.memory if card else scheduling.Memory()
    seed = fuzz_seed(user, question_id, card.answers if card else 0)
    then = None
    if bank_id is not None:
        def then(after: scheduling.Memory) -> scheduling.Memory:
            return exams.adjust(user, bank_id, after, now=now, fuzzing=fuzzing)
    return scheduling.preview(memory, now=now, policy=policy_for(user, fuzzing=fuzzing,
                                                                 seed=seed), then=then)


@dataclass(frozen=True)
class Outcome:
    """A recorded answer: the review row, its question, the grade, and whether it was a repeat
    post (the answer recorded first, shown again)."""

    review: Review
    question: Question
    model: Any
    grade: grading.Grade
    duplicate: bool = False
    leech: bool = False  # this answer made the card a leech


class StaleForm(Exception):
    """The form is for a question no longer on offer (retired, or a tampered sequence)."""


def live_banks() -> list[Bank]:
    """Banks that still hold active questions, in era order."""
    return list(db.session.scalars(
        db.select(Bank).where(Bank.id.in_(db.select(Question.bank_id).where(_active())))
        .order_by(*_in_era_order())))


class NothingToStudy(Exception):
    """No active question matches what the learner asked for."""


def start_session(user: User, bank_id: str, now: datetime) -> StudySession:
    """Open a study session on one bank."""
    return _open(StudySession(user_id=user.id, kind=SessionKind.BANK, bank_id=bank_id,
                              started_at=now))


def start_due_session(user: User, now: datetime) -> StudySession:
    """Open a session over everything due, across all banks."""
    return _open(StudySession(user_id=user.id, kind=SessionKind.DUE, started_at=now))


def matching_questions(*, bank_ids: list[str], eras: list[str], tags: list[str]) -> list[str]:
    """Ids of active questions in the chosen banks, eras and themes (empty choice: all)."""
    query = db.select(Question.id).where(_active())
    if bank_ids:
        query = query.where(Question.bank_id.in_(bank_ids))
    if eras:
        query = query.where(Question.era.in_(eras))
    if tags:
        query = query.where(Question.id.in_(
            db.select(QuestionTag.question_id).where(QuestionTag.tag.in_(tags))))
    return list(db.session.scalars(query.order_by(Question.id)))


def start_practice(user: User, *, eras: list[str], tags: list[str],
                   now: datetime) -> StudySession:
    """Open a practice session over the chosen eras and themes; it leaves the schedule alone."""
    ids = matching_questions(bank_ids=[], eras=eras, tags=tags)
    if not ids:
        raise NothingToStudy("No questions match those eras and themes.")
    _SHUFFLE.shuffle(ids)
    return _open(StudySession(user_id=user.id, kind=SessionKind.PRACTICE, eras=eras, tags=tags,
                              question_ids=ids, scheduled=False, started_at=now))


def start_test(user: User, *, bank_ids: list[str], eras: list[str], tags: list[str],
               length: int, time_limit_s: int | None, scheduled: bool,
               now: datetime) -> StudySession:
    """Open a practice test of `length` questions drawn from the chosen banks, eras, themes."""
    ids = matching_questions(bank_ids=bank_ids, eras=eras, tags=tags)
    if not ids:
        raise NothingToStudy("No questions match that choice of banks, eras and themes.")
    _SHUFFLE.shuffle(ids)
    return _open(StudySession(user_id=user.id, kind=SessionKind.TEST, bank_ids=bank_ids,
                              eras=eras, tags=tags, question_ids=ids[:length],
                              scheduled=scheduled, time_limit_s=time_limit_s, started_at=now))


# Which questions a test asks must not be guessable; nothing here needs to be reproducible.
_SHUFFLE = random.SystemRandom()


def _open(session: StudySession) -> StudySession:
    db.session.add(session)
    db.session.commit()
    return session


def in_session(session: StudySession, question: Question) -> bool:
    """Whether `question` belongs to what `session` asks."""
    if session.kind == SessionKind.BANK:
        return question.bank_id == session.bank_id
    if session.kind == SessionKind.DUE:
        return True
    return question.id in session.question_ids


def answer(user: User, session: StudySession, question_id: str, seq: int, response: Any, *,
           now: datetime, duration_ms: int, fuzzing: bool,
           found: tuple[Question, Card | None] | None = None) -> Outcome:
    """Grade `response`, reschedule the card and append the review, exactly once.

    `seq` is the card's answer count when the question was shown. If it no longer matches,
    this form was already answered (double click, back button, retry): the first review is
    returned, marked as a duplicate. The unique (card, seq) constraint settles races, and a
    practice run or test takes one answer per question. The caller has checked that the
    session offered this question at this `seq` (`quiz.study.forms.check_offer`); `found` is
    `question_with_card` if it already has it.
    Raises grading.InvalidResponse for a response that cannot be marked, StaleForm for a
    question not on offer.
    """
    found = found or question_with_card(user, question_id)
    if found is None or not in_session(session, found[0]):
        raise StaleForm("That question is not part of this session.")
    question, card = found
    model = load_question(question)
    if card is not None and seq < card.answers:
        return _duplicate(card, seq, question, model)
    if seq != (card.answers if card else 0) or question.retired_at is not None:
        raise StaleForm("That question is no longer on offer.")
    if session.finished_at(now) is not None:
        raise StaleForm("This session has ended; answers after the end are not counted.")
    if session.kind == SessionKind.DUE and (card is None or card.phase == int(Phase.NEW)):
        raise StaleForm("New questions are introduced bank by bank, not in a due session.")
    if session.kind in (SessionKind.PRACTICE, SessionKind.TEST):
        earlier = _answer_in_session(session, question_id)
        if earlier is not None:  # one response per question per attempt, as Moodle's quiz
            return Outcome(earlier, question, model, regrade(earlier, model), duplicate=True)
    if isinstance(model, spec.Flashcard):
        try:
            grade = grading.grade_flashcard(model, Rating(int(response)))
        except (TypeError, ValueError) as exc:
            raise grading.InvalidResponse("Rate how well you remembered it.") from exc
    else:
        grade = grading.grade(model, response)
    try:
        if card is None:
            card = Card(user_id=user.id, question_id=question_id, answers=0)
            db.session.add(card)
            db.session.flush()
        memory, before = card.memory, cards.snapshot(card)
        after = exams.adjust(user, question.bank_id, scheduling.review(
            memory, grade.rating, now=now, policy=policy_for(
                user, fuzzing=fuzzing, seed=fuzz_seed(user, question_id, seq))),
            now=now, fuzzing=fuzzing)
        review = Review(card_id=card.id, user_id=user.id, session_id=session.id, seq=seq,
                        scheduled=session.scheduled, rating=int(grade.rating), score=grade.score,
                        response=_storable(response), phase_before=int(memory.phase),
                        reviewed_at=now, duration_ms=max(0, min(duration_ms, MAX_DURATION_MS)),
                        due_after=after.due if session.scheduled else memory.due or now,
                        stability_after=after.stability if session.scheduled else None,
                        difficulty_after=after.difficulty if session.scheduled else None)
        db.session.add(review)
        leech = False
        if session.scheduled:
            card.memory = after
            card.revised = False
            tuning.count_answer(user)
            leech = cards.becomes_leech(user, memory.lapses, after.lapses)
            if leech:
                card.leech = True
                if user.leech_suspends:
                    card.suspended_at = now
            # Siblings (questions about the same event) wait until tomorrow, as in Anki.
            before["buried"] = cards.bury_siblings(user, question, model,
                                                   until=today(user, now).end, now=now)
        review.card_before = before
        card.answers = seq + 1
        # Two tabs answering in one session at once both count; the progress bar need not
        # read the session again.
        add_one(session, "answered")
        tallies.record(user, question.bank_id, review)
        if session.kind == SessionKind.TEST:
            db.session.flush()
            if _next_listed(user, session) is None:
                session.ended_at = now  # the last question answered ends the test
        db.session.commit()
    except IntegrityError:
        # Another request recorded this very answer first: report that one.
        db.session.rollback()
        card = card_for(user, question_id)
        if card is None:
            raise
        return _duplicate(card, seq, question, model)
    tuning.maybe_queue_fit(user, one_answer=True)
    return Outcome(review, question, model, grade, leech=leech)


def _answer_in_session(session: StudySession, question_id: str) -> Review | None:
    return db.session.scalars(
        db.select(Review).join(Card, Card.id == Review.card_id)
        .where(Review.session_id == session.id, Card.question_id == question_id)
        .order_by(Review.id).limit(1)).first()


def _storable(response: Any) -> Any:
    if isinstance(response, Rating):
        return int(response)
    return response


def _duplicate(card: Card, seq: int, question: Question, model: Any) -> Outcome:
    review = db.session.scalars(db.select(Review).where(Review.card_id == card.id,
                                                        Review.seq == seq)).first()
    if review is None:
        raise StaleForm("That question is no longer on offer.")
    return Outcome(review, question, model, regrade(review, model), duplicate=True)


def regrade(review: Review, model: Any = None) -> grading.Grade:
    """The grade of a stored review, recomputed from its response for the feedback page."""
    model = model or load_question(review.card.question)
    if isinstance(model, spec.Flashcard):
        return grading.grade_flashcard(model, Rating(review.rating))
    try:
        grade = grading.grade(model, review.response)
    except grading.InvalidResponse:
        # The question changed since: show the stored mark with the current answer.
        return grading.Grade(score=review.score, rating=Rating(review.rating),
                             given=str(review.response), expected=grading.expected_answer(model))
    if review.accepted:  # "I was right": the learner's word stands over the grader's
        return replace(grade, score=1.0, rating=Rating.GOOD,
                       note="You marked this answer right.")
    return grade


@dataclass(frozen=True)
class Summary:
    """The numbers at the end of a session; `possible` is set for tests (their length)."""

    answered: int
    correct: int
    points: float = 0.0
    possible: int | None = None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def score(self) -> float | None:
        """A test's score: partial credit counts, unanswered questions count as zero."""
        return self.points / self.possible if self.possible else None


def summary(session: StudySession) -> Summary:
    """Answered and correct counts (and a test's score) of a session's reviews."""
    answered, correct, points = db.session.execute(
        db.select(func.count(),
                  func.coalesce(func.sum(db.case((Review.score >= 1.0, 1), else_=0)), 0),
                  func.coalesce(func.sum(Review.score), 0.0))
        .where(Review.session_id == session.id)).one()
    possible = None
    if session.kind == SessionKind.TEST:
        possible = int(answered) + len(_still_askable(
            session, _answered_ids(session), _retired_among(session.question_ids)))
    return Summary(int(answered), int(correct), float(points), possible)


def session_title(session: StudySession) -> str:
    """How a session is named on its pages."""
    if session.kind == SessionKind.BANK and session.bank is not None:
        return session.bank.title
    if session.kind == SessionKind.DUE:
        return "Everything due"
    chosen = [spec.ERA_TITLES[e] for e in session.eras] + [spec.TAG_TITLES[t]
                                                          for t in session.tags]
    scope = ", ".join(chosen) if chosen else "all eras and themes"
    if session.kind == SessionKind.TEST:
        return f"Practice test: {len(session.question_ids)} questions ({scope})"
    return f"Practice: {scope}"


@dataclass(frozen=True)
class Attempt:
    """A practice test taken, with its numbers; `finished_at` is None while it is open."""

    session: StudySession
    summary: Summary
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def test_attempts(user: User, now: datetime, *, latest: int | None = None) -> list[Attempt]:
    """The learner's practice tests (the `latest` ones, or all), newest first, scored in four
    queries whatever their number."""
    sessions = list(db.session.scalars(_tests_of(latest is not None),
                                       {"user_id": user.id, "latest": latest}))
    ids = [s.id for s in sessions]
    retired = _retired_among(sorted({q for s in sessions for q in s.question_ids}))
    # A test takes one answer per question, so its unanswered questions are its length less
    # its answers, unless one of them was retired: only those tests' answers are read, not
    # every answer of every test (asked even for none, so the statements stay the same).
    touched = {s.id for s in sessions if any(q in retired for q in s.question_ids)}
    answered = _answered_by_session(sorted(touched))
    totals = {row.session_id: row
              for row in db.session.connection().execute(_TEST_TOTALS, {"ids": ids})}
    attempts = []
    for session in sessions:
        row = totals.get(session.id)
        count = int(row.answered) if row else 0
        left = (len(_still_askable(session, answered.get(session.id, set()), retired))
                if session.id in touched else len(session.question_ids) - count)
        finished_at = session.finished_at(now)
        if finished_at is None and not left and session.question_ids:
            # Every question it still had was retired: it ran out when the last one went.
            gone = [retired[q] for q in session.question_ids if q in retired]
            finished_at = max(gone + ([row.last] if row else []))
        attempts.append(Attempt(session, Summary(
            count, int(row.correct) if row else 0, float(row.points) if row else 0.0,
            count + left), finished_at))
    return attempts


@functools.cache
def _tests_of(limited: bool) -> Any:
    """The learner's (`user_id`) practice tests, newest first; the `latest` ones if
    `limited`."""
    query = (db.select(StudySession)
             .where(StudySession.user_id == bindparam("user_id"),
                    StudySession.kind == SessionKind.TEST)
             .order_by(StudySession.started_at.desc(), StudySession.id.desc()))
    return query.limit(bindparam("latest")) if limited else query


def pending_in_tests(user: User, now: datetime) -> dict[str, StudySession]:
    """Questions the learner's open practice tests have yet to ask, each with the latest test
    asking it. Pages that look an answer up hide it until then, so a test measures what the
    learner remembers rather than what another tab shows."""
    tests = [test for test in db.session.scalars(_OPEN_TESTS, {"user_id": user.id})
             if test.finished_at(now) is None]
    answered = _answered_by_session([test.id for test in tests])
    retired = _retired_among(sorted({q for test in tests for q in test.question_ids}))
    pending: dict[str, StudySession] = {}
    for test in tests:
        for question_id in _still_askable(test, answered.get(test.id, set()), retired):
            pending.setdefault(question_id, test)
    return pending


# Built once: the question history and feedback pages ask it on every view.
_OPEN_TESTS = (db.select(StudySession)
               .where(StudySession.user_id == bindparam("user_id"),
                      StudySession.kind == SessionKind.TEST, StudySession.ended_at.is_(None))
               .order_by(StudySession.started_at.desc(), StudySession.id.desc()))


def hidden_by(pending: dict[str, StudySession], review: Review) -> StudySession | None:
    """The open test (from `pending_in_tests`) that hides the feedback on `review`: answers
    given before the test began are hidden; what the learner studies after starting it is
    not."""
    test = pending.get(review.card.question_id)
    return test if test is not None and review.reviewed_at < test.started_at else None


@dataclass(frozen=True)
class TestItem:
    """One question of a practice test in its results: the learner's answer, or None if it
    went unanswered; `hidden_by` is an open test that hides the answer for now."""

    question: Question
    model: Any
    review: Review | None
    grade: grading.Grade | None
    hidden_by: StudySession | None

    @property
    def expected(self) -> str:
        return grading.expected_answer(self.model)


def test_results(user: User, session: StudySession, now: datetime) -> list[TestItem]:
    """Every question a test asked or still counts, in the order asked, with the answer
    given (a question retired before the test closed no longer counts, so it is left out)."""
    reviews = {review.card.question_id: review for review in db.session.scalars(
        db.select(Review).options(selectinload(Review.card))
        .where(Review.session_id == session.id).order_by(Review.reviewed_at, Review.id))}
    counted = set(reviews) | set(_still_askable(session, set(reviews),
                                                _retired_among(session.question_ids)))
    questions = {question.id: question for question in db.session.scalars(
        db.select(Question).where(Question.id.in_(counted)))}
    pending = pending_in_tests(user, now)
    items = []
    for question_id in session.question_ids:
        if question_id not in counted or question_id not in questions:
            continue
        question, review = questions[question_id], reviews.get(question_id)
        model = load_question(question)
        items.append(TestItem(question, model, review,
                              regrade(review, model) if review else None,
                              hidden_by(pending, review) if review else None))
    return items


def end_session(session: StudySession, now: datetime) -> None:
    """Close a session (idempotent)."""
    if session.ended_at is None:
        session.ended_at = now
        db.session.commit()
