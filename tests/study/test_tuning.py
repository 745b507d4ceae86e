"""Fitting, rescheduling and workload: done by background jobs, which requests only queue."""

from datetime import timedelta

from quiz import jobs
from quiz.core import workload
from quiz.core.scheduling import DEFAULT_PARAMETERS, Phase
from quiz.extensions import db
from quiz.models import Card, Job, JobStatus, ParameterFit, User
from quiz.study import tuning
from tests.builders_fsrs import synthetic_bank, synthetic_history
from tests.builders_history import History
from tests.conftest import Learner


def studied_a_year(user, clock) -> int:
    """A year of answers to 60 flashcards (about 700 answers, 500 training items)."""
    return synthetic_history(user, synthetic_bank(60), answers_per_card=14,
                             start=clock.now - timedelta(days=365), until=clock.now)


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_fit_on_a_generated_history_predicts_it_better_and_replaces_the_defaults(build, clock):
    build.banks()
    user = build.user()
    answers = studied_a_year(user, clock)
    record = tuning.fit_parameters(user)
    assert record.reviews == answers and record.items >= 64
    assert record.log_loss_after < record.log_loss_before and record.adopted
    assert fresh(user).fsrs_parameters == record.parameters
    assert tuple(record.parameters) != DEFAULT_PARAMETERS


def test_a_learner_with_too_few_answers_keeps_the_defaults(build, clock):
    build.banks()
    user = build.user()
    History(user, clock).answer("demo-mc", True)
    assert tuning.fit_parameters(user) is None
    assert fresh(user).fsrs_parameters is None


def test_asking_for_a_fit_only_queues_it_and_the_worker_does_it(learner, clock):
    studied_a_year(learner.user, clock)
    response = learner.post("/settings/optimize", token_from="/settings")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalars(db.select(Job)).one()
    assert job.status == JobStatus.QUEUED and job.kind == tuning.FIT
    assert db.session.scalar(db.select(db.func.count()).select_from(ParameterFit)) == 0
    assert "Waiting for a worker" in learner.get(response.headers["Location"]).get_data(
        as_text=True)
    assert jobs.run_pending() == 1
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.DONE
    page = learner.get("/settings").get_data(as_text=True)
    assert "fitted to your" in page and "log loss" in page and "Reviews a day" in page
    status = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "Done." in status and "New parameters from" in status


def test_the_answer_path_queues_a_fit_every_so_many_answers_without_running_it(learner):
    learner.user.answers_since_fit = tuning.FIT_EVERY - 1
    db.session.commit()
    session = learner.start()
    learner.answer(session, learner.shown(session), choice="Washington")
    job = db.session.scalars(db.select(Job)).one()
    assert (job.kind, job.status) == (tuning.FIT, JobStatus.QUEUED)


def test_while_a_fit_waits_the_answer_path_looks_for_it_only_every_so_many_answers(learner):
    # Past FIT_EVERY with no job queued (one was lost): the next answers do not look, the
    # one that reaches the next recheck queues a fit again; an import (many answers at once)
    # always looks.
    user = learner.user
    user.answers_since_fit = tuning.FIT_EVERY + 1
    assert tuning.maybe_queue_fit(user, one_answer=True) is None
    assert db.session.scalars(db.select(Job)).all() == []
    user.answers_since_fit = tuning.FIT_EVERY + tuning.RECHECK_EVERY
    assert tuning.maybe_queue_fit(user, one_answer=True).kind == tuning.FIT
    user.answers_since_fit += 1
    assert tuning.maybe_queue_fit(user) is None  # one is queued already
    assert len(db.session.scalars(db.select(Job)).all()) == 1


def test_a_job_page_is_its_owners_alone(learner, build, client):
    other = build.user(email="other@example.org")
    job = jobs.enqueue(tuning.WORKLOAD, other)
    assert learner.get(f"/jobs/{job.id}").status_code == 404


def test_changing_retention_reschedules_review_cards_in_the_background(learner, clock):
    studied_a_year(learner.user, clock)
    dues = dict(db.session.execute(db.select(Card.id, Card.due).where(
        Card.phase == int(Phase.REVIEW))).all())
    response = learner.post("/settings", {
        "time_zone": "UTC", "new_per_day": "20", "desired_retention": "0.80",
        "learning_steps": "1m 10m", "relearning_steps": "10m", "maximum_interval": "36500",
        "reviews_per_day": "200", "study_order": "mixed", "leech_threshold": "8"},
        token_from="/settings")
    assert response.status_code == 302
    db.session.expire_all()
    assert dict(db.session.execute(db.select(Card.id, Card.due).where(
        Card.id.in_(dues))).all()) == dues  # nothing moved inside the request
    assert jobs.run_pending() == 1
    db.session.expire_all()
    later = dict(db.session.execute(db.select(Card.id, Card.due).where(
        Card.id.in_(dues))).all())
    assert all(later[card] >= dues[card] for card in dues)
    assert sum(later[card] > dues[card] for card in dues) >= len(dues) // 2
    assert fresh(learner.user).workload["rows"]


def test_rescheduling_with_the_same_settings_keeps_the_due_days(build, clock):
    build.banks()
    user = build.user(time_zone="America/New_York")
    studied_a_year(user, clock)
    dues = dict(db.session.execute(db.select(Card.id, Card.due).where(
        Card.phase == int(Phase.REVIEW))).all())
    tuning.reschedule(user, fuzzing=False)
    db.session.expire_all()
    after = dict(db.session.execute(db.select(Card.id, Card.due).where(
        Card.id.in_(dues))).all())
    assert sum(after[card] == dues[card] for card in dues) >= 0.8 * len(dues)


def test_fsrs_optimize_fits_a_learner_from_the_command_line(app, build, clock):
    build.banks()
    user = build.user(email="cli@example.org")
    studied_a_year(user, clock)
    result = app.test_cli_runner().invoke(args=["fsrs", "optimize", "cli@example.org"])
    assert result.exit_code == 0, result.output
    assert "cli@example.org" in result.output and "log loss" in result.output
    assert fresh(user).fsrs_parameters is not None
    missing = app.test_cli_runner().invoke(args=["fsrs", "optimize", "nobody@example.org"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_a_higher_retention_costs_more_reviews_a_day():
    cards = [workload.CardState(stability=s, difficulty=5.0, due_in_days=d)
             for s, d in [(2.0, 0), (10.0, 3), (40.0, 20), (100.0, 50)] * 25]
    estimates = [workload.estimate(cards, unseen=50, new_per_day=5,
                                   parameters=DEFAULT_PARAMETERS, retention=r,
                                   seconds_per_answer=6) for r in (0.8, 0.9, 0.95)]
    reviews = [e.reviews_per_day for e in estimates]
    assert reviews[0] < reviews[1] < reviews[2]
    assert estimates[1].minutes_per_day == reviews[1] * 6 / 60


def test_the_settings_page_shows_the_parameters_in_use(learner: Learner):
    page = learner.get("/settings").get_data(as_text=True)
    assert "default parameters" in page and "w20 = 0.1542" in page
    assert 'name="learning_steps"' in page and 'value="1m 10m"' in page
