"""The scheduling core: FSRS-6 as fsrs-rs computes it, Anki's rules, previews, settings.

Parity with Anki's whole engine is tests/core/test_anki_parity.py; here the memory model is
checked against fsrs-rs (the library Anki runs) and each rule on its own, fuzzing off unless
a test is about fuzz.
"""

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs_rs_python import FSRS, MemoryState

from quiz.core.clock import study_day
from quiz.core.scheduling import (
    DEFAULT_PARAMETERS,
    Memory,
    Phase,
    Policy,
    Rating,
    check,
    check_parameters,
    describe_interval,
    format_steps,
    next_interval,
    next_memory,
    parse_steps,
    preview,
    retrievability,
    review,
    review_interval,
)

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
EXACT = Policy(fuzzing=False)


def test_memory_model_equals_fsrs_rs_for_random_states():
    engine, rng = FSRS(list(DEFAULT_PARAMETERS)), random.Random(3)
    for _ in range(300):
        state = (rng.uniform(0.1, 400), rng.uniform(1, 10))
        elapsed = rng.choice([0, 0, 1, 2, 5, 30, 400])
        theirs = engine.next_states(MemoryState(*state), 0.9, elapsed)
        for rating, outcome in zip(Rating, (theirs.again, theirs.hard, theirs.good,
                                            theirs.easy), strict=True):
            s, d = next_memory(DEFAULT_PARAMETERS, state, rating, elapsed)
            assert s == pytest.approx(outcome.memory.stability, rel=1e-4, abs=1e-4)
            assert d == pytest.approx(outcome.memory.difficulty, abs=2e-3)
            assert next_interval(DEFAULT_PARAMETERS, s, 0.9) == pytest.approx(
                outcome.interval, rel=1e-3)


def test_a_new_card_goes_through_its_steps_then_is_due_on_a_study_day():
    first = review(Memory(), Rating.GOOD, now=T0, policy=EXACT)
    assert (first.phase, first.step, first.due) == (Phase.LEARNING, 1,
                                                    T0 + timedelta(minutes=10))
    again = review(first, Rating.AGAIN, now=T0 + timedelta(minutes=10), policy=EXACT)
    assert (again.step, again.due) == (0, T0 + timedelta(minutes=11))
    hard = review(Memory(), Rating.HARD, now=T0, policy=EXACT)
    assert hard.due == T0 + timedelta(seconds=330)  # the average of 1m and 10m
    learned = review(first, Rating.GOOD, now=T0 + timedelta(minutes=10), policy=EXACT)
    assert learned.phase is Phase.REVIEW and learned.step is None
    start = study_day(learned.due, "UTC")
    assert learned.due == start.start and start.day > study_day(T0, "UTC").day


def test_passing_intervals_are_in_order_a_day_apart_whatever_the_fuzz():
    memory = Memory(phase=Phase.REVIEW, stability=0.4, difficulty=9.0, due=T0,
                    last_review=T0 - timedelta(days=1), reps=3)
    for seed in range(30):
        shown = preview(memory, now=T0, policy=Policy(fuzz_seed=str(seed)))
        assert timedelta(days=1) <= shown[Rating.HARD] < shown[Rating.GOOD] < shown[Rating.EASY]
        assert shown[Rating.GOOD] - shown[Rating.HARD] >= timedelta(days=1)


def test_a_passing_review_keeps_the_previous_interval_only_within_the_fuzz_range():
    # At retention 0.9 FSRS's interval equals the stability: 58 days, fuzz range 53 to 63.
    assert review_interval(58.0, 60, EXACT) == 60
    assert review_interval(58.0, 40, EXACT) == 58
    # 30 days ranges to 33 only: a previous 60 days is too far to hold.
    assert review_interval(30.0, 60, EXACT) == 30


def test_previews_equal_what_is_applied_with_fuzz_on():
    policy = Policy(fuzz_seed="7:q:3")
    learned = review(Memory(), Rating.EASY, now=T0, policy=policy)
    later = learned.due + timedelta(hours=10)
    shown = preview(learned, now=later, policy=policy)
    for rating in Rating:
        due = review(learned, rating, now=later, policy=policy).due
        if shown[rating] >= timedelta(days=1):
            days = (study_day(due, "UTC").day - study_day(later, "UTC").day).days
            assert shown[rating] == timedelta(days=days)
        else:
            assert due - later == shown[rating]


def test_fuzz_depends_on_the_seed_and_only_on_it():
    memory = Memory(phase=Phase.REVIEW, stability=60.0, difficulty=5.0, due=T0,
                    last_review=T0 - timedelta(days=60), reps=5)
    dues = {review(memory, Rating.GOOD, now=T0, policy=Policy(fuzz_seed=str(seed))).due
            for seed in range(40)}
    assert len(dues) > 3
    same = {review(memory, Rating.GOOD, now=T0, policy=Policy(fuzz_seed="x")).due
            for _ in range(5)}
    assert len(same) == 1


def test_due_days_follow_the_learners_zone_across_a_dst_change():
    policy = Policy(fuzzing=False, time_zone="America/New_York")
    memory = Memory(phase=Phase.REVIEW, stability=10.0, difficulty=5.0,
                    due=datetime(2026, 3, 6, 9, tzinfo=UTC),
                    last_review=datetime(2026, 2, 24, 15, tzinfo=UTC), reps=4)
    after = review(memory, Rating.GOOD, now=datetime(2026, 3, 6, 15, tzinfo=UTC),
                   policy=policy)
    local = after.due.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert (local.hour, local.minute) == (4, 0) and local.date() > datetime(2026, 3, 8).date()


def test_a_lapse_with_no_relearning_steps_goes_straight_back_to_review():
    policy = Policy(fuzzing=False, relearning_steps=())
    memory = Memory(phase=Phase.REVIEW, stability=30.0, difficulty=5.0, due=T0,
                    last_review=T0 - timedelta(days=30), reps=5)
    lapsed = review(memory, Rating.AGAIN, now=T0, policy=policy)
    assert lapsed.phase is Phase.REVIEW and lapsed.lapses == 1


def test_intervals_obey_the_maximum_interval():
    assert review_interval(30000.0, 10, Policy(fuzzing=False, maximum_interval=100)) == 100


def test_review_counts_answers_and_lapses_without_mutating_its_input():
    start = Memory()
    learned = review(review(start, Rating.GOOD, now=T0, policy=EXACT), Rating.GOOD,
                     now=T0 + timedelta(minutes=10), policy=EXACT)
    assert start == Memory()
    assert learned.phase is Phase.REVIEW and learned.reps == 2 and learned.lapses == 0
    lapsed = review(learned, Rating.AGAIN, now=learned.due, policy=EXACT)
    assert lapsed.phase is Phase.RELEARNING and lapsed.lapses == 1 and lapsed.reps == 3


def test_preview_shows_the_interval_each_rating_would_give():
    intervals = preview(Memory(), now=T0, policy=EXACT)
    assert intervals[Rating.AGAIN] == timedelta(minutes=1)
    assert intervals[Rating.GOOD] == timedelta(minutes=10)
    assert intervals[Rating.EASY] == timedelta(days=8)


def test_retrievability_is_zero_for_new_cards_and_falls_with_time():
    assert retrievability(Memory(), now=T0, policy=EXACT) == 0.0
    learned = review(Memory(), Rating.EASY, now=T0, policy=EXACT)
    soon = retrievability(learned, now=T0 + timedelta(days=1), policy=EXACT)
    later = retrievability(learned, now=T0 + timedelta(days=30), policy=EXACT)
    assert 1.0 >= soon > later > 0


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(seconds=20), "1m"), (timedelta(minutes=10), "10m"), (timedelta(hours=5), "5h"),
    (timedelta(days=3), "3d"), (timedelta(days=90), "3mo"), (timedelta(days=730), "2y"),
])
def test_intervals_are_described_as_on_anki_buttons(delta, text):
    assert describe_interval(delta) == text


@pytest.mark.parametrize(("text", "steps"), [
    ("1m 10m", (timedelta(minutes=1), timedelta(minutes=10))), ("", ()),
    ("30s, 1.5h 2d", (timedelta(seconds=30), timedelta(hours=1.5), timedelta(days=2))),
])
def test_steps_are_read_as_anki_writes_them(text, steps):
    assert parse_steps(text) == steps
    assert parse_steps(format_steps(steps)) == steps


@pytest.mark.parametrize("text", ["10", "5x", "0m", "31d", "-1m", " ".join(["1m"] * 11)])
def test_steps_that_make_no_sense_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match=r"step|unit|range|most"):
        parse_steps(text)


@pytest.mark.parametrize(("memory", "problem"), [
    (Memory(phase=Phase.RELEARNING, stability=2.0, difficulty=5.0, due=T0, last_review=T0,
            reps=3, lapses=1), "step"),
    (Memory(phase=Phase.REVIEW, stability=2.0, difficulty=5.0, due=T0, last_review=T0,
            reps=3, step=1), "step"),
    (Memory(phase=Phase.REVIEW, stability=0.0, difficulty=5.0, due=T0, last_review=T0,
            reps=3), "stability"),
    (Memory(phase=Phase.REVIEW, stability=2.0, difficulty=11.0, due=T0, last_review=T0,
            reps=3), "difficulty"),
    (Memory(phase=Phase.NEW, stability=2.0), "new card"),
    (Memory(phase=Phase.REVIEW, stability=2.0, difficulty=5.0, due=T0, last_review=T0,
            reps=1, lapses=2), "lapses"),
])
def test_memory_states_the_scheduler_cannot_produce_are_refused(memory, problem):
    with pytest.raises(ValueError, match=problem):
        check(memory)


def test_states_the_scheduler_produces_pass_the_check():
    memory, now = Memory(), T0
    for rating in (Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.HARD, Rating.GOOD):
        memory = review(memory, rating, now=now, policy=Policy(fuzz_seed="s"))
        check(memory)
        now = memory.due


def test_parameters_outside_fsrs_bounds_are_refused():
    assert check_parameters(DEFAULT_PARAMETERS) == DEFAULT_PARAMETERS
    with pytest.raises(ValueError, match="21"):
        check_parameters(DEFAULT_PARAMETERS[:19])
    with pytest.raises(ValueError, match="w0"):
        check_parameters((-1.0, *DEFAULT_PARAMETERS[1:]))


def test_every_state_the_scheduler_reaches_passes_its_own_check():
    # An import is held to `check`: it must never refuse what the app itself writes.
    for ratings in itertools.product(Rating, repeat=4):
        memory, now = Memory(), T0
        for rating in ratings:
            memory = review(memory, rating, now=now, policy=Policy(fuzz_seed="s"))
            check(memory)
            now = memory.due
