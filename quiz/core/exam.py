"""Studying towards an exam date, from FSRS's model of memory. Pure: no Flask, no database.

Two rules, each from what FSRS predicts rather than a rule of thumb:

- **New questions at the pace the date needs.** Every question of the exam's banks should be
  seen at least twice before the exam: once when it is introduced and again at its learning
  step the same day, then at its first review. So all are introduced by the day before the
  exam, spread evenly: `ceil(unseen / days left before that day)` a day, or the learner's own
  daily limit if that is higher.
- **Reviews brought forward so the exam day is covered.** FSRS schedules a review for the day
  recall falls to the learner's desired retention. A card whose next review falls after the
  exam would reach the exam with recall below that (or below the exam's own target, if the
  learner set one higher): its review is brought forward to the day its predicted recall falls
  to the target, and no later than the day before the exam. Cards due before the exam are
  reviewed before it anyway and need nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

from quiz.core import scheduling
from quiz.core.clock import StudyDay, study_day
from quiz.core.scheduling import Memory, Phase, Policy


@dataclass(frozen=True)
class Exam:
    """An exam: its study day and the retention the learner wants on it."""

    day: date
    target: float


def days_before(exam: Exam, today: date) -> int:
    """Study days left before the exam day, today included (0 on or after it)."""
    return max((exam.day - today).days, 0)


def new_pace(unseen: int, exam: Exam, today: date) -> int:
    """New questions a day that introduce all `unseen` by the day before the exam."""
    if unseen <= 0 or days_before(exam, today) == 0:
        return 0
    # Introduced by the day before, so each is seen at its first review too.
    return math.ceil(unseen / max(days_before(exam, today) - 1, 1))


def recall_on(memory: Memory, exam: Exam, policy: Policy) -> float:
    """The predicted chance of recalling the card at the start of the exam day."""
    return scheduling.retrievability(memory, now=scheduling.day_start(exam.day, policy),
                                     policy=policy)


def bring_forward(memory: Memory, exam: Exam, policy: Policy, today: StudyDay) -> Memory:
    """`memory` with its next review moved before the exam if it would reach the exam day with
    recall below the target; unchanged otherwise."""
    if (memory.phase is not Phase.REVIEW or memory.due is None or memory.stability is None
            or memory.last_review is None or exam.day <= today.day):
        return memory
    due_day = study_day(memory.due, policy.time_zone).day
    if due_day < exam.day or recall_on(memory, exam, policy) >= exam.target:
        return memory
    reviewed = study_day(memory.last_review, policy.time_zone).day
    days = max(1, round(scheduling.next_interval(policy.parameters, memory.stability,
                                                 exam.target)))
    earliest = max(today.day, reviewed + timedelta(days=1))
    latest = exam.day - timedelta(days=1)
    if latest < earliest:  # reviewed today with the exam tomorrow: nothing left to gain
        return memory
    day = min(max(reviewed + timedelta(days=days), earliest), latest)
    if day >= due_day:
        return memory
    return replace(memory, due=scheduling.day_start(day, policy))
