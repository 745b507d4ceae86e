"""The controls Anki users expect: undo, "I was right", suspend, forget, reset, set due today,
leeches, burying siblings, the daily review limit, the study order, problem reports, search."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from quiz.core import scheduling
from quiz.core.scheduling import Memory, Phase, Rating
from quiz.extensions import db
from quiz.models import (
    Card,
    DayTally,
    ProblemReport,
    Question,
    Review,
    StudyOrder,
    StudySession,
)
from quiz.study import cards
from quiz.study.selection import load_question, today
from tests.conftest import TEST_BANKS, Learner, count_queries
from tests.study.test_sessions import answer_right, start_test


def card(question_id: str) -> Card:
    return db.session.scalars(db.select(Card).where(Card.question_id == question_id)).one()


def reviews() -> list[Review]:
    return db.session.scalars(db.select(Review).order_by(Review.id)).all()


def tally() -> tuple[int, int, int]:
    row = db.session.execute(db.select(DayTally.answered, DayTally.correct,
                                       DayTally.introduced)).first()
    return tuple(row) if row else (0, 0, 0)


def undo(learner, session_url: str):
    return learner.post(f"{learner.feedback_url()}/undo", token_from=session_url)


# --- Undo

def test_undo_puts_the_card_the_counts_and_the_session_back_exactly(learner):
    url = learner.start()
    answer_right(learner, url, learner.shown(url))  # demo-mc: new -> learning
    before = card("demo-mc").memory
    fields = learner.shown(url)  # demo-tf, new
    learner.answer(url, fields, choice="false")  # wrong
    assert tally() == (2, 1, 2)
    response = undo(learner, url)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert [r.card.question_id for r in reviews()] == ["demo-mc"]
    assert card("demo-tf").phase == int(Phase.NEW) and card("demo-tf").answers == 0
    assert card("demo-mc").memory == before
    assert tally() == (1, 1, 1)
    assert db.session.get(StudySession, int(url.rsplit("/", 1)[1])).answered == 1
    page = learner.get(url).get_data(as_text=True)
    assert "Answer undone" in page
    assert learner.shown(url)["question_id"] == "demo-tf"  # shown again, at the same number
    again = learner.answer(url, learner.shown(url), choice="true")
    assert "Right" in again.get_data(as_text=True)


def test_undo_works_once_and_only_on_the_last_answer(learner):
    url = learner.start()
    answer_right(learner, url, learner.shown(url))
    first = learner.feedback_url()
    answer_right(learner, url, learner.shown(url))
    assert "undo" in learner.get(learner.feedback_url()).get_data(as_text=True).lower()
    undo(learner, url)
    refused = learner.post(f"{first}/undo", token_from=url)  # the answer before: too far back
    assert refused.status_code == 302
    assert "Only your last answer can be undone" in learner.get(url).get_data(as_text=True)
    assert len(reviews()) == 1


def test_only_the_owner_can_undo_an_answer(learner, build, app):
    url = learner.start()
    answer_right(learner, url, learner.shown(url))
    target = learner.feedback_url()
    intruder = Learner(app.test_client())
    intruder.user = build.user(email="intruder@example.org")
    intruder.login(intruder.user.email)
    assert intruder.post(f"{target}/undo").status_code == 404
    assert len(reviews()) == 1


def test_a_practice_test_has_no_undo(learner):
    url = start_test(learner)
    answer_right(learner, url, learner.shown(url))
    learner.post(f"{learner.feedback_url()}/undo", token_from=url)
    assert len(reviews()) == 1
    assert "no undo in a test" in learner.get(url).get_data(as_text=True)


# --- "I was right"

def test_i_was_right_reschedules_a_typed_answer_as_good_and_keeps_the_override(learner, clock,
                                                                              build):
    url = learner.start()
    while (fields := learner.shown(url))["question_id"] != "demo-short":
        answer_right(learner, url, fields)
    page = learner.answer(url, fields, answer="Khrushchev").get_data(as_text=True)
    assert "I was right" in page
    response = learner.post(f"{learner.feedback_url()}/accept", token_from=url)
    assert response.status_code == 302
    review = reviews()[-1]
    assert review.accepted and review.score == 1.0 and review.rating == int(Rating.GOOD)
    expected = scheduling.review(Memory(), Rating.GOOD, now=review.reviewed_at,
                                 policy=scheduling.Policy(fuzzing=False))
    assert card("demo-short").due == expected.due == review.due_after
    feedback = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "You marked this answer right." in feedback and "I was right" not in feedback
    author = Learner(learner.client.application.test_client())
    author.login(build.user(email="author@example.org", admin=True).email)
    preview = author.get("/authoring/questions/demo-short").get_data(as_text=True)
    assert "Khrushchev" in preview.split("learners marked right themselves", 1)[1]


def test_i_was_right_is_only_for_typed_answers(learner):
    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Moscow")  # demo-mc, wrong
    assert "I was right" not in learner.get(learner.feedback_url()).get_data(as_text=True)
    learner.post(f"{learner.feedback_url()}/accept", token_from=url)
    assert reviews()[0].score == 0.0 and not reviews()[0].accepted


# --- Card actions

def act(learner, question_id: str, action: str):
    return learner.post(f"/questions/{question_id}/{action}",
                        token_from=f"/questions/{question_id}")


def test_a_suspended_question_is_never_shown_and_is_listed_until_unsuspended(learner):
    assert act(learner, "demo-mc", "suspend").status_code == 302
    url = learner.start()
    assert learner.shown(url)["question_id"] != "demo-mc"
    page = learner.get("/dashboard").get_data(as_text=True)
    assert 'href="/questions/demo-mc"' in page.split('id="suspended-heading"')[1]
    act(learner, "demo-mc", "unsuspend")
    assert learner.shown(learner.start())["question_id"] == "demo-mc"


def test_forget_and_reset_start_a_question_again_as_new(learner, clock):
    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Moscow")  # a lapse-free first answer
    act(learner, "demo-mc", "forget")
    assert card("demo-mc").phase == int(Phase.NEW) and card("demo-mc").reps == 1
    assert len(reviews()) == 1  # the history stays
    act(learner, "demo-mc", "reset")
    assert card("demo-mc").reps == 0 and not card("demo-mc").leech


def test_set_due_today_brings_a_review_back_now(learner, clock):
    learner.user.new_per_day = 1
    db.session.commit()
    url = learner.start()
    for _ in range(2):
        answer_right(learner, url, learner.shown(url))
    assert card("demo-mc").phase == int(Phase.REVIEW)
    clock.advance(hours=1)
    act(learner, "demo-mc", "due-today")
    assert learner.shown(learner.start())["question_id"] == "demo-mc"
    assert act(learner, "demo-tf", "due-today").status_code == 302  # never studied: refused
    assert "Only a question you have studied" in learner.get("/").get_data(as_text=True)


# --- Leeches

def lapse_repeatedly(learner, clock, times: int) -> None:
    learner.user.new_per_day = 1
    db.session.commit()
    for _ in range(times):
        url = learner.start()
        while True:  # through learning into review
            fields = learner.shown(url)
            if not fields:
                break
            answer_right(learner, url, fields)
        clock.set(card("demo-mc").due + timedelta(hours=1))
        url = learner.start()
        learner.answer(url, learner.shown(url), choice="Moscow")  # forgotten: a lapse


def test_a_question_forgotten_often_becomes_a_leech(learner, clock):
    learner.user.leech_threshold = 2
    db.session.commit()
    lapse_repeatedly(learner, clock, 2)
    assert card("demo-mc").lapses == 2 and card("demo-mc").leech
    assert card("demo-mc").suspended_at is None  # tagged only, by default
    page = learner.get("/dashboard").get_data(as_text=True)
    assert 'href="/questions/demo-mc"' in page.split('id="leeches-heading"')[1]


def test_a_leech_is_suspended_when_the_learner_chose_so(learner, clock):
    learner.user.leech_threshold, learner.user.leech_suspends = 2, True
    db.session.commit()
    lapse_repeatedly(learner, clock, 2)
    assert card("demo-mc").leech and card("demo-mc").suspended_at is not None


# --- Siblings, limits and order

SIBLINGS = """\
title: Siblings
description: Two questions on one event.
era: cold-war
tags: [diplomacy]
questions:
  - id: sib-a
    type: true_false
    prompt: The war of 1965 was fought over Kashmir.
    answer: true
    events: [indo-pak-war-1965]
    explanation: It was.
    source: {article: new-best-friends, section: on-opposite-sides-of-the-cold-war}
  - id: sib-b
    type: true_false
    prompt: The war of 1965 ended at Tashkent.
    answer: true
    events: [indo-pak-war-1965]
    explanation: It did.
    source: {article: new-best-friends, section: on-opposite-sides-of-the-cold-war}
  - id: sib-c
    type: true_false
    prompt: Pakistan joined SEATO.
    answer: true
    explanation: It did.
    source: {article: new-best-friends, section: on-opposite-sides-of-the-cold-war}
"""

FAMILY = """\
title: Family
description: Two questions on one fact, grouped by family rather than by an event.
era: cold-war
tags: [diplomacy]
questions:
  - id: fam-a
    type: true_false
    prompt: Pakistan joined SEATO.
    answer: true
    family: seato
    explanation: It did.
    source: {article: new-best-friends, section: on-opposite-sides-of-the-cold-war}
  - id: fam-b
    type: true_false
    prompt: Pakistan stayed out of SEATO.
    answer: false
    family: seato
    explanation: It joined.
    source: {article: new-best-friends, section: on-opposite-sides-of-the-cold-war}
  - id: fam-c
    type: true_false
    prompt: Pakistan joined CENTO.
    answer: true
    explanation: It did.
    source: {article: new-best-friends, section: on-opposite-sides-of-the-cold-war}
"""


def test_questions_about_the_same_event_wait_for_another_day(learner, build, clock):
    build.banks(build.bank_dir({"siblings.yaml": SIBLINGS,
                                "demo.yaml": (TEST_BANKS / "demo.yaml").read_text()}))
    url = learner.start("siblings")
    first = learner.shown(url)
    assert first["question_id"] == "sib-a"
    learner.answer(url, first, choice="true")
    shown = set()
    while fields := learner.shown(url):
        shown.add(fields["question_id"])
        learner.answer(url, fields, choice="true")
    assert "sib-b" not in shown and "sib-c" in shown  # buried until tomorrow
    clock.advance(days=1)
    assert learner.shown(learner.start("siblings"))["question_id"] in {"sib-b", "sib-a"}
    assert card("sib-b").buried_until is not None and card("sib-b").buried_until <= clock.now


def test_undo_releases_the_siblings_its_answer_buried(learner, build, clock):
    build.banks(build.bank_dir({"siblings.yaml": SIBLINGS}))
    url = learner.start("siblings")
    learner.answer(url, learner.shown(url), choice="true")  # sib-a buries sib-b
    assert card("sib-b").buried_until is not None
    assert undo(learner, url).status_code == 302
    assert card("sib-b").buried_until is None
    assert learner.shown(url)["question_id"] == "sib-a"  # asked again, and burying again
    learner.answer(url, learner.shown(url), choice="true")
    assert card("sib-b").buried_until is not None
    assert {learner.shown(url)["question_id"]} == {"sib-c"}


def test_a_question_s_siblings_are_read_with_their_cards_in_one_statement(learner, build,
                                                                        clock):
    build.banks(build.bank_dir({"siblings.yaml": SIBLINGS}))
    url = learner.start("siblings")
    learner.answer(url, learner.shown(url), choice="true")  # sib-a: sib-b's card holds a burial
    clock.advance(days=1)
    question = db.session.get(Question, "sib-a")
    until = today(learner.user, clock.now).end
    buried = []
    sent = count_queries(lambda: buried.extend(cards.bury_siblings(
        learner.user, question, load_question(question), until=until, now=clock.now)))
    assert sent == 1  # not one for the siblings and another for their cards
    assert buried == [card("sib-b").id] and card("sib-b").buried_until == until


def test_questions_of_one_family_wait_for_another_day(learner, build, clock):
    build.banks(build.bank_dir({"family.yaml": FAMILY,
                                "demo.yaml": (TEST_BANKS / "demo.yaml").read_text()}))
    url = learner.start("family")
    first = learner.shown(url)
    assert first["question_id"] == "fam-a"
    learner.answer(url, first, choice="true")
    shown = set()
    while fields := learner.shown(url):
        shown.add(fields["question_id"])
        learner.answer(url, fields, choice="true")
    assert "fam-b" not in shown and "fam-c" in shown  # buried until tomorrow
    clock.advance(days=1)
    assert learner.shown(learner.start("family"))["question_id"] in {"fam-b", "fam-a"}
    assert card("fam-b").buried_until is not None and card("fam-b").buried_until <= clock.now


def test_the_daily_review_limit_counts_reviews_in_every_bank(learner, build, clock):
    learner.user.new_per_day = 3
    db.session.commit()
    url = learner.start()
    while fields := learner.shown(url):
        answer_right(learner, url, fields)
    clock.advance(days=30)  # all three due again
    learner.user.reviews_per_day, learner.user.new_per_day = 2, 0
    db.session.commit()
    url = learner.start()
    seen = 0
    while fields := learner.shown(url):
        answer_right(learner, url, fields)
        seen += 1
    assert seen == 2
    assert "<strong>1</strong> due today" in learner.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("order", "first"), [(StudyOrder.NEW_FIRST, "new"),
                                              (StudyOrder.REVIEWS_FIRST, "review")])
def test_new_questions_come_in_the_order_the_learner_chose(learner, clock, order, first):
    learner.user.new_per_day = 1
    db.session.commit()
    url = learner.start()
    while fields := learner.shown(url):
        answer_right(learner, url, fields)
    clock.advance(days=30)
    learner.user.study_order = order
    db.session.commit()
    shown = learner.shown(learner.start())["question_id"]
    assert (shown == "demo-mc") == (first == "review")


# --- Reports and search

def test_a_problem_report_reaches_the_authors_with_the_answer_given(learner, build):
    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Moscow")
    # The feedback page links to the report form, which names the answer given.
    feedback = learner.get(learner.feedback_url()).get_data(as_text=True)
    link = html.unescape(re.search(r'href="(/questions/demo-mc/reports/new[^"]*)"',
                                   feedback).group(1))
    form = learner.get(link).get_data(as_text=True)
    review_id = re.search(r'name="review_id" type="hidden" value="(\d+)"', form).group(1)
    assert review_id == learner.feedback_url().rsplit("/", 1)[1]
    assert re.search(r'name="next" type="hidden" value="([^"]*)"', form).group(1) == url
    response = learner.post("/questions/demo-mc/reports",
                            {"kind": "wrong_answer", "comment": "Moscow was invited too",
                             "review_id": review_id, "next": url}, token_from=link)
    assert response.status_code == 302 and response.headers["Location"] == url
    report = db.session.scalars(db.select(ProblemReport)).one()
    assert (report.kind, report.given, report.comment) == ("wrong_answer", "Moscow",
                                                           "Moscow was invited too")
    author = Learner(learner.client.application.test_client())
    author.login(build.user(email="author@example.org", admin=True).email)
    preview = author.get("/authoring/questions/demo-mc").get_data(as_text=True)
    assert "Moscow was invited too" in preview and "The answer is wrong" in preview


def test_a_report_without_a_kind_is_refused_with_a_message(learner):
    response = learner.post("/questions/demo-mc/reports", {"comment": "?"},
                            token_from="/questions/demo-mc/reports/new")
    assert response.status_code == 422
    assert "Choose what kind of problem it is." in response.get_data(as_text=True)


def test_search_finds_answered_questions_by_prompt_answer_or_theme(learner):
    url = learner.start()
    answer_right(learner, url, learner.shown(url))  # demo-mc
    answer_right(learner, url, learner.shown(url))  # demo-tf
    for query, found in (("liaquat capital", "demo-mc"), ("washington", "demo-mc"),
                         ("steel", "demo-tf"), ("diplomacy", "demo-tf")):
        page = learner.get("/search", query_string={"q": query}).get_data(as_text=True)
        assert f'href="/questions/{found}"' in page, query
    page = learner.get("/search", query_string={"q": "cento"}).get_data(as_text=True)
    assert "0 questions found." in page  # demo-card was never answered


def test_search_hides_the_answers_an_open_test_has_yet_to_ask(learner, clock):
    url = learner.start()
    answer_right(learner, url, learner.shown(url))
    clock.advance(minutes=1)
    start_test(learner)
    page = learner.get("/search", query_string={"q": "liaquat"}).get_data(as_text=True)
    assert 'href="/questions/demo-mc"' in page and "Washington" not in page
