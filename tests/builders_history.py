"""Building a learner's review history for tests, through the app's own answer service.

Answers go through `quiz.study.service.answer` on the test's fixed clock, so cards, reviews and
their FSRS state are exactly what studying in the browser would leave behind.
"""

from __future__ import annotations

from datetime import datetime

from quiz.extensions import db
from quiz.models import Review, SessionKind, StudySession, User
from quiz.study import selection, sessions
from quiz.study import service as study

# A right and a wrong response to each demo question that tests study.
RIGHT = {"demo-mc": "Washington", "demo-tf": "true", "demo-short": "Gary Powers",
         "demo-numeric": "1100", "demo-card": "3"}
WRONG = {"demo-mc": "Moscow", "demo-tf": "false", "demo-short": "Khrushchev",
         "demo-numeric": "5", "demo-card": "1"}


class History:
    """Answers questions for one learner at chosen moments (the fixed clock follows along)."""

    def __init__(self, user: User, clock, bank_id: str = "demo"):
        self.user = user
        self.clock = clock
        self.bank_id = bank_id
        self.session: StudySession | None = None

    def study(self, at: datetime) -> StudySession:
        """Open a study session on the bank at `at`."""
        self.clock.set(at)
        self.session = sessions.start_session(self.user, self.bank_id, at)
        return self.session

    def test(self, at: datetime, question_ids: list[str]) -> StudySession:
        """Open a practice test on `question_ids` at `at` (answers go into it until it ends)."""
        self.clock.set(at)
        self.session = StudySession(user_id=self.user.id, kind=SessionKind.TEST,
                                    question_ids=list(question_ids), started_at=at)
        db.session.add(self.session)
        db.session.commit()
        return self.session

    def end(self, at: datetime) -> None:
        """End the current session at `at`."""
        self.clock.set(at)
        sessions.end_session(self.session, at)

    def answer(self, question_id: str, right: bool, *, at: datetime | None = None,
               duration_ms: int = 4000) -> Review:
        """Answer `question_id` right or wrong at `at` (default: the clock's time)."""
        now = self.clock.set(at) if at else self.clock.now
        if self.session is None:
            self.study(now)
        card = selection.card_for(self.user, question_id)
        response = (RIGHT if right else WRONG)[question_id]
        outcome = study.answer(self.user, self.session, question_id,
                               card.answers if card else 0, response, now=now,
                               duration_ms=duration_ms, fuzzing=False)
        assert not outcome.duplicate
        return outcome.review

    def practice(self, question_id: str, right: bool, *, at: datetime) -> Review:
        """A practice answer at `at`: recorded, but the card's schedule is left alone."""
        self.clock.set(at)
        session = sessions.start_practice(self.user, eras=[], tags=[], now=at)
        card = selection.card_for(self.user, question_id)
        outcome = study.answer(self.user, session, question_id, card.answers if card else 0,
                               (RIGHT if right else WRONG)[question_id], now=at,
                               duration_ms=3000, fuzzing=False)
        sessions.end_session(session, at)
        return outcome.review
