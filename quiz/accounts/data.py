"""A learner's own data: importing an export (checked field by field before anything is
written), deleting the account, and what an account holds."""

from __future__ import annotations

import json
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import delete, func, insert, or_, update
from sqlalchemy.exc import IntegrityError

from quiz.accounts import audit
from quiz.accounts.export import FORMAT, GZIP_WBITS, VERSION
from quiz.banks import spec
from quiz.core import scheduling
from quiz.core.clock import is_time_zone
from quiz.core.scheduling import (
    DEFAULT_LEARNING_STEPS,
    DEFAULT_MAXIMUM_INTERVAL,
    DEFAULT_RELEARNING_STEPS,
    MAX_RETENTION,
    MIN_RETENTION,
    Memory,
    Phase,
)
from quiz.extensions import db
from quiz.models import (
    DEFAULT_LEECH_THRESHOLD,
    DEFAULT_REVIEWS_PER_DAY,
    MAX_NEW_PER_DAY,
    MAX_REVIEWS_PER_DAY,
    ApiToken,
    Assignment,
    Bank,
    Card,
    ClassMember,
    DayTally,
    Job,
    JobFile,
    LoginSession,
    ParameterFit,
    PasswordReset,
    Question,
    Review,
    SchoolClass,
    SessionKind,
    StudyOrder,
    StudySession,
    User,
)
from quiz.study import tallies

# An upload may be the gzip-compressed export the app offers or plain JSON; the limits on
# both are settings (IMPORT_MAX_UPLOAD, IMPORT_MAX_JSON in quiz.config).
MAX_ERRORS_SHOWN = 5


# The file is untrusted input, checked field by field before anything is written.

def _utc(moment: datetime) -> datetime:
    # Far-future times would overflow when shown in a time zone ahead of UTC.
    if moment.year < 1970 or moment.year > 2200:
        raise ValueError("is not between 1970 and 2200")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range") from exc


Moment = Annotated[AwareDatetime, AfterValidator(_utc)]
# Every integer column is 32-bit in PostgreSQL: larger values must be refused, not crash.
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
Real = Annotated[float, Field(allow_inf_nan=False)]
Id = Annotated[str, Field(min_length=1, max_length=100)]
# Responses as the app stores them: a choice or text, a list (gaps, picks, an order), a
# matching, a flashcard rating.
Response = (Annotated[str, Field(max_length=5000)] | int | float | bool | None
            | Annotated[list[Annotated[str, Field(max_length=5000)]], Field(max_length=100)]
            | Annotated[dict[str, Annotated[str, Field(max_length=5000)]],
                        Field(max_length=100)])


class _Strict(BaseModel):
    # A misspelt field is an error, not silently dropped data.
    model_config = ConfigDict(extra="forbid")


class SettingsIn(_Strict):
    """The settings in an export, held to the same ranges as the settings form."""

    time_zone: str = Field(max_length=64)
    new_per_day: int = Field(ge=0, le=MAX_NEW_PER_DAY)
    desired_retention: float = Field(ge=MIN_RETENTION, le=MAX_RETENTION)
    # Exports from before these settings existed carry none: the defaults then.
    learning_steps: str = Field(scheduling.format_steps(DEFAULT_LEARNING_STEPS),
                                max_length=200)
    relearning_steps: str = Field(scheduling.format_steps(DEFAULT_RELEARNING_STEPS),
                                  max_length=200)
    maximum_interval: int = Field(DEFAULT_MAXIMUM_INTERVAL, ge=1, le=DEFAULT_MAXIMUM_INTERVAL)
    fsrs_parameters: list[Real] | None = Field(None, max_length=21)
    reviews_per_day: int = Field(DEFAULT_REVIEWS_PER_DAY, ge=0, le=MAX_REVIEWS_PER_DAY)
    study_order: Literal[StudyOrder.ALL] = StudyOrder.MIXED  # type: ignore[valid-type]
    leech_threshold: int = Field(DEFAULT_LEECH_THRESHOLD, ge=1, le=100)
    leech_suspends: bool = False
    exam_day: date | None = None
    exam_banks: list[Id] = Field(default_factory=list, max_length=1000)
    exam_target: float | None = Field(None, ge=MIN_RETENTION, le=MAX_RETENTION)

    @field_validator("learning_steps", "relearning_steps")
    @classmethod
    def _steps(cls, value: str) -> str:
        return scheduling.format_steps(scheduling.parse_steps(value))

    @field_validator("fsrs_parameters")
    @classmethod
    def _parameters(cls, value: list[float] | None) -> list[float] | None:
        return None if value is None else list(scheduling.check_parameters(value))

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError("is not a time zone this server knows")
        return value


class CardIn(_Strict):
    """A card in an export: the memory state of one question."""

    question_id: Id
    phase: int = Field(ge=0, le=3)
    step: Count | None = None
    stability: Real | None = Field(None, gt=0)
    difficulty: Real | None = Field(None, ge=1, le=10)
    due: Moment | None = None
    last_review: Moment | None = None
    reps: Count = 0
    lapses: Count = 0
    answers: Count = 0
    revised: bool = False
    suspended_at: Moment | None = None
    leech: bool = False

    @model_validator(mode="after")
    def _a_state_the_scheduler_could_reach(self) -> CardIn:
        # The scheduler's own invariants: a relearning card without a step, say, would make
        # every answer to it fail.
        try:
            scheduling.check(Memory(phase=Phase(self.phase), step=self.step,
                                    stability=self.stability, difficulty=self.difficulty,
                                    due=self.due, last_review=self.last_review,
                                    reps=self.reps, lapses=self.lapses))
        except ValueError as exc:
            raise ValueError(f"the card for question {self.question_id!r}: {exc}") from None
        return self


class SessionIn(_Strict):
    """A study session in an export; `id` numbers it within the file."""

    id: Count
    kind: Literal[SessionKind.ALL]  # type: ignore[valid-type]
    bank_id: Id | None = None
    bank_ids: list[Id] = Field(default_factory=list, max_length=1000)
    eras: list[spec.Era] = Field(default_factory=list, max_length=100)
    tags: list[spec.Tag] = Field(default_factory=list, max_length=100)
    question_ids: list[Id] = Field(default_factory=list, max_length=10000)
    scheduled: bool = True
    time_limit_s: Count | None = None
    started_at: Moment
    ended_at: Moment | None = None


class ReviewIn(_Strict):
    """An answer in an export, tied to its card by question id and to its session by number."""

    question_id: Id
    seq: Count
    session: Count | None = None
    scheduled: bool = True
    rating: int = Field(ge=1, le=4)
    score: Real = Field(ge=0, le=1)
    response: Response = None
    phase_before: int = Field(ge=0, le=3)
    reviewed_at: Moment
    duration_ms: Count = 0
    due_after: Moment
    stability_after: Real | None = None
    difficulty_after: Real | None = None
    accepted: bool = False


class ExportIn(_Strict):
    """A whole export file, with every reference inside it checked."""

    format: Literal["pivot-export"]
    version: Literal[1]
    exported_at: Moment | None = None
    account: dict[str, Any] | None = None  # informative only: never imported
    settings: SettingsIn
    cards: list[CardIn] = Field(default_factory=list)
    sessions: list[SessionIn] = Field(default_factory=list)
    reviews: list[ReviewIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_hold(self) -> ExportIn:
        cards = [card.question_id for card in self.cards]
        if len(set(cards)) != len(cards):
            raise ValueError("two cards are for the same question")
        sessions = [session.id for session in self.sessions]
        if len(set(sessions)) != len(sessions):
            raise ValueError("two sessions have the same id")
        seen: set[tuple[str, int]] = set()
        known_cards, known_sessions = set(cards), set(sessions)
        for index, review in enumerate(self.reviews):
            where = f"reviews → {index}"
            if review.question_id not in known_cards:
                raise ValueError(f"{where}: no card in the file is for question "
                                 f"{review.question_id!r}")
            if review.session is not None and review.session not in known_sessions:
                raise ValueError(f"{where}: no session in the file has id {review.session}")
            if (review.question_id, review.seq) in seen:
                raise ValueError(f"{where}: question {review.question_id!r} has two answers "
                                 f"numbered {review.seq}")
            seen.add((review.question_id, review.seq))
        return self


class ImportRefused(Exception):
    """The file cannot be imported; the message says why, `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ImportReport:
    """What an import added, and what it left out (questions no longer in any bank)."""

    cards: int
    reviews: int
    sessions: int
    skipped_questions: int
    skipped_reviews: int


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def unpack(raw: bytes, *, limit: int) -> bytes:
    """The JSON text of an upload, gunzipped if it is compressed, refused beyond `limit`
    bytes (a small compressed file can unpack to gigabytes: it is never unpacked further)."""
    if raw[:2] != b"\x1f\x8b":
        if len(raw) > limit:
            raise ImportRefused("The file is too large to be a Pivot export.", 413)
        return raw
    unpacker = zlib.decompressobj(GZIP_WBITS)
    try:
        text = unpacker.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise ImportRefused("The file is not a complete gzip file: choose the file Pivot "
                            "exported.", 400) from exc
    if len(text) > limit:
        raise ImportRefused("The file is too large to be a Pivot export.", 413)
    if not unpacker.eof:
        raise ImportRefused("The file is not a complete gzip file: choose the file Pivot "
                            "exported.", 400)
    return text


def parse_export(raw: bytes) -> ExportIn:
    """The validated contents of an export's JSON text; ImportRefused says what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ImportRefused("The file is not valid JSON: choose the .json file Pivot "
                            "exported.", 400) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("This is not a Pivot export (its \"format\" is not "
                            f"\"{FORMAT}\").", 400)
    if data.get("version") != VERSION:
        raise ImportRefused(f"This export is in format version {data.get('version')!r}; this "
                            f"version of Pivot reads version {VERSION}.")
    try:
        return ExportIn.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()[:MAX_ERRORS_SHOWN]]
        more = exc.error_count() - len(problems)
        tail = f" (and {more} more)" if more > 0 else ""
        raise ImportRefused("The file has problems, nothing was imported: "
                            + "; ".join(problems) + tail + ".") from exc


def _describe(error: Any) -> str:
    where = " → ".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def has_data(user: User) -> bool:
    """Whether the learner already has cards or answers (an import would mix histories)."""
    cards = db.session.scalar(db.select(func.count()).select_from(Card)
                              .where(Card.user_id == user.id))
    reviews = db.session.scalar(db.select(func.count()).select_from(Review)
                                .where(Review.user_id == user.id))
    return bool(cards or reviews)


def import_data(user: User, data: ExportIn) -> ImportReport:
    """Load a parsed export into `user`'s account, which must have no cards or answers yet.

    Cards and answers for questions no longer in any bank are skipped and counted; everything
    else is written in one transaction, so a refused import leaves the account untouched.
    """
    if has_data(user):
        raise ImportRefused("This account already has cards or answers: import only into an "
                            "account that has not studied yet.", 409)
    questions = set(db.session.scalars(db.select(Question.id)))
    banks = set(db.session.scalars(db.select(Bank.id)))
    reviews = [dict(
        question_id=item.question_id, user_id=user.id, session_id=item.session, seq=item.seq,
        scheduled=item.scheduled, rating=item.rating, score=item.score,
        response=item.response, phase_before=item.phase_before, reviewed_at=item.reviewed_at,
        duration_ms=item.duration_ms, due_after=item.due_after,
        stability_after=item.stability_after, difficulty_after=item.difficulty_after,
        accepted=item.accepted)
        for item in data.reviews if item.question_id in questions]
    for name, value in data.settings.model_dump().items():
        setattr(user, name, value)
    # Scheduled answers count towards the next fit of the learner's parameters.
    user.answers_since_fit = sum(1 for item in data.reviews if item.scheduled)
    sessions = {}
    for item in data.sessions:
        sessions[item.id] = StudySession(
            user_id=user.id, kind=item.kind,
            bank_id=item.bank_id if item.bank_id in banks else None, bank_ids=item.bank_ids,
            eras=item.eras, tags=item.tags, question_ids=item.question_ids,
            scheduled=item.scheduled, time_limit_s=item.time_limit_s,
            started_at=item.started_at, ended_at=item.ended_at)
    db.session.add_all(sessions.values())
    # A card must stay ahead of its answers' numbers, or the next answer would collide.
    last_seq: dict[str, int] = {}
    for review in data.reviews:
        last_seq[review.question_id] = max(last_seq.get(review.question_id, -1), review.seq)
    cards = {}
    for item in data.cards:
        if item.question_id in questions:
            cards[item.question_id] = Card(
                user_id=user.id, question_id=item.question_id, phase=item.phase,
                step=item.step, stability=item.stability, difficulty=item.difficulty,
                due=item.due, last_review=item.last_review, reps=item.reps,
                lapses=item.lapses, revised=item.revised, suspended_at=item.suspended_at,
                leech=item.leech,
                answers=max(item.answers, last_seq.get(item.question_id, -1) + 1))
    db.session.add_all(cards.values())
    db.session.flush()
    # Answers go in as one bulk insert of rows made before: a 35,000-answer import then
    # holds SQLite's write lock for a second or two, not the ten that one ORM object per
    # answer took (every other learner's answer waits for it).
    for row in reviews:
        row["card_id"] = cards[row.pop("question_id")].id
        number = row["session_id"]
        row["session_id"] = sessions[number].id if number is not None else None
    if reviews:
        db.session.execute(insert(Review), reviews)
    answered = Counter(row["session_id"] for row in reviews)
    for session in sessions.values():
        session.answered = answered[session.id]
    tallies.recount(user)
    try:
        db.session.commit()
    except IntegrityError as exc:
        # Another import into this account (a second tab) got there first.
        db.session.rollback()
        raise ImportRefused("This account already has cards or answers: import only into an "
                            "account that has not studied yet.", 409) from exc
    report = ImportReport(cards=len(cards), reviews=len(reviews), sessions=len(sessions),
                          skipped_questions=len(data.cards) - len(cards),
                          skipped_reviews=len(data.reviews) - len(reviews))
    audit.record("data.imported", user=user, cards=report.cards, reviews=report.reviews,
                 sessions=report.sessions)
    return report


def delete_account(user: User, password: str) -> bool:
    """Delete `user` and everything of theirs if `password` is theirs; False if it is not."""
    if not user.check_password(password):
        audit.record("account.delete_refused", user=user)
        return False
    # Explicit, child tables first: the database's cascades would do it too, but SQLite
    # only honours them when the connection enabled foreign keys.
    db.session.execute(delete(Review).where(Review.user_id == user.id))
    db.session.execute(delete(Card).where(Card.user_id == user.id))
    db.session.execute(delete(StudySession).where(StudySession.user_id == user.id))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(delete(DayTally).where(DayTally.user_id == user.id))
    db.session.execute(delete(JobFile).where(
        JobFile.job_id.in_(db.select(Job.id).where(Job.user_id == user.id))))
    db.session.execute(delete(Job).where(Job.user_id == user.id))
    db.session.execute(delete(ParameterFit).where(ParameterFit.user_id == user.id))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    # Their places in classes, and the classes they teach: learners' attempts at those classes'
    # tests stay theirs, no longer tied to an assignment.
    taught = db.select(SchoolClass.id).where(SchoolClass.teacher_id == user.id)
    set_work = db.select(Assignment.id).where(Assignment.class_id.in_(taught))
    db.session.execute(update(StudySession).where(StudySession.assignment_id.in_(set_work))
                       .values(assignment_id=None))
    db.session.execute(delete(Assignment).where(Assignment.class_id.in_(taught)))
    db.session.execute(delete(ClassMember).where(or_(ClassMember.user_id == user.id,
                                                     ClassMember.class_id.in_(taught))))
    db.session.execute(delete(SchoolClass).where(SchoolClass.teacher_id == user.id))
    db.session.delete(user)
    db.session.commit()
    audit.record("account.deleted", user=user.id)
    return True


@dataclass(frozen=True)
class Holdings:
    """How much the account holds, for the "Your data" page."""

    cards: int
    reviews: int
    sessions: int


def holdings(user: User) -> Holdings:
    """Counts of the learner's cards, answers and sessions."""
    def count(model: Any) -> int:
        return db.session.scalar(db.select(func.count()).select_from(model)
                                 .where(model.user_id == user.id)) or 0
    return Holdings(count(Card), count(Review), count(StudySession))
