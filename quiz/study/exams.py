"""A learner's exam plan: the date and banks they study towards (the rules: quiz.core.exam).

The plan lives on the learner's row, so the answer path knows it without a query. Saving a
plan queues a job that brings forward the reviews its banks need; every answer and every
preview after that applies the same rule to the card answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, update

from quiz import jobs
from quiz.banks import spec
from quiz.core import clock
from quiz.core import exam as rules
from quiz.core.clock import study_day
from quiz.core.scheduling import Memory, Phase
from quiz.extensions import db
from quiz.models import Bank, Card, Job, Question, User
from quiz.study.policy import policy_for

APPLY = "exam-plan"


class PlanRefused(Exception):
    """The plan cannot be saved; the message says why."""


def exam_of(user: User, now: datetime) -> rules.Exam | None:
    """The learner's exam if it is still to come."""
    if user.exam_day is None or user.exam_day <= study_day(now, user.time_zone).day:
        return None
    return rules.Exam(user.exam_day, user.exam_target or user.desired_retention)


def covers(user: User, bank_id: str) -> bool:
    """Whether the learner's exam covers this bank (an empty choice covers them all)."""
    return not user.exam_banks or bank_id in user.exam_banks


def adjust(user: User, bank_id: str, memory: Memory, *, now: datetime,
           fuzzing: bool = False) -> Memory:
    """`memory` (the state an answer leaves) with the exam's rule applied, if it applies."""
    exam = exam_of(user, now)
    if exam is None or memory.phase is not Phase.REVIEW or not covers(user, bank_id):
        return memory
    return rules.bring_forward(memory, exam, policy_for(user, fuzzing=fuzzing),
                               study_day(now, user.time_zone))


def new_allowance(user: User, bank_id: str, unseen: int, now: datetime) -> int:
    """New questions a day for this bank: the learner's limit, or the exam's pace if higher."""
    exam = exam_of(user, now)
    if exam is None or not covers(user, bank_id):
        return user.new_per_day
    pace = rules.new_pace(unseen, exam, study_day(now, user.time_zone).day)
    return max(user.new_per_day, pace)


def save_plan(user: User, *, day: date, bank_ids: list[str], target: float | None,
              now: datetime) -> Job:
    """Store the learner's exam plan and queue the rescheduling it needs."""
    if day <= study_day(now, user.time_zone).day:
        raise PlanRefused("Choose a day after today.")
    user.exam_day, user.exam_banks, user.exam_target = day, sorted(set(bank_ids)), target
    db.session.commit()
    return jobs.pending(user, APPLY) or jobs.enqueue(APPLY, user)


def clear_plan(user: User) -> None:
    """Drop the exam plan (cards keep the due dates they have; later answers follow FSRS)."""
    user.exam_day, user.exam_banks, user.exam_target = None, [], None
    db.session.commit()


def apply_plan(user: User, now: datetime) -> int:
    """Bring forward the reviews of the learner's cards in the exam's banks that would reach
    the exam with recall below its target; returns how many moved."""
    exam = exam_of(user, now)
    if exam is None:
        return 0
    query = (db.select(Card, Question.bank_id).join(Question, Question.id == Card.question_id)
             .where(Card.user_id == user.id, Card.phase == int(Phase.REVIEW),
                    Question.retired_at.is_(None)))
    if user.exam_banks:
        query = query.where(Question.bank_id.in_(user.exam_banks))
    policy, today = policy_for(user, fuzzing=False), study_day(now, user.time_zone)
    moved = []
    for card, _bank_id in db.session.execute(query):
        after = rules.bring_forward(card.memory, exam, policy, today)
        if after.due != card.due:
            moved.append({"b_id": card.id, "b_due": after.due})
    if moved:
        table = Card.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values(due=bindparam("b_due")), moved)
    db.session.commit()
    return len(moved)


@jobs.handler(APPLY)
def _apply_job(job: Job) -> str:
    user = db.session.get(User, job.user_id)
    if user is None:
        return "The account is gone."
    return f"Brought {apply_plan(user, clock.utcnow())} reviews forward for your exam."


@dataclass(frozen=True)
class Outlook:
    """One bank as it stands for the exam: its cards' mean predicted recall on the day."""

    bank: Bank
    studied: int
    unseen: int
    recall: float | None


def outlook(user: User, now: datetime) -> list[Outlook]:
    """Predicted recall on the exam day for each bank the exam covers (empty: no exam)."""
    exam = exam_of(user, now)
    if exam is None:
        return []
    banks = sorted((bank for bank in db.session.scalars(
        db.select(Bank).where(Bank.active_questions > 0)) if covers(user, bank.id)),
        key=lambda bank: (spec.ERAS.index(bank.era) if bank.era in spec.ERAS
                          else len(spec.ERAS), bank.id))
    policy = policy_for(user, fuzzing=False)
    recall: dict[str, list[float]] = {bank.id: [] for bank in banks}
    for card, bank_id in db.session.execute(
            db.select(Card, Question.bank_id).join(Question, Question.id == Card.question_id)
            .where(Card.user_id == user.id, Card.phase != int(Phase.NEW),
                   Question.retired_at.is_(None), Question.bank_id.in_(list(recall)))):
        recall[bank_id].append(rules.recall_on(card.memory, exam, policy))
    return [Outlook(bank, len(recall[bank.id]), bank.active_questions - len(recall[bank.id]),
                    sum(recall[bank.id]) / len(recall[bank.id]) if recall[bank.id] else None)
            for bank in banks]
