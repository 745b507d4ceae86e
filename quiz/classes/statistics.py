"""Question statistics for one assignment, as Moodle's quiz statistics report: facility,
discrimination, the most common wrong answers and the lapse rate of each question (the
formulas: quiz.core.itemstats). Six queries whatever the class's size."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Text, case, cast, func

from quiz.classes import service
from quiz.core import itemstats
from quiz.extensions import db
from quiz.models import (
    Assignment,
    AssignmentKind,
    Card,
    ClassMember,
    ProblemReport,
    Question,
    Review,
    StudySession,
)


@dataclass(frozen=True)
class QuestionStats:
    """One question's numbers for the class."""

    question: Question
    answered: int
    facility: float | None
    discrimination: float | None
    wrong: list[tuple[str, int]]
    lapse_rate: float | None
    open_reports: int

    @property
    def prompt(self) -> str:
        return (self.question.spec.get("prompt") or self.question.spec.get("front")
                or self.question.id)


@dataclass(frozen=True)
class Report:
    assignment: Assignment
    units: int  # attempts (a test) or learners who answered (banks)
    questions: list[QuestionStats]


def _shown(text: str | None) -> str:
    """A stored response (JSON text) as a reader would write it."""
    value = json.loads(text) if text else None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "; ".join(f"{k} → {v}" for k, v in value.items())
    if isinstance(value, list):
        return " / ".join(str(part) for part in value)
    return "" if value is None else str(value)


def report(assignment: Assignment) -> Report:
    """Statistics of every question the assignment covers. A test's units are its finished
    and open attempts; a bank assignment's are the members, each with their mean score per
    question over their answers to it since the assignment was set. The lapse rate is the
    members' cards' own, since they first studied the question."""
    index = service.question_index()
    ids = service.covered(assignment, index)
    members = db.select(ClassMember.user_id).where(ClassMember.class_id == assignment.class_id)
    if assignment.kind == AssignmentKind.TEST:
        unit = Review.session_id
        scope = [Review.session_id.in_(db.select(StudySession.id).where(
            StudySession.assignment_id == assignment.id))]
    else:
        # The class's work on the assignment: its members' answers since it was set (which
        # the review log's (learner, time) index finds without reading years of history).
        unit = Review.user_id
        scope = [Review.user_id.in_(members), Review.reviewed_at >= assignment.created_at]
    # Each unit's mean score per question, then each unit's total over its questions, then
    # per question the sums item statistics need: all added up by the database, which sends
    # one row per question rather than one per unit and question.
    # A unit's card stands for its question (a learner has one card per question), and
    # grouping by it spares the database a join per answer: the join is per unit and card.
    by_card = (db.select(unit.label("unit"), Review.card_id, func.avg(Review.score).label("x"))
               .where(*scope).group_by(unit, Review.card_id).subquery())
    pairs = (db.select(by_card.c.unit, Card.question_id.label("q"), by_card.c.x)
             .join(Card, Card.id == by_card.c.card_id).where(Card.question_id.in_(ids))
             .cte("pairs").prefix_with("MATERIALIZED"))
    units = (db.select(pairs.c.unit, func.sum(pairs.c.x).label("total"),
                       func.count().label("n"))
             .group_by(pairs.c.unit).cte("units"))
    x = pairs.c.x
    rest = (units.c.total - x) / (units.c.n - 1)

    def paired(value):
        return func.sum(case((units.c.n > 1, value), else_=None))

    items: dict[str, itemstats.ItemStats] = {}
    unit_count = 0
    for row in db.session.execute(
            db.select(pairs.c.q, func.count(), func.sum(x), paired(1), paired(x), paired(rest),
                      paired(x * x), paired(rest * rest), paired(x * rest),
                      db.select(func.count()).select_from(units).scalar_subquery())
            .join(units, units.c.unit == pairs.c.unit).group_by(pairs.c.q)):
        question_id, answered, score, *sums, unit_count = row
        items[question_id] = itemstats.item_stats(itemstats.Moments(
            int(answered), float(score), int(sums[0] or 0), *(float(v or 0) for v in sums[1:])))
    # PostgreSQL's json type has no equality, so answers are grouped by their JSON text.
    as_text = cast(Review.response, Text)
    wrong: dict[str, list[tuple[str, int]]] = {}
    for question_id, text, count in db.session.execute(
            db.select(Card.question_id, as_text, func.count())
            .join(Card, Card.id == Review.card_id)
            .where(*scope, Card.question_id.in_(ids), Review.score < 1.0,
                   Review.accepted.is_(False))
            .group_by(Card.question_id, as_text)):
        wrong.setdefault(question_id, []).append((_shown(text), int(count)))
    # Over all the members' cards, the questions kept afterwards: reading each member's cards
    # costs less than looking up every member and covered question.
    covered = set(ids)
    lapses = {row.question_id: itemstats.lapse_rate(int(row.lapses or 0),
                                                    int(row.reviews or 0))
              for row in db.session.execute(
                  db.select(Card.question_id, func.sum(Card.lapses).label("lapses"),
                            func.sum(Card.reps).label("reviews"))
                  .where(Card.user_id.in_(members)).group_by(Card.question_id))
              if row.question_id in covered}
    reports = dict(db.session.execute(
        db.select(ProblemReport.question_id, func.count())
        .where(ProblemReport.question_id.in_(ids), ProblemReport.resolved_at.is_(None))
        .group_by(ProblemReport.question_id)).all())
    questions = {q.id: q for q in db.session.scalars(db.select(Question)
                                                      .where(Question.id.in_(ids)))}
    found = []
    for question_id in ids:
        item = items.get(question_id, itemstats.ItemStats(0, None, None))
        found.append(QuestionStats(
            questions[question_id], item.answered, item.facility, item.discrimination,
            itemstats.common_wrong(wrong.get(question_id, [])), lapses.get(question_id),
            int(reports.get(question_id, 0))))
    return Report(assignment, unit_count, found)
