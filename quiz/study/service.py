"""Showing a question and recording its answer exactly once."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from quiz.banks import spec
from quiz.core import grading, scheduling
from quiz.core.scheduling import Phase, Rating
from quiz.extensions import add_one, db
from quiz.models import Card, Question, Review, SessionKind, StudySession, User
from quiz.study import cards, exams, tallies, tuning
from quiz.study.policy import fuzz_seed, policy_for
from quiz.study.selection import card_for, load_question, next_listed, question_with_card, today
from quiz.study.sessions import in_session

MAX_DURATION_MS = 10 * 60 * 1000


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
            if next_listed(user, session) is None:
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
