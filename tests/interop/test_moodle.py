"""Moodle XML: every question element well formed, and every answer key read back equal."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring

from quiz.banks import spec
from quiz.banks.loader import load_catalog
from quiz.interop import gift, items, moodle
from tests.conftest import TEST_BANKS

REPO_QUESTIONS = Path(__file__).resolve().parents[2] / "questions"
# What every question of each Moodle type must hold for Moodle's importer.
REQUIRED = {"multichoice": ["single", "shuffleanswers", "answer"],
            "truefalse": ["answer"], "shortanswer": ["usecase", "answer"],
            "numerical": ["answer/tolerance"], "matching": ["subquestion/answer/text"],
            "ordering": ["layouttype", "selecttype", "gradingtype", "answer"],
            "cloze": [], "essay": ["responseformat", "graderinfo/text"]}


@pytest.fixture(scope="module")
def demo() -> list[items.Item]:
    return items.from_catalog(load_catalog(TEST_BANKS), "demo")


def key(model) -> dict:
    """The answer key, with an ordering judged by its items (the events they came from are
    Pivot's, not Moodle's)."""
    answer_key = model.answer_key()
    if isinstance(model, spec.Ordering):
        answer_key = {"items": model.items}
    return answer_key


def test_every_question_element_has_what_moodle_requires(demo):
    root = fromstring(moodle.export("Demo bank", demo))
    assert root.tag == "quiz"
    category, *questions = root.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/Pivot/Demo bank"
    assert sorted(q.get("type") for q in questions) == sorted(moodle.TYPES[i.kind] for i in demo)
    for question, item in zip(questions, demo, strict=True):
        for path in ["name/text", "questiontext/text", "generalfeedback/text", "defaultgrade",
                     "penalty", "hidden", "idnumber", *REQUIRED[question.get("type")]]:
            assert question.find(path) is not None, (item.id, path)
        assert question.findtext("idnumber") == item.id
        assert item.citation in question.findtext("generalfeedback/text")
        assert question.find("questiontext").get("format") in ("markdown", "html")
    ms = next(q for q in questions if q.findtext("idnumber") == "demo-ms")
    assert ms.findtext("single") == "false"
    assert sorted(a.get("fraction") for a in ms.findall("answer")) == ["-50", "-50", "50", "50"]
    cloze = next(q for q in questions if q.get("type") == "cloze")
    assert "{1:SHORTANSWER:=allied}" in cloze.findtext("questiontext/text")
    assert "{1:SHORTANSWER:=Asia} (continent)" in cloze.findtext("questiontext/text")


def test_every_answer_key_comes_back_equal(demo):
    back = moodle.read(moodle.export("Demo bank", demo))
    assert len(back) == len(demo)
    for item, fields in zip(demo, back, strict=True):
        model = spec.QUESTION.validate_python({**fields, "source": item.model.source})
        assert (model.type, key(model)) == (item.kind, key(item.model)), item.id
        assert model.explanation == item.model.explanation


def test_the_real_banks_round_trip_too():
    catalog = load_catalog(REPO_QUESTIONS, advice=False)
    for bank_id in catalog.banks:
        exported = items.from_catalog(catalog, bank_id)
        for item, fields in zip(exported, moodle.read(moodle.export(bank_id, exported)),
                                strict=True):
            model = spec.QUESTION.validate_python({**fields, "source": item.model.source})
            assert key(model) == key(item.model), item.id


def test_cloze_answers_with_moodle_special_characters_are_escaped():
    model = spec.Cloze(type="cloze", id="c", text="A {{1/2 #1|a~b}} gap", explanation="x",
                       source={"article": "a", "section": "b"})
    item = items.Item("c", "bank", model, "cite", "cold-war")
    text = moodle.cloze_html(model)
    assert r"{1:SHORTANSWER:=1\/2 \#1~=a\~b}" in text
    fields = moodle.read(moodle.export("b", [item]))[0]
    assert spec.QUESTION.validate_python({**fields, "source": model.source}).answer_key() == \
        model.answer_key()


@pytest.mark.parametrize("xml", [b"<quiz><question type='calculated'><name><text>x</text>"
                                 b"</name></question></quiz>", b"not xml", b"<other/>",
                                 b'<!DOCTYPE q [<!ENTITY a "aaa">]><quiz>&a;</quiz>'])
def test_the_reader_refuses_what_it_cannot_read(xml):
    with pytest.raises(moodle.MoodleError):
        moodle.read(xml)


def test_gift_writes_what_it_can_and_lists_the_rest(demo):
    text, skipped = gift.export("Demo bank", demo)
    assert {(s.id, s.kind) for s in skipped} == {("demo-order", "ordering"),
                                                  ("demo-cloze", "cloze")}
    assert text.startswith("$CATEGORY: $course$/top/Pivot/Demo bank")
    assert "::demo-mc::[markdown]Which capital" in text
    assert "=Washington\n~Moscow#He cancelled that invitation." in text
    assert "~%50%CENTO" in text and "~%-50%Warsaw Pact" in text
    assert "{\nTRUE\n####" in text and "#1100:50" in text
    assert "=CENTO -> Middle East" in text
    assert "Source\\: " in text  # a colon in feedback is escaped


def test_gift_escapes_its_special_characters_and_writes_a_one_gap_cloze():
    assert gift.escape("a~b=c#d{e}f:g\\h") == r"a\~b\=c\#d\{e\}f\:g\\h"
    model = spec.Cloze(type="cloze", id="c", text="Signed in {{1950|nineteen fifty}} at {x}.",
                       explanation="x", source={"article": "a", "section": "b"})
    text, skipped = gift.export("b", [items.Item("c", "b", model, "cite", "cold-war")])
    assert not skipped
    assert "Signed in {=1950 =nineteen fifty####" in text and r"at \{x\}." in text
