"""A learner's card beyond its memory: snapshots for undo, leeches, and burying siblings.

The answer service calls these inside the answer's transaction; the controls (undo, "I was
right", suspend...) use the snapshot an answer left to put a card back exactly as it was.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_

from quiz.core.scheduling import Memory, Phase
from quiz.extensions import db
from quiz.models import Card, Question, QuestionEvent, User

_MEMORY = tuple(field.name for field in fields(Memory))


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def snapshot(card: Card) -> dict[str, Any]:
    """The card's whole state as JSON-ready data: its memory and its flags."""
    memory = asdict(card.memory)
    memory["phase"] = int(memory["phase"])
    for name in ("due", "last_review"):
        memory[name] = _stamp(memory[name])
    return {"memory": memory, "revised": card.revised, "leech": card.leech,
            "suspended_at": _stamp(card.suspended_at),
            "buried_until": _stamp(card.buried_until), "buried": []}


def restore(card: Card, state: dict[str, Any]) -> None:
    """Put `card` back as `snapshot` saw it."""
    memory = {name: state["memory"].get(name) for name in _MEMORY}
    memory["phase"] = Phase(memory["phase"])
    for name in ("due", "last_review"):
        memory[name] = _moment(memory[name])
    card.memory = Memory(**memory)
    card.revised, card.leech = state["revised"], state["leech"]
    card.suspended_at = _moment(state["suspended_at"])
    card.buried_until = _moment(state["buried_until"])


def becomes_leech(user: User, lapses_before: int, lapses_after: int) -> bool:
    """Whether this lapse makes the card a leech, as Anki counts: at the threshold, then again
    every half threshold after it."""
    threshold = user.leech_threshold
    if lapses_after <= lapses_before or threshold <= 0 or lapses_after < threshold:
        return False
    return (lapses_after - threshold) % max(1, threshold // 2) == 0


def _siblings_with_cards(user: User, question: Question, model: Any) -> list[Any]:
    """Other active questions about the same fact (those of its family, the YAML `family:`,
    and those that share an event with it), each with the learner's card or None, in one
    statement."""
    family, events = getattr(model, "family", None), getattr(model, "events", None)
    if not family and not events:
        return []
    # Other questions' cards: the answer's own pending changes need not be flushed first.
    with db.session.no_autoflush:
        return db.session.execute(_siblings(bool(family), bool(events)), {
            "family": family, "events": list(events or []), "question_id": question.id,
            "user_id": user.id}).all()


@functools.cache
def _siblings(by_family: bool, by_events: bool) -> Any:
    """`_siblings_with_cards`'s statement, built once per kind: it runs in every answer."""
    conditions = []
    if by_family:
        conditions.append(Question.family == bindparam("family"))
    if by_events:
        conditions.append(Question.id.in_(
            db.select(QuestionEvent.question_id)
            .where(QuestionEvent.event_id.in_(bindparam("events", expanding=True)))))
    return (db.select(Question.id, Card)
            .outerjoin(Card, and_(Card.question_id == Question.id,
                                  Card.user_id == bindparam("user_id")))
            .where(or_(*conditions), Question.id != bindparam("question_id"),
                   Question.retired_at.is_(None)))


def bury_siblings(user: User, question: Question, model: Any, *, until: datetime,
                  now: datetime) -> list[int]:
    """Keep the question's siblings for another day: each one new or due today waits until
    `until` (the end of today's study day). Returns the cards buried, for undo."""
    buried, created = [], False
    for question_id, card in _siblings_with_cards(user, question, model):
        if card is None:  # never studied: a new card holds the burial
            card = Card(user_id=user.id, question_id=question_id, answers=0)
            db.session.add(card)
            created = True
        elif not _waiting_today(card, until, now):
            continue
        card.buried_until = until
        buried.append(card)
    if created:
        db.session.flush()  # the new cards' ids, for undo
    return [card.id for card in buried]


def _waiting_today(card: Card, until: datetime, now: datetime) -> bool:
    if card.suspended_at is not None or (card.buried_until is not None
                                         and card.buried_until > now):
        return False
    if card.phase == int(Phase.NEW):
        return True
    return card.phase == int(Phase.REVIEW) and card.due is not None and card.due < until


def unbury(card_ids: list[int]) -> None:
    """Release cards an undone answer buried."""
    if card_ids:
        for card in db.session.scalars(db.select(Card).where(Card.id.in_(card_ids))):
            card.buried_until = None
