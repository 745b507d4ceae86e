"""Studying a bank in the browser: scheduling, feedback, summaries and double submits."""

import re
from datetime import timedelta

from quiz.core import scheduling
from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.models import Card, Review, StudySession
from quiz.study import service as study
from quiz.study.policy import policy_for
from tests.study.test_sessions import answer_right


def reviews():
    return db.session.scalars(db.select(Review).order_by(Review.id)).all()


def card(question_id):
    return db.session.scalars(db.select(Card).where(Card.question_id == question_id)).one()


def test_home_lists_every_bank_with_title_and_question_count(client, build):
    build.banks()
    page = client.get("/").get_data(as_text=True)
    assert "Demo bank" in page and "9 questions" in page
    assert "due today" not in page  # counts for learners only


def test_home_shows_due_and_new_counts_for_a_learner(learner):
    page = learner.get("/").get_data(as_text=True)
    assert "<strong>0</strong> due today" in page
    assert "<strong>9</strong> new today" in page


def test_a_right_answer_shows_feedback_with_explanation_and_citation(learner):
    session = learner.start()
    fields = learner.shown(session)
    assert fields["question_id"] == "demo-mc" and fields["seq"] == "0"
    response = learner.answer(session, fields, choice="Washington")
    assert response.status_code == 200  # the feedback, straight away: no redirect to follow
    page = response.get_data(as_text=True)
    assert "Right" in page
    assert "He chose Washington over Moscow." in page
    assert "Pakistan-Russia, The New Best Friends? — On Opposite Sides of the Cold War" in page
    (review,) = reviews()
    assert review.rating == 3 and review.score == 1.0 and review.phase_before == Phase.NEW
    assert review.reviewed_at == learner_now(learner)


def learner_now(_learner):
    from quiz.core import clock

    return clock.utcnow()


def test_a_wrong_answer_shows_the_correct_answer_and_the_choice_feedback(learner):
    session = learner.start()
    response = learner.answer(session, learner.shown(session), choice="Moscow")
    page = response.get_data(as_text=True)
    assert "Not quite" in page and "He cancelled that invitation." in page
    assert "Washington" in page
    assert reviews()[0].rating == 1


def test_true_false_and_flashcards_work_end_to_end(learner):
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")
    # demo-mc is now in learning (due in 10 minutes); next comes the true/false question.
    fields = learner.shown(session)
    assert fields["question_id"] == "demo-tf"
    response = learner.answer(session, fields, choice="true")
    assert "Right" in response.get_data(as_text=True)
    front = learner.get(session).get_data(as_text=True)
    assert "CENTO" in front and "Show answer" in front and "Central Treaty" not in front
    flipped = learner.back(session)
    assert "Central Treaty Organization" in flipped
    for label in ("Again", "Hard", "Good", "Easy"):
        assert label in flipped
    response = learner.answer(session, learner.shown(session), rating="4")
    assert "Rated Easy" in response.get_data(as_text=True)
    assert [r.rating for r in reviews()] == [3, 3, 4]


def test_flashcard_buttons_show_the_interval_each_rating_would_give(learner, build):
    session = learner.start()
    for _ in range(2):
        fields = learner.shown(session)
        learner.answer(session, fields, choice="Washington" if fields["question_id"] ==
                       "demo-mc" else "true")
    page = learner.back(session)
    assert '1m</span>' in page  # Again on a new card: the first learning step
    assert '10m</span>' in page or '6m</span>' in page


def test_the_same_answer_posted_twice_is_recorded_once_with_a_friendly_note(learner):
    session = learner.start()
    fields = learner.shown(session)
    first = learner.answer(session, fields, choice="Washington")
    second = learner.answer(session, fields, choice="Moscow")  # back button, changed mind
    assert first.status_code == second.status_code == 200
    page = second.get_data(as_text=True)
    assert "You already answered this question; your first answer was kept." in page
    assert "Right" in page
    assert len(reviews()) == 1
    assert card("demo-mc").answers == 1 and card("demo-mc").reps == 1


def test_a_racing_duplicate_is_stopped_by_the_database_constraint(learner):
    session_url = learner.start()
    fields = learner.shown(session_url)
    user = learner.user
    session = db.session.get(StudySession, int(session_url.rsplit("/", 1)[1]))
    now = learner_now(learner)
    first = study.answer(user, session, "demo-mc", 0, "Washington", now=now, duration_ms=5,
                         fuzzing=False)
    # Simulate a request that read the card before the first one committed.
    db.session.expire_all()
    again = study.answer(user, session, "demo-mc", int(fields["seq"]), "Washington", now=now,
                         duration_ms=5, fuzzing=False)
    assert again.duplicate and again.review.id == first.review.id
    assert len(reviews()) == 1


def test_due_reviews_come_before_new_questions(learner, clock):
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")  # demo-mc: learning
    clock.advance(minutes=11)
    assert learner.shown(session)["question_id"] == "demo-mc"


def test_the_daily_new_limit_caps_new_questions_per_bank(learner, clock):
    learner.user.new_per_day = 2
    db.session.commit()
    session = learner.start()
    for expected in ("demo-mc", "demo-tf"):
        fields = learner.shown(session)
        assert fields["question_id"] == expected
        learner.answer(session, fields, choice="Washington" if expected == "demo-mc" else "true")
    # Both are in learning, due within the learn-ahead window: they are shown again...
    for _ in range(2):
        fields = learner.shown(session)
        assert fields["question_id"] in ("demo-mc", "demo-tf")
        learner.answer(session, fields, choice="Washington" if fields["question_id"] ==
                       "demo-mc" else "true")
    # ...and once they graduate, no third new question appears today.
    page = learner.get(session).get_data(as_text=True)
    assert "All done for now" in page
    home = learner.get("/").get_data(as_text=True)
    assert "<strong>0</strong> new today" in home


def test_when_nothing_is_due_the_page_says_when_the_next_question_is(learner, clock):
    learner.user.new_per_day = 1
    db.session.commit()
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")
    learner.answer(session, learner.shown(session), choice="Washington")
    page = learner.get(session).get_data(as_text=True)
    # New questions return at tomorrow's 4 a.m. rollover (UTC learner).
    assert "The next question in this bank is due Tue 03 Mar 2026, 04:00 (UTC)" in page


def test_the_session_summary_shows_answered_correct_and_accuracy(learner):
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")
    learner.answer(session, learner.shown(session), choice="false")
    learner.answer(session, learner.shown(session), rating="3")
    response = learner.post(f"{session}/end", token_from=session)
    page = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Session ended" in page
    assert "<dt>Answered</dt><dd>3</dd>" in page
    assert "<dt>Correct</dt><dd>2</dd>" in page
    assert "<dt>Accuracy</dt><dd>67%</dd>" in page


def test_scheduling_through_the_app_matches_the_scheduling_core(learner, clock):
    """Golden sequence: the card's due dates equal what quiz.core.scheduling computes for the
    learner's policy (fuzzing off), answer after answer."""
    session = learner.start()
    policy = policy_for(learner.user, fuzzing=False)
    expected = scheduling.Memory()
    plan = ["Washington", "Moscow", "Washington", "Washington"]
    for choice in plan:
        fields = learner.shown(session)
        assert fields["question_id"] == "demo-mc", fields
        learner.answer(session, fields, choice=choice)
        rating = scheduling.Rating.GOOD if choice == "Washington" else scheduling.Rating.AGAIN
        expected = scheduling.review(expected, rating, now=clock.now, policy=policy)
        db.session.expire_all()
        assert card("demo-mc").due == expected.due
        clock.set(max(expected.due, clock.now + timedelta(minutes=1)))
        # Keep the other questions out of the way: only demo-mc is introduced.
        learner.user.new_per_day = 1
        db.session.commit()


def test_a_learner_cannot_see_or_answer_in_another_learners_session(learner, build, client):
    session = learner.start()
    fields = learner.shown(session)
    other = build.user(email="other@example.org")
    learner.post("/logout")
    learner.login(other.email)
    assert learner.get(session).status_code == 404
    assert learner.answer(session, fields, choice="Washington").status_code == 404
    assert reviews() == []


def test_an_unmarkable_answer_asks_again_without_recording(learner):
    session = learner.start()
    fields = learner.shown(session)
    response = learner.answer(session, fields)  # no choice picked
    assert response.status_code == 422
    assert "Pick one of the choices." in response.get_data(as_text=True)
    assert reviews() == []


def test_a_tampered_answer_form_gets_a_4xx_not_a_500(learner):
    session = learner.start()
    fields = learner.shown(session)
    assert learner.answer(session, {**fields, "seq": "abc"}, choice="x").status_code == 400
    assert learner.answer(session, {**fields, "question_id": "nope"}).status_code == 400
    stale = learner.answer(session, {**fields, "seq": "7"}, choice="Washington")
    assert stale.status_code == 400 and reviews() == []  # seq 7 was never offered
    unsigned = learner.answer(session, {**fields, "offer": ""}, choice="Washington")
    assert unsigned.status_code == 400 and reviews() == []


def test_answers_record_their_duration(learner, clock):
    session = learner.start()
    fields = learner.shown(session)
    clock.advance(seconds=12)
    learner.answer(session, fields, choice="Washington")
    assert reviews()[0].duration_ms == 12000


def test_today_follows_the_learners_time_zone(learner, clock, build):
    learner.user.time_zone = "Asia/Karachi"
    learner.user.new_per_day = 1
    db.session.commit()
    # 22:30 UTC is 03:30 in Karachi: still "yesterday" until 23:00 UTC.
    clock.set(clock.now.replace(hour=22, minute=30))
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")
    assert "<strong>0</strong> new today" in learner.get("/").get_data(as_text=True)
    clock.advance(minutes=31)  # 04:01 in Karachi: a new day
    assert "<strong>1</strong> new today" in learner.get("/").get_data(as_text=True)


def test_a_review_due_later_today_is_offered_now_as_the_home_page_promises(learner, clock):
    learner.user.new_per_day = 1
    db.session.commit()
    session = learner.start()
    for _ in range(2):  # new -> learning -> review, due in a couple of days at 12:10
        learner.answer(session, learner.shown(session), choice="Washington")
    due = card("demo-mc").due
    clock.set(due.replace(hour=8, minute=0))  # the morning of its due day
    assert "<strong>1</strong> due today" in learner.get("/").get_data(as_text=True)
    again = learner.start()
    assert learner.shown(again)["question_id"] == "demo-mc"


def test_without_javascript_an_ordering_starts_each_item_at_its_own_position(learner):
    session = learner.start()
    while learner.shown(session)["question_id"] != "demo-order":
        answer_right(learner, session, learner.shown(session))
    page = learner.get(session).get_data(as_text=True)
    selects = re.findall(r'<select name="position-[0-9a-f]+"[^>]*>(.*?)</select>', page, re.S)
    chosen = [re.findall(r'<option value="(\d+)" selected>', select) for select in selects]
    assert chosen == [["1"], ["2"], ["3"]]


def test_a_new_learner_is_not_offered_an_empty_everything_due_session(learner, clock):
    page = learner.get("/").get_data(as_text=True)
    assert "Study everything due" not in page
    assert 'class="primary">Study Demo bank' in page
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")
    clock.advance(days=2)
    assert "Study everything due (1)" in learner.get("/").get_data(as_text=True)


def _bank(title: str, era: str | None, question_era: str = "cold-war") -> str:
    header = f"title: {title}\ndescription: d\n" + (f"era: {era}\n" if era else "")
    return header + f"""tags: [diplomacy]
questions:
  - id: {title.lower().replace(' ', '-')}-q
    type: true_false
    prompt: A statement about {title}.
    answer: true
    era: {question_era}
    explanation: Why.
    source: {{article: new-best-friends, section: lets-do-business}}
"""


def test_banks_are_listed_in_era_order_wherever_a_learner_chooses_one(build, browser):
    build.banks(build.bank_dir({
        "a-recent.yaml": _bank("Recent", "rapprochement"),
        "b-early.yaml": _bank("Early", "cold-war"),
        "c-rupture.yaml": _bank("Rupture", None, question_era="rupture-2011"),
        "d-middle.yaml": _bank("Middle", "post-cold-war"),
    }))
    build.user(email="reader@example.org")
    browser.login("reader@example.org")
    for path in ("/", "/tests"):
        page = browser.get(path).get_data(as_text=True)
        places = [page.index(title) for title in ("Early", "Middle", "Rupture", "Recent")]
        assert places == sorted(places), path


def test_the_question_page_names_its_source_before_any_answer(learner):
    session = learner.start()
    page = learner.get(session).get_data(as_text=True)
    assert 'name="choice"' in page  # still the question, not its feedback
    assert ('<p class="citation">Source: Pakistan-Russia, The New Best Friends? — '
            "On Opposite Sides of the Cold War</p>") in page
