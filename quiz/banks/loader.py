"""Load and check every file under questions/: sources, events and banks.

Pure: no Flask, no database. `load_catalog` reads a directory and returns what is valid
together with every problem found, each pointing at its file, line and column. A broken
bank never stops the others from loading.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from quiz.banks import chronology, lint, spec
from quiz.banks.checks import check_question, check_raw_references, check_source
from quiz.banks.messages import did_you_mean, kind_of, report
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
        report(doc, exc, model)
        return None


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
            report(doc, exc, spec.Events, prefix=where)
            continue
        if event.id in catalog.events:
            doc.error(where + ("id",), "duplicate-id", f"event id {event.id!r} is used twice")
            continue
        before = len(doc.problems)
        check_source(doc, where + ("source",), event.source, catalog)
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
                hint = did_you_mean(earlier, list(catalog.events))
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
            check_raw_references(doc, where, raw, catalog)
            continue
        line = doc.where(where)[0]
        check_question(doc, where, question, catalog)
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
                  f"{kind_of(raw)}")
        return None
    try:
        return spec.QUESTION.validate_python(raw)
    except ValidationError as exc:
        report(doc, exc, spec.Bank, prefix=where)
        if any(e["type"].startswith("union_tag") for e in exc.errors()):
            try:
                spec.Common.model_validate(raw)
            except ValidationError as common:
                report(doc, common, spec.Bank, prefix=where)
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
