"""Load and check every file under questions/: sources, events and banks.

Pure: no Flask, no database. `load_catalog` reads a directory and returns what is valid
together with every problem found, each pointing at its file, line and column. A broken
bank never stops the others from loading.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from quiz.banks import chronology, lint, spec
from quiz.banks.reader import MAX_BYTES, Document, Problem, read
from quiz.core.text import normalise

SOURCES_FILE = "sources.yaml"
EVENTS_FILE = "events.yaml"
SHARED_FILES = {SOURCES_FILE, EVENTS_FILE}


@dataclass
class LoadedQuestion:
    """A valid question with its bank and the line it starts on."""

    model: Any  # one of the spec question models
    bank_id: str
    line: int
    position: int


@dataclass
class LoadedBank:
    """A bank file that parsed and validated, with its questions in file order."""

    id: str
    file: str
    title: str
    description: str
    era: str | None
    questions: list[LoadedQuestion]


@dataclass
class Catalog:
    """Everything read from a questions/ directory: valid content and all problems."""

    articles: dict[str, spec.Article] = field(default_factory=dict)
    events: dict[str, spec.Event] = field(default_factory=dict)
    banks: dict[str, LoadedBank] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Whether events.yaml was readable at all, and every id it lists (sound or not): only
    # events missing from a readable file are retired by sync.
    events_loaded: bool = False
    listed_events: list[str] = field(default_factory=list)
    chronology: chronology.Chronology = field(
        default_factory=lambda: chronology.build({}, {}))

    def problems_in(self, file: str) -> list[Problem]:
        """The problems reported for one file."""
        return [p for p in self.problems if p.file == file]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def ordering_items(self, question: spec.Ordering) -> list[str]:
        """The items of an ordering question in their correct order."""
        if question.items:
            return list(question.items)
        return [self.events[event_id].title for event_id in self.chronology.sort(question.events)]


def load_catalog(directory: FsPath, only: list[FsPath] | None = None, *,
                 advice: bool = True) -> Catalog:
    """Read sources, events and every bank in `directory` (or just the banks in `only`).

    With `advice` off, the checks that only warn (`quiz.banks.lint`) are skipped: sync needs
    only what decides whether a bank loads.
    """
    catalog = Catalog()
    sources_doc = _read_file(directory / SOURCES_FILE, catalog, required=True)
    if sources_doc is not None:
        sources = _validate(sources_doc, spec.Sources)
        if sources is not None:
            _check_sources(sources_doc, sources)
            catalog.articles = {article.id: article for article in sources.articles}
        catalog.problems += sources_doc.problems
    events_doc = _read_file(directory / EVENTS_FILE, catalog, required=False)
    inferred = lint.InferredDates({}) if advice else None
    if events_doc is not None:
        places = _load_events(events_doc, catalog)
        if advice:
            inferred = lint.InferredDates(catalog.events)
            for event in catalog.events.values():
                inferred.check(events_doc, places[event.id], event.source.article,
                               [(("title",), event.title), (("note",), event.note or "")])
        catalog.problems += events_doc.problems

    bank_paths = sorted(p for p in directory.glob("*.yaml") if p.name not in SHARED_FILES)
    if only is not None:
        wanted = {p.resolve() for p in only}
        bank_paths = [p for p in bank_paths if p.resolve() in wanted]
        bank_paths += sorted(p for p in only if p.resolve() not in {b.resolve() for b in
                                                                      bank_paths})
    seen_ids: dict[str, tuple[str, int]] = {}
    for path in bank_paths:
        doc = _read_file(path, catalog, required=True)
        if doc is None:
            continue
        bank = _load_bank(doc, path, catalog, seen_ids)
        if bank is not None and inferred is not None:
            lint.check_bank(doc, [q.model for q in bank.questions], inferred)
        catalog.problems += doc.problems
        if bank is not None and doc.ok:
            catalog.banks[bank.id] = bank
    _check_replaced(catalog)
    if advice:
        _check_near_duplicates(catalog)
    broken = {p.file for p in catalog.errors}
    catalog.banks = {k: bank for k, bank in catalog.banks.items() if bank.file not in broken}
    catalog.problems.sort()
    return catalog


def _read_file(path: FsPath, catalog: Catalog, *, required: bool) -> Document | None:
    name = str(path)
    if not path.exists():
        if required:
            catalog.problems.append(Problem(name, 1, 1, "error", "missing-file",
                                            "file not found"))
        return None
    catalog.files.append(name)
    try:
        with path.open("rb") as handle:
            # Read one byte past the limit so an oversized file is refused unparsed.
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        catalog.problems.append(Problem(name, 1, 1, "error", "unreadable", str(exc)))
        return None
    return read(name, raw)


def _validate(doc: Document, model: type[spec.BaseModel], data: Any = None) -> Any:
    data = doc.data if data is None else data
    if doc.data is None:
        if doc.ok:
            doc.error((), "empty", "file is empty")
        return None
    if not isinstance(data, dict):
        doc.error((), "not-a-mapping", "the file must be a mapping of keys to values")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        _report(doc, exc, model)
        return None


def _report(doc: Document, exc: ValidationError, model: type[spec.BaseModel],
            prefix: tuple = ()) -> None:
    seen: set[tuple] = set()
    for error in exc.errors():
        path, branch_ok = _data_path(doc.data, prefix + tuple(error["loc"]))
        if not branch_ok:
            continue
        problem = _describe(doc, error, path, model)
        if problem is None:
            continue
        code, message, at_key = problem
        marker = (path, message)
        if marker in seen:
            continue
        seen.add(marker)
        doc.error(path, code, message, key=at_key)


def _data_path(data: Any, loc: tuple) -> tuple[tuple, bool]:
    """Map a pydantic error location onto the data, dropping union-branch labels.

    Returns the path and whether the error belongs to the branch that fits the data (for a
    choice that is text, errors about the mapping form are noise, and vice versa).
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and part in spec.TYPES and node.get("type") == part:
            continue
        elif part == "Choice":
            if not isinstance(node, dict):
                return tuple(path), False
        elif isinstance(part, str) and part.startswith(("function-", "str", "constrained")):
            if isinstance(node, dict):
                return tuple(path), False
        else:
            path.append(part)  # a missing key or an unknown one: report at the parent
            node = None
    return tuple(path), True


def _fields_for(doc_data: Any, path: tuple, model: type[spec.BaseModel]) -> list[str]:
    """The keys allowed in the mapping at `path`, for did-you-mean suggestions."""
    parent = path[:-1]
    node = doc_data
    for part in parent:
        node = node[part]
    if isinstance(node, dict) and isinstance(node.get("type"), str) and node["type"] in spec.TYPES:
        return list(spec.TYPES[node["type"]].model_fields)
    if parent and parent[-1] == "source":
        return list(spec.Source.model_fields)
    if model is spec.Bank and len(parent) == 0:
        return list(spec.Bank.model_fields)
    return sorted(spec.FIELD_NAMES)


def _describe(doc: Document, error: dict, path: tuple,
              model: type[spec.BaseModel]) -> tuple[str, str, bool] | None:
    kind, name = error["type"], _field_name(path)
    if kind == "extra_forbidden":
        key = str(path[-1])
        hint = _did_you_mean(key, _fields_for(doc.data, path, model))
        return "unknown-key", f"unknown key {key!r}{hint}", True
    if kind == "missing":
        return "missing-field", f"missing required field {name!r}", False
    if kind == "union_tag_not_found":
        return "missing-field", "missing required field 'type'", False
    if kind == "union_tag_invalid":
        tag = str(error["ctx"]["tag"])
        hint = _did_you_mean(tag, list(spec.TYPES))
        doc.error(path + ("type",), "unknown-type", f"unknown question type {tag!r}{hint}; "
                  f"expected one of: {', '.join(spec.TYPES)}")
        return None
    if kind in ("less_than_equal", "greater_than_equal"):
        low = {"difficulty": 1}.get(name, 0)
        high = {"difficulty": 3}.get(name)
        span = f"between {low} and {high}" if high else f"at least {low}"
        return "out-of-range", f"{name} must be {span}", False
    if kind == "literal_error":
        value = _value_at(doc.data, path)
        options = re.findall(r"'([^']+)'", error["ctx"]["expected"])
        hint = _did_you_mean(str(value), options)
        return "bad-value", f"{name}: {value!r} is not one of {', '.join(options)}{hint}", False
    if kind == "string_pattern_mismatch":
        value = _value_at(doc.data, path)
        if name == "date":
            return ("bad-date", f"malformed date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD",
                    False)
        return ("bad-id", f"{name}: {value!r} must be lowercase words joined by hyphens "
                "(like 'liaquat-visits-washington')", False)
    if kind in ("too_short", "string_too_short"):
        if isinstance(_value_at(doc.data, path), str):
            return "empty", f"{name} is empty", False
        return "too-short", f"{name}: needs at least {error['ctx']['min_length']}", False
    if kind == "value_error":
        return "wrong-type", f"{name}: {error['ctx']['error']}", False
    expected = {
        "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
        "int_from_float": "a whole number", "float_type": "a number",
        "float_parsing": "a number", "bool_type": "true or false", "bool_parsing":
        "true or false", "list_type": "a list", "dict_type": "a mapping of key: value",
        "model_type": "a mapping of key: value", "model_attributes_type":
        "a mapping of key: value",
    }
    if kind in expected:
        value = _value_at(doc.data, path)
        return ("wrong-type", f"{name} should be {expected[kind]}, not {_kind(value)}", False)
    return "invalid", f"{name}: {error['msg']}", False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _field_name(path: tuple) -> str:
    names = [str(part) for part in path if isinstance(part, str)]
    return names[-1] if names else "file"


def _value_at(data: Any, path: tuple) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _did_you_mean(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_sources(doc: Document, sources: spec.Sources) -> None:
    seen: dict[str, int] = {}
    for index, article in enumerate(sources.articles):
        if article.id in seen:
            doc.error(("articles", index, "id"), "duplicate-id",
                      f"article id {article.id!r} is used twice")
        seen[article.id] = index
        sections: set[str] = set()
        for s_index, section in enumerate(article.sections):
            if section.id in sections:
                doc.error(("articles", index, "sections", s_index, "id"), "duplicate-id",
                          f"section id {section.id!r} is used twice in {article.id!r}")
            sections.add(section.id)


def _check_source(doc: Document, path: tuple, source: spec.Source, catalog: Catalog) -> None:
    article = catalog.articles.get(source.article)
    if article is None:
        if catalog.articles:  # with no valid sources.yaml that file's error says it all
            hint = _did_you_mean(source.article, list(catalog.articles))
            doc.error(path + ("article",), "unknown-source",
                      f"unknown article {source.article!r}{hint}")
        return
    sections = [section.id for section in article.sections]
    if source.section not in sections:
        hint = _did_you_mean(source.section, sections)
        doc.error(path + ("section",), "unknown-source",
                  f"unknown section {source.section!r} of {article.id!r}{hint}")


def _load_events(doc: Document, catalog: Catalog) -> dict[str, tuple]:
    """Validate events one by one: only sound events enter the catalog, so a question that
    names a broken one is reported too, rather than linking to an event sync will not write.

    Returns where each sound event sits in the file.
    """
    data = doc.data
    raw_events = data.get("events") if isinstance(data, dict) else None
    header = _validate(doc, spec.Events, {**data, "events": []} if isinstance(
        raw_events, list) else data)
    if header is None or not isinstance(raw_events, list):
        return {}
    catalog.events_loaded = True
    catalog.listed_events = [raw["id"] for raw in raw_events
                             if isinstance(raw, dict) and isinstance(raw.get("id"), str)]
    places: dict[str, tuple] = {}
    for index, raw in enumerate(raw_events):
        where = ("events", index)
        try:
            event = spec.Event.model_validate(raw)
        except ValidationError as exc:
            _report(doc, exc, spec.Events, prefix=where)
            continue
        if event.id in catalog.events:
            doc.error(where + ("id",), "duplicate-id", f"event id {event.id!r} is used twice")
            continue
        before = len(doc.problems)
        _check_source(doc, where + ("source",), event.source, catalog)
        if len(doc.problems) == before:
            catalog.events[event.id] = event
            places[event.id] = where
    _order_events(doc, catalog, places)
    return places


def _order_events(doc: Document, catalog: Catalog, places: dict[str, tuple]) -> None:
    """Check each `after:` link and put the events in order; a link that is wrong is
    reported and left out of the order until it is fixed."""
    links: dict[str, list[str]] = {}
    for event in catalog.events.values():
        for index, earlier in enumerate(event.after):
            if earlier in catalog.events:
                links.setdefault(event.id, []).append(earlier)
            else:
                hint = _did_you_mean(earlier, list(catalog.events))
                doc.error(places[event.id] + ("after", index), "unknown-event",
                          f"unknown event {earlier!r}{hint}")
    catalog.chronology = chronology.build(
        {event.id: event.date for event in catalog.events.values()}, links)
    for event_id, message in catalog.chronology.problems:
        doc.error(places[event_id] + ("after",), "event-order", message)


def _apply_defaults(data: dict) -> None:
    # Only valid defaults are spread: a bad bank-level value is reported once, on the bank.
    era = data.get("era") if data.get("era") in spec.ERAS else None
    tags = data.get("tags")
    tags = [tag for tag in tags if tag in spec.TAGS] if isinstance(tags, list) else []
    questions = data.get("questions")
    for question in questions if isinstance(questions, list) else []:
        if not isinstance(question, dict):
            continue
        if era is not None and "era" not in question:
            question["era"] = era
        own = question.get("tags", [])
        if isinstance(own, list):
            # The question's own tags first, so an error in them keeps its position.
            question["tags"] = list(dict.fromkeys([*own, *tags]))


def _load_bank(doc: Document, path: FsPath, catalog: Catalog,
               seen_ids: dict[str, tuple[str, int]]) -> LoadedBank | None:
    bank_id = path.stem
    if not re.match(spec.ID_PATTERN, bank_id):
        doc.error((), "bad-id", f"file name {path.name!r}: a bank id must be lowercase words "
                  "joined by hyphens, like 'cold-war.yaml'")
    if isinstance(doc.data, dict):
        # Defaults are merged before validation so a question's own value always wins.
        _apply_defaults(doc.data)
    # Validate the header and each question on its own, so one bad question does not hide
    # the problems of the others.
    raw_questions = doc.data.get("questions") if isinstance(doc.data, dict) else None
    header = None
    if isinstance(doc.data, dict):
        header_data = dict(doc.data)
        if isinstance(raw_questions, list):
            header_data["questions"] = []
        header = _validate(doc, spec.Bank, header_data)
    else:
        _validate(doc, spec.Bank)
    if header is None or not isinstance(raw_questions, list):
        _claim_raw_ids(doc, seen_ids)
        return None
    questions = []
    for index, raw in enumerate(raw_questions):
        where = ("questions", index)
        question = _validate_question(doc, where, raw)
        if question is None:
            _claim_raw_ids(doc, seen_ids, only=index)
            _check_raw_references(doc, where, raw, catalog)
            continue
        line = doc.where(where)[0]
        _check_question(doc, where, question, catalog)
        if question.id in seen_ids:
            other_file, other_line = seen_ids[question.id]
            place = (f"line {other_line}" if other_file == doc.name
                     else f"{FsPath(other_file).name}:{other_line}")
            doc.error(where + ("id",), "duplicate-id",
                      f"id {question.id!r} is already used at {place}")
        else:
            seen_ids[question.id] = (doc.name, doc.where(where + ("id",))[0])
        questions.append(LoadedQuestion(question, bank_id, line, index))
    # A bank belongs to its own era, or else to the era most of its questions are from.
    eras = Counter(item.model.era for item in questions if item.model.era)
    era = header.era or (eras.most_common(1)[0][0] if eras else None)
    return LoadedBank(bank_id, doc.name, header.title, header.description, era, questions)


def _validate_question(doc: Document, where: tuple, raw: Any) -> Any:
    if not isinstance(raw, dict):
        doc.error(where, "wrong-type", f"a question should be a mapping of key: value, not "
                  f"{_kind(raw)}")
        return None
    try:
        return spec.QUESTION.validate_python(raw)
    except ValidationError as exc:
        _report(doc, exc, spec.Bank, prefix=where)
        if any(e["type"].startswith("union_tag") for e in exc.errors()):
            try:
                spec.Common.model_validate(raw)
            except ValidationError as common:
                _report(doc, common, spec.Bank, prefix=where)
        return None


def _claim_raw_ids(doc: Document, seen_ids: dict[str, tuple[str, int]],
                   only: int | None = None) -> None:
    # Claim the ids a broken file shows, so a clash with it is still reported elsewhere.
    questions = doc.data.get("questions") if isinstance(doc.data, dict) else None
    for index, question in enumerate(questions if isinstance(questions, list) else []):
        if only is not None and index != only:
            continue
        qid = question.get("id") if isinstance(question, dict) else None
        if isinstance(qid, str) and qid not in seen_ids:
            seen_ids[qid] = (doc.name, doc.where(("questions", index, "id"))[0])


def _check_raw_references(doc: Document, where: tuple, raw: Any, catalog: Catalog) -> None:
    """Check the source and events of a question that failed validation, so one mistake
    does not hide another."""
    if not isinstance(raw, dict):
        return
    source = raw.get("source")
    if isinstance(source, dict) and all(isinstance(source.get(k), str)
                                        for k in ("article", "section")):
        with contextlib.suppress(ValidationError):  # a malformed source is reported already
            _check_source(doc, where + ("source",), spec.Source.model_validate(source), catalog)
    events = raw.get("events")
    for index, event_id in enumerate(events if isinstance(events, list) else []):
        if isinstance(event_id, str) and event_id not in catalog.events:
            hint = _did_you_mean(event_id, list(catalog.events))
            doc.error(where + ("events", index), "unknown-event",
                      f"unknown event {event_id!r}{hint}")


def _check_question(doc: Document, where: tuple, q: Any, catalog: Catalog) -> None:
    if q.era is None:
        doc.error(where, "missing-field", "missing required field 'era' (set it here or as the "
                  "bank's default)")
    if not q.tags:
        doc.error(where, "missing-field", "missing tags: give at least one (here or as the "
                  "bank's default)")
    if q.prompt is None and not isinstance(q, (spec.Flashcard, spec.Cloze)):
        doc.error(where, "missing-field", "missing required field 'prompt'")
    _check_source(doc, where + ("source",), q.source, catalog)
    for index, event_id in enumerate(q.events):
        if event_id not in catalog.events:
            hint = _did_you_mean(event_id, list(catalog.events))
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
            hint = _did_you_mean(answer, texts)
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


def _check_replaced(catalog: Catalog) -> None:
    live = {q.model.id for bank in catalog.banks.values() for q in bank.questions}
    for bank in catalog.banks.values():
        for loaded in bank.questions:
            if loaded.model.replaces and loaded.model.replaces in live:
                catalog.problems.append(Problem(
                    bank.file, loaded.line, 5, "error", "bad-value",
                    f"{loaded.model.id!r} replaces {loaded.model.replaces!r}, which is still in "
                    "a bank: remove the old question"))


def _check_near_duplicates(catalog: Catalog) -> None:
    prompts: list[tuple[str, LoadedQuestion, str]] = []
    for bank in catalog.banks.values():
        for loaded in bank.questions:
            text = loaded.model.prompt or getattr(loaded.model, "front", None)
            if text and not isinstance(loaded.model, spec.Ordering):
                prompts.append((bank.file, loaded, normalise(text)))
    for later, earlier in lint.first_near_repeats([text for _, _, text in prompts]).items():
        file, loaded, _ = prompts[later]
        other_file, other, _ = prompts[earlier]
        catalog.problems.append(Problem(
            file, loaded.line, 5, "warning", "near-duplicate",
            f"prompt of {loaded.model.id!r} nearly repeats {other.model.id!r} "
            f"({other_file}:{other.line})"))
