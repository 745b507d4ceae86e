"""What a page costs does not grow with a learner's history: each main page sends the same
number of SQL statements for a learner with 10 answers as for one with 1,000."""

from __future__ import annotations

import pytest

from quiz.models import User
from tests.conftest import Learner, compiled_each_time, count_queries
from tests.study.test_sessions import answer_right


@pytest.fixture
def learners(app, build, clock):
    """Two signed-in learners with the same cards: one with a short history, one long."""
    build.banks()
    signed_in = {}
    for name, reviews in (("light", 10), ("heavy", 1000)):
        user = build.user(email=f"{name}@example.org", time_zone="Asia/Karachi")
        build.bulk_history(user, reviews=reviews, days=10 if reviews == 10 else 300)
        browser = Learner(app.test_client())
        browser.login(user.email)
        browser.user = user
        signed_in[name] = browser
    return signed_in


def statements(browser: Learner, page: str) -> int:
    return count_queries(lambda: _ok(browser.get(page)))


def _ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


PAGES = ["/", "/dashboard", "/questions/demo-mc", "/tests", "/account", "/settings",
         "/timeline", "/account/reviews.csv"]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_sends_as_many_statements_for_a_long_history_as_for_a_short_one(learners, page):
    light, heavy = (statements(learners[name], page) for name in ("light", "heavy"))
    assert heavy == light, f"{page}: {light} statements for 10 answers, {heavy} for 1,000"


def test_the_dashboard_reads_the_studied_cards_once_for_all_its_card_figures(learners):
    # Who is signed in, the streak, the year's days and weeks, the active total, the studied
    # cards (states, mastery, forecast and most lapsed share them), their themes, the lapsed
    # questions' texts, the tests (four), the cards set aside (leeches and suspended, two).
    assert statements(learners["heavy"], "/dashboard") <= 12


def test_the_study_loop_sends_as_many_statements_for_a_long_history(learners, clock):
    counts = {}
    for name, browser in learners.items():
        url = browser.start()
        question = count_queries(lambda b=browser, u=url: _ok(b.get(u)))
        fields = {**browser.shown(url), "csrf_token": browser.token(url), "rating": "3"}
        answer = count_queries(lambda b=browser, u=url, f=fields: _ok(
            b.client.post(f"{u}/answers", data=f)))
        counts[name] = (question, answer)
    assert counts["heavy"] == counts["light"]
    question, answer = counts["light"]
    # The question page: who is signed in, the session, today's counts, the next card. The
    # answer (with its feedback page): who, the session, the card, five writes (the card, the
    # review, the day's tally, the session's count, the learner's count towards a fit), the
    # counts for the progress bar, and the next card, which the feedback carries.
    assert question <= 4 and answer <= 10, counts


def test_the_study_loop_and_the_dashboard_compile_each_statement_once(learners):
    # SQLAlchemy caches a statement's compiled form; a construct it cannot cache (as its ON
    # CONFLICT upsert was) is compiled again on every request, which cost a third of an answer.
    answered = []

    def study_and_look() -> None:
        for browser in (learners["light"], learners["heavy"], learners["light"]):
            url = browser.start()
            for _ in range(3):
                fields = browser.shown(url)
                if "question_id" in fields:  # the session may have run out of questions
                    _ok(answer_right(browser, url, fields))
                    answered.append(fields["question_id"])
            for page in ("/", "/dashboard", "/questions/demo-mc", "/tests"):
                _ok(browser.get(page))

    assert compiled_each_time(study_and_look) == []
    assert len(answered) >= 4, answered  # each answer statement ran more than once


def test_the_learners_have_the_histories_the_test_claims(learners):
    from quiz.extensions import db
    from quiz.models import Review

    for name, expected in (("light", 10), ("heavy", 1000)):
        user = db.session.scalars(db.select(User).where(User.email == f"{name}@example.org")).one()
        assert db.session.scalar(db.select(db.func.count()).select_from(Review).where(
            Review.user_id == user.id)) == expected
