"""Database models: learners, banks, questions, their cards and the review log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.core.clock import utcnow
from quiz.core.scheduling import (
    DEFAULT_LEARNING_STEPS,
    DEFAULT_MAXIMUM_INTERVAL,
    DEFAULT_RELEARNING_STEPS,
    DEFAULT_RETENTION,
    Memory,
    Phase,
    format_steps,
)
from quiz.extensions import db

DEFAULT_NEW_PER_DAY = 20
MAX_NEW_PER_DAY = 500
# Anki's defaults: 200 reviews a day, and a card forgotten 8 times is a leech.
DEFAULT_REVIEWS_PER_DAY = 200
MAX_REVIEWS_PER_DAY = 9999
DEFAULT_LEECH_THRESHOLD = 8


class StudyOrder:
    """When new questions come in a bank session, relative to the day's reviews."""

    MIXED = "mixed"            # spread among the reviews
    NEW_FIRST = "new_first"
    REVIEWS_FIRST = "reviews_first"
    ALL = (MIXED, NEW_FIRST, REVIEWS_FIRST)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone, and fsrs refuses naive datetimes; this type makes both
    databases behave the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored: use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        # SQLite hands back text: parsed here in one step, where the default chain (the
        # dialect's guard, its parser, then `process_result_value`) took three calls and a
        # `replace` a value, on pages that read hundreds of timestamps.
        if dialect.name == "sqlite":
            return _utc_from_sqlite
        return super().result_processor(dialect, coltype)


def _utc_from_sqlite(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        # Stored without an offset, always UTC: parsing the offset costs a fraction of a
        # `replace(tzinfo=...)`, and gives the same `UTC` object.
        moment = datetime.fromisoformat(value + "+00:00")
        if moment.tzinfo is not None:  # a bare date would take the offset for a time
            return moment
    except ValueError:  # text written by something else, with an offset of its own
        pass
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Every table whose integer ids a cookie, a token or a URL can name takes them from SQLite's
# AUTOINCREMENT (PostgreSQL's sequences already behave so): an id is never handed out twice,
# so nothing that named a deleted row can come to name a new one.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class User(UserMixin, db.Model):
    """A learner (or an admin, who can also author)."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    new_per_day: Mapped[int] = mapped_column(Integer, default=DEFAULT_NEW_PER_DAY)
    desired_retention: Mapped[float] = mapped_column(Float, default=DEFAULT_RETENTION)
    # Steps as Anki writes them ("1m 10m"), read by quiz.core.scheduling.parse_steps.
    learning_steps: Mapped[str] = mapped_column(
        String(200), default=format_steps(DEFAULT_LEARNING_STEPS))
    relearning_steps: Mapped[str] = mapped_column(
        String(200), default=format_steps(DEFAULT_RELEARNING_STEPS))
    maximum_interval: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAXIMUM_INTERVAL)
    # The learner's fitted FSRS-6 parameters (ParameterFit says where from); None: defaults.
    fsrs_parameters: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    # Scheduled answers since parameters were last fitted: a counter, so the answer path
    # decides to fit again without counting the review log.
    answers_since_fit: Mapped[int] = mapped_column(Integer, default=0)
    # Estimated daily reviews and minutes at several retentions (quiz.study.tuning).
    workload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # May create classes and see their learners' progress on what the classes cover
    # (granted by an admin; quiz.classes).
    is_teacher: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviews_per_day: Mapped[int] = mapped_column(Integer, default=DEFAULT_REVIEWS_PER_DAY)
    study_order: Mapped[str] = mapped_column(String(16), default=StudyOrder.MIXED)
    leech_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_LEECH_THRESHOLD)
    # What happens to a leech: always tagged; suspended too if the learner chose so.
    leech_suspends: Mapped[bool] = mapped_column(Boolean, default=False)
    # Undo takes back only answers newer than the last one undone: once, never further back.
    undo_floor: Mapped[int] = mapped_column(Integer, default=0)
    # An exam the learner studies towards: its study day, the banks it covers (empty: all) and
    # the share of answers they want to recall that day (quiz.core.exam).
    exam_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    exam_banks: Mapped[list[str]] = mapped_column(JSON, default=list)
    exam_target: Mapped[float | None] = mapped_column(Float, nullable=True)

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of `password` (Werkzeug's KDF, as configured)."""
        self.password_hash = generate_password_hash(
            password, method=current_app.config["KDF_METHOD"])

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    # Set on the signed-in learner of a request (not stored): the login session its cookie
    # resumed, and that session's secret.
    login_session = None
    session_secret = None

    def get_id(self) -> str | None:
        """What Flask-Login keeps in the session cookie: the login session's secret, never the
        user id, so the cookie dies with the server-side session (`quiz.accounts.sessions`)."""
        secret = self.session_secret
        if secret is None:
            raise RuntimeError("sign in through quiz.accounts.signin, which issues a secret")
        return secret


class LoginSession(db.Model):
    """One signed-in browser, as the server knows it: the hash of the secret its session cookie
    holds and, with "keep me signed in", of its remember-me token. Deleting the row ends the
    session wherever its cookies have been copied."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    remember_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A password reset link sent by e-mail: the hash of its token (the link itself is never
    stored), good for one use until it expires."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Bank(db.Model):
    """A question bank, one per YAML file; its id is the file name."""

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The bank's era (or most of its questions'), so banks are listed in history's order.
    era: Mapped[str | None] = mapped_column(String(32), nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its questions that can still be asked, counted by each sync: read on every study page.
    active_questions: Mapped[int] = mapped_column(Integer, default=0)
    # What the last sync applied (the file, the shared files and the code that reads them):
    # a sync that finds the same hash has nothing to do for this bank.
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    questions: Mapped[list[Question]] = relationship(back_populates="bank",
                                                     order_by="Question.position")


class Question(db.Model):
    """A question as last synced from its bank; retired questions keep their history."""

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("bank.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(32))
    era: Mapped[str] = mapped_column(String(32), index=True)
    difficulty: Mapped[int] = mapped_column(Integer, default=2)
    # Questions testing the same fact share a family: one answered buries the others for the day.
    family: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    source_article: Mapped[str] = mapped_column(String(100))
    source_section: Mapped[str] = mapped_column(String(100))
    # The article and section titles as cited to learners (titles live in sources.yaml).
    citation: Mapped[str] = mapped_column(Text, default="")
    # The validated YAML question (ordering items resolved), rendered and graded from.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    answer_hash: Mapped[str] = mapped_column(String(64))
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    bank: Mapped[Bank] = relationship(back_populates="questions")
    tags: Mapped[list[QuestionTag]] = relationship(cascade="all, delete-orphan",
                                                   order_by="QuestionTag.tag")
    events: Mapped[list[QuestionEvent]] = relationship(cascade="all, delete-orphan",
                                                       order_by="QuestionEvent.event_id")

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]


class QuestionTag(db.Model):
    """A theme a question belongs to (a table, not JSON, so mastery by theme is one query)."""

    question_id: Mapped[str] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Event(db.Model):
    """A dated event from events.yaml, for the timeline."""

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # As precise as the source allows: YYYY, YYYY-MM or YYYY-MM-DD.
    date: Mapped[str] = mapped_column(String(10), index=True)
    # Where the event falls among all events (`quiz.banks.chronology`): dates alone cannot
    # order "1971" and "1971-08", or two events of one date.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The source does not state the year: the timeline says so.
    inferred: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    citation: Mapped[str] = mapped_column(Text, default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class QuestionEvent(db.Model):
    """A question is about an event: the link between the timeline and the banks."""

    question_id: Mapped[str] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


class Card(db.Model):
    """One learner's memory of one question: the FSRS state and answer counters."""

    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_card_user_due", "user_id", "due"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(ForeignKey("question.id"), index=True)
    phase: Mapped[int] = mapped_column(Integer, default=int(Phase.NEW))
    step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stability: Mapped[float | None] = mapped_column(Float, nullable=True)
    difficulty: Mapped[float | None] = mapped_column(Float, nullable=True)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    # Answers ever recorded, never reset: the sequence number that makes a resubmitted
    # form a no-op (Moodle's guard), even after a revision resets `reps`.
    answers: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the question's answer changed and the card was reset; cleared once shown.
    revised: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set aside by the learner (never shown while suspended), or until a study day ends
    # because a sibling question was studied that day.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    leech: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship()

    @property
    def memory(self) -> Memory:
        return Memory(phase=Phase(self.phase), step=self.step, stability=self.stability,
                      difficulty=self.difficulty, due=self.due, last_review=self.last_review,
                      reps=self.reps, lapses=self.lapses)

    @memory.setter
    def memory(self, memory: Memory) -> None:
        self.phase, self.step = int(memory.phase), memory.step
        self.stability, self.difficulty = memory.stability, memory.difficulty
        self.due, self.last_review = memory.due, memory.last_review
        self.reps, self.lapses = memory.reps, memory.lapses


class SessionKind:
    """What a study session draws from (one name used in URLs, templates and the database)."""

    BANK = "bank"          # one bank's due reviews, then its new questions
    DUE = "due"            # everything due across all banks
    PRACTICE = "practice"  # chosen eras and themes, off the schedule
    TEST = "test"          # a scored practice test of fixed length
    ALL = (BANK, DUE, PRACTICE, TEST)


class StudySession(db.Model):
    """A sitting: studying a bank or everything due, a practice run, or a practice test."""

    __table_args__ = (
        # A learner's tests newest first (the dashboard's chart, and the open tests that hide
        # answers) without reading every bank session they ever had.
        Index("ix_study_session_user_kind", "user_id", "kind", "started_at", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=SessionKind.BANK)
    bank_id: Mapped[str | None] = mapped_column(ForeignKey("bank.id"), nullable=True)
    # Filters of practice sessions and tests; empty means "all".
    bank_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    eras: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A test's questions, fixed when it starts, in the order they are asked.
    question_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Whether answers reschedule cards (always for bank and due sessions; a test's choice).
    scheduled: Mapped[bool] = mapped_column(Boolean, default=True)
    time_limit_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The class assignment a test was taken for (its attempts are counted and graded there).
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), nullable=True, index=True)
    # Answers recorded in the session, counted as they are recorded (the progress bar's "done").
    answered: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    bank: Mapped[Bank | None] = relationship()

    @property
    def deadline(self) -> datetime | None:
        """When a timed test closes."""
        if self.time_limit_s is None:
            return None
        return self.started_at + timedelta(seconds=self.time_limit_s)

    def finished_at(self, now: datetime) -> datetime | None:
        """When the session ended: ended by the learner or the last answer, or timed out."""
        if self.ended_at is not None:
            return self.ended_at
        deadline = self.deadline
        return deadline if deadline is not None and deadline <= now else None


class SchoolClass(db.Model):
    """A teacher's class: learners join it with its code and see its assignments."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(100))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An archived class keeps its gradebook for its teacher; nobody can join it any more and
    # its learners no longer see its assignments.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    teacher: Mapped[User] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan",
        order_by="Assignment.id")


class ClassMember(db.Model):
    """A learner in a class."""

    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class AssignmentKind:
    """What a class is asked to do (one name in the database, forms and pages)."""

    BANKS = "banks"  # study banks (or some eras and themes of them), maybe by a target day
    TEST = "test"    # take a fixed practice test, within a window and a number of attempts
    ALL = (BANKS, TEST)


class Assignment(db.Model):
    """Work a teacher sets a class: banks to study or a practice test to take."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    # What it covers; empty means "all" (as a practice session's filters).
    bank_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    eras: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The learners' study day it should be learnt by (banks), predicted recall shown for it.
    target_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    # A test's questions, fixed when it is set, so every learner takes the same test.
    question_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    time_limit_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="assignments")


class ProblemKind:
    """What a learner can report about a question."""

    WRONG_ANSWER = "wrong_answer"
    UNCLEAR = "unclear"
    TYPO = "typo"
    OTHER = "other"
    TITLES: ClassVar[dict[str, str]] = {
        WRONG_ANSWER: "The answer is wrong", UNCLEAR: "The question is unclear",
        TYPO: "A typo or a wording slip", OTHER: "Something else"}


class ProblemReport(db.Model):
    """A learner's report of a problem with a question, for its authors."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("question.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The learner's answer in words, when the report came from an answer's feedback.
    given: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    question: Mapped[Question] = relationship()

    @property
    def kind_title(self) -> str:
        return ProblemKind.TITLES.get(self.kind, self.kind)


class DayTally(db.Model):
    """A learner's answers on one study day in one bank, counted in each answer's transaction.

    The daily limits, the progress bar and the dashboard read these instead of the review log,
    so what a page costs follows the days it shows, not every answer ever given. Days are the
    learner's study days in their time zone; changing the zone recounts them.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("bank.id"), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)  # every answer, practice too
    correct: Mapped[int] = mapped_column(Integer, default=0)  # answers fully right
    # Scheduled answers to new cards (the daily new limit counts these) and to review cards.
    introduced: Mapped[int] = mapped_column(Integer, default=0)
    reviewed: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class Review(db.Model):
    """One answer, append-only: the record FSRS optimisation and score history are built from."""

    __table_args__ = (
        # The same form posted twice carries the same sequence number: one row, never two.
        UniqueConstraint("card_id", "seq"),
        Index("ix_review_user_time", "user_id", "reviewed_at"),
        # A card's answers newest first (its question's history), without a sort.
        Index("ix_review_card_time", "card_id", "reviewed_at", "seq"),
        # A session's answers with what its totals read (a test's score), from the index alone.
        Index("ix_review_session_totals", "session_id", "score", "reviewed_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_session.id", ondelete="SET NULL"), nullable=True)
    seq: Mapped[int] = mapped_column(Integer)
    # False for practice answers: recorded for history and scores, but the card's memory
    # state was left as it was.
    scheduled: Mapped[bool] = mapped_column(Boolean, default=True)
    rating: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    phase_before: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)
    stability_after: Mapped[float | None] = mapped_column(Float, nullable=True)
    difficulty_after: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The card as it was before this answer (memory and flags), so the answer can be undone
    # or re-rated exactly; None for answers recorded before undo existed.
    card_before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The learner overrode the grader ("I was right"): kept so authors can see it.
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)

    card: Mapped[Card] = relationship()

    @property
    def correct(self) -> bool:
        return self.score >= 1.0


class ParameterFit(db.Model):
    """One fit of a learner's FSRS parameters to their review log, kept or not."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviews: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    parameters: Mapped[list[float]] = mapped_column(JSON)
    log_loss_before: Mapped[float] = mapped_column(Float)
    log_loss_after: Mapped[float] = mapped_column(Float)
    rmse_before: Mapped[float] = mapped_column(Float)
    rmse_after: Mapped[float] = mapped_column(Float)
    # Whether the fitted parameters predicted the log better and so replaced the old ones.
    adopted: Mapped[bool] = mapped_column(Boolean)


class JobStatus:
    """Where a background job stands (one name in the database, pages and tests)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ALL = (QUEUED, RUNNING, DONE, FAILED)


class Job(db.Model):
    """A background job (quiz.jobs): what it does, for whom, and how far it has got."""

    __table_args__ = (Index("ix_job_user_kind", "user_id", "kind"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                                nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    # 0 to 1, for a progress bar; the message says what happened, for the learner.
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class ApiToken(db.Model):
    """A personal access token for the JSON API: only the SHA-256 of its secret is kept (the
    learner sees the token once, when it is made). It dies with its account."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class JobFile(db.Model):
    """The file a job works on (an uploaded import), kept in the database rather than on one
    server's disk so that a worker on any machine can read it; deleted once the job is done."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
