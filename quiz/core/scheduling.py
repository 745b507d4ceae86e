"""Spaced-repetition scheduling: FSRS-6 with Anki's own rules, pure and deterministic.

A card's memory state is a plain value (`Memory`); `review` returns the next value and never
mutates its input. `Policy` carries every setting a review depends on (Anki's scheduler takes
them the same way), so `review(memory, rating, now=..., policy=...)` can be checked against
Anki answer by answer (tests/core/test_anki_parity.py does, with Anki's real engine). Nothing
here knows about Flask or the database.

Learners know Anki, so we schedule as Anki 26.9 does (rslib/src/scheduler/states and
answering, fsrs-rs for the memory model). Each rule, and why Anki has it:

1. Elapsed days count study days, not 24-hour periods: n = floor((next rollover after now -
   last review) / 24 h). A card seen on Monday evening and again on Wednesday evening has had
   two nights of sleep, which is what memory cares about; whole 24-hour periods would say one
   if Wednesday's answer came an hour earlier. n = 0 means "the same study day" and selects
   FSRS's short-term formula. `retrievability` uses the same n.
2. Passing intervals stay in order: Hard >= 1, Good >= Hard + 1, Easy >= Good + 1 days
   (capped at the maximum interval), so each better answer is worth a longer wait. A passing
   review never gets less than the interval the card just had when that interval lies within
   the new interval's fuzz range (nor less than it plus one when FSRS asks for more): a
   success should not shorten the wait. Graduating from (re)learning with Easy gives at least
   Good's rounded interval + 1 day, even when Good would be another step.
3. A review card is due on a study day: today + N days in the learner's time zone, stored as
   the rollover instant that starts that day (the study session shows it all that day). Not
   now + N x 24 h, which drifts by an hour across a daylight-saving change. A learning step
   is an exact time, unless it reaches past the next rollover: then it too becomes "due on
   that day" (Anki's day-learning queue).
4. Stability is capped at 36,500 days, difficulty kept within 1-10, and both are rounded as
   Anki stores them (stability to 4 decimals, difficulty to 3), so long histories computed
   here and there do not drift apart.
5. Learning steps: Again goes back to the first step; Hard repeats the current step (on the
   first step it waits the average of the first two, or 1.5 x a single step, at most a day
   more); Good moves on a step or graduates. With no steps left for a lapse (or none set),
   FSRS's own interval is used, kept within the day when it is under half a day (only when
   the parameters allow short-term memory, as Anki checks).
6. Fuzz spreads the load: an interval of 2.5 days or more moves by up to 15% (shrinking to 5%
   for long intervals) within the bounds above; a learning step lengthens by up to 25% (at
   most 5 minutes). Anki seeds it per card and answer count; so do we (`Policy.fuzz_seed`),
   so the interval a button shows is the one applied.

The FSRS-6 formulas are written out here (as fsrs-rs has them) rather than taken from py-fsrs:
py-fsrs counts elapsed days in 24-hour periods and does not cap stability, and its formulas
are private methods. py-fsrs still supplies the default parameters and their valid ranges.
Anki's optional "pull a learning step answered just before the rollover back by two hours"
only moves a time of day and is left out.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import IntEnum

from fsrs.scheduler import DEFAULT_PARAMETERS as FSRS_DEFAULTS
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from quiz.core.clock import ROLLOVER_HOUR, StudyDay, ensure_utc, study_day, study_day_start

DEFAULT_RETENTION = 0.9
# Below 0.70 reviews come too late to be worth much; above 0.97 the workload explodes.
MIN_RETENTION, MAX_RETENTION = 0.70, 0.97
DEFAULT_PARAMETERS: tuple[float, ...] = tuple(FSRS_DEFAULTS)
DEFAULT_LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
DEFAULT_RELEARNING_STEPS = (timedelta(minutes=10),)
DEFAULT_MAXIMUM_INTERVAL = 36500
MAX_STEPS = 10
MAX_STEP = timedelta(days=30)
MIN_STABILITY, MAX_STABILITY = 0.001, 36500.0
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0
DAY_SECONDS = 86400


class Rating(IntEnum):
    """How well the learner recalled the answer (the four FSRS grades)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class Phase(IntEnum):
    """Where a card stands: never studied, or one of the FSRS states."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class Memory:
    """A card's scheduling state: what FSRS needs plus our counts of answers and lapses.

    `step` is the index of the current (re)learning step; `due` is an exact time for a step,
    and the rollover instant starting the due day for a card scheduled in days.
    """

    phase: Phase = Phase.NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class Policy:
    """The settings a review depends on, passed explicitly (as Anki's scheduler does)."""

    desired_retention: float = DEFAULT_RETENTION
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    learning_steps: tuple[timedelta, ...] = DEFAULT_LEARNING_STEPS
    relearning_steps: tuple[timedelta, ...] = DEFAULT_RELEARNING_STEPS
    maximum_interval: int = DEFAULT_MAXIMUM_INTERVAL
    time_zone: str = "UTC"
    rollover_hour: int = ROLLOVER_HOUR
    fuzzing: bool = True
    # The same seed gives the same fuzz: callers pass one per card and answer count, so the
    # preview of an answer and the answer itself agree.
    fuzz_seed: str = ""


# --- The FSRS-6 memory model (fsrs-rs src/model.rs), in 64-bit floats.

def curve(w: Sequence[float]) -> tuple[float, float]:
    """The forgetting curve's (factor, decay): R = (elapsed / S * factor + 1) ** decay."""
    decay = -w[20]
    return math.exp(math.log(0.9) / decay) - 1.0, decay


def forgetting_curve(w: Sequence[float], elapsed: float, stability: float) -> float:
    """The probability of recall `elapsed` days after a review that left `stability`."""
    return recall_after(curve(w), elapsed, stability)


def recall_after(shape: tuple[float, float], elapsed: float, stability: float) -> float:
    """`forgetting_curve` on a curve's (factor, decay) found once, for many cards at a time."""
    factor, decay = shape
    return (elapsed / stability * factor + 1.0) ** decay


def next_interval(w: Sequence[float], stability: float, retention: float) -> float:
    """The days until recall falls to `retention`, unrounded (FSRS's interval)."""
    factor, decay = curve(w)
    return stability / factor * (retention ** (1.0 / decay) - 1.0)


def _initial_difficulty(w: Sequence[float], rating: int) -> float:
    return w[4] - math.exp(w[5] * (rating - 1)) + 1.0


def next_memory(w: Sequence[float], state: tuple[float, float] | None, rating: int,
                elapsed: int) -> tuple[float, float]:
    """Stability and difficulty after answering with `rating` `elapsed` study days after the
    last review (`state` None for a new card), as fsrs-rs computes and Anki stores them."""
    if state is None:
        s, d = w[rating - 1], _initial_difficulty(w, rating)
    else:
        last_s = min(max(state[0], MIN_STABILITY), MAX_STABILITY)
        last_d = min(max(state[1], MIN_DIFFICULTY), MAX_DIFFICULTY)
        if elapsed == 0:
            sinc = math.exp(w[17] * (rating - 3 + w[18])) * last_s ** -w[19]
            s = last_s * (max(sinc, 1.0) if rating >= Rating.HARD else sinc)
        else:
            r = forgetting_curve(w, elapsed, last_s)
            if rating == Rating.AGAIN:
                s = min(w[11] * last_d ** -w[12] * ((last_s + 1.0) ** w[13] - 1.0)
                        * math.exp((1.0 - r) * w[14]), last_s / math.exp(w[17] * w[18]))
            else:
                bonus = w[15] if rating == Rating.HARD else w[16] if rating == Rating.EASY else 1
                s = last_s * (math.exp(w[8]) * (11.0 - last_d) * last_s ** -w[9]
                              * (math.exp((1.0 - r) * w[10]) - 1.0) * bonus + 1.0)
        damped = last_d + (10.0 - last_d) * (-w[6] * (rating - 3)) / 9.0
        d = w[7] * (_initial_difficulty(w, 4) - damped) + damped
    s = min(max(s, MIN_STABILITY), MAX_STABILITY)
    d = min(max(d, MIN_DIFFICULTY), MAX_DIFFICULTY)
    # Anki stores stability to 4 decimals and difficulty to 3 (rule 4).
    return round(s, 4), round(d, 3)


# --- Fuzz (rslib/src/scheduler/states/fuzz.rs).

_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def _fuzz_factor(seed: str) -> float:
    # A number in [0, 1) fixed by the seed: a checksum spreads seeds evenly, costs a
    # microsecond where seeding a random generator costs tens (rescheduling does thousands).
    return zlib.crc32(seed.encode()) / 4294967296


def _round(value: float) -> int:
    # Rust rounds halves away from zero; Python's round() would send 2.5 to 2.
    return math.floor(value + 0.5)


def _fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    minimum = min(minimum, maximum)
    interval = min(max(interval, minimum), maximum)
    delta = 0.0
    if interval >= 2.5:
        delta = 1.0 + sum(factor * max(min(interval, end) - start, 0.0)
                          for start, end, factor in _FUZZ_RANGES)
    lower = min(max(_round(interval - delta), minimum), maximum)
    upper = min(max(_round(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def _fuzzed(factor: float | None, interval: float, minimum: int, maximum: int) -> int:
    if factor is None:
        return min(max(_round(interval), minimum), maximum)
    lower, upper = _fuzz_bounds(interval, minimum, maximum)
    return math.floor(lower + factor * (1 + upper - lower))


def _floor_for_passing(interval: float, previous: int, maximum: int) -> int:
    # Rule 2: never below the previous interval when it is within the fuzz range.
    if _round(interval) > previous:
        return previous + 1
    if previous <= _fuzz_bounds(interval, 1, maximum)[1]:
        return previous
    return 0


# --- Answers.

@dataclass(frozen=True)
class _Next:
    """Where an answer sends a card: a step of `seconds`, or a review in `days`."""

    phase: Phase
    memory: tuple[float, float]
    step: int | None = None
    seconds: int = 0
    days: int = 0


def _seconds(steps: Sequence[timedelta], index: int) -> int | None:
    return int(steps[index].total_seconds()) if 0 <= index < len(steps) else None


def _hard_seconds(steps: Sequence[timedelta], index: int) -> int:
    current = _seconds(steps, index) or 0
    if index > 0:
        return current
    following = _seconds(steps, 1)
    wait = (current + following) // 2 if following is not None else min(current * 3 // 2,
                                                                          current + DAY_SECONDS)
    if wait > DAY_SECONDS:
        wait = _round(wait / DAY_SECONDS) * DAY_SECONDS
    return wait


class _Answer:
    """One answer's context: the FSRS outcome of each rating and the policy's bounds."""

    def __init__(self, memory: Memory, now: datetime, policy: Policy, today: StudyDay):
        self.policy = policy
        w = policy.parameters
        state = None if memory.phase is Phase.NEW else (memory.stability, memory.difficulty)
        self.elapsed = 0 if memory.last_review is None else elapsed_days(
            memory.last_review, now=now, today=today)
        self.states = {rating: next_memory(w, state, rating, self.elapsed) for rating in Rating}
        self.intervals = {rating: next_interval(w, s, policy.desired_retention)
                          for rating, (s, _d) in self.states.items()}
        self.factor = _fuzz_factor(policy.fuzz_seed) if policy.fuzzing else None
        self.maximum = max(policy.maximum_interval, 1)
        self.short_term = w[17] > 0 and w[18] > 0

    def review_days(self, rating: Rating, minimum: int = 1) -> int:
        return _fuzzed(self.factor, max(_round(self.intervals[rating]), 1),
                       min(max(minimum, 1), self.maximum), self.maximum)

    def graduate_easy(self) -> _Next:
        good = _fuzzed(self.factor, self.intervals[Rating.GOOD], 1, self.maximum)
        return _Next(Phase.REVIEW, self.states[Rating.EASY],
                     days=self.review_days(Rating.EASY, good + 1))

    def leave_steps(self, rating: Rating, phase: Phase, step: int, no_steps: bool) -> _Next:
        """Past the last step: FSRS's interval, kept within the day when under half a day."""
        interval = self.intervals[rating]
        if self.short_term and no_steps and interval < 0.5:
            return _Next(phase, self.states[rating], step=step, seconds=int(interval * 86400))
        return _Next(Phase.REVIEW, self.states[rating], days=self.review_days(rating))

    def learning(self, memory: Memory, rating: Rating, phase: Phase) -> _Next:
        steps = (self.policy.learning_steps if phase is Phase.LEARNING
                 else self.policy.relearning_steps)
        index = min(memory.step or 0, max(len(steps) - 1, 0))
        if rating is Rating.EASY:
            return self.graduate_easy()
        if rating is Rating.AGAIN:
            if steps:
                return _Next(phase, self.states[rating], step=0, seconds=_seconds(steps, 0) or 0)
            return self.leave_steps(rating, phase, 0, True)
        if rating is Rating.HARD:
            if steps:
                return _Next(phase, self.states[rating], step=index,
                             seconds=_hard_seconds(steps, index))
            return self.leave_steps(rating, phase, index, True)
        following = _seconds(steps, index + 1)
        if following is not None:
            return _Next(phase, self.states[rating], step=index + 1, seconds=following)
        return self.leave_steps(rating, phase, index, not steps)

    def reviewing(self, memory: Memory, rating: Rating, today: StudyDay) -> _Next:
        if rating is Rating.AGAIN:
            steps = self.policy.relearning_steps
            if steps:
                return _Next(Phase.RELEARNING, self.states[rating], step=0,
                             seconds=_seconds(steps, 0) or 0)
            interval = self.intervals[rating]
            if self.short_term and interval < 0.5:
                return _Next(Phase.RELEARNING, self.states[rating], step=0,
                             seconds=int(interval * 86400))
            # As in Anki, a lapse with no relearning steps is not fuzzed.
            return _Next(Phase.REVIEW, self.states[rating], days=max(_round(interval), 1))
        previous = scheduled_days(memory, self.policy)
        days, minimum = {}, 1
        for passing in (Rating.HARD, Rating.GOOD, Rating.EASY):
            interval = self.intervals[passing]
            floor = max(_floor_for_passing(interval, previous, self.maximum), minimum)
            floor = min(max(floor, 1), self.maximum)
            days[passing] = _fuzzed(self.factor, interval, floor, self.maximum)
            minimum = days[passing] + 1
        return _Next(Phase.REVIEW, self.states[rating], days=days[rating])


def review_interval(stability: float, previous: int, policy: Policy,
                    fuzz_seed: str | None = None) -> int:
    """The days a review card of `stability`, last given `previous` days, waits under
    `policy` (Anki's "reschedule cards on change": FSRS's interval, fuzzed, kept from falling
    below the previous interval as rule 2 says); `fuzz_seed` replaces the policy's."""
    maximum = max(policy.maximum_interval, 1)
    interval = next_interval(policy.parameters, stability, policy.desired_retention)
    floor = min(max(_floor_for_passing(interval, previous, maximum), 1), maximum)
    seed = policy.fuzz_seed if fuzz_seed is None else fuzz_seed
    factor = _fuzz_factor(seed) if policy.fuzzing else None
    return _fuzzed(factor, interval, floor, maximum)


def elapsed_days(last_review: datetime, *, now: datetime, today: StudyDay) -> int:
    """Study days since `last_review` as Anki counts them (rule 1): whole days from it to the
    rollover that ends `today`, the study day of `now`."""
    # Aware datetimes subtract exactly whatever their zones (a naive one raises TypeError):
    # no conversion to UTC first, which doubled the cost on pages that ask this per card.
    seconds = (today.end - last_review).total_seconds()
    return max(int(seconds // DAY_SECONDS), 0)


def scheduled_days(memory: Memory, policy: Policy) -> int:
    """The interval a review card was given: study days from its last review to its due day."""
    if memory.due is None or memory.last_review is None:
        return 0
    due = study_day(memory.due, policy.time_zone, rollover_hour=policy.rollover_hour).day
    seen = study_day(memory.last_review, policy.time_zone, rollover_hour=policy.rollover_hour)
    return max((due - seen.day).days, 0)


def day_start(day: date, policy: Policy) -> datetime:
    """The rollover instant that starts study day `day` for this policy's learner."""
    return study_day_start(day, policy.time_zone, rollover_hour=policy.rollover_hour)


def _due(outcome: _Next, now: datetime, today: StudyDay, policy: Policy) -> datetime:
    if outcome.phase is Phase.REVIEW:
        return day_start(today.day + timedelta(days=outcome.days), policy)
    until_rollover = int((today.end - now).total_seconds())
    if outcome.seconds >= until_rollover:
        # A step past the rollover becomes "due on that day", as Anki's day-learning queue.
        days = (outcome.seconds - until_rollover) // DAY_SECONDS + 1
        return day_start(today.day + timedelta(days=days), policy)
    seconds = outcome.seconds
    if policy.fuzzing:
        extra = min(math.floor(seconds * 0.25), 300)
        if extra > 0:
            seconds += math.floor(_fuzz_factor(f"{policy.fuzz_seed}:step") * extra)
    return now + timedelta(seconds=seconds)


def review(memory: Memory, rating: Rating, *, now: datetime, policy: Policy) -> Memory:
    """The memory state after answering with `rating` at `now`."""
    now = ensure_utc(now)
    rating = Rating(rating)
    today = study_day(now, policy.time_zone, rollover_hour=policy.rollover_hour)
    answer = _Answer(memory, now, policy, today)
    if memory.phase is Phase.REVIEW:
        outcome = answer.reviewing(memory, rating, today)
    elif memory.phase is Phase.RELEARNING:
        outcome = answer.learning(memory, rating, Phase.RELEARNING)
    else:
        outcome = answer.learning(replace(memory, step=memory.step or 0), rating,
                                  Phase.LEARNING)
    stability, difficulty = outcome.memory
    lapsed = rating is Rating.AGAIN and memory.phase is Phase.REVIEW
    return Memory(phase=outcome.phase,
                  step=None if outcome.phase is Phase.REVIEW else outcome.step,
                  stability=stability, difficulty=difficulty,
                  due=_due(outcome, now, today, policy), last_review=now,
                  reps=memory.reps + 1, lapses=memory.lapses + int(lapsed))


def preview(memory: Memory, *, now: datetime, policy: Policy,
            then: Callable[[Memory], Memory] | None = None) -> dict[Rating, timedelta]:
    """How long until the card comes back for each rating (the intervals on rating buttons).

    Exactly what `review` applies with the same policy (fuzz included), followed by `then` if
    the caller applies more (an exam plan): a learning step as its delay, a card due on a
    later study day as that many whole days.
    """
    now = ensure_utc(now)
    today = study_day(now, policy.time_zone, rollover_hour=policy.rollover_hour)
    shown = {}
    for rating in Rating:
        after = review(memory, rating, now=now, policy=policy)
        due = (then(after) if then else after).due
        due_day = study_day(due, policy.time_zone, rollover_hour=policy.rollover_hour).day
        if due_day > today.day and due == day_start(due_day, policy):
            shown[rating] = timedelta(days=(due_day - today.day).days)
        else:
            shown[rating] = due - now
    return shown


def retrievability(memory: Memory, *, now: datetime, policy: Policy) -> float:
    """The probability of recalling the card at `now` (0 for a card never studied)."""
    if memory.phase is Phase.NEW or memory.last_review is None or not memory.stability:
        return 0.0
    today = study_day(now, policy.time_zone, rollover_hour=policy.rollover_hour)
    elapsed = elapsed_days(memory.last_review, now=ensure_utc(now), today=today)
    return forgetting_curve(policy.parameters, elapsed, memory.stability)


def recall_by_question(rows: Iterable[Sequence], at: datetime,
                       policy: Policy) -> dict[str, float]:
    """`retrievability` at `at` of many cards of one learner, by question, each row holding a
    card's (question id, phase, stability, last review): the study day and the curve are
    found once rather than per card, and plain rows cost less than cards."""
    today = study_day(at, policy.time_zone, rollover_hour=policy.rollover_hour)
    found, shape = {}, curve(policy.parameters)
    for question_id, phase, stability, last_review, *_rest in rows:
        if phase == Phase.NEW or last_review is None or not stability:
            found[question_id] = 0.0
            continue
        elapsed = elapsed_days(last_review, now=at, today=today)
        found[question_id] = recall_after(shape, elapsed, stability)
    return found


def recall_on_day(rows: Iterable[Sequence], day: date, policy: Policy) -> dict[str, float]:
    """`recall_by_question` at the start of study day `day` (as `quiz.core.exam.recall_on`)."""
    return recall_by_question(rows, day_start(day, policy), policy)


def reset() -> Memory:
    """A fresh state for a card whose answer changed: studied again from scratch."""
    return Memory()


def check(memory: Memory) -> None:
    """Refuse a memory state the scheduler could not have produced (for imported data).

    Raises ValueError saying what is wrong.
    """
    fields = (memory.stability, memory.difficulty, memory.due, memory.last_review)
    if memory.phase is Phase.NEW:
        if memory.step is not None or any(value is not None for value in fields[:2] + fields[3:]):
            raise ValueError("a new card has no step, stability, difficulty or last review")
        return
    if any(value is None for value in fields):
        raise ValueError("a studied card needs stability, difficulty, due and last_review")
    if memory.phase is Phase.REVIEW and memory.step is not None:
        raise ValueError("a review card has no learning step")
    if memory.phase is not Phase.REVIEW and (memory.step is None or memory.step < 0
                                             or memory.step >= MAX_STEPS):
        raise ValueError(f"a {memory.phase.name.lower()} card needs a step from 0 to "
                         f"{MAX_STEPS - 1}")
    if not MIN_STABILITY <= memory.stability <= MAX_STABILITY:
        raise ValueError(f"stability must be from {MIN_STABILITY} to {MAX_STABILITY:g} days")
    if not MIN_DIFFICULTY <= memory.difficulty <= MAX_DIFFICULTY:
        raise ValueError("difficulty must be from 1 to 10")
    if memory.reps < 1 or memory.lapses > memory.reps:
        raise ValueError("a studied card has at least one answer, and no more lapses than "
                         "answers")
    if memory.due < memory.last_review - timedelta(days=1):
        raise ValueError("a card cannot be due before its last review")


# --- Settings as learners type them.

_STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """Steps written as Anki shows them ("1m 10m", "30s 1h 1d"); ValueError says what is
    wrong. Each step is from 1 second to 30 days, at most 10 of them."""
    steps = []
    for word in text.replace(",", " ").split():
        match = _STEP.match(word.lower())
        if not match:
            raise ValueError(f"“{word}” is not a step: write a number and a unit, like 10m, "
                             "1h or 1d")
        step = timedelta(seconds=float(match.group(1)) * _UNIT[match.group(2)])
        if not timedelta(seconds=1) <= step <= MAX_STEP:
            raise ValueError(f"“{word}” is out of range: steps are from 1s to 30d")
        steps.append(step)
    if len(steps) > MAX_STEPS:
        raise ValueError(f"Use at most {MAX_STEPS} steps.")
    return tuple(steps)


def format_steps(steps: Sequence[timedelta]) -> str:
    """Steps in the form `parse_steps` reads, each in its largest whole unit."""
    words = []
    for step in steps:
        seconds = int(step.total_seconds())
        unit = next(u for u in "dhms" if seconds % _UNIT[u] == 0)
        words.append(f"{seconds // _UNIT[unit]}{unit}")
    return " ".join(words)


def check_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    """FSRS-6 parameters as a tuple, or ValueError if they are not 21 numbers in FSRS's
    bounds (py-fsrs's, the ones its optimiser clips to)."""
    values = tuple(float(value) for value in parameters)
    if len(values) != len(DEFAULT_PARAMETERS):
        raise ValueError(f"FSRS-6 has {len(DEFAULT_PARAMETERS)} parameters, not {len(values)}")
    for index, (value, low, high) in enumerate(zip(values, LOWER_BOUNDS_PARAMETERS,
                                                   UPPER_BOUNDS_PARAMETERS, strict=True)):
        if not low <= value <= high:
            raise ValueError(f"parameter w{index} = {value} is outside {low} to {high}")
    return values


def describe_interval(delta: timedelta) -> str:
    """A short human form of an interval, as on Anki's buttons: 10m, 3h, 4d, 2mo, 1.5y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(round(seconds / 60), 1)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}y".replace(".0y", "y")
