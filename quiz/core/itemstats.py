"""Question statistics for a class, as Moodle's quiz statistics report computes them. Pure: no
Flask, no database.

The input is a score matrix: for each unit (one attempt at a test, or one learner's answers to
a bank), the score of each question it holds, from 0 to 1.

- **Facility index**: the mean score on the question, the share of the class that got it
  right. Near 1: too easy to tell anyone apart; near 0: maybe a wrong key.
- **Discrimination index**: Moodle's definition, the Pearson correlation between the score on
  the question and the score on the rest of the test (the mean of the unit's other
  questions, so the question does not correlate with itself). Near 1: the strong get it
  right and the weak wrong; near 0 or negative: it tells nothing, or the opposite, about who
  knows the material (often a badly worded question).
- **Lapse rate**: forgotten answers (a review card rated Again) per review, from FSRS's
  lapse counts: the questions the class forgets most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Fewer units than this and a correlation says nothing: the index is left blank.
MIN_UNITS = 3


@dataclass(frozen=True)
class ItemStats:
    """One question's facility and discrimination over the units that answered it."""

    answered: int
    facility: float | None
    discrimination: float | None


def mean(values: Iterable[float]) -> float | None:
    """The arithmetic mean, None for no values."""
    values = list(values)
    return sum(values) / len(values) if values else None


def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r of two equally long lists; None if either does not vary or too few."""
    if len(xs) < MIN_UNITS:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_statistics(matrix: Mapping[object, Mapping[str, float]]) -> dict[str, ItemStats]:
    """Facility and discrimination of every question in `matrix` (unit -> question -> score).

    A unit that holds only the question itself has no rest-of-test score and is left out of
    the discrimination (not of the facility).
    """
    totals = {unit: (sum(scores.values()), len(scores)) for unit, scores in matrix.items()}
    items: dict[str, list[tuple[float, float | None]]] = {}
    for unit, scores in matrix.items():
        total, count = totals[unit]
        for question, score in scores.items():
            rest = (total - score) / (count - 1) if count > 1 else None
            items.setdefault(question, []).append((score, rest))
    found = {}
    for question, pairs in items.items():
        paired = [(score, rest) for score, rest in pairs if rest is not None]
        found[question] = ItemStats(
            answered=len(pairs), facility=mean(score for score, _ in pairs),
            discrimination=correlation([s for s, _ in paired], [r for _, r in paired]))
    return found


def lapse_rate(lapses: int, reviews: int) -> float | None:
    """Forgotten answers per review answer; None before any review."""
    return lapses / reviews if reviews > 0 else None


def common_wrong(answers: Iterable[tuple[str, int]], *, limit: int = 3) -> list[tuple[str, int]]:
    """The most frequent wrong answers (answer, count), ties in alphabetical order; answers
    that differ only in case or surrounding spaces are one answer."""
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for answer, count in answers:
        key = answer.strip().casefold()
        if not key:
            continue
        counts[key] = counts.get(key, 0) + count
        shown.setdefault(key, answer.strip())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(shown[key], count) for key, count in ranked[:limit]]
