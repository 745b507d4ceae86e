"""The checks a schema cannot express, on each question of a bank: its answers are among its
choices, its gaps and items are sound, and the sources and events it names exist.

Pure: no Flask, no database.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from quiz.banks import spec
from quiz.banks.messages import did_you_mean
from quiz.banks.reader import Document
from quiz.core.text import normalise

if TYPE_CHECKING:
    from quiz.banks.loader import Catalog


def check_source(doc: Document, path: tuple, source: spec.Source, catalog: Catalog) -> None:
    """Report a source naming an article or section that sources.yaml does not list."""
    article = catalog.articles.get(source.article)
    if article is None:
        if catalog.articles:  # with no valid sources.yaml that file's error says it all
            hint = did_you_mean(source.article, list(catalog.articles))
            doc.error(path + ("article",), "unknown-source",
                      f"unknown article {source.article!r}{hint}")
        return
    sections = [section.id for section in article.sections]
    if source.section not in sections:
        hint = did_you_mean(source.section, sections)
        doc.error(path + ("section",), "unknown-source",
                  f"unknown section {source.section!r} of {article.id!r}{hint}")


def check_raw_references(doc: Document, where: tuple, raw: Any, catalog: Catalog) -> None:
    """Check the source and events of a question that failed validation, so one mistake
    does not hide another."""
    if not isinstance(raw, dict):
        return
    source = raw.get("source")
    if isinstance(source, dict) and all(isinstance(source.get(k), str)
                                        for k in ("article", "section")):
        with contextlib.suppress(ValidationError):  # a malformed source is reported already
            check_source(doc, where + ("source",), spec.Source.model_validate(source), catalog)
    events = raw.get("events")
    for index, event_id in enumerate(events if isinstance(events, list) else []):
        if isinstance(event_id, str) and event_id not in catalog.events:
            hint = did_you_mean(event_id, list(catalog.events))
            doc.error(where + ("events", index), "unknown-event",
                      f"unknown event {event_id!r}{hint}")


def check_question(doc: Document, where: tuple, q: Any, catalog: Catalog) -> None:
    """Report what is wrong with a validated question beyond its schema."""
    if q.era is None:
        doc.error(where, "missing-field", "missing required field 'era' (set it here or as the "
                  "bank's default)")
    if not q.tags:
        doc.error(where, "missing-field", "missing tags: give at least one (here or as the "
                  "bank's default)")
    if q.prompt is None and not isinstance(q, (spec.Flashcard, spec.Cloze)):
        doc.error(where, "missing-field", "missing required field 'prompt'")
    check_source(doc, where + ("source",), q.source, catalog)
    for index, event_id in enumerate(q.events):
        if event_id not in catalog.events:
            hint = did_you_mean(event_id, list(catalog.events))
            doc.error(where + ("events", index), "unknown-event",
                      f"unknown event {event_id!r}{hint}")
    if q.replaces == q.id:
        doc.error(where + ("replaces",), "bad-value", "a question cannot replace itself")
    checker = _TYPE_CHECKS.get(type(q))
    if checker:
        checker(doc, where, q, catalog)


def _check_choices(doc: Document, where: tuple, q: Any, catalog: Catalog) -> None:
    texts = [spec.choice_text(choice) for choice in q.choices]
    if len(texts) < 2:
        doc.error(where + ("choices",), "too-few-choices",
                  f"needs at least 2 choices, has {len(texts)}")
    seen: dict[str, int] = {}
    for index, text in enumerate(texts):
        key = normalise(text)
        if key in seen:
            doc.error(where + ("choices", index), "duplicate-choice",
                      f"duplicate choice {text!r} (same as choice {seen[key] + 1})")
        seen.setdefault(key, index)
    answers = [q.answer] if isinstance(q, spec.MultipleChoice) else q.answers
    field_name = "answer" if isinstance(q, spec.MultipleChoice) else "answers"
    if isinstance(q, spec.MultipleSelect):
        if not answers:
            doc.error(where + ("answers",), "too-short", "answers: needs at least 1")
        if len(set(answers)) != len(answers):
            doc.error(where + ("answers",), "duplicate-choice", "answers lists a choice twice")
    for index, answer in enumerate(answers):
        if answer not in texts:
            hint = did_you_mean(answer, texts)
            at = where + ((field_name,) if field_name == "answer" else (field_name, index))
            doc.error(at, "answer-not-in-choices",
                      f"{field_name}: {answer!r} is not one of the choices{hint}")


def _check_short(doc: Document, where: tuple, q: spec.ShortAnswer, catalog: Catalog) -> None:
    if normalise(q.answer) == "":
        doc.error(where + ("answer",), "empty", "answer has no letters or digits")


def _check_cloze(doc: Document, where: tuple, q: spec.Cloze, catalog: Catalog) -> None:
    if q.text.count("{{") != q.text.count("}}"):
        doc.error(where + ("text",), "unbalanced-gap", "a {{ has no matching }} (or vice versa)")
        return
    gaps = q.gaps()
    if not gaps:
        doc.error(where + ("text",), "cloze-without-gaps",
                  "cloze text has no {{gaps}}: mark each answer like {{1971}}")
    for index, gap in enumerate(gaps, start=1):
        if not gap.accept:
            doc.error(where + ("text",), "empty-gap", f"gap {index} is empty")


def _check_ordering(doc: Document, where: tuple, q: spec.Ordering, catalog: Catalog) -> None:
    if q.items and q.events:
        doc.error(where + ("items",), "bad-value", "give items or events, not both")
        return
    if q.items is None and not q.events:
        doc.error(where, "missing-field", "missing required field 'items' (or 'events')")
        return
    count = len(q.items) if q.items is not None else len(q.events)
    key = "items" if q.items is not None else "events"
    if count < 3:
        doc.error(where + (key,), "too-few-items", f"an ordering needs at least 3 {key}, "
                  f"has {count}")
    if q.items is not None:
        folded = [normalise(item) for item in q.items]
        for index, item in enumerate(folded):
            if item in folded[:index]:
                doc.error(where + ("items", index), "duplicate-item",
                          f"duplicate item {q.items[index]!r}")
        return
    if all(event_id in catalog.events for event_id in q.events):
        order = catalog.chronology.sort(q.events)
        for earlier, later in itertools.pairwise(order):
            if not catalog.chronology.surely_before(earlier, later):
                dates = catalog.events[earlier].date, catalog.events[later].date
                doc.error(where + ("events",), "ambiguous-order",
                          f"events dated {dates[0]} and {dates[1]} cannot be put in a sure order "
                          f"({earlier!r}, {later!r}): give one an `after:` in events.yaml")
                break


def _check_matching(doc: Document, where: tuple, q: spec.Matching, catalog: Catalog) -> None:
    if len(q.pairs) < 2:
        doc.error(where + ("pairs",), "too-few-pairs",
                  f"a matching needs at least 2 pairs, has {len(q.pairs)}")
    # Report each repeat where it stands, like duplicate keys and choices.
    seen_left: set[str] = set()
    seen_right: set[str] = set()
    for left, right in q.pairs.items():
        if normalise(left) in seen_left:
            doc.error(where + ("pairs", left), "duplicate-side",
                      f"left side {left!r} appears more than once", key=True)
        if normalise(right) in seen_right:
            doc.error(where + ("pairs", left), "duplicate-side",
                      f"right side {right!r} appears more than once")
        seen_left.add(normalise(left))
        seen_right.add(normalise(right))


_TYPE_CHECKS = {
    spec.MultipleChoice: _check_choices,
    spec.MultipleSelect: _check_choices,
    spec.ShortAnswer: _check_short,
    spec.Cloze: _check_cloze,
    spec.Ordering: _check_ordering,
    spec.Matching: _check_matching,
}
