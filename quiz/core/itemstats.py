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
from collections.abc import Iterable
from dataclasses import dataclass

# Fewer units than this and a correlation says nothing: the index is left blank.
MIN_UNITS = 3


@dataclass(frozen=True)
class ItemStats:
    """One question's facility and discrimination over the units that answered it."""

    answered: int
    facility: float | None
    discrimination: float | None


@dataclass(frozen=True)
class Moments:
    """What one question's statistics are computed from, so the database can add them up
    rather than send every unit's score: the units that answered it and the sum of their
    scores; and, over the units that also answered other questions (so that they have a rest
    of the test), their count and the sums of the score x, the rest-of-test score y, x², y²
    and xy."""

    answered: int
    score: float
    paired: int = 0
    x: float = 0.0
    y: float = 0.0
    xx: float = 0.0
    yy: float = 0.0
    xy: float = 0.0


# A spread smaller than this share of the squares is rounding, not a difference between units.
_NO_SPREAD = 1e-12


def item_stats(m: Moments) -> ItemStats:
    """Facility (mean score) and discrimination (Pearson's r of score and rest-of-test score,
    blank with fewer than MIN_UNITS units or when either does not vary)."""
    facility = m.score / m.answered if m.answered else None
    discrimination = None
    n = m.paired
    if n >= MIN_UNITS:
        sxx, syy = m.xx - m.x * m.x / n, m.yy - m.y * m.y / n
        if sxx > _NO_SPREAD * max(m.xx, 1.0) and syy > _NO_SPREAD * max(m.yy, 1.0):
            r = (m.xy - m.x * m.y / n) / math.sqrt(sxx * syy)
            discrimination = min(max(r, -1.0), 1.0)
    return ItemStats(m.answered, facility, discrimination)


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
