"""Spaced-repetition scheduling: a thin, pure wrapper around the `fsrs` package.

A card's memory state is a plain value (`Memory`); `review` returns the next value and
never mutates its input. Nothing here knows about Flask or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum

import fsrs

from quiz.core.clock import ensure_utc

DEFAULT_RETENTION = 0.9
# Below 0.70 reviews come too late to be worth much; above 0.97 the workload explodes.
MIN_RETENTION, MAX_RETENTION = 0.70, 0.97


class Rating(IntEnum):
    """How well the learner recalled the answer (the four FSRS grades)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Phase(IntEnum):
    """Where a card stands: never studied, or one of the FSRS states."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state: what FSRS needs plus our counts of answers and lapses."""

    phase: Phase = Phase.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class Policy:
    """The settings a review depends on, passed explicitly (as Anki's scheduler does)."""

    desired_retention: float = DEFAULT_RETENTION
    fuzzing: bool = True


# The steps a (re)learning card goes through: fsrs's defaults, which `_scheduler` keeps.
LEARNING_STEPS = len(fsrs.Scheduler().learning_steps)
RELEARNING_STEPS = len(fsrs.Scheduler().relearning_steps)


def inconsistency(memory: Memory) -> str | None:
    """What makes `memory` a state FSRS cannot go on from (a message naming the problem), or
    None if it is consistent."""
    state = (memory.stability, memory.difficulty, memory.due, memory.last_review)
    if memory.phase is Phase.NEW:
        if memory.step is not None or any(value is not None for value in state):
            return "a new card has no step, stability, difficulty, due or last_review"
        return None
    name = memory.phase.name.lower()
    if None in state:
        return "a studied card needs stability, difficulty, due and last_review"
    steps = {Phase.LEARNING: LEARNING_STEPS, Phase.RELEARNING: RELEARNING_STEPS}.get(memory.phase)
    if steps is None and memory.step is not None:
        return f"a {name} card has no step"
    if steps is not None and memory.step not in range(steps):
        return f"a {name} card needs a step of {' or '.join(map(str, range(steps)))}"
    if memory.stability <= 0 or not 1 <= memory.difficulty <= 10:
        return "stability must be above 0 and difficulty from 1 to 10"
    if memory.due < memory.last_review:
        return "a card cannot be due before its last review"
    if memory.lapses > memory.reps:
        return "a card cannot have more lapses than reviews"
    return None


def _scheduler(policy: Policy) -> fsrs.Scheduler:
    return fsrs.Scheduler(desired_retention=policy.desired_retention,
                          enable_fuzzing=policy.fuzzing)


def _to_fsrs(memory: Memory, now: datetime) -> fsrs.Card:
    # card_id is irrelevant to scheduling; passing one stops fsrs from sleeping to mint it.
    if memory.phase is Phase.NEW:
        return fsrs.Card(card_id=1, due=now)
    return fsrs.Card(card_id=1, state=fsrs.State(int(memory.phase)), step=memory.step,
                     stability=memory.stability, difficulty=memory.difficulty,
                     due=memory.due, last_review=memory.last_review)


def review(memory: Memory, rating: Rating, *, now: datetime, policy: Policy) -> Memory:
    """The memory state after answering with `rating` at `now`."""
    now = ensure_utc(now)
    card, _log = _scheduler(policy).review_card(_to_fsrs(memory, now), fsrs.Rating(int(rating)),
                                                review_datetime=now)
    lapsed = rating is Rating.AGAIN and memory.phase is Phase.REVIEW
    return Memory(phase=Phase(int(card.state)), step=card.step, stability=card.stability,
                  difficulty=card.difficulty, due=card.due, last_review=card.last_review,
                  reps=memory.reps + 1, lapses=memory.lapses + int(lapsed))


def preview(memory: Memory, *, now: datetime, policy: Policy) -> dict[Rating, timedelta]:
    """How long until the card comes back for each rating (the intervals on rating buttons)."""
    # Fuzzing would make the shown interval differ from the one applied; show the unfuzzed one.
    exact = replace(policy, fuzzing=False)
    return {rating: review(memory, rating, now=now, policy=exact).due - ensure_utc(now)
            for rating in Rating}


def retrievability(memory: Memory, *, now: datetime, policy: Policy) -> float:
    """The probability of recalling the card at `now` (0 for a card never studied)."""
    if memory.phase is Phase.NEW:
        return 0.0
    return _scheduler(policy).get_card_retrievability(_to_fsrs(memory, now),
                                                      current_datetime=ensure_utc(now))


def reset() -> Memory:
    """A fresh state for a card whose answer changed: studied again from scratch."""
    return Memory()


def describe_interval(delta: timedelta) -> str:
    """A short human form of an interval, as on Anki's buttons: 10m, 3h, 4d, 2mo, 1.5y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(round(seconds / 60), 1)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}y".replace(".0y", "y")
