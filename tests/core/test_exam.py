"""Studying towards an exam: the pace of new questions and reviews brought forward (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from quiz.core import exam, scheduling
from quiz.core.clock import study_day
from quiz.core.scheduling import Memory, Phase, Policy

POLICY = Policy(fuzzing=False)
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
TODAY = study_day(NOW, "UTC")


def learnt(stability: float, *, reviewed_days_ago: int = 0) -> Memory:
    """A review card last answered `reviewed_days_ago` days ago, due when FSRS says."""
    last = NOW - timedelta(days=reviewed_days_ago)
    days = round(scheduling.next_interval(POLICY.parameters, stability, 0.9))
    due = scheduling.day_start(study_day(last, "UTC").day + timedelta(days=days), POLICY)
    return Memory(phase=Phase.REVIEW, stability=stability, difficulty=5.0, due=due,
                  last_review=last, reps=3)


def test_new_questions_are_all_introduced_by_the_day_before_the_exam():
    soon = exam.Exam(TODAY.day + timedelta(days=11), 0.9)  # 10 days to go before the eve
    assert exam.new_pace(95, soon, TODAY.day) == 10
    assert exam.new_pace(0, soon, TODAY.day) == 0
    tomorrow = exam.Exam(TODAY.day + timedelta(days=1), 0.9)
    assert exam.new_pace(7, tomorrow, TODAY.day) == 7  # no time left: all of them today
    assert exam.new_pace(7, exam.Exam(TODAY.day, 0.9), TODAY.day) == 0  # the day itself


def test_a_review_due_after_the_exam_is_brought_forward_when_recall_would_be_low():
    memory = learnt(30.0)  # due in about a month
    exam_day = TODAY.day + timedelta(days=20)
    strict = exam.Exam(exam_day, 0.97)
    assert exam.recall_on(memory, strict, POLICY) < 0.97
    moved = exam.bring_forward(memory, strict, POLICY, TODAY)
    moved_day = study_day(moved.due, "UTC").day
    assert TODAY.day < moved_day < exam_day
    # Brought forward to the day recall falls to the exam's aim, no earlier.
    days = round(scheduling.next_interval(POLICY.parameters, 30.0, 0.97))
    assert moved_day == TODAY.day + timedelta(days=days)
    assert moved.stability == memory.stability and moved.last_review == memory.last_review


def test_cards_that_need_nothing_are_left_alone():
    exam_day = TODAY.day + timedelta(days=20)
    due_before = learnt(5.0)  # due within days: reviewed before the exam anyway
    assert exam.bring_forward(due_before, exam.Exam(exam_day, 0.97), POLICY, TODAY) == due_before
    strong = learnt(400.0)  # recall on the day well above the aim
    assert exam.bring_forward(strong, exam.Exam(exam_day, 0.9), POLICY, TODAY) == strong
    learning = Memory(phase=Phase.LEARNING, step=0, stability=1.0, difficulty=5.0, due=NOW,
                      last_review=NOW, reps=1)
    assert exam.bring_forward(learning, exam.Exam(exam_day, 0.97), POLICY, TODAY) == learning
    past = exam.Exam(TODAY.day, 0.97)
    assert exam.bring_forward(learnt(30.0), past, POLICY, TODAY) == learnt(30.0)


def test_a_card_reviewed_today_with_the_exam_tomorrow_stays_as_it_is():
    memory = learnt(30.0)
    assert exam.bring_forward(memory, exam.Exam(TODAY.day + timedelta(days=1), 0.99), POLICY,
                              TODAY) == memory


def test_no_review_is_moved_to_the_exam_day_or_after():
    memory = learnt(2000.0, reviewed_days_ago=300)
    exam_day = TODAY.day + timedelta(days=3)
    moved = exam.bring_forward(memory, exam.Exam(exam_day, 0.999), POLICY, TODAY)
    assert TODAY.day <= study_day(moved.due, "UTC").day <= date.fromordinal(
        exam_day.toordinal() - 1)
