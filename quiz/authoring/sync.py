"""Bring the database in line with the YAML banks, keeping every learner's progress.

Rules (documented in questions/README.md):
- wording changes (prompt, explanation, hint, choice order, distractors) keep FSRS state;
- a change to what counts as correct keeps history but resets the cards to new, flagged
  so the learner is told the question was revised;
- a question that disappears is retired: no longer scheduled, its history kept;
- `replaces: old-id` moves the old question's cards (and so their history) to the new id.
Each bank is applied in its own transaction; a bank with errors is skipped untouched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm import selectinload

from quiz.banks import spec
from quiz.banks.loader import Catalog, LoadedBank, load_catalog
from quiz.banks.reader import Problem
from quiz.core.scheduling import reset
from quiz.extensions import db
from quiz.models import Bank, Card, Event, Question, QuestionEvent, QuestionTag


@dataclass
class BankReport:
    """What one bank's sync changed."""

    bank_id: str
    added: int = 0
    updated: int = 0
    revised: int = 0
    retired: int = 0
    replaced: int = 0


@dataclass
class SyncReport:
    """The outcome of a sync: per-bank changes and the files skipped for errors."""

    banks: list[BankReport] = field(default_factory=list)
    skipped: dict[str, list[Problem]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped


def question_spec(catalog: Catalog, model: Any) -> dict[str, Any]:
    """The stored form of a question: validated fields, ordering items resolved from events."""
    data = model.model_dump(mode="json", exclude_none=True)
    if isinstance(model, spec.Ordering):
        data["items"] = catalog.ordering_items(model)
    return data


def citation(catalog: Catalog, source: spec.Source) -> str:
    """How a learner sees a question's source: article title and section title."""
    article = catalog.articles[source.article]
    section = next(s for s in article.sections if s.id == source.section)
    return f"{article.title} — {section.title}"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def sync_directory(directory: Path, *, now: datetime) -> SyncReport:
    """Load every bank in `directory` and apply the valid ones to the database."""
    catalog = load_catalog(directory)
    report = SyncReport(problems=catalog.problems)
    for problem in catalog.errors:
        if problem.file not in {bank.file for bank in catalog.banks.values()}:
            report.skipped.setdefault(problem.file, []).append(problem)
    if catalog.events_loaded:
        _apply_events(catalog, now=now)
    for bank in catalog.banks.values():
        report.banks.append(_apply_bank(catalog, bank, now=now))
    present = {Path(f).stem for f in catalog.files}
    report.banks += _retire_deleted_banks(present, now=now)
    _count_active_questions()
    return report


def _count_active_questions() -> None:
    """Store each bank's count of askable questions, which every study page reads."""
    active = (db.select(func.count()).select_from(Question)
              .where(Question.bank_id == Bank.id, Question.retired_at.is_(None))
              .scalar_subquery())
    db.session.execute(update(Bank).values(active_questions=active))
    db.session.commit()


def _apply_events(catalog: Catalog, *, now: datetime) -> None:
    """Upsert the timeline's sound events; events no longer listed are retired, not deleted
    (a broken event is simply left as it was)."""
    try:
        known = {event.id: event for event in db.session.scalars(db.select(Event))}
        for loaded in catalog.events.values():
            event = known.get(loaded.id) or Event(id=loaded.id)
            event.date, event.title, event.note = loaded.date, loaded.title, loaded.note
            event.citation, event.retired_at = citation(catalog, loaded.source), None
            db.session.add(event)
        gone = db.select(Event).where(Event.id.not_in(catalog.listed_events),
                                      Event.retired_at.is_(None))
        for event in db.session.scalars(gone):
            event.retired_at = now
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _apply_bank(catalog: Catalog, loaded: LoadedBank, *, now: datetime) -> BankReport:
    report = BankReport(loaded.id)
    try:
        bank = db.session.get(Bank, loaded.id)
        if bank is None:
            bank = Bank(id=loaded.id)
            db.session.add(bank)
        bank.title, bank.description, bank.synced_at = loaded.title, loaded.description, now
        db.session.flush()
        # One query loads every question with its tags and events, so applying each
        # question costs no round trip of its own.
        existing = {question.id: question for question in db.session.scalars(
            db.select(Question).options(selectinload(Question.tags),
                                        selectinload(Question.events))
            .where(Question.id.in_([item.model.id for item in loaded.questions])))}
        seen: set[str] = set()
        for item in loaded.questions:
            seen.add(item.model.id)
            _apply_question(catalog, loaded.id, item.position, item.model, report,
                            existing.get(item.model.id), now=now)
        stale = db.session.scalars(db.select(Question).where(
            Question.bank_id == loaded.id, Question.retired_at.is_(None),
            Question.id.not_in(seen) if seen else Question.id.is_not(None)))
        for question in stale:
            question.retired_at = now
            report.retired += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _apply_question(catalog: Catalog, bank_id: str, position: int, model: Any,
                    report: BankReport, question: Question | None, *, now: datetime) -> None:
    data = question_spec(catalog, model)
    answer_hash = _digest(_answer_key(catalog, model))
    content_hash = _digest(data)
    created = question is None
    if created:
        question = Question(id=model.id, answer_hash=answer_hash, content_hash="")
        db.session.add(question)
        report.added += 1
    elif question.answer_hash != answer_hash:
        question.answer_hash = answer_hash
        question.revised_at = now
        report.revised += 1
        for card in db.session.scalars(db.select(Card).where(Card.question_id == model.id)):
            card.memory = reset()
            card.revised = card.answers > 0
    elif question.content_hash != content_hash or question.retired_at or \
            question.bank_id != bank_id or question.position != position:
        report.updated += 1
    question.bank_id, question.position, question.type = bank_id, position, model.type
    question.era, question.difficulty = model.era, model.difficulty
    question.source_article, question.source_section = model.source.article, model.source.section
    question.citation = citation(catalog, model.source)
    question.spec, question.content_hash, question.retired_at = data, content_hash, None
    wanted = sorted(set(model.tags))
    if question.tag_names != wanted:
        question.tags = [QuestionTag(tag=tag) for tag in wanted]
    linked = sorted(set(model.events))
    if [link.event_id for link in question.events] != linked:
        question.events = [QuestionEvent(event_id=event_id) for event_id in linked]
    if created and model.replaces:
        db.session.flush()  # the new question's row must exist before cards point at it
        report.replaced += _carry_over(model.replaces, model.id, now=now)


def _answer_key(catalog: Catalog, model: Any) -> dict[str, Any]:
    if isinstance(model, spec.Ordering) and not model.items:
        # A chronology is right by its events' order: retitling an event changes wording only.
        chosen = sorted((catalog.events[e] for e in model.events), key=lambda e: e.date)
        return {"events": [event.id for event in chosen]}
    return model.answer_key()


def _carry_over(old_id: str, new_id: str, *, now: datetime) -> int:
    """Move the old question's cards to the new one; returns how many moved."""
    old = db.session.get(Question, old_id)
    if old is None:
        return 0
    old.retired_at = old.retired_at or now
    moved = 0
    for card in db.session.scalars(db.select(Card).where(Card.question_id == old_id)):
        card.question_id = new_id
        moved += 1
    db.session.flush()
    return moved


def _retire_deleted_banks(present: set[str], *, now: datetime) -> list[BankReport]:
    reports = []
    for bank in db.session.scalars(db.select(Bank).where(Bank.id.not_in(present))):
        report = BankReport(bank.id)
        for question in bank.questions:
            if question.retired_at is None:
                question.retired_at = now
                report.retired += 1
        if report.retired:
            reports.append(report)
    db.session.commit()
    return reports
