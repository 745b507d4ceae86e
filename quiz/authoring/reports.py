"""What learners tell authors about questions: problem reports and answers they marked right
("I was right"), so a bad key or an unclear prompt can be found and fixed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast, func

from quiz.extensions import db
from quiz.models import Card, ProblemReport, Review


def open_reports() -> list[ProblemReport]:
    """Reports not yet marked resolved, newest first."""
    return list(db.session.scalars(
        db.select(ProblemReport).where(ProblemReport.resolved_at.is_(None))
        .order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc())))


def reports_for(question_id: str) -> list[ProblemReport]:
    """Every report on one question, newest first."""
    return list(db.session.scalars(
        db.select(ProblemReport).where(ProblemReport.question_id == question_id)
        .order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc())))


@dataclass(frozen=True)
class Override:
    """An answer learners marked right although the grader did not: how often."""

    response: str
    count: int


def overrides_for(question_id: str) -> list[Override]:
    """The answers learners accepted as right on one question, most frequent first."""
    # PostgreSQL's json type has no equality, so answers are grouped by their JSON text.
    as_text = cast(Review.response, Text)
    rows = db.session.execute(
        db.select(as_text, func.count()).join(Card, Card.id == Review.card_id)
        .where(Card.question_id == question_id, Review.accepted.is_(True))
        .group_by(as_text)).all()
    found = [Override(_shown(json.loads(text) if text else None), count) for text, count in rows]
    return sorted(found, key=lambda item: (-item.count, item.response))


def _shown(response: object) -> str:
    if isinstance(response, str):
        return response
    return " / ".join(str(part) for part in (response or []))


def resolve(report_id: int, now: datetime) -> None:
    """Mark a report dealt with."""
    report = db.session.get(ProblemReport, report_id)
    if report is not None and report.resolved_at is None:
        report.resolved_at = now
        db.session.commit()
