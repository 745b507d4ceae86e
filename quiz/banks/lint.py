"""Advice on sound banks: warnings that never stop a bank from loading. Pure.

`questions lint` and the author pages run these; `questions sync` does not (a warning changes
nothing it writes). Each rule is documented, with its threshold, in questions/README.md.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from rapidfuzz import fuzz, process

from quiz.banks import spec
from quiz.banks.reader import Document

# Prompts at least this alike (difflib's ratio on folded text) nearly repeat each other.
NEAR_DUPLICATE = 0.92
# Only prompts that share one of their rarer words are compared (prefix filtering): enough to
# find every pair in which each prompt shares at least this share of its words with the other.
# A prompt 92% alike another differs in a few words at most, so no real pair is missed, and a
# 10,000-question bank is checked in a fraction of a second instead of comparing 50 million pairs.
SHARED_WORDS = 0.5
# A split of true/false keys (or of keys that are the longest choice) less likely than this
# by chance is reported.
CHANCE = 0.05
# A key this many times as long as every other choice, and this many characters longer, can
# be picked by its length alone.
LONG_KEY_RATIO = 1.5
LONG_KEY_EXTRA = 20

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# What counts as saying a date is not the article's: "(2015, inferred)", "(background)",
# "from the article's date", "from its late-2015 writing date".
_LABEL = re.compile(r"\b(?:inferred|background)\b|(?:article's|writing) (?:own )?date",
                    re.IGNORECASE)


def first_near_repeats(texts: list[str]) -> dict[int, int]:
    """For each folded text that nearly repeats an earlier one, the index of the first such.

    Candidates come from an inverted index on words: each text is indexed under its rarer
    words (the fewest that any text sharing half its words must share one of). Texts are taken
    shortest first, so each one's candidates are never longer than it, and index entries too
    short to reach the ratio are passed over once and for all. Candidates are scored with
    rapidfuzz's ratio, which is never below difflib's, and confirmed with difflib's own ratio,
    so exactly the pairs difflib calls alike are reported.
    """
    tokens = [_word_tokens(text) for text in texts]
    frequency = Counter(token for words in tokens for token in words)
    index: dict[str, list[int]] = defaultdict(list)
    passed: dict[str, int] = defaultdict(int)  # entries of each list now too short to match
    alike: dict[int, list[int]] = defaultdict(list)
    for i in sorted(range(len(texts)), key=lambda k: len(texts[k])):
        text, words = texts[i], tokens[i]
        keep = len(words) - math.ceil(SHARED_WORDS * len(words)) + 1
        candidates: set[int] = set()
        for token in sorted(words, key=lambda t: (frequency[t], t))[:keep]:
            entries, start = index[token], passed[token]
            # At most the shorter text can match: 2 * shorter >= ratio * both lengths.
            while start < len(entries) and \
                    2 * len(texts[entries[start]]) < NEAR_DUPLICATE * (len(text)
                                                                   + len(texts[entries[start]])):
                start += 1
            passed[token] = start
            candidates.update(entries[start:] if start else entries)
            entries.append(i)
        others = list(candidates)
        for _, _, k in process.extract(text, [texts[j] for j in others], scorer=fuzz.ratio,
                                       score_cutoff=NEAR_DUPLICATE * 100 - 1e-6, limit=None):
            alike[max(i, others[k])].append(min(i, others[k]))
    found = {}
    for later, earlier in sorted(alike.items()):
        first = next((j for j in sorted(earlier) if difflib.SequenceMatcher(
            None, texts[j], texts[later], autojunk=False).ratio() >= NEAR_DUPLICATE), None)
        if first is not None:
            found[later] = first
    return found


def _word_tokens(text: str) -> list[str]:
    # A word's second occurrence is a token of its own, so repeats count as shared only once.
    seen: Counter[str] = Counter()
    tokens = []
    for word in text.split():
        seen[word] += 1
        tokens.append(word if seen[word] == 1 else f"{word}#{seen[word]}")
    return tokens


def check_bank(doc: Document, questions: list[Any], inferred: InferredDates) -> None:
    """Warn about one bank's skewed answers and unlabelled inferred dates."""
    _answer_positions(doc, questions)
    _true_false_balance(doc, questions)
    _long_keys(doc, questions)
    for index, question in enumerate(questions):
        # A label in the prompt covers the short parts it introduces (the sides of a matching,
        # the items of an ordering, a right choice); longer texts carry their own.
        fields = vars(question)
        labelled = bool(_LABEL.search(fields.get("prompt") or fields.get("front") or ""))
        inferred.check(doc, ("questions", index), question.source.article,
                       [(path, text) for path, text, part in shown_texts(question)
                        if not (part and labelled)])


def _answer_positions(doc: Document, questions: list[Any]) -> None:
    positions = Counter(
        [spec.choice_text(c) for c in q.choices].index(q.answer)
        for q in questions
        if isinstance(q, spec.MultipleChoice) and q.answer in map(spec.choice_text, q.choices))
    total = sum(positions.values())
    if total >= 8:
        position, count = positions.most_common(1)[0]
        if count / total > 0.5:
            doc.error((), "answer-position", f"{count} of {total} multiple-choice answers are "
                      f"choice {position + 1}: spread them out", severity="warning")


def two_sided_binomial(count: int, total: int) -> float:
    """How likely a split at least this uneven is when each answer is true or false at even
    odds (the exact two-sided binomial test)."""
    extreme = max(count, total - count)
    tail = sum(math.comb(total, k) for k in range(extreme, total + 1)) / 2 ** total
    return min(1.0, 2 * tail)


def _true_false_balance(doc: Document, questions: list[Any]) -> None:
    # A learner meets a bank in file order, so a bank written from several articles is also
    # checked article by article: one lopsided half is what its learners meet first.
    keys = [(q.source.article, q.answer) for q in questions if isinstance(q, spec.TrueFalse)]
    groups = {"": [answer for _, answer in keys]}
    articles = sorted({article for article, _ in keys})
    if len(articles) > 1:
        groups.update({article: [answer for a, answer in keys if a == article]
                       for article in articles})
    for article, answers in groups.items():
        true = sum(answers)
        if answers and two_sided_binomial(true, len(answers)) < CHANCE:
            common = max(true, len(answers) - true)
            value = "true" if true * 2 > len(answers) else "false"
            scope = f" from {article}" if article else ""
            doc.error((), "true-false-balance", f"{common} of {len(answers)} true/false answers"
                      f"{scope} are {value}: a learner who always answers {value} scores "
                      f"{round(100 * common / len(answers))}%; balance them", severity="warning")


def _long_keys(doc: Document, questions: list[Any]) -> None:
    longest, chances = 0, []
    for index, q in enumerate(questions):
        if not isinstance(q, spec.MultipleChoice):
            continue
        texts = [spec.choice_text(choice) for choice in q.choices]
        others = [len(text) for text in texts if text != q.answer]
        if q.answer not in texts or not others:
            continue
        chances.append(1 / len(texts))
        if len(q.answer) > max(others):
            longest += 1
        if len(q.answer) >= LONG_KEY_RATIO * max(others) and \
                len(q.answer) - max(others) >= LONG_KEY_EXTRA:
            doc.error(("questions", index, "answer"), "long-answer",
                      f"the answer is {len(q.answer) / max(others):.1f} times as long as any "
                      "other choice: a learner can pick it by its length", severity="warning")
    if chances and longest > sum(chances) and _at_least(longest, chances) < CHANCE:
        doc.error((), "long-answer", f"the answer is the longest choice in {longest} of "
                  f"{len(chances)} multiple-choice questions (about {round(sum(chances))} by "
                  "chance): make distractors as long and specific as answers",
                  severity="warning")


def _at_least(count: int, chances: list[float]) -> float:
    """How likely `count` or more successes are among trials with these chances."""
    odds = [1.0]  # odds[k]: the chance of exactly k successes so far
    for p in chances:
        odds = [(odds[k] if k < len(odds) else 0) * (1 - p) + (odds[k - 1] * p if k else 0)
                for k in range(len(odds) + 1)]
    return sum(odds[count:])


def shown_texts(question: Any) -> Iterator[tuple[tuple, str, bool]]:
    """Every text a learner sees of a question as a claim, with its path inside the question
    and whether it is a short part introduced by the prompt. Wrong choices claim nothing, and
    other accepted forms of an answer are never shown."""
    fields = vars(question)  # a model's values, without its lookups of fields it lacks
    for name in ("prompt", "front", "back", "hint", "explanation"):
        if isinstance(fields.get(name), str):
            yield (name,), fields[name], False
    if isinstance(question, spec.Cloze):
        # Learners see each gap's hint, then its first form; other forms are only accepted.
        def shown(match: re.Match) -> str:
            gap = spec.parse_gap(match.group(1))
            return " ".join(filter(None, [gap.accept[0] if gap.accept else "", gap.hint]))

        yield ("text",), spec.CLOZE_GAP.sub(shown, question.text), False
    if isinstance(question, spec.ShortAnswer):
        yield ("answer",), question.answer, True
    for index, value in enumerate(fields.get("items") or []):
        yield ("items", index), value, True
    right = {question.answer} if isinstance(question, spec.MultipleChoice) else set(
        fields.get("answers") or [])
    for index, choice in enumerate(fields.get("choices") or []):
        text = spec.choice_text(choice)
        at = ("choices", index) + (("text",) if isinstance(choice, spec.Choice) else ())
        if text in right:
            yield at, text, True
        if isinstance(choice, spec.Choice) and choice.why:
            yield ("choices", index, "why"), choice.why, False
    for left, right_side in (fields.get("pairs") or {}).items():
        yield ("pairs", left), f"{left}: {right_side}", True


class InferredDates:
    """The dates the banks can tell are inferred rather than given by an article.

    An event marked `inferred: true` has a year its source does not state. Its month and year
    ("November 2014") are inferred wherever they appear, unless another event gives them as
    stated; a bare year is inferred in whatever cites an article when every event of that
    year from that article is marked inferred (no event of 2018 from either article is
    stated, for one).
    """

    def __init__(self, events: dict[str, spec.Event]):
        flags: dict[tuple[str, str], list[bool]] = defaultdict(list)
        months: dict[str, list[spec.Event]] = defaultdict(list)
        for event in events.values():
            flags[(event.source.article, event.date[:4])].append(event.inferred)
            if len(event.date) >= 7:
                months[f"{MONTHS[int(event.date[5:7]) - 1]} {event.date[:4]}"].append(event)
        self.years: dict[str, set[str]] = defaultdict(set)
        for (article, year), inferred in flags.items():
            if all(inferred):
                self.years[article].add(year)
        # "November 2014" -> the inferred event that dates it.
        self.months = {month: dated[0].id for month, dated in months.items()
                       if all(event.inferred for event in dated)}
        self._month_years = {month[-4:] for month in self.months}

    def check(self, doc: Document, where: tuple, article: str,
              texts: Iterator[tuple[tuple, str]]) -> None:
        """Warn about each inferred date in `texts` with no label in or next to its sentence."""
        for path, text in texts:
            for token, reason in self.unlabelled(text, article):
                doc.error(where + path, "inferred-year",
                          f"{token!r} is inferred ({reason}): label it where it appears, "
                          f"as in '({token}, inferred)'", severity="warning")

    def unlabelled(self, text: str, article: str) -> Iterator[tuple[str, str]]:
        """Each inferred date in `text` (once) with no label in or next to its sentence."""
        years = self.years.get(article, set())
        found = []  # where each inferred date starts, the date as written, why it is inferred
        for match in _YEAR.finditer(text):  # most years in a text are nothing to check
            year = match.group(0)
            if year not in years and year not in self._month_years:
                continue
            month = _MONTH_BEFORE.search(text, max(0, match.start() - 24), match.start())
            if month and f"{month[1]} {year}" in self.months:
                found.append((month.start(), text[month.start():match.end()],
                              f"event {self.months[f'{month[1]} {year}']!r} is marked inferred"))
            elif year in years:
                found.append((match.start(), year,
                              f"every {article} event of that year is marked inferred"))
        if not found:
            return
        # The label may sit in the date's sentence or in the one before or after it ("June
        # 2014 and August 2015. Both years are inferred.").
        starts = [0] + [end.end() for end in _SENTENCE_END.finditer(text)]
        labelled = [bool(_LABEL.search(text, start, end))
                    for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
        reported: set[str] = set()
        for start, token, reason in found:
            sentence = bisect.bisect_right(starts, start) - 1
            if token not in reported and not any(labelled[max(0, sentence - 1):sentence + 2]):
                reported.add(token)
                yield token, reason


_YEAR = re.compile(r"\b\d{4}\b")
# A month (and day) right before a year: "November 2014", "16 October 2015", "October 16, 2015".
_MONTH_BEFORE = re.compile(r"\b(" + "|".join(MONTHS) + r")(?:\s+\d{1,2}(?:st|nd|rd|th)?,?)?\s+$")
