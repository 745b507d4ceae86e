"""What the exchange pages and commands need from the database: a bank's questions for the
exporters, a learner's schedule for Anki, a finished test's selection, and Anki review logs
taken in."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import selectinload

from quiz.extensions import db
from quiz.interop import anki, anki_scheduling
from quiz.interop.items import Item
from quiz.models import Bank, Card, Question, Review, SessionKind, StudySession, User
from quiz.study import service as study
from quiz.study.policy import parameters_of
from quiz.core import scheduling


def _item(question: Question) -> Item:
    return Item(id=question.id, bank_id=question.bank_id, model=study.load_question(question),
                citation=question.citation, era=question.era, tags=tuple(question.tag_names))


def _questions(condition) -> list[Question]:
    return list(db.session.scalars(
        db.select(Question).options(selectinload(Question.tags))
        .where(condition, Question.retired_at.is_(None)).order_by(Question.position)))


@dataclass(frozen=True)
class BankExport:
    """A bank and its questions that can still be asked, ready for the exporters."""

    bank: Bank
    items: list[Item]


def bank_export(bank_id: str) -> BankExport | None:
    """The bank and its live questions, or None if there is no such bank with questions."""
    bank = db.session.get(Bank, bank_id)
    if bank is None:
        return None
    return BankExport(bank, [_item(q) for q in _questions(Question.bank_id == bank_id)])


def _deck(export: BankExport) -> anki.Deck:
    return anki.Deck(export.bank.id, export.bank.title, export.bank.description, export.items)


def anki_package(export: BankExport, *, now: datetime) -> bytes:
    """The bank as an .apkg with new cards (anyone may download it)."""
    return anki.package(_deck(export), timestamp=now.timestamp())


def anki_package_with_scheduling(export: BankExport, user: User, *, now: datetime) -> bytes:
    """The bank as an .apkg carrying `user`'s own schedule and answers (theirs only)."""
    ids = [item.id for item in export.items]
    cards = db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                     Card.question_id.in_(ids))).all()
    answers = defaultdict(list)
    for review in db.session.scalars(
            db.select(Review).where(Review.user_id == user.id, Review.scheduled.is_(True),
                                    Review.card_id.in_([card.id for card in cards]))
            .order_by(Review.reviewed_at, Review.id)):
        answers[review.card_id].append(anki_scheduling.PastAnswer(
            at=review.reviewed_at, rating=review.rating, phase_before=review.phase_before,
            duration_ms=review.duration_ms, due_after=review.due_after))
    states = [anki_scheduling.CardState(
        question_id=card.question_id, phase=card.phase, step=card.step,
        stability=card.stability, difficulty=card.difficulty, due=card.due,
        last_review=card.last_review, reps=card.reps, lapses=card.lapses,
        suspended=card.suspended_at is not None, answers=answers[card.id]) for card in cards]
    settings = anki_scheduling.Settings(
        desired_retention=user.desired_retention, parameters=parameters_of(user),
        learning_steps=scheduling.parse_steps(user.learning_steps),
        relearning_steps=scheduling.parse_steps(user.relearning_steps),
        maximum_interval=user.maximum_interval, time_zone=user.time_zone, now=now)
    return anki_scheduling.with_scheduling(anki_package(export, now=now),
                                           anki.deck_name(export.bank.title), states,
                                           settings)
