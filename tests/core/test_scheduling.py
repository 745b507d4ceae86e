"""The FSRS wrapper: golden sequences against the fsrs package itself, fuzzing off."""

import itertools
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from quiz.core.scheduling import (
    Memory,
    Phase,
    Policy,
    Rating,
    describe_interval,
    inconsistency,
    preview,
    retrievability,
    review,
)

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
EXACT = Policy(fuzzing=False)
SEQUENCES = [
    [Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.GOOD],
    [Rating.AGAIN, Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD, Rating.EASY],
    [Rating.EASY, Rating.HARD, Rating.GOOD, Rating.AGAIN, Rating.AGAIN, Rating.GOOD],
]


def direct_due_dates(ratings, retention=0.9):
    scheduler = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    card, now, dues = fsrs.Card(card_id=7, due=T0), T0, []
    for rating in ratings:
        card, _ = scheduler.review_card(card, fsrs.Rating(int(rating)), review_datetime=now)
        dues.append(card.due)
        now = card.due
    return dues


@pytest.mark.parametrize("ratings", SEQUENCES)
def test_due_dates_after_a_series_of_ratings_equal_fsrs_computed_directly(ratings):
    memory, now, dues = Memory(), T0, []
    for rating in ratings:
        memory = review(memory, rating, now=now, policy=EXACT)
        dues.append(memory.due)
        now = memory.due
    assert dues == direct_due_dates(ratings)


def test_desired_retention_is_passed_to_fsrs():
    memory, now = Memory(), T0
    for rating in SEQUENCES[0]:
        memory = review(memory, rating, now=now, policy=Policy(desired_retention=0.8,
                                                                fuzzing=False))
        now = memory.due
    assert memory.due == direct_due_dates(SEQUENCES[0], retention=0.8)[-1]
    assert memory.due > direct_due_dates(SEQUENCES[0])[-1]


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
    for rating, delta in intervals.items():
        assert review(Memory(), rating, now=T0, policy=EXACT).due - T0 == delta
    assert intervals[Rating.AGAIN] < intervals[Rating.GOOD] < intervals[Rating.EASY]


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


def test_every_state_the_scheduler_reaches_passes_its_own_consistency_check():
    # The import check must never refuse what the app itself writes.
    for ratings in itertools.product(Rating, repeat=4):
        memory, now = Memory(), T0
        assert inconsistency(memory) is None
        for rating in ratings:
            memory = review(memory, rating, now=now, policy=EXACT)
            assert inconsistency(memory) is None, (ratings, memory)
            now = memory.due


@pytest.mark.parametrize(("memory", "problem"), [
    (Memory(phase=Phase.RELEARNING, stability=2.0, difficulty=5.0, due=T0, last_review=T0),
     "a relearning card needs a step of 0"),
    (Memory(phase=Phase.REVIEW, stability=2.0, difficulty=5.0, due=T0),
     "a studied card needs stability, difficulty, due and last_review"),
    (Memory(phase=Phase.NEW, stability=2.0), "a new card has no step"),
])
def test_inconsistent_states_are_named(memory, problem):
    assert inconsistency(memory).startswith(problem)
