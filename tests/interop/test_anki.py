"""Anki packages opened with Anki's own library: notes, fields, tags, updates in place, and a
learner's schedule carried over."""

from __future__ import annotations

from datetime import timedelta

import genanki
import pytest

from quiz.core.clock import study_date
from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.interop import anki, service
from quiz.models import Card, Review
from quiz.study.policy import parameters_of
from tests.builders_history import History
from tests.conftest import TEST_BANKS
from tests.interop.anki_col import import_package, notes_by_question, open_collection


def _export(now):
    return service.anki_package(service.bank_export("demo"), now=now)


def test_every_question_is_one_note_with_its_fields_and_tags(app, build, clock, tmp_path):
    build.banks()
    col = open_collection(tmp_path)
    import_package(col, _export(clock.now), tmp_path)
    assert col.note_count() == 9 and col.card_count() == 9
    notes = notes_by_question(col)
    mc = notes["demo-mc"]
    assert mc.note_type()["name"] == "Pivot multiple choice"
    assert "Liaquat Ali Khan" in mc["Prompt"]
    assert "Moscow" in mc["Choices"] and "Washington" in mc["Answer"]
    assert "Washington over Moscow" in mc["Explanation"]
    assert "—" in mc["Citation"]
    assert mc.guid == genanki.guid_for("demo-mc")
    assert sorted(mc.tags) == ["pivot::bank::demo", "pivot::era::cold-war",
                               "pivot::theme::diplomacy"]
    assert "pivot::theme::energy-economy" in notes["demo-numeric"].tags
    card = notes["demo-card"]
    assert (card.note_type()["name"], card["Front"], card["Back"]) == (
        "Pivot flashcard", "<p>CENTO</p>", "<p>Central Treaty Organization</p>")
    assert notes["demo-short"]["Back"] == "<p>Gary Powers</p>"
    cloze = notes["demo-cloze"]
    assert cloze.note_type()["type"] == 1  # Anki's cloze note type
    assert "{{c1::allied}}" in cloze["Text"] and "{{c1::Asia::continent}}" in cloze["Text"]
    assert len(cloze.cards()) == 1  # the whole sentence is one card, as in Pivot
    assert "Central Treaty Organization" in card.cards()[0].answer()
    order = notes["demo-order"]["Answer"]
    assert order.index("1949") < order.index("1965") < order.index("1971") if "19" in order \
        else order.startswith("<ol>")
    # Anki keeps the card ids Pivot gave, so its review log can be matched to questions.
    assert {col.get_card(cid).id for cid in col.find_cards("")} == {
        anki.card_id(question_id) for question_id in notes}


def test_importing_an_updated_bank_changes_its_notes_in_place(app, build, clock, tmp_path):
    build.banks()
    col = open_collection(tmp_path)
    import_package(col, _export(clock.now), tmp_path)
    text = (TEST_BANKS / "demo.yaml").read_text().replace(
        "Which capital did Liaquat Ali Khan visit in 1950?",
        "Which capital did Pakistan's first prime minister visit in 1950?")
    clock.advance(days=1)
    build.banks(build.bank_dir({"demo.yaml": text}))
    import_package(col, _export(clock.now), tmp_path)
    assert col.note_count() == 9 and col.card_count() == 9
    assert "first prime minister" in notes_by_question(col)["demo-mc"]["Prompt"]


def test_with_scheduling_anki_cards_carry_the_learners_due_days_memory_and_answers(
        app, build, clock, tmp_path):
    build.banks()
    user = build.user(time_zone="Asia/Karachi")
    other = build.user()
    start = clock.now
    mine, theirs = History(user, clock), History(other, clock)
    for question_id in ("demo-mc", "demo-tf", "demo-short", "demo-card"):
        mine.answer(question_id, right=True)
        theirs.answer(question_id, right=False)
    mine.answer("demo-mc", right=True, at=start + timedelta(days=2))
    mine.answer("demo-tf", right=True, at=start + timedelta(days=2, minutes=1))
    mine.answer("demo-tf", right=True, at=start + timedelta(days=4))
    mine.answer("demo-short", right=False, at=start + timedelta(days=4, minutes=1))
    now = clock.advance(days=1)
    data = service.anki_package_with_scheduling(service.bank_export("demo"), user, now=now)

    col = open_collection(tmp_path)
    import_package(col, data, tmp_path, scheduling=True)
    assert col.note_count() == 9
    today = study_date(now, user.time_zone)
    cards = db.session.scalars(db.select(Card).where(Card.user_id == user.id)).all()
    assert {card.phase for card in cards} >= {int(Phase.REVIEW), int(Phase.LEARNING)}
    for card in cards:
        in_anki = col.get_card(anki.card_id(card.question_id))
        assert in_anki.memory_state.stability == pytest.approx(card.stability, abs=1e-3)
        assert in_anki.memory_state.difficulty == pytest.approx(card.difficulty, abs=1e-3)
        assert in_anki.reps == card.reps and in_anki.lapses == card.lapses
        if card.phase == int(Phase.REVIEW):
            assert (in_anki.type, in_anki.queue) == (2, 2)
            # Anki counts due days from its own today: the same number of days away.
            assert in_anki.due - col.sched.today == \
                (study_date(card.due, user.time_zone) - today).days
        else:
            assert in_anki.queue == 1 and in_anki.due == int(card.due.timestamp())
    reviews = db.session.scalars(db.select(Review).where(Review.user_id == user.id)).all()
    # Revlog ids are the answers' times in milliseconds (nudged apart when two share one).
    log = col.db.all("select id, cid, ease from revlog")
    assert sorted((cid, revlog_id // 1000, ease) for revlog_id, cid, ease in log) == sorted(
        (anki.card_id(r.card.question_id), int(r.reviewed_at.timestamp()), r.rating)
        for r in reviews)
    for question_id in ("demo-ms", "demo-cloze"):  # never studied: new in Anki too
        assert col.get_card(anki.card_id(question_id)).type == 0
    preset = col.decks.config_dict_for_deck_id(col.decks.id_for_name("Pivot::Demo bank"))
    assert preset["name"] == "Pivot"
    assert preset["fsrsParams6"] == pytest.approx(list(parameters_of(user)))
