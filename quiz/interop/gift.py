"""GIFT, Moodle's plain-text question format, for the kinds it can express. Pure.

GIFT has no ordering question and holds one set of answers per question, so an ordering
question, and a cloze with more than one gap, cannot be written; `export` lists them with the
reason. A one-gap cloze is GIFT's "missing word" question; a flashcard is an essay (nothing to
mark) with the back in its general feedback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from quiz.banks import spec
from quiz.interop.items import Item
from quiz.interop.moodle import SOURCE_LABEL, fraction

_SPECIAL = re.compile(r"([\\~=#{}:])")
NO_ORDERING = "GIFT has no ordering question type (Moodle XML has it)"
MANY_GAPS = "GIFT holds one set of answers per question: a cloze with several gaps does not " \
            "fit (Moodle XML has it)"


def escape(text: str) -> str:
    """Text with GIFT's special characters (~ = # { } : and the backslash) escaped."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


@dataclass(frozen=True)
class Skipped:
    """A question GIFT cannot express, and why."""

    id: str
    kind: str
    reason: str


def _feedback(item: Item) -> str:
    return "####" + escape(f"{item.model.explanation}\n\n{SOURCE_LABEL}{item.citation}")


def _answers(item: Item) -> str | None:
    model, kind = item.model, item.kind
    if kind in ("multiple_choice", "multiple_select"):
        single = kind == "multiple_choice"
        right = {model.answer} if single else set(model.answers)
        wrong = len(model.choices) - len(right)
        lines = []
        for choice in model.choices:
            text = spec.choice_text(choice)
            why = choice.why if isinstance(choice, spec.Choice) and choice.why else ""
            if single:
                mark = "=" if text in right else "~"
            else:
                share = fraction(len(right)) if text in right else "-" + fraction(max(wrong, 1))
                mark = f"~%{share}%"
            lines.append(f"{mark}{escape(text)}" + (f"#{escape(why)}" if why else ""))
        return "\n".join(lines)
    if kind == "true_false":
        return "TRUE" if model.answer else "FALSE"
    if kind == "short_answer":
        return "\n".join(f"={escape(form)}" for form in [model.answer, *model.accept])
    if kind == "numeric":
        return f"#{model.answer:g}:{model.tolerance:g}"
    if kind == "matching":
        return "\n".join(f"={escape(left)} -> {escape(right)}"
                         for left, right in model.pairs.items())
    if kind == "flashcard":
        return ""
    return None


def _question(item: Item) -> str | Skipped:
    title = f"::{escape(item.id)}::"
    if item.kind == "ordering":
        return Skipped(item.id, item.kind, NO_ORDERING)
    if item.kind == "cloze":
        gaps = item.model.gaps()
        if len(gaps) != 1:
            return Skipped(item.id, item.kind, MANY_GAPS)
        before, _gap, after = spec.CLOZE_GAP.split(item.model.text, maxsplit=1)
        hint = f" ({escape(gaps[0].hint)})" if gaps[0].hint else ""
        forms = " ".join(f"={escape(form)}" for form in gaps[0].accept)
        return (f"{title}[markdown]{escape(before)}{{{forms}{_feedback(item)}}}{hint}"
                f"{escape(after)}")
    prompt = item.prompt
    if item.kind == "flashcard":
        feedback = "####" + escape(f"{item.model.back}\n\n{item.model.explanation}\n\n"
                                   f"{SOURCE_LABEL}{item.citation}")
        return f"{title}[markdown]{escape(prompt)}{{{feedback}}}"
    if item.kind == "numeric" and item.model.unit:
        prompt = f"{prompt} ({item.model.unit})"
    return f"{title}[markdown]{escape(prompt)}{{\n{_answers(item)}\n{_feedback(item)}\n}}"


def export(category: str, items: Sequence[Item]) -> tuple[str, list[Skipped]]:
    """The questions GIFT can express as one GIFT file, and those it cannot."""
    blocks = [f"$CATEGORY: $course$/top/Pivot/{category.replace('/', '//')}"]
    skipped = []
    for item in items:
        written = _question(item)
        if isinstance(written, Skipped):
            skipped.append(written)
        else:
            blocks.append(f"// {item.kind}: {item.id}\n{written}")
    return "\n\n".join(blocks) + "\n", skipped
