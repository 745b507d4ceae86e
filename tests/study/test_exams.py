"""An exam plan: saved from its page, it brings reviews forward in the background, paces new
questions, shows predicted recall on the day, and previews still equal what is applied."""

from __future__ import annotations

import re
from datetime import timedelta

from quiz import jobs
from quiz.core.clock import study_day
from quiz.extensions import db
from quiz.models import Card, User
from quiz.study import exams
from tests.study.test_sessions import answer_right


def card(question_id: str) -> Card:
    return db.session.scalars(db.select(Card).where(Card.question_id == question_id)).one()


def plan(learner, days: int, *, target: str = "", banks=("demo",)):
    day = (study_day(learner_now(), "UTC").day + timedelta(days=days)).isoformat()
    return learner.post("/exam", {"day": day, "bank_ids": list(banks), "target": target},
                        token_from="/exam")


def learner_now():
    from quiz.core import clock

    return clock.utcnow()


def learn_everything(learner, clock, new_per_day: int = 9) -> None:
    learner.user.new_per_day = new_per_day
    db.session.commit()
    url = learner.start()
    while fields := learner.shown(url):
        answer_right(learner, url, fields)


def test_saving_a_plan_queues_the_work_and_the_job_brings_reviews_forward(learner, build,
                                                                          clock):
    build.bulk_history(learner.user, reviews=90, days=60)  # cards learnt, stability 30 days
    for each in db.session.scalars(db.select(Card)):
        each.due = clock.now + timedelta(days=25)  # all after the exam
    db.session.commit()
    before = {c.question_id: c.due for c in db.session.scalars(db.select(Card))}
    response = plan(learner, 12, target="0.97")
    assert response.status_code == 302
    user = db.session.get(User, learner.user.id)
    db.session.refresh(user)
    assert user.exam_day is not None and user.exam_banks == ["demo"] and user.exam_target == 0.97
    assert {c.question_id: c.due for c in db.session.scalars(db.select(Card))} == before  # queued
    assert jobs.run_pending() >= 1
    db.session.expire_all()
    today = study_day(clock.now, "UTC").day
    for moved in db.session.scalars(db.select(Card)):
        # Recall would fall below 97% about a week after the last review: due then.
        assert today <= study_day(moved.due, "UTC").day < user.exam_day, moved.question_id


def test_an_answer_during_the_plan_is_brought_forward_and_the_buttons_say_so(learner, clock):
    learn_everything(learner, clock)
    clock.advance(days=2)
    plan(learner, 10, target="0.97")
    jobs.run_pending()
    url = learner.start()
    while (fields := learner.shown(url)) and fields["question_id"] != "demo-card":
        answer_right(learner, url, fields)
    if not fields:
        clock.set(card("demo-card").due + timedelta(hours=1))
        url = learner.start()
        fields = learner.shown(url)
    page = learner.back(url)
    good = re.search(r'value="3"[^>]*>\s*Good <span class="interval">([^<]+)</span>', page)
    learner.answer(url, learner.shown(url), rating="3")
    applied = card("demo-card")
    user = db.session.get(User, learner.user.id)
    assert study_day(applied.due, "UTC").day < user.exam_day  # before the exam
    shown_days = int(good.group(1).rstrip("d"))
    assert (study_day(applied.due, "UTC").day - study_day(clock.now, "UTC").day).days \
        == shown_days  # the button showed what was applied


def test_new_questions_come_at_the_pace_the_exam_needs(learner, clock):
    learner.user.new_per_day = 1
    db.session.commit()
    plan(learner, 4)  # three days before the eve: nine questions, three a day
    page = learner.get("/").get_data(as_text=True)
    assert "<strong>3</strong> new today" in page


def test_the_dashboard_and_the_plan_show_predicted_recall_on_the_day(learner, clock):
    learn_everything(learner, clock)
    plan(learner, 30)
    for path in ("/dashboard", "/exam"):
        page = learner.get(path).get_data(as_text=True)
        assert "Demo bank" in page and "Predicted recall" in page
    outlook = exams.outlook(db.session.get(User, learner.user.id), clock.now)
    assert len(outlook) == 1 and outlook[0].studied == 9 and outlook[0].unseen == 0
    assert 0 < outlook[0].recall < 1


def test_a_plan_needs_a_day_after_today_and_can_be_removed(learner, clock):
    response = plan(learner, 0)
    assert response.status_code == 422 and "Choose a day after today." in response.get_data(
        as_text=True)
    plan(learner, 5)
    learner.post("/exam/clear", token_from="/exam")
    user = db.session.get(User, learner.user.id)
    db.session.refresh(user)
    assert user.exam_day is None
