"""Folding text for comparison: shared by the bank linter and the grader. Pure."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """Text folded for comparing: no case, accents, punctuation or extra spaces."""
    return " ".join(words(text.casefold()))


def words(text: str) -> list[str]:
    """The words of `text` without accents or punctuation, in their own case."""
    if not text.isascii():  # most text has no accents to drop
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Apostrophes join rather than split words: "Da'ish" and "Daish" are the same answer.
    text = _APOSTROPHES.sub("", text)
    return _PUNCTUATION.sub(" ", text).split()


_APOSTROPHES = re.compile("['\u2019\u02bc`]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), capped at `limit` + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
