"""A learner's FSRS tuning: parameters fitted to their own log, rescheduling, workload.

All three run as background jobs (quiz.jobs), never inside a request. Fitting is queued by
the answer path every FIT_EVERY scheduled answers (a counter on the learner, no query), from
the settings page, or by `flask --app app fsrs optimize`; a fit is kept only when it predicts
the learner's answers better than the parameters in use, and then their cards are rescheduled.
Changing retention or parameters queues a rescheduling: each learnt card's memory state is
recomputed from its history in one fsrs-rs batch, and a review card's due day becomes its last
review's day plus the new interval (as Anki's "reschedule cards on change").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import Any

from flask import current_app
from sqlalchemy import Float, bindparam, cast, func, update

from quiz import jobs
from quiz.core import clock, fitting, scheduling, workload
from quiz.core.clock import study_date, study_day
from quiz.core.scheduling import Phase, Policy
from quiz.extensions import add_one, db
from quiz.models import Card, Job, ParameterFit, Question, Review, User
from quiz.study import exams
from quiz.study.policy import fuzz_seed, parameters_of, policy_for

FIT = "fsrs-fit"
RESCHEDULE = "fsrs-reschedule"
WORKLOAD = "fsrs-workload"
# Anki suggests fitting again about monthly; at 20 answers a day that is some 600 answers.
# 200 keeps a new learner's parameters moving while each fit stays well under a second.
FIT_EVERY = 200
# While a queued fit waits for a worker, the answer path looks for it again only this often,
# so answering does not query the job queue each time (a lost job is queued again).
RECHECK_EVERY = 50
DEFAULT_SECONDS_PER_ANSWER = 10.0


def count_answer(user: User) -> None:
    """Note one more scheduled answer; every FIT_EVERY of them, queue a fit (after commit)."""
    add_one(user, "answers_since_fit")


def maybe_queue_fit(user: User, *, one_answer: bool = False) -> Job | None:
    """Queue a fit if the learner has answered FIT_EVERY times since the last one. After
    `one_answer` (the answer path), only when the count reaches FIT_EVERY or every
    RECHECK_EVERY answers beyond it."""
    since = user.answers_since_fit or 0
    if since < FIT_EVERY or (one_answer and (since - FIT_EVERY) % RECHECK_EVERY):
        return None
    if jobs.pending(user, FIT) is not None:
        return None
    return jobs.enqueue(FIT, user)


def _epoch(column: Any) -> Any:
    # Seconds since the epoch, computed by the database: parsing tens of thousands of
    # timestamps in Python is most of the time it takes to read a learner's log.
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return cast(func.extract("epoch", column), Float)


def _answers(user: User) -> list[fitting.Answer]:
    # Through the Core connection: the ORM session's result handling doubles the time.
    rows = db.session.connection().execute(
        db.select(Review.card_id, _epoch(Review.reviewed_at), Review.rating, Review.phase_before)
        .where(Review.user_id == user.id, Review.scheduled.is_(True))
        .order_by(Review.card_id, Review.reviewed_at))
    return list(map(fitting.Answer._make, rows))


@dataclass(frozen=True)
class Tuning:
    """What the settings page shows about the learner's scheduling."""

    parameters: tuple[float, ...]
    fitted: ParameterFit | None
    last_fit: ParameterFit | None
    job: Job | None
    workload: list[workload.Estimate]
    workload_at: str | None
    answers_until_fit: int


def tuning(user: User) -> Tuning:
    """The parameters in use and where they came from, the last fit, and the workload."""
    fits = db.select(ParameterFit).where(ParameterFit.user_id == user.id).order_by(
        ParameterFit.id.desc())
    fitted = db.session.scalars(fits.where(ParameterFit.adopted.is_(True))).first()
    cached = user.workload or {}
    return Tuning(parameters=parameters_of(user),
                  fitted=fitted if user.fsrs_parameters else None,
                  last_fit=db.session.scalars(fits).first(),
                  job=jobs.latest(user, FIT),
                  workload=[workload.Estimate(**row) for row in cached.get("rows", [])],
                  workload_at=cached.get("at"),
                  answers_until_fit=max(FIT_EVERY - (user.answers_since_fit or 0), 0))


def fit_parameters(user: User) -> ParameterFit | None:
    """Fit the learner's parameters to their log; None if it holds too few items."""
    now = clock.utcnow()
    items, card_ids, reviews = fitting.training_items(_answers(user),
                                                      today=study_day(now, user.time_zone))
    user.answers_since_fit = 0
    if len(items) < fitting.MIN_ITEMS:
        db.session.commit()
        return None
    result = fitting.fit(items, card_ids, reviews=reviews, current=parameters_of(user))
    record = ParameterFit(user_id=user.id, created_at=now, reviews=result.reviews,
                          items=result.items, seconds=result.seconds,
                          parameters=list(result.parameters),
                          log_loss_before=result.log_loss_before,
                          log_loss_after=result.log_loss_after,
                          rmse_before=result.rmse_before, rmse_after=result.rmse_after,
                          adopted=result.better)
    db.session.add(record)
    if result.better:
        user.fsrs_parameters = list(scheduling.check_parameters(result.parameters))
    db.session.commit()
    return record


_MEMORY = update(Card.__table__).where(Card.__table__.c.id == bindparam("b_id")).values(
    stability=bindparam("b_stability"), difficulty=bindparam("b_difficulty"))
_MEMORY_AND_DUE = _MEMORY.values(due=bindparam("b_due"))


def reschedule(user: User, *, fuzzing: bool = True) -> int:
    """Recompute the memory state of the learner's learnt cards from their histories, and the
    due day of their review cards; returns how many cards changed."""
    policy = policy_for(user, fuzzing=fuzzing)
    histories = fitting.history_items(_answers(user), today=study_day(clock.utcnow(),
                                                                      user.time_zone))
    cards = {row.id: row for row in db.session.execute(
        db.select(Card.id, Card.phase, Card.question_id, Card.answers).where(
            Card.user_id == user.id, Card.phase != int(Phase.NEW)))}
    ids = [card_id for card_id in histories if card_id in cards]
    if not ids:
        return 0
    states = fitting.memory_states(policy.parameters, [histories[i][1] for i in ids])
    reviewing, learning = [], []
    for card_id, (stability, difficulty) in zip(ids, states, strict=True):
        card = cards[card_id]
        change = {"b_id": card_id, "b_stability": round(stability, 4),
                  "b_difficulty": round(difficulty, 3)}
        if card.phase == int(Phase.REVIEW):
            change["b_due"] = _rescheduled_due(card, histories[card_id][0], stability, user,
                                               policy)
            reviewing.append(change)
        else:
            learning.append(change)
    for statement, changes in ((_MEMORY_AND_DUE, reviewing), (_MEMORY, learning)):
        if changes:
            db.session.execute(statement, changes)
    db.session.commit()
    exams.apply_plan(user, clock.utcnow())  # an exam plan still brings its reviews forward
    return len(ids)


def _rescheduled_due(card: Any, history: Sequence[fitting.Answer], stability: float,
                     user: User, policy: Policy) -> datetime:
    last = study_date(datetime.fromtimestamp(history[-1].at, UTC), user.time_zone)
    # The interval the card had before its last answer: Anki's floor for a passing review.
    previous = 0
    if len(history) >= 2:
        before = study_date(datetime.fromtimestamp(history[-2].at, UTC), user.time_zone)
        previous = (last - before).days
    # Anki seeds this fuzz as it seeded the card's last answer.
    days = scheduling.review_interval(stability, previous, policy,
                                      fuzz_seed(user, card.question_id, card.answers - 1))
    return scheduling.day_start(last + timedelta(days=days), policy)


def estimate_workload(user: User) -> list[workload.Estimate]:
    """Estimate the daily load at several retentions for this learner's cards, and keep it."""
    now = clock.utcnow()
    today = study_day(now, user.time_zone)
    rows = db.session.execute(db.select(Card.stability, Card.difficulty, Card.due).where(
        Card.user_id == user.id, Card.phase != int(Phase.NEW),
        Card.stability.is_not(None))).all()
    cards = [workload.CardState(s, d, max((study_day(due, user.time_zone).day
                                           - today.day).days, 0) if due else 0)
             for s, d, due in rows]
    active = db.session.scalar(db.select(func.count()).select_from(Question).where(
        Question.retired_at.is_(None))) or 0
    durations = list(db.session.scalars(db.select(Review.duration_ms).where(
        Review.user_id == user.id, Review.duration_ms > 0).order_by(Review.id.desc())
        .limit(1000)))
    seconds = median(durations) / 1000 if durations else DEFAULT_SECONDS_PER_ANSWER
    estimates = [workload.estimate(cards, unseen=max(active - len(cards), 0),
                                   new_per_day=user.new_per_day,
                                   parameters=parameters_of(user), retention=retention,
                                   seconds_per_answer=seconds)
                 for retention in sorted({*workload.RETENTIONS, user.desired_retention})]
    user.workload = {"at": now.isoformat(), "rows": [e.__dict__ for e in estimates]}
    db.session.commit()
    return estimates


def _learner(job: Job) -> User:
    user = db.session.get(User, job.user_id)
    if user is None:
        raise LookupError(f"job {job.id} has no learner")
    return user


@jobs.handler(FIT)
def _fit_job(job: Job) -> str:
    user = _learner(job)
    jobs.report(job, 0.1, "Fitting your parameters to your answers…")
    record = fit_parameters(user)
    if record is None:
        return (f"Not enough answers yet: a fit needs {fitting.MIN_ITEMS} answers given on a "
                "later day than the card's previous one.")
    if record.adopted:
        jobs.report(job, 0.6, "Rescheduling your cards with the new parameters…")
        reschedule(user, fuzzing=current_app.config["FSRS_FUZZING"])
    jobs.report(job, 0.8, "Estimating your workload…")
    estimate_workload(user)
    if record.adopted:
        return (f"New parameters from {record.reviews} answers: log loss "
                f"{record.log_loss_before:.4f} → {record.log_loss_after:.4f}.")
    return (f"Your parameters already fit your {record.reviews} answers best (log loss "
            f"{record.log_loss_before:.4f}; a new fit gave {record.log_loss_after:.4f}).")


@jobs.handler(RESCHEDULE)
def _reschedule_job(job: Job) -> str:
    user = _learner(job)
    changed = reschedule(user, fuzzing=current_app.config["FSRS_FUZZING"])
    jobs.report(job, 0.7, "Estimating your workload…")
    estimate_workload(user)
    return f"Rescheduled {changed} cards."


@jobs.handler(WORKLOAD)
def _workload_job(job: Job) -> str:
    estimate_workload(_learner(job))
    return "Workload estimated."
