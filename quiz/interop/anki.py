"""A bank as an Anki package (.apkg), written with genanki. Pure: no Flask, no database.

One note per question, one note type per kind, one card per note (a cloze's gaps are all
`c1`, so the card asks the whole sentence, as Pivot does). Every id Anki keys on is derived
from a stable name, so importing the package of an updated bank updates its notes in place:
the note GUID is `genanki.guid_for(question id)`, note types and the deck are numbered from
their names, and each note and card id from its question id (Anki keeps a package's card ids
when they are free, which is what lets an Anki review log be matched back to questions).
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import genanki
from markupsafe import escape

from quiz.banks import spec
from quiz.core import markup
from quiz.interop.items import KIND_TITLES, Item, answer_text, right_choices, stable_number

# Anki's own ids are creation times in milliseconds, and its importer renumbers a card whose
# id lies in the future: ours stay in a past range of their own (2001-2017 as times), so Anki
# keeps them and never meets them with its fresh ones.
ID_LOW, ID_HIGH = 10**12, 15 * 10**11
# genanki's advice for note type and deck ids.
MODEL_LOW, MODEL_HIGH = 1 << 30, 1 << 31
BASIC_KINDS = ("flashcard", "short_answer", "numeric")
CHOICE_KINDS = ("multiple_choice", "multiple_select", "true_false", "ordering", "matching")
TAG_PREFIX = "pivot"

CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black;
  background-color: white; max-width: 40em; margin: 0 auto; }
.choices { margin: 0.5em 0; } .answer { font-weight: bold; }
.explanation { margin-top: 1em; } .citation { margin-top: 1em; font-size: 14px; color: #555; }
.cloze { font-weight: bold; color: #1a5fb4; }
"""
_BACK_EXTRAS = ('<div class="explanation">{{Explanation}}</div>'
                '<div class="citation">{{Citation}}</div>')
_ID_FIELD = {"name": "Question ID"}


def _model(kind: str) -> genanki.Model:
    name = f"Pivot {KIND_TITLES[kind]}"
    model_id = stable_number(f"pivot-note-type:{kind}", MODEL_LOW, MODEL_HIGH)
    if kind == "cloze":
        return genanki.Model(
            model_id, name, model_type=genanki.Model.CLOZE, css=CSS,
            fields=[{"name": "Text"}, {"name": "Explanation"}, {"name": "Citation"}, _ID_FIELD],
            templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                        "afmt": "{{cloze:Text}}" + _BACK_EXTRAS}])
    if kind in BASIC_KINDS:
        return genanki.Model(
            model_id, name, css=CSS,
            fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"},
                    {"name": "Citation"}, _ID_FIELD],
            templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                        "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Back}}</div>'
                                + _BACK_EXTRAS}])
    return genanki.Model(
        model_id, name, css=CSS,
        fields=[{"name": "Prompt"}, {"name": "Choices"}, {"name": "Answer"},
                {"name": "Explanation"}, {"name": "Citation"}, _ID_FIELD],
        templates=[{"name": "Card 1", "qfmt": '{{Prompt}}<div class="choices">{{Choices}}</div>',
                    "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>'
                            + _BACK_EXTRAS}])


MODELS = {kind: _model(kind) for kind in spec.TYPES}


def note_guid(question_id: str) -> str:
    """The Anki note GUID of a question: the same in every export."""
    return genanki.guid_for(question_id)


def note_id(question_id: str) -> int:
    """The Anki note id of a question in Pivot's packages."""
    return stable_number(f"pivot-note:{question_id}", ID_LOW, ID_HIGH)


def card_id(question_id: str) -> int:
    """The Anki card id of a question in Pivot's packages (its one card)."""
    return stable_number(f"pivot-card:{question_id}", ID_LOW, ID_HIGH)


def deck_id(bank_id: str) -> int:
    """The Anki deck id of a bank."""
    return stable_number(f"pivot-deck:{bank_id}", MODEL_LOW, MODEL_HIGH)


def deck_name(bank_title: str) -> str:
    """The deck a bank's notes go into (a subdeck of "Pivot")."""
    return f"Pivot::{bank_title.replace('::', ':')}"


def tags(item: Item) -> list[str]:
    """The note's tags: its bank, era and themes (Anki tags hold no spaces)."""
    return [f"{TAG_PREFIX}::bank::{item.bank_id}", f"{TAG_PREFIX}::era::{item.era}",
            *(f"{TAG_PREFIX}::theme::{tag}" for tag in item.tags)]


def _html_list(texts: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{markup.render_inline(text)}</li>" for text in texts) + "</ul>"


def _choices(model) -> str:
    if isinstance(model, (spec.MultipleChoice, spec.MultipleSelect)):
        texts = [spec.choice_text(choice) for choice in model.choices]
        note = "" if isinstance(model, spec.MultipleChoice) else "<p>Pick every right one.</p>"
        return note + _html_list(texts)
    if isinstance(model, spec.TrueFalse):
        return "<p>True or false?</p>"
    if isinstance(model, spec.Ordering):
        # Alphabetical, so the front never gives the order away.
        return "<p>Put in order:</p>" + _html_list(sorted(model.items or []))
    if isinstance(model, spec.Matching):
        return ("<p>Match:</p>" + _html_list(list(model.pairs)) + "<p>with:</p>"
                + _html_list(sorted(model.pairs.values())))
    raise ValueError(f"{model.type} has no choices")


def _answer(model) -> str:
    if isinstance(model, (spec.MultipleChoice, spec.MultipleSelect)):
        return _html_list(right_choices(model))
    if isinstance(model, spec.Ordering):
        return "<ol>" + "".join(f"<li>{markup.render_inline(t)}</li>" for t in model.items or []) \
            + "</ol>"
    if isinstance(model, spec.Matching):
        return _html_list([f"{left} → {right}" for left, right in model.pairs.items()])
    return str(escape(answer_text(model)))


def cloze_text(model: spec.Cloze) -> str:
    """Pivot's `{{answer|other form::hint}}` gaps as Anki's `{{c1::answer::hint}}`, every gap
    on the one card (Anki shows a gap's first form; the others are Pivot's leniency)."""
    def gap(match: re.Match) -> str:
        parsed = spec.parse_gap(match.group(1))
        hint = f"::{parsed.hint}" if parsed.hint else ""
        return "{{c1::" + parsed.accept[0] + hint + "}}"
    return spec.CLOZE_GAP.sub(gap, model.text)


def fields(item: Item) -> list[str]:
    """The note's fields, in its note type's order (HTML)."""
    model = item.model
    extras = [str(markup.render(model.explanation)), str(escape(item.citation)), item.id]
    if item.kind == "cloze":
        return [str(markup.render(cloze_text(model))), *extras]
    if item.kind in BASIC_KINDS:
        back = model.back if isinstance(model, spec.Flashcard) else answer_text(model)
        return [str(markup.render(item.prompt)), str(markup.render(back)), *extras]
    return [str(markup.render(item.prompt)), _choices(model), _answer(model), *extras]


def _ids(items: Sequence[Item]) -> Iterator[int]:
    # genanki numbers a note, then each of its cards, in deck order: one note, one card.
    for item in items:
        yield note_id(item.id)
        yield card_id(item.id)


@dataclass(frozen=True)
class Deck:
    """A bank to package: its id and title and the questions to put in it."""

    bank_id: str
    title: str
    description: str
    items: Sequence[Item]


def package(deck: Deck, *, timestamp: float) -> bytes:
    """The bank as an .apkg file; `timestamp` becomes the notes' modification time (Anki
    updates an imported note only from a newer one)."""
    anki_deck = genanki.Deck(deck_id(deck.bank_id), deck_name(deck.title),
                             description=str(escape(deck.description)))
    for item in deck.items:
        anki_deck.add_note(genanki.Note(model=MODELS[item.kind], fields=fields(item),
                                        guid=note_guid(item.id), tags=tags(item),
                                        sort_field=item.prompt))
    handle, path = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        connection = sqlite3.connect(path)
        try:
            genanki.Package(anki_deck).write_to_db(connection.cursor(), timestamp,
                                                   _ids(deck.items))
            connection.commit()
        finally:
            connection.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", "{}")
        return out.getvalue()
    finally:
        os.unlink(path)
