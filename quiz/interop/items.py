"""A question as the exporters take it: its validated spec model and what surrounds it. Pure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from quiz.banks import spec

# What each kind is called where a person reads it (README, Moodle categories, Anki note types).
KIND_TITLES = {
    "multiple_choice": "multiple choice", "multiple_select": "multiple select",
    "true_false": "true or false", "short_answer": "short answer", "numeric": "numeric",
    "cloze": "cloze", "ordering": "ordering", "matching": "matching", "flashcard": "flashcard",
}


@dataclass(frozen=True)
class Item:
    """One question to export: the spec model (ordering items resolved), its bank, citation,
    era and themes."""

    id: str
    bank_id: str
    model: Any
    citation: str
    era: str
    tags: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.model.type

    @property
    def prompt(self) -> str:
        """The question as asked: the prompt, a flashcard's front, or a cloze's text."""
        fields = vars(self.model)
        return fields.get("prompt") or fields.get("front") or fields.get("text") or ""


def stable_number(name: str, low: int, high: int) -> int:
    """A number in [low, high) that depends only on `name` (stable ids across exports)."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return low + digest % (high - low)


def right_choices(model: Any) -> list[str]:
    """The right choices of a multiple choice or multiple select question."""
    if isinstance(model, spec.MultipleChoice):
        return [model.answer]
    return list(model.answers)


def answer_text(model: Any) -> str:
    """The right answer as one line of plain text, for the back of a card."""
    if isinstance(model, (spec.MultipleChoice, spec.MultipleSelect)):
        return "; ".join(right_choices(model))
    if isinstance(model, spec.TrueFalse):
        return "True" if model.answer else "False"
    if isinstance(model, spec.ShortAnswer):
        return model.answer
    if isinstance(model, spec.Numeric):
        number = f"{model.answer:g}"
        tolerance = f" ± {model.tolerance:g}" if model.tolerance else ""
        return f"{number}{tolerance}{' ' + model.unit if model.unit else ''}"
    if isinstance(model, spec.Ordering):
        return " → ".join(model.items or [])
    if isinstance(model, spec.Matching):
        return "; ".join(f"{left} → {right}" for left, right in model.pairs.items())
    if isinstance(model, spec.Flashcard):
        return model.back
    if isinstance(model, spec.Cloze):
        return " … ".join(gap.accept[0] for gap in model.gaps() if gap.accept)
    raise ValueError(f"unknown kind {model.type!r}")


def from_catalog(catalog: Any, bank_id: str) -> list[Item]:
    """The questions of one bank read from files (a `quiz.banks.loader.Catalog`), as stored
    by sync: ordering items resolved, the bank's era and tags applied."""
    items = []
    for loaded in catalog.banks[bank_id].questions:
        model = loaded.model
        if isinstance(model, spec.Ordering):
            model = model.model_copy(update={"items": catalog.ordering_items(model)})
        article = catalog.articles[model.source.article]
        section = next(s for s in article.sections if s.id == model.source.section)
        items.append(Item(id=model.id, bank_id=bank_id, model=model,
                          citation=f"{article.title} — {section.title}",
                          era=model.era or catalog.banks[bank_id].era or "",
                          tags=tuple(model.tags)))
    return items
