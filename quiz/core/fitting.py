"""Fitting FSRS parameters to one learner's review log with fsrs-rs (Anki's own optimiser).

Pure: the caller hands in the answers; nothing here knows about Flask or the database. The
training items are built as Anki builds them (rslib/src/scheduler/fsrs/params.rs): each card's
history starts at its last run of learning answers, the gap between two answers is counted in
the learner's study days, and every answer after the first that comes on a later day makes
one item (the history up to and including it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import NamedTuple

from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

from quiz.core.clock import StudyDay
from quiz.core.scheduling import Phase

# fsrs-rs returns its defaults for fewer than 8 items and fits only the initial stabilities
# below 64: 8 is the library's own minimum for a fit to say anything.
MIN_ITEMS = 8
DAY_SECONDS = 86400


class Answer(NamedTuple):
    """One scheduled answer, as the optimiser needs it; `at` in seconds since the epoch (a
    learner's log is read by the ten thousand: plain tuples of numbers keep that fast)."""

    card_id: int
    at: float
    rating: int
    phase_before: int


@dataclass(frozen=True)
class Fit:
    """A fit and how well the old and the new parameters predict the same items."""

    parameters: tuple[float, ...]
    items: int
    reviews: int
    seconds: float
    log_loss_before: float
    log_loss_after: float
    rmse_before: float
    rmse_after: float

    @property
    def better(self) -> bool:
        """Whether the fitted parameters predict the learner's answers better (log loss)."""
        return self.log_loss_after < self.log_loss_before




def card_history(answers: Sequence[Answer]) -> list[Answer]:
    """A card's answers from its last run of learning answers on (Anki's cut: earlier
    answers belong to a state the card was reset from), or [] if it never learnt."""
    start = None
    for index in range(len(answers) - 1, -1, -1):
        if answers[index].phase_before in (Phase.NEW, Phase.LEARNING):
            start = index
        elif start is not None:
            break
    return [] if start is None else list(answers[start:])


def _deltas(history: Sequence[Answer], today: StudyDay) -> list[int]:
    # Study days before the rollover that ends today, as Anki counts them (params.rs).
    end = today.end.timestamp()
    days = [max(int((end - answer.at) // DAY_SECONDS), 0) for answer in history]
    return [0] + [before - after for before, after in pairwise(days)]


def _reviews(history: Sequence[Answer], deltas: Sequence[int]) -> list[FSRSReview]:
    return [FSRSReview(answer.rating, delta) for answer, delta in zip(history, deltas,
                                                                       strict=True)]


def by_card(answers: Iterable[Answer]) -> dict[int, list[Answer]]:
    """Answers grouped by card, each card's in time order."""
    ordered = sorted(answers, key=lambda a: (a.card_id, a.at))
    return {card: list(group) for card, group in groupby(ordered, key=lambda a: a.card_id)}


def training_items(answers: Iterable[Answer], *,
                   today: StudyDay) -> tuple[list[FSRSItem], list[int], int]:
    """The items to train on, their card ids (aligned, oldest item first) and how many
    answers they were built from."""
    built: list[tuple[float, int, FSRSItem]] = []
    used = 0
    for card, answers_of_card in by_card(answers).items():
        history = card_history(answers_of_card)
        used += len(history)
        deltas = _deltas(history, today)
        reviews = _reviews(history, deltas)
        for index in range(1, len(reviews)):
            if deltas[index] > 0:
                built.append((history[index].at, card, FSRSItem(reviews[:index + 1])))
    built.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _at, _card, item in built], [card for _at, card, _item in built], used


def history_items(answers: Iterable[Answer], *,
                  today: StudyDay) -> dict[int, tuple[list[Answer], FSRSItem]]:
    """Each learnt card's history and the one item holding all of it (for its memory state)."""
    items = {}
    for card, answers_of_card in by_card(answers).items():
        history = card_history(answers_of_card)
        if history:
            items[card] = (history, FSRSItem(_reviews(history, _deltas(history, today))))
    return items


def memory_states(parameters: Sequence[float],
                  items: Sequence[FSRSItem]) -> list[tuple[float, float]]:
    """Stability and difficulty after each item's reviews, computed in one batch."""
    states = FSRS(list(parameters)).memory_state_batch(list(items))
    return [(state.stability, state.difficulty) for state in states]


def fit(items: Sequence[FSRSItem], card_ids: Sequence[int], *, reviews: int,
        current: Sequence[float]) -> Fit:
    """Fit parameters to `items` and score them and `current` on the same items.

    Raises ValueError when there are fewer than MIN_ITEMS items.
    """
    if len(items) < MIN_ITEMS:
        raise ValueError(f"needs at least {MIN_ITEMS} reviews on a later day, has {len(items)}")
    started = time.perf_counter()
    fitted = FSRS(list(current)).compute_parameters(list(items), card_ids=list(card_ids))
    seconds = time.perf_counter() - started
    before = FSRS(list(current)).evaluate(list(items))
    after = FSRS(fitted).evaluate(list(items))
    return Fit(parameters=tuple(fitted), items=len(items), reviews=reviews, seconds=seconds,
               log_loss_before=before.log_loss, log_loss_after=after.log_loss,
               rmse_before=before.rmse_bins, rmse_after=after.rmse_bins)
