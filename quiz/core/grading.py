"""Marking a learner's response and choosing the FSRS rating it earns. Pure.

Binary types: right -> Good, wrong -> Again. Types with parts (multiple select, cloze,
ordering, matching) earn partial credit: all right -> Good, mostly right -> Hard,
otherwise -> Again. Flashcards are rated by the learner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from quiz.banks import spec
from quiz.core.scheduling import Rating
from quiz.core.text import edit_distance, words

# "Mostly right": at least this share of the parts.
MOSTLY_RIGHT = 0.6


class InvalidResponse(ValueError):
    """The response cannot be marked (no choice picked, not a number, ...): ask again."""


@dataclass(frozen=True)
class Part:
    """One marked part of an answer: a gap, a pair, a position, a choice."""

    label: str
    given: str
    expected: str
    ok: bool


class Scored:
    """Anything with a 0-1 `score`: fully right at 1, partly right in between."""

    score: float

    @property
    def correct(self) -> bool:
        return self.score >= 1.0

    @property
    def partial(self) -> bool:
        return 0 < self.score < 1


@dataclass(frozen=True)
class Grade(Scored):
    """The outcome of one response."""

    score: float
    rating: Rating
    given: str
    expected: str
    note: str | None = None
    parts: tuple[Part, ...] = field(default_factory=tuple)


def rating_for(score: float) -> Rating:
    """The FSRS rating a (partial) score earns."""
    if score >= 1.0:
        return Rating.GOOD
    if score >= MOSTLY_RIGHT:
        return Rating.HARD
    return Rating.AGAIN


def grade(question: Any, response: Any) -> Grade:
    """Mark `response` to `question` (a spec model; ordering items already resolved)."""
    marker = _MARKERS.get(type(question))
    if marker is None:
        raise InvalidResponse("flashcards are rated by the learner, not marked")
    try:
        return marker(question, response)
    except (TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, InvalidResponse):
            raise
        # A response of another shape (a stored one after the question changed type, an
        # imported one): it cannot be marked.
        raise InvalidResponse("This answer does not fit the question.") from exc


def grade_flashcard(question: spec.Flashcard, rating: Rating) -> Grade:
    """A flashcard's outcome from the learner's own rating (Again is a miss)."""
    ok = rating is not Rating.AGAIN
    return Grade(score=1.0 if ok else 0.0, rating=rating, given=rating.name.title(),
                 expected=question.back)


def expected_answer(question: Any) -> str:
    """The correct answer as one line of text."""
    if isinstance(question, spec.MultipleChoice):
        return question.answer
    if isinstance(question, spec.MultipleSelect):
        return "; ".join(question.answers)
    if isinstance(question, spec.TrueFalse):
        return "True" if question.answer else "False"
    if isinstance(question, spec.ShortAnswer):
        return question.answer
    if isinstance(question, spec.Numeric):
        return _number(question.answer, question.unit)
    if isinstance(question, spec.Cloze):
        gaps = iter(question.gaps())
        return spec.CLOZE_GAP.sub(lambda _m: next(gaps).accept[0], question.text)
    if isinstance(question, spec.Ordering):
        return " → ".join(question.items or [])
    if isinstance(question, spec.Matching):
        return "; ".join(f"{left} → {right}" for left, right in question.pairs.items())
    return question.back


def _choice(question: spec.MultipleChoice, response: Any) -> Grade:
    texts = [spec.choice_text(choice) for choice in question.choices]
    if not isinstance(response, str) or response not in texts:
        raise InvalidResponse("Pick one of the choices.")
    ok = response == question.answer
    why = next((c.why for c in question.choices
                if isinstance(c, spec.Choice) and c.text == response), None)
    return Grade(score=float(ok), rating=rating_for(float(ok)), given=response,
                 expected=question.answer, note=why)


def _select(question: spec.MultipleSelect, response: Any) -> Grade:
    texts = [spec.choice_text(choice) for choice in question.choices]
    picked = [response] if isinstance(response, str) else list(response or [])
    if not picked or any(p not in texts for p in picked):
        raise InvalidResponse("Pick at least one of the choices.")
    right = set(question.answers)
    hits = len(right & set(picked))
    wrong = len(set(picked) - right)
    score = max(0.0, (hits - wrong) / len(right))
    parts = tuple(Part(text, "picked" if text in picked else "not picked",
                       "right" if text in right else "wrong", (text in picked) == (text in right))
                  for text in texts)
    return Grade(score=score, rating=rating_for(score), given="; ".join(picked),
                 expected=expected_answer(question), parts=parts)


def _true_false(question: spec.TrueFalse, response: Any) -> Grade:
    value = {"true": True, "false": False}.get(str(response).lower())
    if value is None:
        raise InvalidResponse("Choose True or False.")
    ok = value == question.answer
    return Grade(score=float(ok), rating=rating_for(float(ok)), given=str(value),
                 expected=expected_answer(question))


def match_text(response: str, accepted: list[str]) -> tuple[bool, str | None]:
    """Whether typed `response` matches one of `accepted`; the second value is set when it
    was accepted despite a typo (it names the form it matched).

    Besides case, accents and punctuation, what a person would write for the same answer
    counts (see `Form` and `readings`): a title before a name, a preposition before a date or
    place, an article, "&" for "and", a plural, hyphens and spaces, and an acronym in brackets
    after the full name. Digits always count: "T-50" is not "T-90".
    """
    given = readings(response)
    if not given:
        return False, None
    forms = [(Form(text), text) for text in accepted]
    if any(form.accepts(reading) for form, _ in forms for reading in given):
        return True, None
    bracketed = _BRACKETED.fullmatch(str(response).strip())
    if bracketed and any(form.accepts(reading) for form, _ in forms
                         for reading in readings(bracketed[1])):
        # "National Command Authority (NCA)" is right if the part in brackets is too.
        inside = readings(bracketed[2])
        initials = Form(bracketed[1]).initials()
        if any("".join(reading) in initials or any(form.accepts(reading) for form, _ in forms)
               for reading in inside):
            return True, None
    for form, text in forms:
        folded = form.spaced
        for reading in given:
            typed = " ".join(reading)
            if _digits(folded) != _digits(typed):
                continue  # a slip in a year or figure is a wrong answer, not a typo
            # Short words get no allowance ("India" is not "Indira"), and a slip in the first
            # letter makes another word ("Russia", "Prussia").
            allowed = 0 if len(folded) < 6 else 1 if len(folded) < 12 else 2
            if allowed and typed[0] == folded[0] and \
                    edit_distance(typed, folded, limit=allowed) <= allowed:
                return True, text
    return False, None


_ARTICLES = {"the", "a", "an"}
# Words a learner may put before a right answer: an article, a title before a name ("Gen
# Bajwa", "President Musharraf") or a preposition before a date or place ("in February", "on
# 16 October"). Words that give a direction ("before", "from", "to") change the answer.
_LEADING = sorted((tuple(phrase.split()) for phrase in (
    *_ARTICLES, "in", "on", "at", "during",
    "mr", "mrs", "ms", "dr", "sir", "president", "pm", "prime minister", "minister",
    "foreign minister", "defence minister", "defense minister", "army chief",
    "general", "gen", "lieutenant general", "lieutenant", "lt gen", "lt general", "lt",
    "colonel general", "col gen", "colonel", "col", "major general", "maj gen", "major", "maj",
    "brigadier", "brig", "field marshal", "marshal", "admiral", "adm", "air chief marshal",
    "retd", "retired", "r")), key=len, reverse=True)
# Short words a number can follow without being part of a model's name ("in 1970", "Mi 35").
_NOT_MODELS = {"in", "on", "at", "by", "of", "to", "the", "a", "an", "and", "or", "for", "as"}
# Singulars can end in s: "Paris", "Belarus", "gas" and "congress" have nothing to drop.
_SINGULAR_ENDINGS = ("ss", "us", "is", "as", "os")
_SMALL_WORDS = {"and", "of", "the", "for", "on", "in"}
_BRACKETED = re.compile(r"(.*\S)\s*\(([^()]+)\)")


def _words(text: str) -> list[tuple[str, str]]:
    """Each word folded, beside the word as written ("&" reads as "and")."""
    return [(word.casefold(), word) for word in words(str(text).replace("&", " and "))]


def readings(response: str) -> list[list[str]]:
    """The ways to read a typed answer: as typed, and without each run of words that can
    lead a right answer (never down to nothing, so "President" is still an answer)."""
    folded = [word for word, _ in _words(response)]
    found, start = [folded] if folded else [], 0
    while True:
        lead = next((phrase for phrase in _LEADING if len(folded) - start > len(phrase)
                     and tuple(folded[start:start + len(phrase)]) == phrase), None)
        if lead is None:
            return found
        start += len(lead)
        found.append(folded[start:])


class Form:
    """An accepted form of an answer, and the typed words that match it.

    Spaces and hyphens do not count ("Mi-35", "Mi 35", "Mi35"), nor a leading article. A word
    may take or drop a plural "s", unless it is an acronym ("ISIS" is not "ISI") or a number
    that is not part of a model's name ("1970s" is not "1970", but "Mi-35s" is "Mi-35").
    """

    def __init__(self, text: str):
        pairs = _words(text)
        if len(pairs) > 1 and pairs[0][0] in _ARTICLES:
            pairs = pairs[1:]
        self.words = [word for word, _ in pairs]
        self.spaced = " ".join(self.words)
        self._pattern = re.compile("".join(
            self._word_pattern(index, written) for index, (_, written) in enumerate(pairs)))

    def accepts(self, reading: list[str]) -> bool:
        """Whether the typed words are this form, give or take a plural."""
        return self._pattern.fullmatch("".join(reading)) is not None

    def initials(self) -> set[str]:
        """The form's initials, with and without its small words ("SPD", "SUARC")."""
        return {"".join(word[0] for word in self.words),
                "".join(word[0] for word in self.words if word not in _SMALL_WORDS)}

    def _word_pattern(self, index: int, written: str) -> str:
        word = self.words[index]
        if any(ch.isdigit() for ch in word):
            # A model takes a plural ("Mi-35s") but never loses a letter ("T-90MS", "T-90M").
            before = self.words[index - 1] if index else ""
            model = before.isalpha() and len(before) <= 3 and before not in _NOT_MODELS
            return re.escape(word) + ("s?" if model else "")
        if (written.isalpha() and written.isupper() and len(written) > 1) or len(word) < 3:
            return re.escape(word)  # an acronym or a short word: exactly as written
        if word.endswith("s") and len(word) > 3 and not word.endswith(_SINGULAR_ENDINGS):
            return re.escape(word[:-1]) + "s?"
        return re.escape(word) + "s?"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _short(question: spec.ShortAnswer, response: Any) -> Grade:
    text = str(response or "").strip()
    if not text:
        raise InvalidResponse("Type an answer.")
    ok, spelled = match_text(text, [question.answer, *question.accept])
    note = f"Accepted, but it is spelled “{spelled}”." if spelled else None
    return Grade(score=float(ok), rating=rating_for(float(ok)), given=text,
                 expected=question.answer, note=note)


_NUMBER = re.compile(r"-?(?:\d{1,3}(?:[, \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?|-?[.,]\d+")


def parse_number(text: str) -> float:
    """A number typed by a learner: `1,100`, `1 100 km`, `12.4`, `12,4`, `−5`.

    A comma followed by exactly three digits groups thousands; otherwise it is a decimal
    comma. Two numbers ("1965 or 1971") are refused rather than read as one.
    """
    text = str(text or "").replace("\u2212", "-").strip()
    found = _NUMBER.findall(text)
    if not found:
        raise InvalidResponse("Type a number.")
    if len(found) > 1:
        raise InvalidResponse("Type one number only.")
    number = found[0]
    grouped = re.fullmatch(r"-?\d{1,3}(?:[, \u00a0\u202f]\d{3})+(?:\.\d+)?", number)
    number = re.sub(r"[, \u00a0\u202f]", "", number) if grouped else number.replace(",", ".")
    try:
        return float(number)
    except ValueError as exc:
        raise InvalidResponse("Type a number.") from exc


def _number(value: float, unit: str | None) -> str:
    shown = f"{value:,.10g}" if abs(value) >= 10000 else f"{value:.10g}"
    return f"{shown} {unit}" if unit else shown


def _numeric(question: spec.Numeric, response: Any) -> Grade:
    value = parse_number(response)
    ok = abs(value - question.answer) <= question.tolerance + 1e-9
    expected = _number(question.answer, question.unit)
    if question.tolerance:
        expected += f" (±{question.tolerance:.10g} accepted)"
    return Grade(score=float(ok), rating=rating_for(float(ok)),
                 given=_number(value, question.unit), expected=expected)


def _cloze(question: spec.Cloze, response: Any) -> Grade:
    gaps = question.gaps()
    answers = list(response or [])
    if len(answers) != len(gaps):
        raise InvalidResponse("Fill in every gap.")
    if not any(str(a).strip() for a in answers):
        raise InvalidResponse("Fill in at least one gap.")
    parts, notes = [], []
    for index, (gap, given) in enumerate(zip(gaps, answers, strict=True), start=1):
        ok, spelled = match_text(str(given), gap.accept)
        if spelled:
            notes.append(f"gap {index} is spelled “{spelled}”")
        parts.append(Part(f"Gap {index}", str(given).strip() or "(blank)", gap.accept[0], ok))
    score = sum(part.ok for part in parts) / len(parts)
    note = ("Accepted, but " + "; ".join(notes) + ".") if notes else None
    return Grade(score=score, rating=rating_for(score), given=" / ".join(p.given for p in parts),
                 expected=expected_answer(question), note=note, parts=tuple(parts))


def _ordering(question: spec.Ordering, response: Any) -> Grade:
    items = list(question.items or [])
    given = list(response or [])
    if sorted(given) != sorted(items):
        raise InvalidResponse("Put every item in order, each once.")
    rank = {item: index for index, item in enumerate(items)}
    # Share of pairs in the right relative order: one slip costs little, a reversal all.
    pairs = list(combinations(given, 2))
    score = sum(rank[a] < rank[b] for a, b in pairs) / len(pairs)
    parts = tuple(Part(str(position), item, items[position - 1], item == items[position - 1])
                  for position, item in enumerate(given, start=1))
    return Grade(score=score, rating=rating_for(score), given=" → ".join(given),
                 expected=expected_answer(question), parts=parts)


def _matching(question: spec.Matching, response: Any) -> Grade:
    given = dict(response or {})
    if set(given) != set(question.pairs) or not any(given.values()):
        raise InvalidResponse("Match every item.")
    rights = set(question.pairs.values())
    if any(value and value not in rights for value in given.values()):
        raise InvalidResponse("Match every item to one of the options.")
    parts = tuple(Part(left, given[left] or "(none)", right, given[left] == right)
                  for left, right in question.pairs.items())
    score = sum(part.ok for part in parts) / len(parts)
    return Grade(score=score, rating=rating_for(score),
                 given="; ".join(f"{p.label} → {p.given}" for p in parts),
                 expected=expected_answer(question), parts=parts)


_MARKERS = {
    spec.MultipleChoice: _choice,
    spec.MultipleSelect: _select,
    spec.TrueFalse: _true_false,
    spec.ShortAnswer: _short,
    spec.Numeric: _numeric,
    spec.Cloze: _cloze,
    spec.Ordering: _ordering,
    spec.Matching: _matching,
}
