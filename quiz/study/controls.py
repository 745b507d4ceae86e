"""What a learner can do to their own cards and answers, as in Anki: undo the last answer,
"I was right", suspend and unsuspend, reset, forget, set due today; report a problem with a
question; find the questions they have seen. Each acts only on the learner's own data."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_

from quiz.banks import spec
from quiz.core import grading, scheduling
from quiz.core.scheduling import Phase, Rating
from quiz.core.text import normalise
from quiz.extensions import db
from quiz.models import (
    Card,
    ProblemKind,
    ProblemReport,
    Question,
    QuestionTag,
    Review,
    SessionKind,
    StudySession,
    User,
)
from quiz.study import cards, tallies
from quiz.study.policy import fuzz_seed, policy_for
from quiz.study.selection import card_for, load_question, today
from quiz.study.service import regrade

# "I was right" is for answers the learner typed, where a grader can miss a fair variant.
ACCEPTABLE = (spec.ShortAnswer, spec.Numeric, spec.Cloze)


class NotAllowed(Exception):
    """The control cannot be used on this answer or card; the message says why."""


def _latest_review_id(user: User) -> int | None:
    return db.session.scalar(db.select(func.max(Review.id)).where(Review.user_id == user.id))


def undo_refusal(user: User, review: Review, session: StudySession) -> str | None:
    """Why `review` cannot be undone now, or None if it can."""
    if review.user_id != user.id:
        return "That answer is not yours."
    if session.kind == SessionKind.TEST:
        return "A practice test keeps its answers: there is no undo in a test."
    if review.card_before is None:
        return "This answer was recorded before undo existed."
    if review.id <= user.undo_floor or review.id != _latest_review_id(user):
        return "Only your last answer can be undone, and only once."
    return None


def undo(user: User, review: Review, session: StudySession) -> str:
    """Take back the learner's last answer: the card, the day's counts and the session go back
    exactly as they were, and the review is gone. Returns the question to show again."""
    refusal = undo_refusal(user, review, session)
    if refusal:
        raise NotAllowed(refusal)
    card = review.card
    question_id = card.question_id
    bank_id = db.session.scalar(db.select(Question.bank_id).where(Question.id == question_id))
    cards.unbury(review.card_before.get("buried", []))
    cards.restore(card, review.card_before)
    card.answers = review.seq  # the question is on offer again at the same number
    tallies.record(user, bank_id, review, sign=-1)
    session.answered = StudySession.answered - 1
    if review.scheduled:
        user.answers_since_fit = max(0, (user.answers_since_fit or 0) - 1)
    user.undo_floor = review.id
    db.session.delete(review)
    db.session.commit()
    return question_id


def accept_refusal(user: User, review: Review, session: StudySession, model: Any) -> str | None:
    """Why the learner cannot mark `review` right, or None if they can."""
    if review.user_id != user.id:
        return "That answer is not yours."
    if not isinstance(model, ACCEPTABLE):
        return "Only a typed answer can be marked right by hand."
    if review.score >= 1.0:
        return "This answer was already marked right."
    if session.kind == SessionKind.TEST:
        return "A practice test is marked by its answer key."
    if review.card_before is None or review.card.answers != review.seq + 1:
        return "Only your latest answer to a question can be marked right."
    return None


def accept(user: User, review: Review, session: StudySession, *, fuzzing: bool) -> None:
    """"I was right": the answer counts as right (Good), the card is rescheduled from the state
    before it, and the override is kept for the question's authors to see."""
    card = review.card
    model = load_question(card.question)
    refusal = accept_refusal(user, review, session, model)
    if refusal:
        raise NotAllowed(refusal)
    bank_id = card.question.bank_id
    tallies.record(user, bank_id, review, sign=-1)
    if review.scheduled:
        # From the card as it was before: a leech mark or a suspension the wrong answer
        # brought goes, since a right answer is no lapse; buried siblings stay buried, the
        # question having been studied today all the same.
        cards.restore(card, review.card_before)
        after = scheduling.review(card.memory, Rating.GOOD, now=review.reviewed_at,
                                  policy=policy_for(user, fuzzing=fuzzing, seed=fuzz_seed(
                                      user, card.question_id, review.seq)))
        card.memory, card.revised = after, False
        review.due_after = after.due
        review.stability_after, review.difficulty_after = after.stability, after.difficulty
    review.rating, review.score, review.accepted = int(Rating.GOOD), 1.0, True
    tallies.record(user, bank_id, review)
    db.session.commit()


def _card(user: User, question_id: str) -> Card:
    card = card_for(user, question_id)
    if card is None:  # a question never studied can still be suspended
        card = Card(user_id=user.id, question_id=question_id, answers=0)
        db.session.add(card)
    return card


def suspend(user: User, question_id: str, now: datetime) -> None:
    """Set the question aside: never shown until unsuspended."""
    card = _card(user, question_id)
    card.suspended_at = card.suspended_at or now
    db.session.commit()


def unsuspend(user: User, question_id: str) -> None:
    """Bring a suspended question back into study, as it stood."""
    card = card_for(user, question_id)
    if card is not None:
        card.suspended_at = None
        db.session.commit()


def forget(user: User, question_id: str) -> None:
    """Study the question again from scratch, as new; its history and counts stay."""
    card = card_for(user, question_id)
    if card is None:
        return
    memory = card.memory
    card.memory = scheduling.Memory(reps=memory.reps, lapses=memory.lapses)
    card.buried_until = None
    db.session.commit()


def reset(user: User, question_id: str) -> None:
    """Forget the question and clear its counts and leech mark: a fresh start (the answers
    given stay in the history)."""
    card = card_for(user, question_id)
    if card is None:
        return
    card.memory = scheduling.reset()
    card.leech, card.buried_until, card.suspended_at = False, None, None
    db.session.commit()


def set_due_today(user: User, question_id: str, now: datetime) -> None:
    """Bring a studied question back today (its memory state is kept)."""
    card = card_for(user, question_id)
    if card is None or card.phase == int(Phase.NEW):
        raise NotAllowed("Only a question you have studied can be set due: a new one is "
                         "introduced with the bank's new questions.")
    card.due = min(card.due or now, today(user, now).start if card.phase == int(Phase.REVIEW)
                   else now)
    card.buried_until = None
    db.session.commit()


def report_problem(user: User, question_id: str, *, kind: str, comment: str,
                   review_id: int | None = None, now: datetime) -> ProblemReport:
    """Record a learner's report of a problem with a question, for its authors, with the
    answer it is about when it names one of the learner's own answers to that question."""
    if kind not in ProblemKind.TITLES:
        raise NotAllowed("Choose what kind of problem it is.")
    given = ""
    review = db.session.get(Review, review_id) if review_id else None
    if review is not None and review.user_id == user.id and \
            review.card.question_id == question_id:
        given = regrade(review).given
    report = ProblemReport(question_id=question_id, user_id=user.id, kind=kind,
                           comment=comment.strip()[:2000], given=given[:2000], created_at=now)
    db.session.add(report)
    db.session.commit()
    return report


@dataclass(frozen=True)
class CardState:
    """One of the learner's studied questions, for search and the dashboard's lists."""

    question_id: str
    text: str
    answer: str
    tags: list[str]
    phase: Phase
    due: datetime | None
    suspended: bool
    leech: bool
    retrievability: float | None


# The card lists: the questions the learner has answered (searched), and the ones set aside.
_LISTS = {"answered": Card.answers > 0,
          "set_aside": or_(Card.leech.is_(True), Card.suspended_at.is_not(None))}


@functools.cache
def _list_statements(which: str) -> tuple[Any, Any]:
    """The cards of list `which` with their questions, and their tags: built once with the
    bound parameter `user_id` (the dashboard shows the set-aside list on every visit)."""
    condition = _LISTS[which]
    user_id = bindparam("user_id")
    cards = (db.select(Card, Question).join(Question, Question.id == Card.question_id)
             .where(Card.user_id == user_id, condition)
             .order_by(Question.bank_id, Question.position))
    tags = (db.select(QuestionTag.question_id, QuestionTag.tag)
            .join(Card, and_(Card.question_id == QuestionTag.question_id,
                             Card.user_id == user_id)).where(condition))
    return cards, tags


def _states(user: User, now: datetime, which: str) -> list[CardState]:
    cards, tag_rows = _list_statements(which)
    rows = db.session.execute(cards, {"user_id": user.id}).all()
    tags: dict[str, list[str]] = {}
    for question_id, tag in db.session.connection().execute(tag_rows, {"user_id": user.id}):
        tags.setdefault(question_id, []).append(tag)
    policy = policy_for(user, fuzzing=False)
    states = []
    for card, question in rows:
        model = load_question(question)
        studied = card.phase != int(Phase.NEW)
        states.append(CardState(
            question.id, _text(model), grading.expected_answer(model),
            tags.get(question.id, []), Phase(card.phase), card.due if studied else None,
            card.suspended_at is not None, card.leech,
            scheduling.retrievability(card.memory, now=now, policy=policy) if studied
            else None))
    return states


def _text(model: Any) -> str:
    text = getattr(model, "prompt", None) or getattr(model, "front", None)
    return str(text) if text else spec.CLOZE_GAP.sub("…", str(getattr(model, "text", "")))


def search(user: User, query: str, now: datetime) -> list[CardState]:
    """The questions the learner has answered whose prompt, answer or themes contain every
    word of `query` (case and accents aside)."""
    words = normalise(query).split()
    if not words:
        return []
    found = []
    for state in _states(user, now, "answered"):
        haystack = normalise(" ".join([state.text, state.answer, *state.tags,
                                       *(spec.TAG_TITLES.get(tag, "") for tag in state.tags)]))
        if all(word in haystack for word in words):
            found.append(state)
    return found


@dataclass(frozen=True)
class SetAside:
    """The learner's leeches (questions forgotten again and again) and suspended questions;
    a suspended leech is in both."""

    leeches: list[CardState]
    suspended: list[CardState]


def set_aside(user: User, now: datetime) -> SetAside:
    """Leeches and suspended questions, read together (the dashboard lists both)."""
    states = _states(user, now, "set_aside")
    return SetAside([state for state in states if state.leech],
                    [state for state in states if state.suspended])
