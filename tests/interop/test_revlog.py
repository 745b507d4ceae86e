"""An Anki review log taken in: answers added once, cards rescheduled, bad files refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.interop import anki, revlog, service
from quiz.models import Card, DayTally, Review
from tests.interop.anki_col import import_package, open_collection

HEADER = "card_id,review_time,review_rating,review_state,review_duration\n"


def anki_log(tmp_path, answers: int) -> list[list]:
    """Study Pivot's demo package in Anki itself and return Anki's review log rows."""
    col = open_collection(tmp_path)
    import_package(col, service.anki_package(service.bank_export("demo"),
                                             now=datetime.now(UTC)), tmp_path)
    col.decks.select(col.decks.id_for_name("Pivot::Demo bank"))
    for _ in range(answers):
        card = col.sched.getCard()
        card.start_timer()
        col.sched.answerCard(card, 3)
    rows = col.db.all("select id, cid, ease, type, time from revlog order by id")
    col.close()
    return rows


def upload(learner, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return learner.post("/account/anki", {"file": (io.BytesIO(data), "revlog.csv")},
                        token_from="/account/anki", content_type="multipart/form-data")


def test_answers_studied_in_anki_join_the_history_once(learner, clock, tmp_path):
    clock.set(datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1))
    rows = anki_log(tmp_path, answers=3)
    # Anki's own revlog columns, then the FSRS optimiser's, then a repeat with a later answer.
    text = "id,cid,ease,type,time\n" + "".join(f"{i},{c},{e},{t},{d}\n" for i, c, e, t, d in rows)
    response = upload(learner, text)
    assert response.status_code == 302
    page = learner.get("/account/anki").get_data(as_text=True)
    assert "Added 3 answers to 3 cards." in page
    cards = db.session.scalars(db.select(Card).where(Card.user_id == learner.user.id)).all()
    assert sorted(anki.card_id(card.question_id) for card in cards) == sorted(
        cid for _i, cid, *_rest in rows)
    for card in cards:
        assert card.phase == int(Phase.LEARNING) and card.stability and card.difficulty
        assert card.reps == 1 and card.answers == 1 and card.due > card.last_review
    assert db.session.scalar(db.select(db.func.sum(DayTally.answered)).where(
        DayTally.user_id == learner.user.id)) == 3
    later = int((clock.now + timedelta(days=3)).timestamp() * 1000)
    clock.advance(days=4)
    text = HEADER + "".join(f"{c},{i},{e},0,{d}\n" for i, c, e, _t, d in rows)
    text += f"{rows[0][1]},{later},4,1,5000\n"
    assert upload(learner, text).status_code == 302
    page = learner.get("/account/anki").get_data(as_text=True)
    assert "Added 1 answer to 1 card. Already here, so not added again: 3 answers." in page
    card = db.session.scalars(db.select(Card).where(
        Card.user_id == learner.user.id, Card.question_id == _question(rows[0][1]))).one()
    assert card.reps == 2 and card.phase == int(Phase.REVIEW)
    last = db.session.scalars(db.select(Review).where(Review.card_id == card.id)
                              .order_by(Review.reviewed_at.desc())).first()
    assert (last.rating, last.duration_ms, last.stability_after) == (4, 5000, card.stability)


def _question(anki_card_id: int) -> str:
    ids = db.session.scalars(db.select(Card.question_id).distinct())
    return next(qid for qid in ids if anki.card_id(qid) == anki_card_id)


def test_pivots_own_review_log_and_guids_are_matched_too(learner, build, clock):
    other = build.user(email="other@example.org")
    moment = clock.now - timedelta(days=2)
    text = ("card_id,review_time,review_rating,review_state,review_duration,question_id\n"
            f"7,{moment.isoformat()},3,0,4000,demo-tf\n")
    assert upload(learner, text).status_code == 302
    guid = anki.note_guid("demo-mc")
    text = "card_id,note_guid,review_time,review_rating\n" \
           f"1,{guid},{int(moment.timestamp() * 1000)},1\n" \
           f"2,nothing,{int(moment.timestamp() * 1000)},1\n"
    assert upload(learner, text).status_code == 302
    page = learner.get("/account/anki").get_data(as_text=True)
    assert "Left out: 1 answer to cards that did not come from Pivot." in page
    cards = db.session.scalars(db.select(Card.question_id).where(
        Card.user_id == learner.user.id)).all()
    assert sorted(cards) == ["demo-mc", "demo-tf"]
    assert db.session.scalars(db.select(Card).where(Card.user_id == other.id)).all() == []


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "5,1772400000000,5,2,100\n", "row 2: review_rating 5 is not between 0 and 4"),
    (HEADER + "5,yesterday,3,2,100\n" + "5,1772400000000,3,9,100\n",
     "2 bad row(s): row 2: review_time 'yesterday' is neither"),
    (HEADER + "5,1772400000000,3,2,100\n5,1772400000000,3\n",
     "row 3: 3 cells where the header has 5"),
    (HEADER + "5,2026-03-01T10:00:00,3,2,100\n", "row 2: review_time '2026-03-01T10:00:00' has "
                                                 "no UTC offset"),
    (HEADER + "5,4102444800000,3,2,100\n", "is not between 2006 and now"),
    ("when,what\n1,2\n", "row 1: missing column(s) cid, id, ease"),
    ("", "The file is empty."),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_a_bad_file_is_refused_row_by_row_and_nothing_is_added(learner, text, message):
    response = upload(learner, text)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalars(db.select(Review)).all() == []


def test_a_log_beyond_the_size_limit_is_refused(learner):
    response = upload(learner, HEADER + "x" * (revlog.MAX_BYTES + 100 * 1024))
    assert response.status_code == 413
    assert upload(learner, b"").status_code == 422  # empty upload: told, not a 500


def test_rows_that_record_no_answer_are_passed_over(clock):
    moment = int((clock.now - timedelta(days=1)).timestamp() * 1000)
    parsed = revlog.parse(f"id,cid,ease,type,time\n{moment},1,0,4,0\n{moment},1,3,5,0\n"
                          f"{moment},1,3,1,70000000\n".encode(), now=clock.now)
    assert parsed.passed_over == 2
    assert [(e.rating, e.phase_before, e.duration_ms) for e in parsed.entries] == [
        (3, Phase.REVIEW, revlog.MAX_DURATION_MS)]
