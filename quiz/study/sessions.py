"""Study sessions: opening one (a bank, everything due, practice, a test), finding it again,
ending it, and its summary."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlalchemy.orm import joinedload

from quiz.banks import spec
from quiz.extensions import db
from quiz.models import Bank, Question, QuestionTag, Review, SessionKind, StudySession, User
from quiz.study.selection import active, answered_ids, in_era_order, retired_among, still_askable


def session_of(user: User, session_id: int) -> StudySession | None:
    """The learner's study session `session_id` with its bank, or None (another learner's
    session is as good as missing)."""
    return db.session.execute(_SESSION_OF, {"user_id": user.id, "id": session_id}).scalar()


# Every question and answer looks its session up: built once with bound parameters, as
# building and keying a statement cost more than running it.
_SESSION_OF = (db.select(StudySession).options(joinedload(StudySession.bank))
               .where(StudySession.id == bindparam("id"),
                      StudySession.user_id == bindparam("user_id")))


def review_in_session(user: User, session_id: int,
                      review_id: int) -> tuple[StudySession, Review] | None:
    """The learner's session `session_id` and their answer `review_id` given in it, or None
    if either is missing, is another learner's, or the answer belongs to another session."""
    session = session_of(user, session_id)
    review = None if session is None else review_in(session, review_id)
    return None if review is None else (session, review)


def review_in(session: StudySession, review_id: int) -> Review | None:
    """The answer `review_id` if it was given in `session` by the session's learner, else
    None."""
    review = db.session.get(Review, review_id)
    if review is None or review.user_id != session.user_id or review.session_id != session.id:
        return None
    return review


def live_banks() -> list[Bank]:
    """Banks that still hold active questions, in era order."""
    return list(db.session.scalars(
        db.select(Bank).where(Bank.id.in_(db.select(Question.bank_id).where(active())))
        .order_by(*in_era_order())))


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
    query = db.select(Question.id).where(active())
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
        possible = int(answered) + len(still_askable(
            session, answered_ids(session), retired_among(session.question_ids)))
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


def end_session(session: StudySession, now: datetime) -> None:
    """Close a session (idempotent)."""
    if session.ended_at is None:
        session.ended_at = now
        db.session.commit()
