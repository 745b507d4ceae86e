"""The feedback on an answer carries the session's next question, so that Continue shows it
without another request (static/app.js); without JavaScript, Continue loads the session page,
which shows the same question."""

import html
import re

from quiz.extensions import db
from quiz.models import Review
from tests.study.test_sessions import answer_right, start_test

CARRIED = re.compile(r'<template id="next-question"[^>]*>(.*?)</template>', re.S)


def carried(page: str) -> str | None:
    """The next question inside a feedback page, or None."""
    match = CARRIED.search(page)
    return match.group(1) if match else None


def fields_of(page: str) -> dict[str, str]:
    """The hidden fields of the answer form in `page`."""
    return {name: html.unescape(value) for name, value in re.findall(
        r'name="(question_id|seq|shown_at|offer)" type="hidden" value="([^"]*)"', page)}


def test_the_feedback_carries_the_question_the_session_page_would_show(learner):
    url = learner.start()
    page = learner.answer(url, learner.shown(url), choice="Washington").get_data(as_text=True)
    assert "Right" in page
    following = carried(page)
    assert following is not None
    assert fields_of(following) == learner.shown(url)  # question, sequence, offer, time
    assert f'action="{url}/answers"' in following
    assert f'data-url="{url}"' in page
    review = db.session.scalars(db.select(Review)).one()
    assert f'data-feedback-url="{url}/reviews/{review.id}"' in page


def view_of(page: str) -> str:
    """The question view (session bar and question) of a question page or carried template,
    its CSRF tokens set aside: each is signed with the second it was made in."""
    match = re.search(r'<div class="study-view" data-study-view>.*?</article>', page, re.S)
    assert match, "no question view"
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1…"', match.group(0))


def shown_id(page: str) -> str:
    """The id of the question a page (or a carried view) shows, a flashcard's front too."""
    match = re.search(r'data-question-id="([^"]+)"', page)
    assert match, "no question shown"
    return match.group(1)


def test_the_carried_view_is_the_session_pages_own_to_the_byte(learner, clock):
    url = learner.start()
    fields, compared = learner.shown(url), []
    while True:
        following = carried(answer_right(learner, url, fields).get_data(as_text=True))
        if following is None:
            break
        # Session bar, question, form and its fields (a flashcard's front and its link too).
        assert view_of(following) == view_of(learner.get(url).get_data(as_text=True))
        compared.append(following)
        fields = learner.shown(url)
    assert len(compared) >= 9 and any('data-key="flip"' in view for view in compared)


def test_the_carried_question_is_answered_like_one_the_session_page_showed(learner):
    url = learner.start()
    page = learner.answer(url, learner.shown(url), choice="Washington").get_data(as_text=True)
    fields = fields_of(carried(page))
    assert fields["question_id"] == "demo-tf"  # demo-mc waits ten minutes in learning
    response = learner.answer(url, fields, choice="true")
    assert response.status_code == 200 and "Right" in response.get_data(as_text=True)
    answered = db.session.scalars(db.select(Review).order_by(Review.id)).all()
    assert [(r.card.question_id, r.seq) for r in answered] == [("demo-mc", 0), ("demo-tf", 0)]


def test_every_question_type_can_be_carried_and_answered_from_the_feedback(learner):
    url = learner.start()
    fields, seen = learner.shown(url), []
    while True:
        seen.append(fields["question_id"])
        page = answer_right(learner, url, fields).get_data(as_text=True)
        assert "Right" in page or "Rated Good" in page, fields["question_id"]
        following = carried(page)
        if following is None:
            break
        flip = re.search(r'href="([^"]*flip=1[^"]*)" data-key="flip"', following)
        if flip:  # a flashcard's front: its back and rating buttons come through the link
            following = learner.get(html.unescape(flip.group(1))).get_data(as_text=True)
        fields = fields_of(following)
        if fields["question_id"] == "demo-order":  # its items' field names are shuffled
            assert 'data-ordering' in following
    assert sorted(seen[:9]) == sorted(["demo-mc", "demo-tf", "demo-card", "demo-ms",
                                       "demo-short", "demo-numeric", "demo-cloze",
                                       "demo-match", "demo-order"])


def test_no_question_is_carried_when_the_session_has_nothing_left_now(learner):
    learner.user.new_per_day = 1
    db.session.commit()
    url = learner.start()
    page = learner.answer(url, learner.shown(url), choice="Washington").get_data(as_text=True)
    # The day's one new question is in learning, ten minutes away: within the learn-ahead
    # limit, so it comes straight back, as the session page would show it.
    fields = fields_of(carried(page))
    assert fields["question_id"] == "demo-mc" and fields["seq"] == "1"
    page = learner.answer(url, fields, choice="Washington").get_data(as_text=True)
    assert "Right" in page and carried(page) is None  # it graduated: days away
    assert "All done for now" in learner.get(url).get_data(as_text=True)


def test_a_repeated_answer_shows_its_feedback_without_a_next_question(learner):
    url = learner.start()
    fields = learner.shown(url)
    learner.answer(url, fields, choice="Washington")
    page = learner.answer(url, fields, choice="Washington").get_data(as_text=True)
    assert "your first answer was kept" in page
    assert carried(page) is None


def test_a_test_still_defers_its_feedback_and_carries_nothing(learner):
    url = start_test(learner)
    response = answer_right(learner, url, learner.shown(url))
    assert response.status_code == 303 and response.headers["Location"] == url


def test_a_practice_run_carries_its_next_listed_question(learner):
    response = learner.post("/practice", {"eras": ["cold-war"]}, token_from="/practice")
    url = response.headers["Location"]
    first = learner.shown(url)
    page = answer_right(learner, url, first).get_data(as_text=True)
    following = carried(page)
    assert following is not None
    assert shown_id(following) == shown_id(learner.get(url).get_data(as_text=True))
    assert shown_id(following) != first["question_id"]


def test_a_feedback_page_seen_again_carries_no_question(learner):
    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Washington")
    page = learner.get(learner.feedback_url()).get_data(as_text=True)
    assert "Right" in page and carried(page) is None
