"""Moodle XML: questions written for Moodle's question bank import, and read back. Pure.

Each kind becomes Moodle's nearest question type: multiple choice and multiple select are
`multichoice` (single or not), true/false `truefalse`, short answer `shortanswer`, numeric
`numerical`, matching `matching`, ordering the `ordering` type (qtype_ordering, a plugin
Moodle sites add), cloze Moodle's embedded answers (`cloze`, one SHORTANSWER gap per Pivot
gap) and a flashcard an `essay` whose grader information holds the back: a flashcard has a
back to recall but nothing to mark, and an essay is the one type that shows the learner's
recall to a teacher beside the expected answer (a `description` holds no answer at all).
Texts are Pivot's own Markdown (format="markdown", which Moodle renders), so they read back
exactly; the general feedback is the explanation followed by the citation.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from typing import Any

# Only builds XML: reading goes through defusedxml.
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

from quiz.banks import spec
from quiz.core import markup
from quiz.interop.items import Item

TYPES = {"multiple_choice": "multichoice", "multiple_select": "multichoice",
         "true_false": "truefalse", "short_answer": "shortanswer", "numeric": "numerical",
         "matching": "matching", "ordering": "ordering", "cloze": "cloze", "flashcard": "essay"}
SOURCE_LABEL = "Source: "
# Characters with a meaning inside a Moodle embedded answer ({1:SHORTANSWER:=...}).
_CLOZE_SPECIAL = re.compile(r'([\\}#~/"])')
_EMBEDDED = re.compile(r"\{(\d*):(SHORTANSWER|SA|MW):((?:\\.|[^\\}])*)\}")


class MoodleError(ValueError):
    """The XML is not a Moodle question file this reader understands."""


def fraction(right: int) -> str:
    """Each of `right` right choices' share of the mark, as Moodle writes grades."""
    return f"{100 / right:.5f}".rstrip("0").rstrip(".")


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "markdown") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def _answer(parent: ET.Element, grade: str, text: str, feedback: str = "",
            fmt: str = "markdown") -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": grade, "format": fmt})
    ET.SubElement(answer, "text").text = text
    _text(answer, "feedback", feedback)
    return answer


def general_feedback(item: Item) -> str:
    """The explanation, then where it comes from."""
    return f"{item.model.explanation}\n\n{SOURCE_LABEL}{item.citation}"


def cloze_html(model: spec.Cloze) -> str:
    """The cloze text as HTML with a Moodle SHORTANSWER gap for each Pivot gap (every accepted
    form right, case ignored); a gap's hint follows it in brackets."""
    gaps = model.gaps()
    # Markdown is rendered with a placeholder in each gap, so no gap is read as Markdown.
    numbers = itertools.count()
    marked = spec.CLOZE_GAP.sub(lambda _gap: f"PIVOTGAP{next(numbers)}X", model.text)
    rendered = str(markup.render(marked))
    for index, gap in enumerate(gaps):
        forms = "~".join("=" + _CLOZE_SPECIAL.sub(r"\\\1", form) for form in gap.accept)
        code = html.escape(f"{{1:SHORTANSWER:{forms}}}", quote=False)
        hint = f" ({html.escape(gap.hint)})" if gap.hint else ""
        rendered = rendered.replace(f"PIVOTGAP{index}X", code + hint, 1)
    return rendered


def _question(quiz: ET.Element, item: Item) -> None:
    model, kind = item.model, item.kind
    question = ET.SubElement(quiz, "question", {"type": TYPES[kind]})
    _text(question, "name", item.id, None)
    if kind == "cloze":
        _text(question, "questiontext", cloze_html(model), "html")
    else:
        _text(question, "questiontext", item.prompt)
    _text(question, "generalfeedback", general_feedback(item))
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "0.3333333"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = item.id
    if kind in ("multiple_choice", "multiple_select"):
        single = kind == "multiple_choice"
        right = {model.answer} if single else set(model.answers)
        texts = [spec.choice_text(choice) for choice in model.choices]
        wrong = len(texts) - len(right)
        ET.SubElement(question, "single").text = "true" if single else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "abc"
        for choice, text in zip(model.choices, texts, strict=True):
            why = choice.why if isinstance(choice, spec.Choice) and choice.why else ""
            if text in right:
                grade = fraction(len(right))
            else:  # a wrong pick of a multiple select takes back its share
                grade = "0" if single else "-" + fraction(max(wrong, 1))
            _answer(question, grade, text, why)
    elif kind == "true_false":
        _answer(question, "100" if model.answer else "0", "true", fmt="moodle_auto_format")
        _answer(question, "0" if model.answer else "100", "false", fmt="moodle_auto_format")
    elif kind == "short_answer":
        ET.SubElement(question, "usecase").text = "0"
        for form in [model.answer, *model.accept]:
            _answer(question, "100", form, fmt="moodle_auto_format")
    elif kind == "numeric":
        answer = _answer(question, "100", f"{model.answer:g}", fmt="moodle_auto_format")
        ET.SubElement(answer, "tolerance").text = f"{model.tolerance:g}"
        if model.unit:
            units = ET.SubElement(question, "units")
            unit = ET.SubElement(units, "unit")
            ET.SubElement(unit, "multiplier").text = "1"
            ET.SubElement(unit, "unit_name").text = model.unit
            ET.SubElement(question, "unitgradingtype").text = "0"  # the unit is optional
            ET.SubElement(question, "showunits").text = "0"
    elif kind == "matching":
        ET.SubElement(question, "shuffleanswers").text = "true"
        for left, right_side in model.pairs.items():
            sub = _text(question, "subquestion", left)
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = right_side
    elif kind == "ordering":
        for name, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                            ("selectcount", "0"), ("gradingtype", "ABSOLUTE_POSITION"),
                            ("showgrading", "SHOW"), ("numberingstyle", "none")):
            ET.SubElement(question, name).text = value
        for position, text in enumerate(model.items or [], start=1):
            _answer(question, f"{position}.0000000", text)  # the fraction is the position
    elif kind == "flashcard":
        for name, value in (("responseformat", "plain"), ("responserequired", "1"),
                            ("responsefieldlines", "5"), ("attachments", "0")):
            ET.SubElement(question, name).text = value
        _text(question, "graderinfo", model.back)
        _text(question, "responsetemplate", "", "html")
    if item.tags or item.era:
        tags = ET.SubElement(question, "tags")
        for tag in (item.bank_id, item.era, *item.tags):
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag


def export(category: str, items: Sequence[Item]) -> bytes:
    """The questions as one Moodle XML file, in a category of that name under "Pivot"."""
    quiz = ET.Element("quiz")
    head = ET.SubElement(quiz, "question", {"type": "category"})
    # Moodle splits a category path at "/": a slash inside a name is written twice.
    path = "$course$/top/Pivot/" + category.replace("/", "//")
    ET.SubElement(ET.SubElement(head, "category"), "text").text = path
    for item in items:
        _question(quiz, item)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"


# --- Reading Moodle XML back into Pivot's question format --------------------------------

def _child_text(element: ET.Element, path: str, default: str | None = None) -> str:
    found = element.find(path)
    if found is None or found.text is None:
        if default is not None:
            return default
        raise MoodleError(f"question {element.findtext('name/text')!r} has no {path}")
    return found.text


def _grade(answer: ET.Element) -> float:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError as exc:
        raise MoodleError(f"bad fraction {answer.get('fraction')!r}") from exc


def _unescape_gap(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _cloze_text(question_html: str) -> str:
    """Embedded SHORTANSWER gaps back into Pivot's {{form|form}} gaps."""
    def gap(match: re.Match) -> str:
        forms = [_unescape_gap(re.split(r"(?<!\\)#", part[1:], maxsplit=1)[0]) for part in
                 re.split(r"(?<!\\)~", match.group(3)) if part.startswith(("=", "%100%"))]
        forms = [form[5:] if form.startswith("100%") else form for form in forms]
        return "{{" + "|".join(forms) + "}}"
    text = _EMBEDDED.sub(gap, html.unescape(question_html))
    return re.sub(r"</?p>", "", text).strip()


def read(xml: bytes) -> list[dict[str, Any]]:
    """Every question of a Moodle XML file as Pivot's question fields (without `source`,
    which Moodle does not have); raises MoodleError for a question this cannot read."""
    try:
        root = fromstring(xml)
    except Exception as exc:  # defusedxml raises its own errors for entities and the like
        raise MoodleError(f"not well-formed XML: {exc}") from exc
    if root.tag != "quiz":
        raise MoodleError("the root element must be <quiz>")
    found = []
    for question in root.findall("question"):
        moodle_type = question.get("type")
        if moodle_type == "category":
            continue
        feedback = _child_text(question, "generalfeedback/text", "")
        fields: dict[str, Any] = {
            "id": _child_text(question, "idnumber", "") or _child_text(question, "name/text"),
            "explanation": feedback.split(f"\n\n{SOURCE_LABEL}", 1)[0] or "-"}
        prompt = _child_text(question, "questiontext/text", "")
        answers = question.findall("answer")
        if moodle_type == "multichoice":
            right = [a.findtext("text") or "" for a in answers if _grade(a) > 0]
            choices = []
            for answer in answers:
                why = answer.findtext("feedback/text") or None
                text = answer.findtext("text") or ""
                choices.append({"text": text, "why": why} if why else text)
            single = _child_text(question, "single", "true") == "true"
            fields.update(prompt=prompt, choices=choices,
                          **({"type": "multiple_choice", "answer": right[0]} if single
                             else {"type": "multiple_select", "answers": right}))
        elif moodle_type == "truefalse":
            right = next(a.findtext("text") for a in answers if _grade(a) > 0)
            fields.update(type="true_false", prompt=prompt, answer=right.strip() == "true")
        elif moodle_type == "shortanswer":
            forms = [a.findtext("text") or "" for a in answers if _grade(a) >= 100]
            fields.update(type="short_answer", prompt=prompt, answer=forms[0], accept=forms[1:])
        elif moodle_type == "numerical":
            answer = next(a for a in answers if _grade(a) >= 100)
            fields.update(type="numeric", prompt=prompt, answer=float(answer.findtext("text")),
                          tolerance=float(answer.findtext("tolerance") or 0))
            unit = question.findtext("units/unit/unit_name")
            if unit:
                fields["unit"] = unit
        elif moodle_type == "matching":
            fields.update(type="matching", prompt=prompt, pairs={
                sub.findtext("text"): sub.findtext("answer/text")
                for sub in question.findall("subquestion")})
        elif moodle_type == "ordering":
            ordered = sorted(answers, key=_grade)
            fields.update(type="ordering", prompt=prompt,
                          items=[a.findtext("text") for a in ordered])
        elif moodle_type == "cloze":
            fields.update(type="cloze", text=_cloze_text(prompt))
        elif moodle_type == "essay":
            fields.update(type="flashcard", front=prompt,
                          back=_child_text(question, "graderinfo/text"))
        else:
            raise MoodleError(f"question type {moodle_type!r} has no Pivot kind")
        found.append(fields)
    return found
