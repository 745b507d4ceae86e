"""Seeding a benchmark database in bulk: learners with a realistic history over the real banks.

Each learner studies in sittings spread over up to two years, in their own time zone: bank
sessions (due reviews first, then new questions within the daily limit, as the app orders
them), sessions over everything due, and now and then a practice run or a test, which leave
the schedule alone. Every scheduled answer goes through `quiz.core.scheduling.review` (fuzzing
off), so each card's state and each review's `*_after` columns are exactly what answering in
the app would have left; responses are real right or wrong answers to each question, graded
by `quiz.core.grading`.

Histories are simulated in worker processes and inserted with bulk Core statements in one
transaction (COPY on PostgreSQL, executemany on SQLite); nothing goes through the ORM row by
row. The schema comes from the migrations; the banks from `sync_directory`.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import os
import random
import resource
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from werkzeug.security import generate_password_hash

from quiz.authoring.sync import sync_directory
from quiz.banks import spec
from quiz.core import grading, scheduling
from quiz.core.clock import StudyDay, study_day, zone
from quiz.core.scheduling import (
    DEFAULT_LEARNING_STEPS,
    DEFAULT_MAXIMUM_INTERVAL,
    DEFAULT_RELEARNING_STEPS,
    Memory,
    Phase,
    Rating,
    format_steps,
)
from quiz.extensions import db
from quiz.models import DEFAULT_NEW_PER_DAY, Card, DayTally, Question, Review, SessionKind, User
from quiz.study.policy import policy_for
from quiz.study.selection import load_question
from quiz.study.tallies import COUNTS, increments

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "questions"
PASSWORD = "bench password"  # noqa: S105 - every seeded learner's, for signing in over HTTP
# Where the learners live: the app's public, with DST zones on both hemispheres among them.
TIME_ZONES = (("Asia/Karachi", 30), ("Europe/Moscow", 15), ("Europe/London", 10),
              ("America/New_York", 10), ("Asia/Dubai", 5), ("America/Los_Angeles", 5),
              ("Asia/Kolkata", 5), ("Australia/Sydney", 5), ("Pacific/Auckland", 5), ("UTC", 10))
# The chance of a right answer by where the card stands (no need for FSRS's own estimate:
# the ratings only have to look like a learner's).
RIGHT = {Phase.NEW: 0.65, Phase.LEARNING: 0.8, Phase.RELEARNING: 0.8, Phase.REVIEW: 0.88}


@dataclass(frozen=True)
class Sizes:
    """How much to seed: learners, reviews in all, and the two extreme learners' reviews."""

    learners: int = 1000
    reviews: int = 1_000_000
    light: int = 10
    heavy: int = 100_000

    def __post_init__(self) -> None:
        if self.learners < 3:
            raise ValueError("seed at least 3 learners: a light, a heavy and a typical one")
        if self.light < 1 or self.heavy < self.light:
            raise ValueError("the heavy learner needs more reviews than the light one")
        if self.light + self.heavy + (self.learners - 2) > self.reviews:
            raise ValueError(f"{self.reviews} reviews cannot give {self.learners} learners "
                             f"{self.light} and {self.heavy} and at least one each")


@dataclass(frozen=True)
class Plan:
    """One learner to seed: who they are and how much they studied."""

    user_id: int
    email: str
    reviews: int
    time_zone: str
    retention: float
    days: int  # the history starts this many days before now
    sitting: int  # reviews in a typical sitting
    seed: int

    def user(self) -> User:
        """The learner as an unsaved row, for the app's functions that take one."""
        # Column defaults apply only when a row is written: this one never is.
        return User(id=self.user_id, email=self.email, time_zone=self.time_zone,
                    new_per_day=DEFAULT_NEW_PER_DAY, desired_retention=self.retention,
                    learning_steps=format_steps(DEFAULT_LEARNING_STEPS),
                    relearning_steps=format_steps(DEFAULT_RELEARNING_STEPS),
                    maximum_interval=DEFAULT_MAXIMUM_INTERVAL)


def plans(sizes: Sizes, *, seed: int = 2026) -> list[Plan]:
    """Every learner's plan: user 1 is light, user 2 heavy, the rest typical (a log-normal
    spread around the mean, so most sit near it and a few study far more)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not a secret
    typical = sizes.learners - 2
    spread = [rng.lognormvariate(0, 0.5) for _ in range(typical)]
    counts = [sizes.light, sizes.heavy, *shares(sizes.reviews - sizes.light - sizes.heavy,
                                                spread)]
    zones, weights = zip(*TIME_ZONES, strict=True)
    result = []
    for index, count in enumerate(counts):
        name = ("light", "heavy")[index] if index < 2 else f"learner{index - 1}"
        days = 14 if index == 0 else 730 if index == 1 else rng.randint(60, 730)
        result.append(Plan(
            user_id=index + 1, email=f"{name}@bench.example", reviews=count,
            time_zone=rng.choices(zones, weights)[0],
            retention=rng.choices((0.85, 0.9, 0.95), (1, 8, 1))[0], days=days,
            sitting=count if index == 0 else 60 if index == 1 else rng.randint(15, 45),
            seed=rng.getrandbits(32)))
    return result


def shares(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, at least 1 each, summing exactly to `total`."""
    if not weights:
        return []
    spare = total - len(weights)
    scale = spare / sum(weights)
    parts = [math.floor(w * scale) for w in weights]
    # Hand what rounding dropped to the largest remainders.
    order = sorted(range(len(weights)), key=lambda i: parts[i] - weights[i] * scale)
    for i in order[:spare - sum(parts)]:
        parts[i] += 1
    return [part + 1 for part in parts]


# --- What learners answer: a right and a wrong response to each question, graded once.

Outcome = tuple[Any, int, float]  # the stored response, its rating, its score


@dataclass(frozen=True)
class QuestionInfo:
    """What the simulation needs of a question: where it sits and what answers to it earn."""

    id: str
    bank_id: str
    position: int
    right: tuple[Outcome, ...]
    wrong: tuple[Outcome, ...]


def outcomes(model: Any) -> tuple[tuple[Outcome, ...], tuple[Outcome, ...]]:
    """Right and wrong responses to `model` as the app stores them, with the grades they earn."""
    if isinstance(model, spec.Flashcard):
        # The form posts the rating as text, and that text is what the review keeps.
        def rated(rating: Rating) -> Outcome:
            return str(int(rating)), int(rating), grading.grade_flashcard(model, rating).score
        # Good is the usual self-rating; Hard and Easy come now and then.
        return ((rated(Rating.GOOD),) * 4 + (rated(Rating.HARD), rated(Rating.EASY)),
                (rated(Rating.AGAIN),))
    right, wrong = _responses(model)
    graded = []
    for response in (right, wrong):
        grade = grading.grade(model, response)
        graded.append(((response, int(grade.rating), grade.score),))
    if graded[0][0][2] < 1.0:
        raise ValueError(f"the right response to {model.id} is marked wrong")
    return graded[0], graded[1]


def _number(value: float) -> str:
    return f"{value:f}".rstrip("0").rstrip(".")


def _responses(model: Any) -> tuple[Any, Any]:
    """A right and a wrong response to `model`, as `read_response` would read them."""
    if isinstance(model, spec.MultipleChoice):
        others = [spec.choice_text(c) for c in model.choices if spec.choice_text(c) != model.answer]
        return model.answer, others[0]
    if isinstance(model, spec.MultipleSelect):
        others = [spec.choice_text(c) for c in model.choices
                  if spec.choice_text(c) not in model.answers]
        return list(model.answers), others[:1] or list(model.answers[:1])
    if isinstance(model, spec.TrueFalse):
        return str(model.answer).lower(), str(not model.answer).lower()
    if isinstance(model, spec.ShortAnswer):
        return model.answer, "I do not know"
    if isinstance(model, spec.Numeric):
        return (_number(model.answer),
                _number(model.answer + model.tolerance + max(1.0, abs(model.answer) / 2)))
    if isinstance(model, spec.Cloze):
        gaps = model.gaps()
        return [gap.accept[0] for gap in gaps], ["no idea"] * len(gaps)
    if isinstance(model, spec.Ordering):
        items = list(model.items or [])
        return items, items[::-1]
    if isinstance(model, spec.Matching):
        lefts, rights = list(model.pairs), list(model.pairs.values())
        return dict(model.pairs), dict(zip(lefts, rights[1:] + rights[:1], strict=True))
    raise ValueError(f"no responses for question type {model.type}")


def question_infos() -> list[QuestionInfo]:
    """Every active question of the synced banks, with its graded responses."""
    questions = db.session.scalars(db.select(Question).where(Question.retired_at.is_(None))
                                   .order_by(Question.bank_id, Question.position, Question.id))
    infos = []
    for question in questions:
        right, wrong = outcomes(load_question(question))
        infos.append(QuestionInfo(question.id, question.bank_id, question.position, right,
                                  wrong))
    return infos


# --- Simulating one learner's history.

@dataclass
class _Card:
    index: int
    question: QuestionInfo
    memory: Memory = field(default_factory=Memory)
    answers: int = 0


@dataclass
class History:
    """One learner's rows, before ids: cards and sessions are numbered from 0 within it."""

    plan: Plan
    sessions: list[tuple] = field(default_factory=list)
    cards: list[_Card] = field(default_factory=list)
    reviews: list[tuple] = field(default_factory=list)


class _Learner:
    """A learner's cards as the app would offer them: per bank, the earliest due first."""

    def __init__(self, plan: Plan, questions: list[QuestionInfo], rng: random.Random):
        self.plan, self.rng = plan, rng
        # The app's own policy for such a learner (fuzzing off, so a replay gives the same).
        self.policy = policy_for(plan.user(), fuzzing=False)
        self.by_bank: dict[str, list[QuestionInfo]] = {}
        for question in questions:  # already in position order
            self.by_bank.setdefault(question.bank_id, []).append(question)
        self.cards: list[_Card] = []
        self.card_of: dict[str, _Card] = {}
        # Per bank, (due, card index) of every answer; an entry whose card has been answered
        # again since is stale and skipped.
        self.queues: dict[str, list[tuple[datetime, int]]] = {b: [] for b in self.by_bank}
        self.unseen = {bank: list(qs) for bank, qs in self.by_bank.items()}
        self.introduced: dict[tuple[date, str], int] = {}

    def card(self, question: QuestionInfo) -> _Card:
        """The learner's card for `question`, made on first use."""
        card = self.card_of.get(question.id)
        if card is None:
            card = self.card_of[question.id] = _Card(len(self.cards), question)
            self.cards.append(card)
        return card

    def _top(self, bank: str) -> _Card | None:
        queue = self.queues[bank]
        while queue:
            due, index = queue[0]
            if self.cards[index].memory.due == due:
                return self.cards[index]
            heapq.heappop(queue)
        return None

    def _first_due(self, banks: Iterable[str]) -> _Card | None:
        tops = [card for bank in banks if (card := self._top(bank)) is not None]
        return min(tops, key=lambda card: (card.memory.due, card.index), default=None)

    def _new(self, bank: str) -> QuestionInfo | None:
        """The bank's first question (by position) the learner has never studied."""
        pending = self.unseen[bank]
        while pending and pending[0].id in self.card_of and \
                self.card_of[pending[0].id].memory.phase is not Phase.NEW:
            pending.pop(0)
        return pending[0] if pending else None

    @staticmethod
    def _due(card: _Card, now: datetime, day: StudyDay) -> bool:
        # As the app does: a review card is due all its study day, a learning card on time.
        if card.memory.phase is Phase.REVIEW:
            return card.memory.due < day.end
        return card.memory.due <= now

    def pick(self, bank: str | None, now: datetime, day: StudyDay) -> _Card:
        """What the app would ask next in a session on `bank` (None: everything due), or,
        when it would have nothing, what a learner studying ahead would pick."""
        top = self._first_due([bank] if bank else self.queues)
        if top is not None and self._due(top, now, day):
            return top
        if bank is not None and self.introduced.get((day.day, bank), 0) < DEFAULT_NEW_PER_DAY:
            question = self._new(bank)
            if question is not None:
                self.introduced[(day.day, bank)] = self.introduced.get((day.day, bank), 0) + 1
                return self.card(question)
        if top is not None:
            # A learning card due within the learn-ahead window is what the app shows next;
            # anything later means the app would end the session here, but the plan wants
            # more answers, so the learner studies ahead.
            return top
        # Nothing studied in this bank yet beyond today's new questions: more new ones, then
        # any bank's.
        question = self._new(bank) if bank else None
        if question is not None:
            return self.card(question)
        top = self._first_due(self.queues)
        if top is not None:
            return top
        return self.card(next(q for b in self.unseen if (q := self._new(b)) is not None))

    def answer(self, card: _Card, session: int, now: datetime, *, scheduled: bool,
               history: History) -> int:
        """Answer `card` right or wrong at `now` as `quiz.study.service.answer` records it;
        returns how long the answer took, in milliseconds."""
        memory = card.memory
        right = self.rng.random() < RIGHT[memory.phase]
        response, rating, score = self.rng.choice(card.question.right if right
                                                  else card.question.wrong)
        after = (scheduling.review(memory, Rating(rating), now=now, policy=self.policy)
                 if scheduled else memory)
        duration_ms = self.rng.randint(2_000, 40_000)
        history.reviews.append((
            card.index, session, card.answers, scheduled, rating, score, response,
            int(memory.phase), now, duration_ms,
            after.due if scheduled else memory.due or now,
            after.stability if scheduled else None, after.difficulty if scheduled else None))
        card.answers += 1
        if scheduled:
            card.memory = after
            heapq.heappush(self.queues[card.question.bank_id], (after.due, card.index))
        return duration_ms


def _sitting_starts(plan: Plan, rng: random.Random, now: datetime, count: int) -> list[datetime]:
    """When each sitting begins: on distinct days while there are fewer sittings than days,
    mostly in the learner's evening, the last one at least a day before `now`."""
    tz = zone(plan.time_zone)
    today = now.astimezone(tz).date()
    offsets = (rng.sample(range(1, plan.days + 1), count) if count <= plan.days
               else [rng.randint(1, plan.days) for _ in range(count)])
    starts = []
    for offset in offsets:
        hour = min(max(rng.gauss(19, 3), 6.0), 23.5)
        local = datetime.combine(today - timedelta(days=offset),
                                 time(int(hour), int(hour % 1 * 60), rng.randint(0, 59)),
                                 tzinfo=tz)
        starts.append(local.astimezone(UTC))
    return sorted(starts)


def simulate(plan: Plan, questions: list[QuestionInfo], now: datetime) -> History:
    """One learner's sittings, cards and reviews, ending before `now`."""
    rng = random.Random(plan.seed)  # noqa: S311 - reproducible, not secret
    learner = _Learner(plan, questions, rng)
    history = History(plan)
    starts = _sitting_starts(plan, rng, now, max(1, round(plan.reviews / plan.sitting)))
    sizes = shares(plan.reviews, [rng.uniform(0.5, 1.5) for _ in starts])
    banks = list(learner.by_bank)
    bank_weights = [len(learner.by_bank[b]) for b in banks]
    clock = starts[0]
    for start, size in zip(starts, sizes, strict=True):
        begun = clock = max(start, clock + timedelta(minutes=1))
        session = len(history.sessions)
        draw = rng.random() if plan.user_id != 1 else 1.0  # the light learner only studies
        if draw < 0.06 and size <= len(questions):
            # A practice run (over every question, left part way) or a test (of `size`
            # questions, ended by its last answer): each asked once, the schedule untouched.
            kind = SessionKind.TEST if draw < 0.02 else SessionKind.PRACTICE
            listed = rng.sample(questions, size if kind == SessionKind.TEST else len(questions))
            for question in listed[:size]:
                answered_at = clock
                clock += timedelta(milliseconds=learner.answer(
                    learner.card(question), session, clock, scheduled=False, history=history)
                    + rng.randint(500, 3000))
            history.sessions.append((kind, None, [q.id for q in listed], False, begun,
                                     answered_at if kind == SessionKind.TEST else None))
            continue
        bank = None if draw < 0.2 else rng.choices(banks, bank_weights)[0]
        day = study_day(clock, plan.time_zone)
        for _ in range(size):
            clock += timedelta(milliseconds=learner.answer(
                learner.pick(bank, clock, day), session, clock, scheduled=True, history=history)
                + rng.randint(500, 3000))
        history.sessions.append((SessionKind.DUE if bank is None else SessionKind.BANK, bank,
                                 [], True, begun, None))
    if clock >= now:
        raise ValueError(f"{plan.email}: {plan.reviews} reviews do not fit in {plan.days} days")
    history.cards = learner.cards
    return history


# --- Writing rows in bulk.

USER_COLUMNS = ("id", "email", "password_hash", "time_zone", "new_per_day", "desired_retention",
                "is_admin", "created_at")
SESSION_COLUMNS = ("id", "user_id", "kind", "bank_id", "bank_ids", "eras", "tags",
                   "question_ids", "scheduled", "time_limit_s", "started_at", "ended_at")
CARD_COLUMNS = ("id", "user_id", "question_id", "phase", "step", "stability", "difficulty",
                "due", "last_review", "reps", "lapses", "answers", "revised")
REVIEW_COLUMNS = ("id", "card_id", "user_id", "session_id", "seq", "scheduled", "rating",
                  "score", "response", "phase_before", "reviewed_at", "duration_ms",
                  "due_after", "stability_after", "difficulty_after")


def _processors(table: str, columns: Iterable[str],
                dialect: Dialect) -> list[Callable[[Any], Any] | None]:
    """The column types' own conversions for `dialect` (UTC timestamps, JSON, booleans), so
    rows written here read back exactly as the app's would."""
    found = []
    for name in columns:
        kind = db.metadata.tables[table].c[name].type
        found.append(kind.dialect_impl(dialect).bind_processor(dialect))
    return found


def converted(rows: Iterable[tuple], processors: list) -> list[tuple]:
    """`rows` with each value passed through its column's conversion."""
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    result = []
    for row in rows:
        values = list(row)
        for i, process in active:
            values[i] = process(values[i])
        result.append(tuple(values))
    return result


def bulk_insert(connection: Connection, table: str, columns: tuple[str, ...],
                rows: list[tuple]) -> None:
    """Append already converted `rows` to `table`: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    names = ", ".join(f'"{name}"' for name in columns)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        # Table and column names are the models' own, never input.
        statement = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
        connection.exec_driver_sql(statement, rows)


def _remembered(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`process` for values that recur as the very same object (the graded responses): each is
    converted once. The cache holds the object itself, so its id cannot be reused."""
    seen: dict[int, tuple[Any, Any]] = {}

    def remembered(value: Any) -> Any:
        found = seen.get(id(value))
        if found is None or found[0] is not value:
            found = seen[id(value)] = (value, process(value))
        return found[1]

    return remembered


def _learner_rows(history: History, dialect: Dialect) -> tuple[list, list, list]:
    """A history's sessions, cards and reviews converted for `dialect`; cards and sessions are
    still numbered within the learner (reviews start with those two local numbers)."""
    sessions = converted(
        ((kind, bank, [], [], [], listed, scheduled, None, start, ended)
         for kind, bank, listed, scheduled, start, ended in history.sessions),
        _processors("study_session", SESSION_COLUMNS[2:], dialect))
    cards = converted(
        ((card.question.id, int(card.memory.phase), card.memory.step, card.memory.stability,
          card.memory.difficulty, card.memory.due, card.memory.last_review, card.memory.reps,
          card.memory.lapses, card.answers, False) for card in history.cards),
        _processors("card", CARD_COLUMNS[2:], dialect))
    processors = [None, None, *_processors("review", REVIEW_COLUMNS[4:], dialect)]
    response = 2 + REVIEW_COLUMNS[4:].index("response")
    processors[response] = _remembered(processors[response])
    return sessions, cards, converted(history.reviews, processors)


# Worker processes get the questions once, then one plan at a time.
_WORKER: dict[str, Any] = {}


def _start_worker(questions: list[QuestionInfo], now: datetime, url: str) -> None:
    _WORKER.update(questions=questions, now=now, dialect=make_url(url).get_dialect()())


def _simulated(plan: Plan) -> tuple[Plan, tuple[list, list, list]]:
    history = simulate(plan, _WORKER["questions"], _WORKER["now"])
    return plan, _learner_rows(history, _WORKER["dialect"])


def _histories(all_plans: list[Plan], questions: list[QuestionInfo], now: datetime, url: str,
               processes: int) -> Iterator[tuple[Plan, tuple[list, list, list]]]:
    """Every learner's rows, simulated in `processes` worker processes (1: in this one)."""
    if processes <= 1:
        _start_worker(questions, now, url)
        yield from map(_simulated, all_plans)
        return
    # Spawned, not forked: a forked child would share the parent's database connections.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, _start_worker, (questions, now, url)) as pool:
        # The heaviest learners first, so no worker is left alone with one at the end.
        order = sorted(all_plans, key=lambda plan: -plan.reviews)
        yield from pool.imap_unordered(_simulated, order, chunksize=4)


@dataclass
class Seeded:
    """What was seeded: counts and the learners, for the benchmark to sign in as."""

    plans: list[Plan]
    sessions: int = 0
    cards: int = 0
    reviews: int = 0
    phases: dict[str, float] = field(default_factory=dict)

    def typical(self, count: int) -> list[Plan]:
        """The `count` typical learners whose review counts sit closest to the median."""
        typical = sorted(self.plans[2:], key=lambda plan: plan.reviews)
        middle = typical[len(typical) // 2].reviews
        return sorted(typical, key=lambda plan: (abs(plan.reviews - middle), plan.user_id))[:count]

    @property
    def light(self) -> Plan:
        return self.plans[0]

    @property
    def heavy(self) -> Plan:
        return self.plans[1]


FLUSH_ROWS = 100_000


def seed(sizes: Sizes, *, now: datetime, questions_dir: Path = QUESTIONS, seed: int = 2026,
         processes: int | None = None) -> Seeded:
    """Sync the banks and write every learner's history into the app's (migrated, empty)
    database, in `processes` worker processes (default: one per CPU, or only this one for
    fewer than 100,000 reviews, where starting workers would cost more than they save)."""
    started, cpu = perf_counter(), _cpu_seconds()
    sync_directory(questions_dir, now=now)
    questions = question_infos()
    all_plans = plans(sizes, seed=seed)
    result = Seeded(all_plans)
    result.phases["sync"] = perf_counter() - started
    engine = db.engine
    url = engine.url.render_as_string(hide_password=False)
    password_hash = generate_password_hash(PASSWORD, method="scrypt")  # one hash: it is slow
    with engine.begin() as connection:
        users = [(plan.user_id, plan.email, password_hash, plan.time_zone, DEFAULT_NEW_PER_DAY,
                  plan.retention, False, now - timedelta(days=plan.days + 1))
                 for plan in all_plans]
        bulk_insert(connection, "user", USER_COLUMNS,
                    converted(users, _processors("user", USER_COLUMNS, connection.dialect)))
        pending: dict[str, list[tuple]] = {"study_session": [], "card": [], "review": []}
        ids = {"study_session": 0, "card": 0, "review": 0}

        def flush() -> None:
            for table, columns in (("study_session", SESSION_COLUMNS), ("card", CARD_COLUMNS),
                                   ("review", REVIEW_COLUMNS)):
                bulk_insert(connection, table, columns, pending[table])
                pending[table] = []

        for plan, (sessions, cards, reviews) in _histories(
                all_plans, questions, now, url, processes or _processes(sizes)):
            session_base, card_base = ids["study_session"], ids["card"]
            pending["study_session"] += [(session_base + i + 1, plan.user_id, *row)
                                         for i, row in enumerate(sessions)]
            pending["card"] += [(card_base + i + 1, plan.user_id, *row)
                                for i, row in enumerate(cards)]
            review_base = ids["review"]
            pending["review"] += [(review_base + i + 1, card_base + card + 1, plan.user_id,
                                   session_base + session + 1, *rest)
                                  for i, (card, session, *rest) in enumerate(reviews)]
            ids["study_session"] += len(sessions)
            ids["card"] += len(cards)
            ids["review"] += len(reviews)
            if len(pending["review"]) >= FLUSH_ROWS:
                flush()
        flush()
        result.sessions, result.cards, result.reviews = (ids["study_session"], ids["card"],
                                                         ids["review"])
        if connection.dialect.name == "postgresql":
            for table in ("user", "study_session", "card", "review"):
                # Rows came with their ids: move each sequence past them.
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'))
    result.phases["histories"] = perf_counter() - started - result.phases["sync"]
    derived = perf_counter()
    rebuild_derived(engine)
    result.phases["derived"] = perf_counter() - derived
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done to a database that grew over two years.
        vacuum = perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        result.phases["vacuum"] = perf_counter() - vacuum
    result.phases["total"] = perf_counter() - started
    # On a shared machine wall time says little: the CPU time is what seeding itself costs.
    result.phases["cpu"] = _cpu_seconds() - cpu
    return result


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _processes(sizes: Sizes) -> int:
    return 1 if sizes.reviews < 100_000 else os.cpu_count() or 1


def rebuild_derived(engine: Engine) -> None:
    """What the app keeps as each answer is recorded (day tallies, each session's count of
    answers), computed once for the whole seeded log, as the app would have kept it."""

    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE study_session SET answered = (SELECT count(*) FROM review "
            "WHERE review.session_id = study_session.id)"))
        zones = dict(connection.execute(select(User.id, User.time_zone)).all())
        found: dict[tuple[int, Any, str], dict[str, int]] = {}
        # Streamed through the statement's options: the connection's own would stay set and
        # make the insert below a server-side cursor, which cannot executemany.
        rows = connection.execute(
            select(Review.user_id, Review.reviewed_at, Question.bank_id, Review.score,
                   Review.scheduled, Review.phase_before, Review.duration_ms)
            .join(Card, Card.id == Review.card_id)
            .join(Question, Question.id == Card.question_id)
            .execution_options(yield_per=50_000))
        for row in rows:
            key = (row.user_id, study_day(row.reviewed_at, zones[row.user_id]).day, row.bank_id)
            tally = found.setdefault(key, dict.fromkeys(COUNTS, 0))
            for name, value in increments(row).items():
                tally[name] += value
        if found:
            connection.execute(insert(DayTally), [
                dict(user_id=user_id, day=day, bank_id=bank_id, **counts)
                for (user_id, day, bank_id), counts in found.items()])
