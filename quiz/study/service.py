"""Studying: what comes next, recording an answer exactly once, and session summaries."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quiz.banks import spec
from quiz.core import grading, scheduling
from quiz.core.clock import StudyDay, study_day
from quiz.core.scheduling import Phase, Policy, Rating
from quiz.extensions import db
from quiz.models import Bank, Card, Question, QuestionTag, Review, SessionKind, StudySession, User

# Like Anki's learn-ahead limit: a learning card due within this window is shown now rather
# than making the learner wait a few minutes with nothing to do.
LEARN_AHEAD = timedelta(minutes=20)
MAX_DURATION_MS = 10 * 60 * 1000


def policy_for(user: User, *, fuzzing: bool) -> Policy:
    """The scheduling settings of `user`."""
    return Policy(desired_retention=user.desired_retention, fuzzing=fuzzing)


def today(user: User, now: datetime) -> StudyDay:
    """The learner's current study day (their time zone, rolling over at 4 a.m.)."""
    return study_day(now, user.time_zone)


def load_question(question: Question) -> Any:
    """The spec model of a stored question, for rendering and grading."""
    return spec.QUESTION.validate_python(question.spec)


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


def bank_counts(user: User | None, now: datetime) -> list[BankCounts]:
    """Every bank with active questions, in era order, with due and new counts for `user`
    today."""
    totals = dict(db.session.execute(
        db.select(Question.bank_id, func.count()).where(_active()).group_by(Question.bank_id)
    ).all())
    banks = db.session.scalars(db.select(Bank).where(Bank.id.in_(totals))
                               .order_by(*_in_era_order()))
    if user is None:
        return [BankCounts(bank, totals[bank.id]) for bank in banks]
    day = today(user, now)
    due = dict(db.session.execute(
        db.select(Question.bank_id, func.count()).join(Card, Card.question_id == Question.id)
        .where(_active(), Card.user_id == user.id, Card.phase != int(Phase.NEW),
               Card.due < day.end)
        .group_by(Question.bank_id)).all())
    studied = dict(db.session.execute(
        db.select(Question.bank_id, func.count()).join(Card, Card.question_id == Question.id)
        .where(_active(), Card.user_id == user.id, Card.phase != int(Phase.NEW))
        .group_by(Question.bank_id)).all())
    introduced = _introduced_by_bank(user, day)
    result = []
    for bank in banks:
        unseen = totals[bank.id] - studied.get(bank.id, 0)
        allowance = max(0, user.new_per_day - introduced.get(bank.id, 0))
        result.append(BankCounts(bank, totals[bank.id], due.get(bank.id, 0),
                                 min(unseen, allowance)))
    return result


def _introduced_by_bank(user: User, day: StudyDay) -> dict[str, int]:
    """How many new questions `user` started today, per bank (the daily new limit's count)."""
    return dict(db.session.execute(
        db.select(Question.bank_id, func.count(func.distinct(Review.card_id)))
        .join(Card, Card.id == Review.card_id).join(Question, Question.id == Card.question_id)
        .where(Review.user_id == user.id, Review.phase_before == int(Phase.NEW),
               Review.scheduled.is_(True), Review.reviewed_at >= day.start)
        .group_by(Question.bank_id)).all())


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


def next_prompt(user: User, session: StudySession, now: datetime) -> Prompt | None:
    """The next question of the session, or None when it has nothing more to ask now."""
    if session.finished_at(now) is not None:
        return None
    if session.kind in (SessionKind.PRACTICE, SessionKind.TEST):
        return _next_listed(user, session)
    bank_id = session.bank_id if session.kind == SessionKind.BANK else None
    return _next_scheduled(user, bank_id, now, allow_new=session.kind == SessionKind.BANK)


def _in_scope(bank_id: str | None) -> Any:
    return and_(Question.bank_id == bank_id, _active()) if bank_id else _active()


def _next_scheduled(user: User, bank_id: str | None, now: datetime, *,
                    allow_new: bool) -> Prompt | None:
    """Due reviews first (oldest first), then new questions within today's limit."""
    scope = _in_scope(bank_id)
    base = (db.select(Card).join(Question, Question.id == Card.question_id)
            .where(scope, Card.user_id == user.id))
    # As in Anki, a review card is due for the whole of its study day (FSRS keeps the time of
    # day of the last answer, which would otherwise hide it until that hour); learning steps
    # are minutes long, so those cards keep their exact times.
    due_now = or_(and_(Card.phase == int(Phase.REVIEW), Card.due < today(user, now).end),
                  and_(Card.phase.in_([int(Phase.LEARNING), int(Phase.RELEARNING)]),
                       Card.due <= now))
    card = db.session.scalars(base.where(due_now).order_by(Card.due, Card.id).limit(1)).first()
    if card is None and allow_new and bank_id and _new_allowance(user, bank_id, now) > 0:
        question = db.session.scalars(
            _unseen(user, scope).order_by(Question.position, Question.id).limit(1)).first()
        if question is not None:
            card = card_for(user, question.id)
            return Prompt(question, load_question(question), card, card.answers if card else 0)
    if card is None:
        card = db.session.scalars(
            base.where(Card.phase.in_([int(Phase.LEARNING), int(Phase.RELEARNING)]),
                       Card.due <= now + LEARN_AHEAD)
            .order_by(Card.due, Card.id).limit(1)).first()
    if card is None:
        return None
    return Prompt(card.question, load_question(card.question), card, card.answers)


def _unseen(user: User, scope: Any) -> Any:
    """Active questions in scope that `user` has never studied (or that were reset)."""
    return (db.select(Question)
            .outerjoin(Card, and_(Card.question_id == Question.id, Card.user_id == user.id))
            .where(scope, or_(Card.id.is_(None), Card.phase == int(Phase.NEW))))


def _answered_by_session(session_ids: list[int]) -> dict[int, set[str]]:
    """The questions answered in each of these sessions, in one query."""
    answered: dict[int, set[str]] = {}
    for session_id, question_id in db.session.execute(
            db.select(Review.session_id, Card.question_id).join(Card, Card.id == Review.card_id)
            .where(Review.session_id.in_(session_ids))):
        answered.setdefault(session_id, set()).add(question_id)
    return answered


def _answered_ids(session: StudySession) -> set[str]:
    return _answered_by_session([session.id]).get(session.id, set())


def _retired_among(question_ids: list[str]) -> dict[str, datetime]:
    """When each retired question among `question_ids` was retired."""
    return dict(db.session.execute(db.select(Question.id, Question.retired_at).where(
        Question.id.in_(question_ids), Question.retired_at.is_not(None))).all())


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
    for question_id in session.question_ids:
        if question_id in answered:
            continue
        question = db.session.get(Question, question_id)
        if question is None or question.retired_at is not None:
            continue  # removed from its bank since the session started
        card = card_for(user, question_id)
        return Prompt(question, load_question(question), card, card.answers if card else 0)
    return None


def _new_allowance(user: User, bank_id: str, now: datetime) -> int:
    return max(0, user.new_per_day - _introduced_by_bank(user, today(user, now)).get(bank_id, 0))


def card_for(user: User, question_id: str) -> Card | None:
    """The learner's card for a question, if they have one."""
    return db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                    Card.question_id == question_id)).first()


def next_due(user: User, bank_id: str | None, now: datetime) -> datetime | None:
    """When the next question (of the bank, or of any bank) becomes available, if ever."""
    scope = _in_scope(bank_id)
    due = db.session.scalar(
        db.select(func.min(Card.due)).join(Question, Question.id == Card.question_id)
        .where(scope, Card.user_id == user.id, Card.phase != int(Phase.NEW)))
    if bank_id:
        unseen = db.session.scalar(db.select(func.count()).select_from(
            _unseen(user, scope).subquery()))
        if unseen:
            tomorrow = today(user, now).end
            due = min(due, tomorrow) if due else tomorrow
    return due


@dataclass(frozen=True)
class Progress:
    """How far through the session the learner is: answered so far and still to come now."""

    done: int
    left: int

    @property
    def total(self) -> int:
        return self.done + self.left


def progress(user: User, session: StudySession, now: datetime) -> Progress:
    """Answered in this session, and what is left to study today (or in the test)."""
    if session.kind in (SessionKind.PRACTICE, SessionKind.TEST):
        answered = _answered_ids(session)
        if session.finished_at(now) is not None:
            return Progress(len(answered), 0)
        return Progress(len(answered), len(_still_askable(
            session, answered, _retired_among(session.question_ids))))
    done = summary(session).answered
    if session.finished_at(now) is not None:
        return Progress(done, 0)
    bank_id = session.bank_id if session.kind == SessionKind.BANK else None
    scope = _in_scope(bank_id)
    due = db.session.scalar(
        db.select(func.count()).select_from(Card).join(Question, Question.id == Card.question_id)
        .where(scope, Card.user_id == user.id, Card.phase != int(Phase.NEW),
               Card.due < today(user, now).end)) or 0
    new = 0
    if bank_id:
        unseen = db.session.scalar(db.select(func.count()).select_from(
            _unseen(user, scope).subquery())) or 0
        new = min(unseen, _new_allowance(user, bank_id, now))
    return Progress(done, due + new)


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


def intervals(user: User, card: Card | None, now: datetime) -> dict[Rating, timedelta]:
    """What each self-rating would schedule, for the flashcard buttons."""
    memory = card.memory if card else scheduling.Memory()
    return scheduling.preview(memory, now=now, policy=policy_for(user, fuzzing=False))


@dataclass(frozen=True)
class Outcome:
    """A recorded answer: the review row, the grade, and whether it was a repeat post."""

    review: Review
    grade: grading.Grade
    duplicate: bool = False


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
           now: datetime, duration_ms: int, fuzzing: bool) -> Outcome:
    """Grade `response`, reschedule the card and append the review, exactly once.

    `seq` is the card's answer count when the question was shown. If it no longer matches,
    this form was already answered (double click, back button, retry): the first review is
    returned, marked as a duplicate. The unique (card, seq) constraint settles races.
    Raises grading.InvalidResponse for a response that cannot be marked, StaleForm for a
    question not on offer.
    """
    question = db.session.get(Question, question_id)
    if question is None or not in_session(session, question):
        raise StaleForm("That question is not part of this session.")
    card = card_for(user, question_id)
    if card is not None and seq < card.answers:
        return _duplicate(card, seq)
    if seq != (card.answers if card else 0) or question.retired_at is not None:
        raise StaleForm("That question is no longer on offer.")
    if session.finished_at(now) is not None:
        raise StaleForm("This session has ended; answers after the end are not counted.")
    if session.kind == SessionKind.DUE and (card is None or card.phase == int(Phase.NEW)):
        raise StaleForm("New questions are introduced bank by bank, not in a due session.")
    model = load_question(question)
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
        memory = card.memory
        after = scheduling.review(memory, grade.rating, now=now,
                                  policy=policy_for(user, fuzzing=fuzzing))
        review = Review(card_id=card.id, user_id=user.id, session_id=session.id, seq=seq,
                        scheduled=session.scheduled, rating=int(grade.rating), score=grade.score,
                        response=_storable(response), phase_before=int(memory.phase),
                        reviewed_at=now, duration_ms=max(0, min(duration_ms, MAX_DURATION_MS)),
                        due_after=after.due if session.scheduled else memory.due or now,
                        stability_after=after.stability if session.scheduled else None,
                        difficulty_after=after.difficulty if session.scheduled else None)
        db.session.add(review)
        if session.scheduled:
            card.memory = after
            card.revised = False
        card.answers = seq + 1
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
        return _duplicate(card, seq)
    return Outcome(review, grade)


def _storable(response: Any) -> Any:
    if isinstance(response, Rating):
        return int(response)
    return response


def _duplicate(card: Card, seq: int) -> Outcome:
    review = db.session.scalars(db.select(Review).where(Review.card_id == card.id,
                                                        Review.seq == seq)).first()
    if review is None:
        raise StaleForm("That question is no longer on offer.")
    return Outcome(review, regrade(review), duplicate=True)


def regrade(review: Review, model: Any = None) -> grading.Grade:
    """The grade of a stored review, recomputed from its response for the feedback page."""
    model = model or load_question(review.card.question)
    if isinstance(model, spec.Flashcard):
        return grading.grade_flashcard(model, Rating(review.rating))
    try:
        return grading.grade(model, review.response)
    except grading.InvalidResponse:
        # The question changed since: show the stored mark with the current answer.
        return grading.Grade(score=review.score, rating=Rating(review.rating),
                             given=str(review.response), expected=grading.expected_answer(model))


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


def test_attempts(user: User, now: datetime) -> list[Attempt]:
    """The learner's practice tests, newest first, scored in four queries whatever their
    number."""
    sessions = list(db.session.scalars(
        db.select(StudySession).where(StudySession.user_id == user.id,
                                      StudySession.kind == SessionKind.TEST)
        .order_by(StudySession.started_at.desc(), StudySession.id.desc())))
    ids = [s.id for s in sessions]
    answered = _answered_by_session(ids)
    retired = _retired_among(sorted({q for s in sessions for q in s.question_ids}))
    totals = {row.session_id: row for row in db.session.execute(
        db.select(Review.session_id, func.count().label("answered"),
                  func.coalesce(func.sum(db.case((Review.score >= 1.0, 1), else_=0)), 0)
                  .label("correct"),
                  func.coalesce(func.sum(Review.score), 0.0).label("points"),
                  func.max(Review.reviewed_at).label("last"))
        .where(Review.session_id.in_(ids)).group_by(Review.session_id))}
    attempts = []
    for session in sessions:
        row = totals.get(session.id)
        count = int(row.answered) if row else 0
        left = _still_askable(session, answered.get(session.id, set()), retired)
        finished_at = session.finished_at(now)
        if finished_at is None and not left and session.question_ids:
            # Every question it still had was retired: it ran out when the last one went.
            gone = [retired[q] for q in session.question_ids if q in retired]
            finished_at = max(gone + ([row.last] if row else []))
        attempts.append(Attempt(session, Summary(
            count, int(row.correct) if row else 0, float(row.points) if row else 0.0,
            count + len(left)), finished_at))
    return attempts


def pending_in_tests(user: User, now: datetime) -> dict[str, StudySession]:
    """Questions the learner's open practice tests have yet to ask, each with the latest test
    asking it. Pages that look an answer up hide it until then, so a test measures what the
    learner remembers rather than what another tab shows."""
    tests = [test for test in db.session.scalars(
        db.select(StudySession).where(StudySession.user_id == user.id,
                                      StudySession.kind == SessionKind.TEST,
                                      StudySession.ended_at.is_(None))
        .order_by(StudySession.started_at.desc(), StudySession.id.desc()))
        if test.finished_at(now) is None]
    answered = _answered_by_session([test.id for test in tests])
    retired = _retired_among(sorted({q for test in tests for q in test.question_ids}))
    pending: dict[str, StudySession] = {}
    for test in tests:
        for question_id in _still_askable(test, answered.get(test.id, set()), retired):
            pending.setdefault(question_id, test)
    return pending


def hidden_by(pending: dict[str, StudySession], review: Review) -> StudySession | None:
    """The open test (from `pending_in_tests`) that hides the feedback on `review`: answers
    given before the test began are hidden; what the learner studies after starting it is
    not."""
    test = pending.get(review.card.question_id)
    return test if test is not None and review.reviewed_at < test.started_at else None


def session_reviews(session: StudySession) -> list[Review]:
    """A session's answers in the order given, for a test's answer-by-answer review."""
    return list(db.session.scalars(
        db.select(Review).options(selectinload(Review.card).selectinload(Card.question))
        .where(Review.session_id == session.id).order_by(Review.reviewed_at, Review.id)))


def end_session(session: StudySession, now: datetime) -> None:
    """Close a session (idempotent)."""
    if session.ended_at is None:
        session.ended_at = now
        db.session.commit()
