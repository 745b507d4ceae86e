"""A session records only what it offered: one answer per question per test, no question a
bank session never showed, and every step of a question (the flip of a flashcard) stays on the
question that was shown."""

from __future__ import annotations

import html
import re

from quiz.extensions import db
from quiz.study import sessions
from quiz.study.forms import sign_offer
from tests.study.test_sessions import answer_right, reviews, session_of, start_test


def test_a_test_question_reposted_with_the_next_number_is_not_recorded_again(learner):
    url = start_test(learner)
    fields = learner.shown(url)
    answer_right(learner, url, fields)
    # The form a tamperer would make: same question, the next answer number.
    forged = {**fields, "seq": str(int(fields["seq"]) + 1)}
    for _ in range(3):
        assert answer_right(learner, url, forged).status_code == 400
    assert len(reviews()) == 1
    assert sessions.summary(session_of(url)).answered == 1


def test_a_test_answers_each_question_once_even_with_a_valid_signature(app, learner):
    url = start_test(learner)
    fields = learner.shown(url)
    answer_right(learner, url, fields)
    session = session_of(url)
    # Even a correctly signed offer for the next number (as if the test asked it again) is
    # refused: a test takes one answer per question, as Moodle's quiz does.
    again = {**fields, "seq": str(int(fields["seq"]) + 1),
             "offer": sign_offer(session.id, fields["question_id"], int(fields["seq"]) + 1)}
    response = answer_right(learner, url, again)
    assert response.status_code == 303
    assert "your first answer was kept" in learner.get(url).get_data(as_text=True)
    assert len(reviews()) == 1


def test_a_bank_session_refuses_a_question_it_never_offered(learner):
    url = learner.start()
    shown = learner.shown(url)
    assert shown["question_id"] == "demo-mc"
    unoffered = {**shown, "question_id": "demo-tf", "seq": "0"}  # not shown: new, not yet due
    response = learner.answer(url, unoffered, choice="true")
    assert response.status_code == 400
    assert "not offered in this session" in response.get_data(as_text=True)
    assert reviews() == []


def test_new_questions_beyond_the_daily_limit_cannot_be_posted(learner):
    learner.user.new_per_day = 1
    db.session.commit()
    url = learner.start()
    first = learner.shown(url)
    answer_right(learner, url, first)
    for question_id in ("demo-tf", "demo-short", "demo-numeric"):
        forged = {**first, "question_id": question_id, "seq": "0"}
        assert learner.answer(url, forged, choice="true").status_code == 400
    assert len(reviews()) == 1


def test_flipping_a_flashcard_shows_its_back_even_if_another_card_fell_due(learner, clock):
    # Reproduces the report: a card answered wrongly comes due a minute later, while the
    # learner looks at a flashcard's front; "Show answer" must not switch questions.
    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Moscow")  # demo-mc: again in 1 minute
    for _ in range(4):  # the rest of the new questions until the flashcard's front is up
        page = learner.get(url).get_data(as_text=True)
        if 'data-key="flip"' in page:
            break
        answer_right(learner, url, learner.shown(url))
    assert "CENTO" in page and 'data-key="flip"' in page
    show_answer = html.unescape(re.search(r'href="([^"]*)" data-key="flip"', page).group(1))
    clock.advance(seconds=65)  # demo-mc is due again now...
    assert "Washington" in learner.get(url).get_data(as_text=True)  # ...and next in line
    back = learner.get(show_answer).get_data(as_text=True)
    assert "Central Treaty Organization" in back and 'name="rating"' in back
    rate = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', back).group(1)
            for name in ("question_id", "seq", "shown_at", "offer")}
    assert rate["question_id"] == "demo-card"  # the back's form is the flashcard's
    assert "Rated Good" in learner.answer(url, rate, rating="3").get_data(as_text=True)


def test_a_flip_link_for_an_answered_card_goes_back_to_the_session(learner):
    url = learner.start()
    while 'data-key="flip"' not in learner.get(url).get_data(as_text=True):
        answer_right(learner, url, learner.shown(url))
    fields = learner.shown(url)
    learner.answer(url, fields, rating="3")
    stale = learner.get(url, query_string={"flip": "1", "question_id": "demo-card",
                                           "seq": fields["seq"], "offer": fields["offer"]})
    assert stale.status_code == 302 and stale.headers["Location"] == url
    forged = learner.get(url, query_string={"flip": "1", "question_id": "demo-card",
                                            "seq": "1", "offer": "forged"})
    assert forged.status_code == 302
