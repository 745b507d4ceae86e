"""What the API reads and writes, as pydantic models: the OpenAPI document is made from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from quiz.banks import spec


class Out(BaseModel):
    """A response body, filled from the services' own objects."""

    model_config = ConfigDict(from_attributes=True)


class Strict(BaseModel):
    """A request body: unknown fields are refused, so a typo is a 422, not silence."""

    model_config = ConfigDict(extra="forbid")


class BankOut(Out):
    id: str
    title: str
    description: str
    era: str | None
    questions: int = Field(description="Questions that can be asked.")
    due: int = Field(description="Reviews and learning steps due today.")
    new: int = Field(description="New questions today's limit still allows.")


class BankList(Out):
    banks: list[BankOut]


class StartIn(Strict):
    kind: Literal["bank", "due", "practice"] = Field(
        description="bank: one bank's due and new questions; due: everything due; practice: "
                    "chosen eras and themes, off the schedule.")
    bank_id: str | None = Field(None, max_length=100, description="For kind bank.")
    eras: list[Literal[*spec.ERAS]] = Field(default_factory=list, max_length=len(spec.ERAS),
                                           description="For kind practice.")
    tags: list[Literal[*spec.TAGS]] = Field(default_factory=list, max_length=len(spec.TAGS),
                                           description="For kind practice.")


class ProgressOut(Out):
    done: int
    left: int


class SessionOut(Out):
    id: int
    kind: str
    title: str
    bank_id: str | None
    started_at: datetime
    ended_at: datetime | None
    answered: int
    progress: ProgressOut


class ClozePiece(Out):
    text: str = Field(description="Text shown before the gap, or after the last one.")
    gap: int | None = Field(description="The gap's number (0-based), if this piece is one.")
    hint: str | None


class QuestionOut(Out):
    """A question as the learner sees it before answering: never its answer."""

    question_id: str
    seq: int = Field(description="Send back with the answer: the exactly-once rule.")
    offer: str = Field(description="Send back with the answer: proves this session asked it.")
    shown_at: int = Field(description="When it was shown, in ms since 1970 (for the timing).")
    type: str = Field(description="The question type, as in the bank format.")
    prompt: str | None = Field(description="The question (Markdown subset); a flashcard's front.")
    hint: str | None
    citation: str
    choices: list[str] = Field(description="multiple_choice, multiple_select, true_false: send "
                                           "one (or, for multiple_select, several) back.")
    items: list[str] = Field(description="ordering: send them back in order.")
    lefts: list[str] = Field(description="matching: the left sides, in order.")
    rights: list[str] = Field(description="matching: the right sides to pair them with.")
    pieces: list[ClozePiece] = Field(description="cloze: the text with its gaps.")
    unit: str | None = Field(description="numeric: the unit of the answer.")


class Summary(Out):
    answered: int
    correct: int


class NextOut(Out):
    question: QuestionOut | None = Field(description="Null when nothing is left for now.")
    summary: Summary


class BackOut(Out):
    back: str = Field(description="What the flashcard asks the learner to recall.")
    intervals: dict[str, str] = Field(description="Rating (1-4) to when the card comes back.")


class AnswerIn(Strict):
    """An answer: the question's id, seq and offer as given, and the response for its type."""

    question_id: str = Field(max_length=100)
    seq: int = Field(ge=0, le=2**31 - 1)
    offer: str = Field(max_length=100)
    shown_at: int | None = Field(None, ge=0, le=2**53,
                                 description="From the question: how long the answer took.")
    choice: str | None = Field(None, max_length=500,
                               description="multiple_choice; true_false: 'true' or 'false'.")
    choices: list[str] | None = Field(None, max_length=50, description="multiple_select.")
    answer: str | None = Field(None, max_length=500, description="short_answer, numeric.")
    gaps: list[str] | None = Field(None, max_length=50, description="cloze, in gap order.")
    order: list[str] | None = Field(None, max_length=50, description="ordering.")
    matches: dict[str, str] | None = Field(None, description="matching: left side to right.")
    rating: int | None = Field(None, ge=1, le=4, description="flashcard: Again 1 .. Easy 4.")


class FeedbackOut(Out):
    review_id: int
    session_id: int
    question_id: str
    correct: bool
    score: float
    rating: int
    given: str
    expected: str
    note: str | None = Field(description="Feedback on the choice given, if the bank has it.")
    explanation: str
    citation: str
    due: datetime | None = Field(description="When the question comes back (if scheduled).")
    can_undo: bool


class UndoOut(Out):
    question_id: str = Field(description="The question, on offer again.")


class ReviewOut(Out):
    id: int
    question_id: str
    session_id: int | None
    seq: int
    reviewed_at: datetime
    rating: int
    score: float
    scheduled: bool
    duration_ms: int
    due_after: datetime


class ReviewPage(Out):
    page: int
    per_page: int
    total: int
    reviews: list[ReviewOut]


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, le=100_000)


class Offered(BaseModel):
    """The question on offer, as the session gave it."""

    question_id: str = Field(max_length=100)
    seq: int = Field(ge=0, le=2**31 - 1)
    offer: str = Field(max_length=100)


class DayCount(Out):
    day: date
    count: int


class WeekAccuracy(Out):
    week: date
    answered: int
    correct: int


class StateCounts(Out):
    new: int
    learning: int
    review: int
    relearning: int


class MasteryRow(Out):
    key: str
    title: str
    cards: int
    retrievability: float | None


class Mastery(Out):
    eras: list[MasteryRow]
    themes: list[MasteryRow]


class Lapsed(Out):
    question_id: str
    text: str
    lapses: int


class ScoredTest(Out):
    session_id: int
    day: date
    ended_at: datetime
    questions: int
    score: float


class DashboardOut(Out):
    today: date
    streak: int
    reviews_today: int
    states: StateCounts
    days: list[DayCount]
    weeks: list[WeekAccuracy]
    mastery: Mastery
    forecast: list[DayCount]
    lapsed: list[Lapsed]
    # The finished ones among the learner's last 30 practice tests, as the dashboard charts.
    tests: list[ScoredTest]


class LintProblem(Out):
    line: int
    col: int
    severity: str
    code: str
    message: str


class LintFile(Out):
    name: str
    bank_id: str | None
    errors: int
    problems: list[LintProblem]


class LintReport(Out):
    files: list[LintFile]
