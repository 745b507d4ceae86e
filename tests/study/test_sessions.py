"""What to study: everything due, practice by era and theme, and scored practice tests."""

import re
from datetime import timedelta

from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.models import Card, Review, SessionKind, StudySession
from quiz.progress import stats
from quiz.study import attempts, selection, sessions
from quiz.study import service as study
from tests.conftest import TEST_BANKS

SECOND_BANK = """\
title: Second bank
description: Another bank.
era: rapprochement
tags: [energy-economy]
questions:
  - id: second-tf
    type: true_false
    prompt: Russia offered to invest in a gas pipeline.
    answer: true
    explanation: Two billion dollars.
    source: {article: new-best-friends, section: lets-do-business}
"""


def session_of(url: str) -> StudySession:
    return db.session.get(StudySession, int(url.rsplit("/", 1)[1]))


def reviews():
    return db.session.scalars(db.select(Review).order_by(Review.id)).all()


def answer_right(learner, url, fields):
    """Answer whatever is shown correctly (the demo and second banks' easy types)."""
    qid = fields["question_id"]
    data = {"demo-mc": {"choice": "Washington"}, "demo-tf": {"choice": "true"},
            "second-tf": {"choice": "true"}, "demo-card": {"rating": "3"},
            "demo-ms": {"choice": ["CENTO", "SEATO"]},
            "demo-short": {"answer": "Gary Powers"}, "demo-numeric": {"answer": "1100"},
            "demo-cloze": {"gap-0": "allied", "gap-1": "Asia"},
            "demo-match": {"match-0": "Middle East", "match-1": "Southeast Asia",
                           "match-2": "North Atlantic"}}.get(qid)
    if qid == "demo-order":
        page = learner.get(url).get_data(as_text=True)
        names = re.findall(r'<select name="(position-[0-9a-f]+)" aria-label="Position of: ([^"]+)"',
                           page)
        order = ["Liaquat Ali Khan chooses Washington", "The Indo-Pakistani war",
                 "The Indo-Soviet Treaty of Friendship"]
        data = {name: str(order.index(label) + 1) for name, label in names}
    return learner.answer(url, fields, **data)


def test_everything_due_gathers_reviews_from_every_bank(learner, build, clock):
    directory = build.bank_dir({"demo.yaml": (TEST_BANKS / "demo.yaml").read_text(),
                                "second.yaml": SECOND_BANK})
    build.banks(directory)
    learner.user.new_per_day = 1
    db.session.commit()
    for bank in ("demo", "second"):
        url = learner.start(bank)
        for _ in range(2):  # new -> learning -> review
            answer_right(learner, url, learner.shown(url))
    clock.advance(days=30)
    response = learner.post("/sessions/due")
    url = response.headers["Location"]
    shown = set()
    for _ in range(2):
        fields = learner.shown(url)
        shown.add(fields["question_id"])
        answer_right(learner, url, fields)
    assert shown == {"demo-mc", "second-tf"}
    assert "All done for now" in learner.get(url).get_data(as_text=True)


def test_practice_filters_by_era_and_theme_and_leaves_the_schedule_alone(learner, clock):
    url = learner.start()
    answer_right(learner, url, learner.shown(url))  # demo-mc now in learning
    card = db.session.scalars(db.select(Card).where(Card.question_id == "demo-mc")).one()
    before = (card.phase, card.due, card.stability, card.reps)
    response = learner.post("/practice", {"eras": ["cold-war"], "tags": ["diplomacy"]},
                            token_from="/practice")
    practice = response.headers["Location"]
    session = session_of(practice)
    assert session.kind == SessionKind.PRACTICE and not session.scheduled
    assert "demo-numeric" not in session.question_ids  # rapprochement era
    assert len(session.question_ids) == 8
    answered = set()
    for _ in range(8):
        fields = learner.shown(practice)
        answered.add(fields["question_id"])
        answer_right(learner, practice, fields)
    assert answered == set(session.question_ids)
    assert "All done for now" in learner.get(practice).get_data(as_text=True)
    db.session.expire_all()
    card = db.session.get(Card, card.id)
    assert (card.phase, card.due, card.stability, card.reps) == before
    practice_reviews = [r for r in reviews() if r.session_id == session.id]
    assert len(practice_reviews) == 8 and not any(r.scheduled for r in practice_reviews)
    # Practice never eats into the daily allowance of new questions.
    assert "<strong>8</strong> new today" in learner.get("/").get_data(as_text=True)


def test_practice_feedback_says_the_schedule_is_unchanged(learner):
    response = learner.post("/practice", {"eras": ["rapprochement"]}, token_from="/practice")
    url = response.headers["Location"]
    feedback = learner.answer(url, learner.shown(url), answer="1100")
    assert "Practice answer: your review schedule is unchanged." in feedback.get_data(
        as_text=True)


def test_practice_with_nothing_matching_says_so(learner):
    response = learner.post("/practice", {"eras": ["post-cold-war"]}, token_from="/practice")
    assert response.status_code == 422
    assert "No questions match those eras and themes." in response.get_data(as_text=True)


def test_practice_rejects_an_unknown_era(learner):
    response = learner.post("/practice", {"eras": ["bronze-age"]}, token_from="/practice")
    assert response.status_code == 422
    assert db.session.scalars(db.select(StudySession)).first() is None


def start_test(learner, **fields):
    data = {"length": "10", "time_limit": "0", **fields}
    response = learner.post("/tests", data, token_from="/tests")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_practice_test_asks_a_fixed_set_scores_it_and_reviews_every_answer(learner, clock):
    url = start_test(learner)
    session = session_of(url)
    assert session.kind == SessionKind.TEST and len(session.question_ids) == 9  # all there are
    for index in range(9):
        fields = learner.shown(url)
        if index < 6:
            answer_right(learner, url, fields)
        elif fields["question_id"] == "demo-card":
            learner.answer(url, fields, rating="1")
        else:
            answer_right(learner, url, fields) if fields["question_id"] == "demo-order" else \
                learner.answer(url, fields, **_wrong(fields["question_id"]))
    page = learner.get(url).get_data(as_text=True)
    assert "Test results" in page and "Every question" in page
    summary = sessions.summary(session)
    assert summary.possible == 9 and summary.answered == 9
    assert page.count('class="right"') + page.count('class="wrong"') + page.count(
        'class="partial"') == 9
    assert f"<dt>Score</dt><dd>{round(summary.score * 100)}%</dd>" in page
    assert session_of(url).ended_at is not None
    listing = learner.get("/tests").get_data(as_text=True)
    assert f"{round(summary.score * 100)}%" in listing


def _wrong(question_id):
    return {"demo-mc": {"choice": "London"}, "demo-tf": {"choice": "false"},
            "demo-ms": {"choice": ["CENTO"]}, "demo-short": {"answer": "Bajwa"},
            "demo-numeric": {"answer": "5"}, "demo-cloze": {"gap-0": "x", "gap-1": "Asia"},
            "demo-match": {"match-0": "Middle East", "match-1": "North Atlantic",
                           "match-2": "Southeast Asia"}}[question_id]


def test_a_test_scores_partial_credit_and_counts_unanswered_questions_as_zero(learner):
    url = start_test(learner, eras=["cold-war"])
    session = session_of(url)
    fields = learner.shown(url)
    answer_right(learner, url, fields)
    learner.post(f"{url}/end", token_from=url)
    summary = sessions.summary(session_of(url))
    assert summary.answered == 1 and summary.possible == len(session.question_ids) == 8
    assert summary.score == 1 / 8
    page = learner.get(url).get_data(as_text=True)
    assert "7 questions went unanswered and scored zero." in page


def test_a_question_retired_during_a_test_is_not_asked_and_does_not_count_against_it(
        learner, build, clock):
    url = start_test(learner, eras=["cold-war"])
    fields = learner.shown(url)
    asked = [fields["question_id"]]
    answer_right(learner, url, fields)
    unanswered = [q for q in session_of(url).question_ids if q not in asked]
    build.retire(asked[0], unanswered[0])  # one answered, one not yet asked
    assert selection.progress(learner.user, session_of(url), clock.now) == selection.Progress(1, 6)
    while fields := learner.shown(url):
        asked.append(fields["question_id"])
        answer_right(learner, url, fields)
    assert unanswered[0] not in asked and len(asked) == 7
    summary = sessions.summary(session_of(url))
    assert (summary.answered, summary.possible, summary.score) == (7, 7, 1.0)
    (attempt,) = attempts.test_attempts(learner.user, clock.now)
    assert attempt.summary == summary


def test_an_unscheduled_test_leaves_cards_alone_but_a_scheduled_one_reschedules(learner):
    url = start_test(learner)
    answer_right(learner, url, learner.shown(url))
    assert db.session.scalars(db.select(Card)).one().phase == Phase.NEW
    url = start_test(learner, scheduled="y")
    fields = learner.shown(url)
    answer_right(learner, url, fields)
    card = db.session.scalars(db.select(Card).where(Card.question_id == fields["question_id"]))
    assert card.one().phase != Phase.NEW


def test_a_timed_test_closes_when_time_is_up(learner, clock):
    url = start_test(learner, time_limit="5")
    page = learner.get(url).get_data(as_text=True)
    assert 'data-seconds-left="300"' in page and "5 min 0 s" in page
    fields = learner.shown(url)
    clock.advance(minutes=5, seconds=1)
    response = learner.answer(url, fields, choice="Washington")
    assert response.status_code == 302 and reviews() == []
    page = learner.get(url).get_data(as_text=True)
    assert "Test results" in page and "answers after the end are not counted" in page


def test_the_test_form_validates_its_choices(learner):
    response = learner.post("/tests", {"length": "7", "time_limit": "0"}, token_from="/tests")
    assert response.status_code == 422
    response = learner.post("/tests", {"length": "10", "time_limit": "0",
                                       "bank_ids": ["nope"]}, token_from="/tests")
    assert response.status_code == 422


def test_the_progress_bar_splits_what_is_left_into_new_learning_and_reviews(learner, clock):
    url = learner.start()
    page = " ".join(learner.get(url).get_data(as_text=True).split())
    assert "0 done · 9 new · 0 learning · 0 to review today" in page
    answer_right(learner, url, learner.shown(url))
    page = " ".join(learner.get(url).get_data(as_text=True).split())
    # The new question moved to learning: the counts move with it, not a flat "9 left".
    assert "1 done · 8 new · 1 learning · 0 to review today" in page
    assert '<progress id="session-progress" max="10" value="1">' in page


def test_another_learners_test_is_not_found(learner, build):
    url = start_test(learner)
    other = build.user(email="other@example.org")
    learner.post("/logout")
    learner.login(other.email)
    assert learner.get(url).status_code == 404


def test_a_test_ends_with_its_last_answer_and_looking_at_an_expired_one_changes_nothing(
        learner, clock):
    url = start_test(learner, eras=["rapprochement"])  # one question: demo-numeric
    learner.answer(url, learner.shown(url), answer="1100")
    assert session_of(url).ended_at == clock.now
    timed = start_test(learner, time_limit="5")
    clock.advance(minutes=6)
    assert "Test results" in learner.get(timed).get_data(as_text=True)
    assert session_of(timed).ended_at is None  # a GET records nothing
    listing = learner.get("/tests").get_data(as_text=True)
    assert listing.count(">Review</a>") == 2


def test_a_due_session_never_introduces_a_new_question(learner):
    due = learner.post("/sessions/due").headers["Location"]
    bank = learner.start()
    fields = learner.shown(bank)  # a new question, shown in the bank session
    response = learner.answer(due, fields, choice="Washington")
    assert response.status_code == 400 and reviews() == []  # the due session never offered it


def test_the_same_question_answered_in_another_tab_is_kept_once(learner):
    first, second = learner.start(), learner.start()
    fields, other_tab = learner.shown(first), learner.shown(second)
    assert (other_tab["question_id"], other_tab["seq"]) == (fields["question_id"], fields["seq"])
    learner.answer(first, fields, choice="Washington")
    response = learner.answer(second, other_tab, choice="Washington")
    assert response.headers["Location"] == second
    page = learner.get(second).get_data(as_text=True)
    assert "your first answer was kept" in page and len(reviews()) == 1


def test_ids_beyond_the_database_range_are_not_found(learner):
    assert learner.get("/sessions/99999999999999999999").status_code == 404
    assert learner.post("/sessions/99999999999999999999/end").status_code == 404


def test_an_open_test_hides_the_answers_it_has_yet_to_ask_until_it_ends(learner, clock):
    bank_url = learner.start()
    fields = learner.shown(bank_url)
    answer_right(learner, bank_url, fields)
    old_feedback = learner.feedback_url()
    question_id = fields["question_id"]
    clock.advance(minutes=5)
    earlier_test = start_test(learner)
    while fields := learner.shown(earlier_test):
        answer_right(learner, earlier_test, fields)
    clock.advance(minutes=5)
    url = start_test(learner)  # every demo question again, none answered yet

    page = learner.get(f"/questions/{question_id}").get_data(as_text=True)
    assert "Correct answer" not in page and "Source:" not in page
    assert f'href="{url}"' in page and "have not answered" not in page
    response = learner.get(old_feedback)
    assert response.status_code == 403
    assert "Finish or end that test" in response.get_data(as_text=True)
    summary = learner.get(earlier_test).get_data(as_text=True)
    assert summary.count("Hidden while your") == 9 and "correct:" not in summary

    learner.post(f"{url}/end", token_from=url)
    assert "Correct answer" in learner.get(f"/questions/{question_id}").get_data(as_text=True)
    assert learner.get(old_feedback).status_code == 200
    assert "Hidden while your" not in learner.get(earlier_test).get_data(as_text=True)


def test_what_a_learner_answers_after_starting_a_test_is_not_hidden(learner, clock):
    url = start_test(learner)
    clock.advance(minutes=1)
    bank_url = learner.start()
    fields = learner.shown(bank_url)
    answer_right(learner, bank_url, fields)
    response = learner.get(learner.feedback_url())
    assert response.status_code == 200 and "Source:" in response.get_data(as_text=True)
    first = learner.shown(url)["question_id"]
    answer_right(learner, url, learner.shown(url))
    page = learner.get(f"/questions/{first}").get_data(as_text=True)
    assert "Correct answer" in page  # the test has asked it: nothing left to protect


def test_answers_given_before_any_open_test_that_still_asks_them_stay_hidden(learner, clock):
    start_test(learner, eras=["rapprochement"])  # asks only demo-numeric
    clock.advance(minutes=1)
    bank_url = learner.start()
    fields = learner.shown(bank_url)
    answer_right(learner, bank_url, fields)
    feedback = learner.feedback_url()
    clock.advance(minutes=1)
    start_test(learner)  # asks every question, this one too
    assert learner.get(feedback).status_code == 403


def test_a_test_left_with_only_retired_questions_is_finished_and_hides_nothing(
        learner, build, clock):
    bank_url = learner.start()
    answer_right(learner, bank_url, learner.shown(bank_url))
    old_feedback = learner.feedback_url()
    clock.advance(minutes=1)
    url = start_test(learner, eras=["cold-war"])
    for _ in range(7):
        answer_right(learner, url, learner.shown(url))
    last = learner.shown(url)["question_id"]
    clock.advance(minutes=1)
    build.retire(last, now=clock.now)
    clock.advance(minutes=1)
    (attempt,) = attempts.test_attempts(learner.user, clock.now)
    assert attempt.finished_at == clock.now - timedelta(minutes=1)
    assert (attempt.summary.answered, attempt.summary.possible) == (7, 7)
    assert attempts.pending_in_tests(learner.user, clock.now) == {}
    assert learner.get(old_feedback).status_code == 200
    assert ">Review</a>" in learner.get("/tests").get_data(as_text=True)
    (scored,) = stats.scored_tests(learner.user, clock.now)
    assert scored.questions == 7 and scored.score == 1.0


def test_retiring_a_question_after_a_test_ended_leaves_its_score_alone(learner, build, clock):
    url = start_test(learner, eras=["cold-war"])
    answer_right(learner, url, learner.shown(url))
    learner.post(f"{url}/end", token_from=url)
    unanswered = [q for q in session_of(url).question_ids if q not in _answered(url)]
    clock.advance(days=30)
    build.retire(unanswered[0], now=clock.now)
    summary = sessions.summary(session_of(url))
    assert (summary.answered, summary.possible) == (1, 8)
    (attempt,) = attempts.test_attempts(learner.user, clock.now)
    assert attempt.summary == summary


def test_retiring_an_answered_question_of_a_finished_test_leaves_its_score_alone(
        learner, build, clock):
    url = start_test(learner, eras=["cold-war"])
    while fields := learner.shown(url):
        answer_right(learner, url, fields)
    before = sessions.summary(session_of(url))
    assert (before.answered, before.possible, before.score) == (8, 8, 1.0)
    clock.advance(days=1)
    build.retire(session_of(url).question_ids[0], now=clock.now)
    (attempt,) = attempts.test_attempts(learner.user, clock.now)
    assert attempt.summary == before == sessions.summary(session_of(url))
    assert attempt.finished_at == session_of(url).ended_at


def test_a_finished_test_keeps_its_length_when_an_answered_question_is_replaced(
        learner, build, clock):
    url = start_test(learner, eras=["cold-war"])
    while fields := learner.shown(url):
        answer_right(learner, url, fields)
    replaced = session_of(url).question_ids[0]
    clock.advance(days=1)
    demo = (TEST_BANKS / "demo.yaml").read_text().replace(
        f"  - id: {replaced}\n", f"  - id: {replaced}-v2\n    replaces: {replaced}\n", 1)
    build.banks(build.bank_dir({"demo.yaml": demo}), now=clock.now)
    summary = sessions.summary(session_of(url))
    assert (summary.answered, summary.possible, summary.score) == (8, 8, 1.0)
    (attempt,) = attempts.test_attempts(learner.user, clock.now)
    assert attempt.summary == summary
    assert [item.review is not None for item in
            attempts.test_results(learner.user, session_of(url), clock.now)].count(False) == 0


def _answered(url):
    return {review.card.question_id for review in reviews() if review.session_id ==
            session_of(url).id}


def test_a_test_defers_feedback_until_it_is_finished(learner):
    url = start_test(learner)
    fields = learner.shown(url)
    response = answer_right(learner, url, fields)
    assert response.status_code == 303 and response.headers["Location"] == url
    page = learner.get(url).get_data(as_text=True)
    # the next question follows, with its source but no verdict on the one answered
    assert "Answer saved." in page and "Right" not in page and 'class="verdict' not in page
    assert learner.get(learner.feedback_url()).status_code == 403  # nothing shown mid-test
    learner.post(f"{url}/end", token_from=url)
    assert learner.get(learner.feedback_url()).status_code == 200


def test_finishing_a_test_early_asks_first_and_lists_what_went_unanswered(learner):
    url = start_test(learner)
    answer_right(learner, url, learner.shown(url))
    page = learner.get(url).get_data(as_text=True)
    assert f'href="{url}/finish"' in page and f'action="{url}/end"' not in page
    ask = learner.get(f"{url}/finish").get_data(as_text=True)
    assert "You have answered 1 of 9 questions." in ask and "The 8 you have not answered" in ask
    assert session_of(url).ended_at is None  # asking ends nothing
    learner.post(f"{url}/end", token_from=f"{url}/finish")
    results = learner.get(url).get_data(as_text=True)
    assert results.count("Not answered") == 8 and results.count('class="right"') == 1
    assert "8 questions went unanswered and scored zero." in results
    assert learner.get(f"{url}/finish").status_code == 302  # a finished test: nothing to ask


def test_an_answer_is_found_only_in_its_own_session_and_only_for_its_learner(build, clock):
    build.banks()
    learner, other = build.user(), build.user()
    first = sessions.start_session(learner, "demo", clock.now)
    second = sessions.start_session(learner, "demo", clock.now)
    theirs = sessions.start_session(other, "demo", clock.now)
    review = study.answer(learner, first, "demo-tf", 0, "true", now=clock.now,
                          duration_ms=1000, fuzzing=False).review

    assert sessions.review_in_session(learner, first.id, review.id) == (first, review)
    assert sessions.review_in_session(learner, second.id, review.id) is None  # other session
    assert sessions.review_in_session(other, first.id, review.id) is None  # not their session
    assert sessions.review_in_session(other, theirs.id, review.id) is None  # not their answer
    assert sessions.review_in_session(learner, first.id, review.id + 1) is None  # no such one
