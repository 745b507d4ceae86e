"""Bring the database in line with the YAML banks, keeping every learner's progress.

Rules (documented in questions/README.md):
- wording changes (prompt, explanation, hint, choice order, distractors) keep FSRS state;
- a change to what counts as correct keeps history but resets the cards to new, flagged
  so the learner is told the question was revised;
- a question that disappears is retired: no longer scheduled, its history kept;
- `replaces: old-id` moves the old question's cards (and so their history) to the new id.
Each bank is applied in its own transaction; a bank with errors is skipped untouched.
A bank whose file, shared files (sources, events) and reading code hash as they did when it
was last applied is not read again: a sync with nothing changed only reads and hashes files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm import selectinload

from quiz.banks import spec
from quiz.banks.loader import SHARED_FILES, Catalog, LoadedBank, load_catalog
from quiz.banks.reader import MAX_BYTES, Problem
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


@functools.cache
def _reading_code() -> bytes:
    """The source of the modules that decide whether a bank loads and what it becomes in the
    database: a deploy that changes them makes the next sync check and apply every bank
    again."""
    names = ("quiz.core.text", "quiz.banks.reader", "quiz.banks.spec", "quiz.banks.chronology",
             "quiz.banks.loader", __name__)
    return b"".join(Path(sys.modules[name].__file__).read_bytes() for name in names)


def bank_hashes(directory: Path) -> dict[str, str]:
    """The content hash of each bank file in `directory`, covering what it depends on."""
    shared = hashlib.sha256(_reading_code())
    for name in sorted(SHARED_FILES):
        shared.update(name.encode() + b"\0" + _head(directory / name) + b"\0")
    hashes = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name not in SHARED_FILES:
            digest = shared.copy()
            digest.update(_head(path))
            hashes[path.stem] = digest.hexdigest()
    return hashes


def _head(path: Path) -> bytes:
    # As much as the loader reads: a larger file is refused, so its hash is never stored; a
    # missing or unreadable one hashes as empty, which no loadable bank does.
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError:
        return b""


def sync_directory(directory: Path, *, now: datetime) -> SyncReport:
    """Load every bank in `directory` that changed and apply the valid ones to the database."""
    hashes = bank_hashes(directory)
    applied = dict(db.session.execute(db.select(Bank.id, Bank.content_hash)).all())
    db.session.commit()  # end the read before the banks' own transactions
    changed = {bank_id for bank_id, digest in hashes.items() if applied.get(bank_id) != digest}
    # One changed bank means reading them all: ids must be unique across every bank.
    catalog = load_catalog(directory, only=None if changed else [], advice=False)
    report = SyncReport(problems=catalog.problems)
    for problem in catalog.errors:
        if problem.file not in {bank.file for bank in catalog.banks.values()}:
            report.skipped.setdefault(problem.file, []).append(problem)
    if catalog.events_loaded:
        _apply_events(catalog, now=now)
    for bank_id, digest in hashes.items():
        if bank_id not in changed:
            report.banks.append(BankReport(bank_id))  # as last applied: nothing to do
        elif bank_id in catalog.banks:
            report.banks.append(_apply_bank(catalog, catalog.banks[bank_id], digest, now=now))
    report.banks += _retire_deleted_banks(set(hashes), now=now)
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
            event.position = catalog.chronology.position[loaded.id]
            event.inferred = loaded.inferred
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


def _apply_bank(catalog: Catalog, loaded: LoadedBank, digest: str, *,
                now: datetime) -> BankReport:
    report = BankReport(loaded.id)
    try:
        bank = db.session.get(Bank, loaded.id)
        if bank is None:
            bank = Bank(id=loaded.id)
            db.session.add(bank)
        bank.title, bank.description, bank.era = loaded.title, loaded.description, loaded.era
        bank.synced_at, bank.content_hash = now, digest
        db.session.flush()
        # One query loads every question with its tags and events, so applying each
        # question costs no round trip of its own.
        existing = {question.id: question for question in db.session.scalars(
            db.select(Question).options(selectinload(Question.tags),
                                        selectinload(Question.events))
            .where(Question.id.in_([item.model.id for item in loaded.questions])))}
        new: list[dict[str, Any]] = []
        for item in loaded.questions:
            row = _question_row(catalog, loaded.id, item.position, item.model)
            question = existing.get(item.model.id)
            if question is None:
                new.append(row)
            else:
                _update_question(question, row, item.model, report, now=now)
        _insert_questions(new, report, now=now)
        seen = [item.model.id for item in loaded.questions]
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


def _question_row(catalog: Catalog, bank_id: str, position: int, model: Any) -> dict[str, Any]:
    """The columns of a question as this sync stores it."""
    data = question_spec(catalog, model)
    return dict(id=model.id, bank_id=bank_id, position=position, type=model.type,
                era=model.era, difficulty=model.difficulty, family=model.family,
                source_article=model.source.article, source_section=model.source.section,
                citation=citation(catalog, model.source), spec=data,
                content_hash=_digest(data), answer_hash=_digest(_answer_key(catalog, model)),
                retired_at=None)


def _update_question(question: Question, row: dict[str, Any], model: Any, report: BankReport,
                     *, now: datetime) -> None:
    if question.answer_hash != row["answer_hash"]:
        question.revised_at = now
        report.revised += 1
        for card in db.session.scalars(db.select(Card).where(Card.question_id == model.id)):
            card.memory = reset()
            card.revised = card.answers > 0
    elif question.content_hash != row["content_hash"] or question.retired_at or \
            question.bank_id != row["bank_id"] or question.position != row["position"]:
        report.updated += 1
    for column, value in row.items():
        setattr(question, column, value)
    wanted = sorted(set(model.tags))
    if question.tag_names != wanted:
        question.tags = [QuestionTag(tag=tag) for tag in wanted]
    linked = sorted(set(model.events))
    if [link.event_id for link in question.events] != linked:
        question.events = [QuestionEvent(event_id=event_id) for event_id in linked]


def _insert_questions(rows: list[dict[str, Any]], report: BankReport, *,
                      now: datetime) -> None:
    """Add new questions in a few bulk statements, then carry over what they replace."""
    if not rows:
        return
    db.session.execute(db.insert(Question), rows)
    tags = [{"question_id": row["id"], "tag": tag} for row in rows
            for tag in sorted(set(row["spec"].get("tags", [])))]
    links = [{"question_id": row["id"], "event_id": event_id} for row in rows
             for event_id in sorted(set(row["spec"].get("events", [])))]
    if tags:
        db.session.execute(db.insert(QuestionTag), tags)
    if links:
        db.session.execute(db.insert(QuestionEvent), links)
    report.added += len(rows)
    for row in rows:
        if row["spec"].get("replaces"):
            report.replaced += _carry_over(row["spec"]["replaces"], row["id"], now=now)


def _answer_key(catalog: Catalog, model: Any) -> dict[str, Any]:
    if isinstance(model, spec.Ordering) and not model.items:
        # A chronology is right by its events' order: retitling an event changes wording only,
        # and an `after:` that reorders its events resets the cards, as any new key does.
        return {"events": catalog.chronology.sort(model.events)}
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
        bank.content_hash = None  # restoring the file must apply it again
        report = BankReport(bank.id)
        for question in bank.questions:
            if question.retired_at is None:
                question.retired_at = now
                report.retired += 1
        if report.retired:
            reports.append(report)
    db.session.commit()
    return reports
