"""A learner's schedule carried into an Anki package, with the official `anki` package. Pure:
no Flask, no database (the caller hands in the cards and answers).

genanki writes notes and new cards only. Anki's own library builds a collection: it imports
the genanki package, sets each card's queue, due day, interval and FSRS memory state and adds
the learner's answers to its review log (Anki's revlog, ids in milliseconds of the answer),
then exports a package with scheduling and a deck preset holding the learner's FSRS settings.
Due days are carried as days from today, since Anki counts them from its collection's today.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quiz.core.clock import study_date
from quiz.core.scheduling import Phase
from quiz.interop import anki

# Anki's card types and queues (rslib/src/card/mod.rs), and its revlog kinds.
NEW, LEARN, REVIEW, RELEARN = 0, 1, 2, 3
QUEUE_SUSPENDED, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = -1, 1, 2, 3
REVLOG_KIND = {Phase.NEW: 0, Phase.LEARNING: 0, Phase.REVIEW: 1, Phase.RELEARNING: 2}
PRESET = "Pivot"


@dataclass(frozen=True)
class PastAnswer:
    """One scheduled answer of the learner's, as Anki's review log keeps it."""

    at: datetime
    rating: int
    phase_before: int
    duration_ms: int
    due_after: datetime


@dataclass(frozen=True)
class CardState:
    """A learner's card of a question: Pivot's memory state and the answers that led to it."""

    question_id: str
    phase: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime | None
    last_review: datetime | None
    reps: int
    lapses: int
    suspended: bool
    answers: Sequence[PastAnswer] = ()


@dataclass(frozen=True)
class Settings:
    """The learner's scheduling settings and their day (Anki's preset takes the settings)."""

    desired_retention: float
    parameters: Sequence[float]
    learning_steps: Sequence[timedelta]
    relearning_steps: Sequence[timedelta]
    maximum_interval: int
    time_zone: str
    now: datetime


def _minutes(steps: Sequence[timedelta]) -> list[float]:
    return [step.total_seconds() / 60 for step in steps]


def _interval(at: datetime, due: datetime, time_zone: str) -> int:
    """The revlog's interval: whole days for a later study day, else negative seconds."""
    days = (study_date(due, time_zone) - study_date(at, time_zone)).days
    return days if days > 0 else -max(int((due - at).total_seconds()), 0)


def with_scheduling(package: bytes, deck_name: str, cards: Sequence[CardState],
                    settings: Settings) -> bytes:
    """The genanki `package` of one deck, with `cards`' schedules and answers, as an .apkg."""
    from anki.collection import (
        Collection,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    with tempfile.TemporaryDirectory(prefix="pivot-anki-") as folder:
        source = os.path.join(folder, "notes.apkg")
        with open(source, "wb") as handle:
            handle.write(package)
        col = Collection(os.path.join(folder, "collection.anki2"))
        try:
            col.import_anki_package(ImportAnkiPackageRequest(
                package_path=source, options=ImportAnkiPackageOptions(with_scheduling=True)))
            _preset(col, deck_name, settings)
            today = study_date(settings.now, settings.time_zone)
            taken: set[int] = set()
            # One batch each for the cards and the log: a call into Anki per card costs a
            # bank of a few hundred questions seconds.
            changed = [card for state in cards
                       if (card := _schedule(col, state, settings, today)) is not None]
            col.update_cards(changed, skip_undo_entry=True)
            _insert_log(col, [row for state in cards for row in _log(state, settings, taken)])
            out = os.path.join(folder, "scheduled.apkg")
            col.export_anki_package(out_path=out, limit=None, options=ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False))
        finally:
            col.close()
        with open(out, "rb") as handle:
            return handle.read()


def _insert_log(col, rows: list[tuple]) -> None:
    # In one transaction: Anki commits each statement of its own otherwise, and a commit per
    # answer made a learner's thousand answers take seconds.
    col.db.transact(lambda: col.db.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?, ?, -1, ?, ?, ?, ?, ?, ?)", rows))


def _preset(col, deck_name: str, settings: Settings) -> None:
    conf = col.decks.add_config(PRESET)
    conf["new"]["delays"] = _minutes(settings.learning_steps)
    conf["lapse"]["delays"] = _minutes(settings.relearning_steps)
    conf["rev"]["maxIvl"] = settings.maximum_interval
    conf["fsrsParams6"] = list(settings.parameters)
    conf["desiredRetention"] = settings.desired_retention
    col.decks.update_config(conf)
    # By name: Anki numbers the decks it imports afresh.
    deck = col.decks.by_name(deck_name)
    deck["conf"] = conf["id"]
    col.decks.save(deck)


def _schedule(col, state: CardState, settings: Settings, today: date):
    """The Anki card of `state` with its schedule set (None: a new card left as it is)."""
    from anki.cards import FSRSMemoryState

    card = col.get_card(anki.card_id(state.question_id))
    phase = Phase(state.phase)
    if phase is Phase.NEW or state.due is None:
        if not state.suspended:
            return None
        card.queue = QUEUE_SUSPENDED
        return card
    due_day = study_date(state.due, settings.time_zone)
    last_day = study_date(state.last_review or state.due, settings.time_zone)
    card.reps, card.lapses, card.factor = state.reps, state.lapses, 2500
    if state.stability is not None and state.difficulty is not None:
        card.memory_state = FSRSMemoryState(stability=state.stability,
                                            difficulty=state.difficulty)
    if state.last_review is not None:
        card.last_review_time = int(state.last_review.timestamp())
    if phase is Phase.REVIEW:
        card.type, card.queue = REVIEW, QUEUE_REVIEW
        card.due = col.sched.today + (due_day - today).days
        card.ivl = max((due_day - last_day).days, 1)
    else:
        steps = settings.learning_steps if phase is Phase.LEARNING else \
            settings.relearning_steps
        card.type = LEARN if phase is Phase.LEARNING else RELEARN
        card.left = max(len(steps) - (state.step or 0), 1)
        card.ivl = 0 if phase is Phase.LEARNING else max(round(state.stability or 1), 1)
        if due_day > today:  # a step of a day or more: due on a day, as reviews are
            card.queue, card.due = QUEUE_DAY_LEARN, col.sched.today + (due_day - today).days
        else:
            card.queue, card.due = QUEUE_LEARN, int(state.due.timestamp())
    if state.suspended:
        card.queue = QUEUE_SUSPENDED
    return card


def _log(state: CardState, settings: Settings, taken: set[int]) -> list[tuple]:
    """The revlog rows of the card's answers (ids unique across the whole log)."""
    last_interval = 0
    rows = []
    for answer in state.answers:
        revlog_id = int(answer.at.timestamp() * 1000)
        while revlog_id in taken:  # two answers in one millisecond: Anki's ids are unique
            revlog_id += 1
        taken.add(revlog_id)
        interval = _interval(answer.at, answer.due_after, settings.time_zone)
        rows.append((revlog_id, anki.card_id(state.question_id), answer.rating, interval,
                     last_interval, 2500 if interval > 0 else 0, answer.duration_ms,
                     REVLOG_KIND[Phase(answer.phase_before)]))
        last_interval = interval
    return rows
