"""The timeline: dated events grouped by era, each with the questions about it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from quiz.banks import spec
from quiz.banks.lint import MONTHS
from quiz.extensions import db
from quiz.models import Event, Question, QuestionEvent

ERA_SPANS = {"cold-war": "1947–1991", "post-cold-war": "1991–2010", "rupture-2011": "2011",
             "rapprochement": "2012 onwards"}


def era_of_date(date: str) -> str:
    """The era a date falls in, by year (the Cold War runs to the Soviet collapse of 1991)."""
    year = int(date[:4])
    if year <= 1991:
        return "cold-war"
    if year <= 2010:
        return "post-cold-war"
    return "rupture-2011" if year == 2011 else "rapprochement"


@dataclass
class TimelineEvent:
    """An event with the active questions that ask about it."""

    event: Event
    questions: list[Question] = field(default_factory=list)

    @property
    def display_date(self) -> str:
        """The date as precisely as the source gives it: 1971, August 1971, 9 August 1971."""
        parts = self.event.date.split("-")
        if len(parts) == 1:
            return parts[0]
        month = MONTHS[int(parts[1]) - 1]
        return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


@dataclass
class EraGroup:
    """One era's events in the chronology's order."""

    era: str
    title: str
    span: str
    events: list[TimelineEvent]


def timeline() -> list[EraGroup]:
    """Every live event in the chronology's order (dates, then `after:` links), grouped by era,
    with its questions (two queries)."""
    events = list(db.session.scalars(db.select(Event).where(Event.retired_at.is_(None))
                                     .order_by(Event.position, Event.date, Event.id)))
    links = db.session.execute(
        db.select(QuestionEvent.event_id, Question).join(
            Question, Question.id == QuestionEvent.question_id)
        .where(Question.retired_at.is_(None)).order_by(Question.bank_id, Question.position))
    by_event: dict[str, list[Question]] = {}
    for event_id, question in links:
        by_event.setdefault(event_id, []).append(question)
    groups = {era: EraGroup(era, spec.ERA_TITLES[era], ERA_SPANS[era], []) for era in spec.ERAS}
    for event in events:
        questions = by_event.get(event.id, [])
        groups[_era(event, questions)].events.append(TimelineEvent(event, questions))
    return [group for group in groups.values() if group.events]


def _era(event: Event, questions: list[Question]) -> str:
    # The banks' own era wins when its questions agree (the 2012 apology closes the 2011
    # rupture); otherwise the date decides.
    eras = Counter(question.era for question in questions)
    if len(eras) == 1:
        return next(iter(eras))
    return era_of_date(event.date)
