"""Practice tests taken: their scores, the questions an open test still hides, and a finished
test's results."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.orm import load_only, selectinload

from quiz.core import grading
from quiz.extensions import db
from quiz.models import Question, Review, SessionKind, StudySession, User
from quiz.study.selection import answered_by_session, load_question, retired_among, still_askable
from quiz.study.service import regrade
from quiz.study.sessions import Summary

# Each test's answers and points, for a list of tests in one query, built once: the dashboard
# and the tests page run it.
_TEST_TOTALS = (db.select(Review.session_id, func.count().label("answered"),
                          func.coalesce(func.sum(db.case((Review.score >= 1.0, 1), else_=0)), 0)
                          .label("correct"),
                          func.coalesce(func.sum(Review.score), 0.0).label("points"),
                          func.max(Review.reviewed_at).label("last"))
                .where(Review.session_id.in_(bindparam("ids", expanding=True)))
                .group_by(Review.session_id))


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
    totals = {row.session_id: row for row in db.session.connection().execute(
        _TEST_TOTALS, {"ids": [s.id for s in sessions]})}
    # A retirement changes nothing for a closed test that has an answer to every question:
    # only open tests and those with unanswered questions have theirs looked up, so a long
    # record of finished tests costs no lookup of every question they asked.
    unsure = [s for s in sessions if s.finished_at(now) is None
              or len(s.question_ids) > (totals[s.id].answered if s.id in totals else 0)]
    retired = retired_among(sorted({q for s in unsure for q in s.question_ids}))
    # A test takes one answer per question, so its unanswered questions are its length less
    # its answers, unless one of them was retired: only those tests' answers are read, not
    # every answer of every test (asked even for none, so the statements stay the same).
    touched = {s.id for s in unsure if any(q in retired for q in s.question_ids)}
    answered = answered_by_session(sorted(touched))
    attempts = []
    for session in sessions:
        row = totals.get(session.id)
        count = int(row.answered) if row else 0
        left = (len(still_askable(session, answered.get(session.id, set()), retired))
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
    # Only what a score and the tests' list read: the filters (three JSON lists a test) cost
    # more to decode than the rest of a dashboard's test chart on PostgreSQL.
    query = (db.select(StudySession)
             .options(load_only(StudySession.id, StudySession.question_ids,
                                StudySession.started_at, StudySession.ended_at,
                                StudySession.time_limit_s))
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
    answered = answered_by_session([test.id for test in tests])
    retired = retired_among(sorted({q for test in tests for q in test.question_ids}))
    pending: dict[str, StudySession] = {}
    for test in tests:
        for question_id in still_askable(test, answered.get(test.id, set()), retired):
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
    counted = set(reviews) | set(still_askable(session, set(reviews),
                                               retired_among(session.question_ids)))
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
