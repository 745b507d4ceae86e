"""Workload estimates: the daily reviews and minutes a desired retention asks of a learner.

Pure: the caller hands in the learner's cards. Each card is followed for a year under FSRS
(recalled with the probability FSRS predicts, seeded so an estimate is repeatable), and the
questions not yet studied come in at the learner's daily limit. Higher retention means
shorter intervals, so more reviews: this is the trade-off the settings page shows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from quiz.core.scheduling import Rating, forgetting_curve, next_interval, next_memory

RETENTIONS = (0.80, 0.85, 0.90, 0.95)
HORIZON_DAYS = 365
# A lapse is answered again at its relearning step; a new card answers its two steps.
ANSWERS_PER_LAPSE, ANSWERS_PER_NEW_CARD = 1, 2


@dataclass(frozen=True)
class CardState:
    """A studied card: its memory and the days until it is due (0 if due already)."""

    stability: float
    difficulty: float
    due_in_days: int


@dataclass(frozen=True)
class Estimate:
    """The average daily load over the next year at one desired retention."""

    retention: float
    reviews_per_day: float
    minutes_per_day: float


def _follow(w: Sequence[float], state: tuple[float, float], first_day: int, retention: float,
            rng: random.Random) -> int:
    answers, day = 0, first_day
    interval = max(round(next_interval(w, state[0], retention)), 1)
    while day < HORIZON_DAYS:
        recalled = rng.random() < forgetting_curve(w, interval, state[0])
        rating = Rating.GOOD if recalled else Rating.AGAIN
        answers += 1 if recalled else 1 + ANSWERS_PER_LAPSE
        state = next_memory(w, state, rating, interval)
        interval = max(round(next_interval(w, state[0], retention)), 1)
        day += interval
    return answers


def estimate(cards: Sequence[CardState], *, unseen: int, new_per_day: int,
             parameters: Sequence[float], retention: float,
             seconds_per_answer: float) -> Estimate:
    """The load at `retention` of `cards` plus `unseen` questions introduced at
    `new_per_day`."""
    rng = random.Random(f"workload:{retention}")  # noqa: S311 - not secret
    answers = 0
    for card in cards:
        answers += _follow(parameters, (card.stability, card.difficulty),
                           max(card.due_in_days, 0), retention, rng)
    if new_per_day > 0:
        for index in range(unseen):
            day = index // new_per_day
            if day >= HORIZON_DAYS:
                break
            answers += ANSWERS_PER_NEW_CARD
            learned = next_memory(parameters, None, Rating.GOOD, 0)
            answers += _follow(parameters, learned,
                               day + max(round(next_interval(parameters, learned[0],
                                                             retention)), 1),
                               retention, rng)
    per_day = answers / HORIZON_DAYS
    return Estimate(retention=retention, reviews_per_day=per_day,
                    minutes_per_day=per_day * seconds_per_answer / 60)
