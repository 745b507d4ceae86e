"""The bank format, defined once: pydantic models that validate YAML and generate the JSON Schema.

Pure: no Flask, no database. Each question type is one model; `Question` is their union,
told apart by `type`. Structural rules (fields, types, ranges) live in the models; rules
that relate fields to each other (an answer among the choices, gaps in a cloze) live in
`checks`, so each message can point at the exact line that is wrong.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    TypeAdapter,
    WithJsonSchema,
)

ERAS = ("cold-war", "post-cold-war", "rupture-2011", "rapprochement")
ERA_TITLES = {
    "cold-war": "The Cold War (1947-1991)",
    "post-cold-war": "After the Cold War (1991-2010)",
    "rupture-2011": "The 2011 rupture",
    "rapprochement": "The rapprochement (2012 onwards)",
}
TAGS = ("diplomacy", "defence", "energy-economy", "afghanistan-security", "india", "china",
        "people")
TAG_TITLES = {
    "diplomacy": "Diplomacy", "defence": "Defence and arms", "energy-economy": "Energy and economy",
    "afghanistan-security": "Afghanistan and security", "india": "India", "china": "China",
    "people": "People",
}
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


def era_rank(era: str | None) -> int:
    """Where an era falls in history (1947 first); an unknown era comes last."""
    return ERAS.index(era) if era in ERAS else len(ERAS)


Era = Literal["cold-war", "post-cold-war", "rupture-2011", "rapprochement"]
Tag = Literal["diplomacy", "defence", "energy-economy", "afghanistan-security", "india", "china",
              "people"]


def _text(value: Any) -> Any:
    # YAML reads `yes`, `no`, `on` and `off` as booleans: refuse them in text so an author
    # who meant the word is told to quote it; numbers (years) are fine as text.
    if isinstance(value, bool):
        raise ValueError("this is a YAML boolean: put the text in quotes")
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _one_or_more(value: Any) -> Any:
    # `after: an-event` and `after: [one, another]` both read as a list.
    return [value] if isinstance(value, str) else value


# In YAML a year or figure is written bare (`choices: [1965, 1971]`): the schema allows it.
_TEXT_SCHEMA = {"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}]}
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1), WithJsonSchema(_TEXT_SCHEMA)]
Id = Annotated[str, Field(pattern=ID_PATTERN,
                          description="Stable id: lowercase words joined by hyphens.")]


class Strict(BaseModel):
    """Unknown keys are errors (a misspelt key would otherwise be silently ignored)."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class Source(Strict):
    """Where a question's facts come from: an article and one of its sections."""

    article: Id = Field(description="An article id from sources.yaml.")
    section: Id = Field(description="A section id of that article, from sources.yaml.")


class Choice(Strict):
    """A choice with feedback for the learner who picks it."""

    text: Text = Field(description="The choice as shown.")
    why: Text | None = Field(None, description="Feedback shown to a learner who picked it.")


ChoiceEntry = Annotated[Text | Choice, Field(union_mode="left_to_right")]


class _Question(Strict):
    id: Id = Field(description="Stable and unique across all banks; learners' progress hangs on "
                               "it. Never reuse one.")
    prompt: Text | None = Field(None, description="The question (small Markdown subset).")
    explanation: Text = Field(description="Why the answer is right, in our own words; shown after "
                                          "every answer.")
    source: Source = Field(description="The article and section the question is written from.")
    era: Era | None = Field(None, description="The era; defaults to the bank's era.")
    tags: list[Tag] = Field(default_factory=list, description="Themes; the bank's tags are "
                                                              "added.")
    difficulty: int = Field(2, ge=1, le=3, description="1 easy, 2 medium, 3 hard.")
    hint: Text | None = Field(None, description="Shown on request before answering.")
    events: list[Id] = Field(default_factory=list, description="Ids from events.yaml this "
                                                               "question is about.")
    family: Id | None = Field(None, description="A name shared by questions that test the same "
                                                "fact: after one is answered the others wait "
                                                "until the next study day.")
    replaces: Id | None = Field(None, description="An older question id whose learners' "
                                                  "progress this one takes over.")

    def answer_key(self) -> dict[str, Any]:
        """What counts as correct; a change here resets learners' progress on the question."""
        raise NotImplementedError


class Common(_Question):
    """The fields every question has, checked on their own when the type is missing or unknown
    (so a bad `type` does not hide the question's other mistakes)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


def choice_text(choice: str | Choice) -> str:
    """The visible text of a choice, plain or with feedback."""
    return choice if isinstance(choice, str) else choice.text


class MultipleChoice(_Question):
    """Pick the one right choice."""

    type: Literal["multiple_choice"] = Field(description="The question type.")
    choices: list[ChoiceEntry] = Field(description="At least two; shown shuffled.")
    answer: Text = Field(description="The right choice, exactly as written in choices.")

    def answer_key(self) -> dict[str, Any]:
        return {"answer": self.answer}


class MultipleSelect(_Question):
    """Pick every right choice."""

    type: Literal["multiple_select"] = Field(description="The question type.")
    choices: list[ChoiceEntry] = Field(description="At least two; shown shuffled.")
    answers: list[Text] = Field(description="Every right choice, exactly as written in choices.")

    def answer_key(self) -> dict[str, Any]:
        return {"answers": sorted(self.answers)}


class TrueFalse(_Question):
    """Say whether a statement is true."""

    type: Literal["true_false"] = Field(description="The question type.")
    # Strict: a quoted "no" is text, not false (YAML's own yes/no booleans are fine).
    answer: StrictBool = Field(description="true or false.")

    def answer_key(self) -> dict[str, Any]:
        return {"answer": self.answer}


class ShortAnswer(_Question):
    """Type a word or phrase."""

    type: Literal["short_answer"] = Field(description="The question type.")
    answer: Text = Field(description="The preferred answer, shown as correct.")
    accept: list[Text] = Field(default_factory=list, description="Other accepted forms.")

    def answer_key(self) -> dict[str, Any]:
        return {"answer": self.answer, "accept": sorted(self.accept)}


class Numeric(_Question):
    """Type a number; anything within the tolerance counts."""

    type: Literal["numeric"] = Field(description="The question type.")
    answer: float = Field(description="The number.")
    tolerance: float = Field(0, ge=0, description="How far off still counts.")
    unit: Text | None = Field(None, description="Shown beside the box: years, kilometres, ...")

    def answer_key(self) -> dict[str, Any]:
        return {"answer": self.answer, "tolerance": self.tolerance}


CLOZE_GAP = re.compile(r"\{\{(.*?)\}\}")


class Gap(BaseModel):
    """One gap of a cloze: accepted forms (the first preferred) and an optional hint."""

    accept: list[str]
    hint: str | None = None


class Cloze(_Question):
    """Fill the gaps of a sentence."""

    type: Literal["cloze"] = Field(description="The question type.")
    text: Text = Field(description="Text with {{gaps}}: {{answer|other form::hint}}.")

    def gaps(self) -> list[Gap]:
        """The gaps in order of appearance."""
        return [parse_gap(body) for body in CLOZE_GAP.findall(self.text)]

    def answer_key(self) -> dict[str, Any]:
        return {"gaps": [gap.accept for gap in self.gaps()]}


def parse_gap(body: str) -> Gap:
    """Split the inside of a `{{...}}` gap into accepted forms and a hint."""
    answers, _, hint = body.partition("::")
    accept = [form.strip() for form in answers.split("|") if form.strip()]
    return Gap(accept=accept, hint=hint.strip() or None)


class Ordering(_Question):
    """Put items in order."""

    type: Literal["ordering"] = Field(description="The question type.")
    items: list[Text] | None = Field(None, description="In the correct order; shown shuffled.")
    events: list[Id] = Field(default_factory=list, description="Instead of items: event ids, "
                                                               "ordered by their dates.")

    def answer_key(self) -> dict[str, Any]:
        return {"items": self.items, "events": self.events}


class Matching(_Question):
    """Pair each left side with its right side."""

    type: Literal["matching"] = Field(description="The question type.")
    pairs: dict[Text, Text] = Field(description="left: right; right sides shown shuffled.")

    def answer_key(self) -> dict[str, Any]:
        return {"pairs": sorted(self.pairs.items())}


class Flashcard(_Question):
    """Recall the back from the front, then rate yourself."""

    type: Literal["flashcard"] = Field(description="The question type.")
    front: Text = Field(description="The cue.")
    back: Text = Field(description="What to recall.")

    def answer_key(self) -> dict[str, Any]:
        return {"back": self.back}


Question = Annotated[
    MultipleChoice | MultipleSelect | TrueFalse | ShortAnswer | Numeric | Cloze | Ordering
    | Matching | Flashcard,
    Field(discriminator="type"),
]
TYPES = {model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
         for model in (MultipleChoice, MultipleSelect, TrueFalse, ShortAnswer, Numeric, Cloze,
                       Ordering, Matching, Flashcard)}
QUESTION = TypeAdapter(Question)


class Bank(Strict):
    """A bank file: a titled list of questions with shared defaults."""

    title: Text = Field(description="Shown on the home page.")
    description: Text = Field(description="One or two sentences on what the bank covers.")
    era: Era | None = Field(None, description="Default era of its questions.")
    tags: list[Tag] = Field(default_factory=list, description="Tags added to every question.")
    questions: list[Question] = Field(description="The questions.")


class Section(Strict):
    """A section of an article."""

    id: Id
    title: Text


class Article(Strict):
    """A source article."""

    id: Id
    title: Text
    author: Text
    written: Text | None = None
    sections: list[Section] = Field(min_length=1)


class Sources(Strict):
    """sources.yaml: the articles questions cite."""

    articles: list[Article] = Field(min_length=1)


class Event(Strict):
    """A dated event for the timeline and for chronology questions."""

    id: Id
    date: Annotated[str, BeforeValidator(_text), Field(pattern=DATE_PATTERN),
                    WithJsonSchema({"anyOf": [{"type": "string", "pattern": DATE_PATTERN},
                                              {"type": "integer"}],
                                    "description": "YYYY, YYYY-MM or YYYY-MM-DD: only as precise "
                                                   "as the source."})]
    title: Text = Field(description="What happened, as the timeline and orderings show it.")
    source: Source = Field(description="The article and section that give the event.")
    note: Text | None = Field(None, description="Shown under the event on the timeline: say "
                                                "here how a date was inferred, or where the "
                                                "sources differ.")
    after: Annotated[list[Id], BeforeValidator(_one_or_more), WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": ID_PATTERN},
                   {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}}]})] \
        = Field(default_factory=list, description="The id (or a list of ids) of the events this "
                "one came after, for events their dates cannot order (\"1971\" and "
                "\"1971-08\", or two of the same date).")
    inferred: StrictBool = Field(False, description="true when the source does not state the "
                                                    "year (it is inferred, e.g. from the "
                                                    "article's own date): the timeline says "
                                                    "so, and the linter asks for the label "
                                                    "wherever the date appears.")


class Events(Strict):
    """events.yaml: dated events."""

    events: list[Event] = Field(default_factory=list)


FIELD_NAMES = {name for model in (*TYPES.values(), Bank, Source, Choice, Article, Section, Event)
               for name in model.model_fields}


SCHEMAS = {"schema.json": Bank, "schema-sources.json": Sources, "schema-events.json": Events}


def json_schema(model: type[BaseModel] = Bank) -> str:
    """The JSON Schema editors use to complete and check a file of this kind.

    Committed as questions/schema.json (banks), schema-sources.json and schema-events.json.
    """
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = {Bank: "Pivot question bank", Sources: "Pivot sources",
                       Events: "Pivot events"}[model]
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
