"""Parity with Anki: the same answers give the same due days as Anki's own FSRS engine.

The `anki` package (Anki 26.9's Rust engine) answers the cards in a subprocess whose clock
libfaketime moves (tests/core/anki_engine.py); our `review` answers them too, and each card's
due study day must agree along its whole history. Fuzz is off on both sides. This needs
`anki` (requirements-dev.txt) and Debian's libfaketime (.ci/run installs it): without them it
fails rather than skips, since parity is a promise.
"""

from __future__ import annotations

import glob
import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from quiz.core.clock import study_day
from quiz.core.scheduling import (
    DEFAULT_PARAMETERS,
    Memory,
    Phase,
    Policy,
    Rating,
    elapsed_days,
    format_steps,
    review,
)

ENGINE = Path(__file__).with_name("anki_engine.py")
# Three zones with a daylight-saving change inside the histories (New York 8 March, London
# 29 March, Sydney 5 April 2026) and one whose offset is not whole hours.
ZONES = ("America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata")
START = datetime(2026, 2, 20, tzinfo=UTC)
LEARNING, RELEARNING = (1.0, 10.0), (10.0,)


def policy(time_zone: str, learning: tuple[float, ...] = LEARNING) -> Policy:
    return Policy(time_zone=time_zone, fuzzing=False,
                  learning_steps=tuple(timedelta(minutes=m) for m in learning),
                  relearning_steps=tuple(timedelta(minutes=m) for m in RELEARNING))


def libfaketime() -> str:
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    assert found, "libfaketime is missing: apt-get install faketime (as .ci/run does)"
    return found[0]


def anki(time_zone: str, cards: int, answers: list[tuple[int, int, int]],
         learning: tuple[float, ...] = LEARNING) -> list[dict]:
    """Anki's due day and memory state after each answer (answers in time order)."""
    batch = {"time_zone": time_zone, "cards": cards, "answers": answers,
             "learning_steps": list(learning), "relearning_steps": list(RELEARNING),
             "maximum_interval": 36500, "parameters": list(DEFAULT_PARAMETERS),
             "desired_retention": 0.9}
    env = {**os.environ, "TZ": time_zone, "ANKI_TEST_MODE": "1", "LD_PRELOAD": libfaketime(),
           "FAKETIME_FMT": "%s", "FAKETIME_NO_CACHE": "1", "FAKETIME": str(answers[0][1])}
    done = subprocess.run([sys.executable, str(ENGINE)], input=json.dumps(batch), env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"Anki could not run: {done.stderr[-2000:]}"
    return json.loads(done.stdout)


def ours(time_zone: str, answers: list[tuple[int, int, int]],
         learning: tuple[float, ...] = LEARNING) -> list[dict]:
    """Our due day and memory state after each answer, each card along its own history."""
    rules, memories, results = policy(time_zone, learning), {}, []
    for card, stamp, rating in answers:
        now = datetime.fromtimestamp(stamp, UTC)
        memory = review(memories.get(card, Memory()), Rating(rating), now=now, policy=rules)
        memories[card] = memory
        results.append({"due_day": study_day(memory.due, time_zone).day.isoformat(),
                        "stability": memory.stability, "difficulty": memory.difficulty})
    return results


def random_answers(rng: random.Random, time_zone: str, cards: int,
                   per_card: int) -> list[tuple[int, int, int]]:
    """Histories with same-day steps, early and late reviews and long gaps, in time order."""
    answers = []
    for card in range(cards):
        moment = START + timedelta(hours=rng.uniform(0, 24 * 10))
        for _ in range(per_card):
            if 2 <= moment.astimezone(ZoneInfo(time_zone)).hour < 4:
                # In test mode Anki sets its clock back two hours between 2 and 4 a.m.
                # (rslib/src/timestamp.rs, "to accommodate Python tests"): not a rule of its
                # scheduler, so no answer is given then.
                moment += timedelta(hours=2)
            answers.append((card, int(moment.timestamp()),
                            rng.choices([1, 2, 3, 4], weights=[15, 15, 55, 15])[0]))
            kind = rng.random()
            if kind < 0.3:
                gap = timedelta(minutes=rng.uniform(1, 40))
            elif kind < 0.45:
                gap = timedelta(hours=rng.uniform(1, 30))
            else:
                gap = timedelta(days=rng.uniform(1, 40))
            moment += gap
    # Two answers in the same second would be ordered differently by each side.
    answers.sort(key=lambda answer: (answer[1], answer[0]))
    return answers


def test_due_days_agree_with_ankis_engine_for_99_percent_of_random_answers():
    rng = random.Random(12)
    total = agreed = 0
    misses = []
    for time_zone in ZONES:
        answers = random_answers(rng, time_zone, cards=50, per_card=7)
        theirs = anki(time_zone, 50, answers)
        for answer, mine, reference in zip(answers, ours(time_zone, answers), theirs,
                                           strict=True):
            total += 1
            if mine["due_day"] == reference["due_day"]:
                agreed += 1
            else:
                misses.append((time_zone, answer, mine, reference))
    assert total >= 1000
    assert agreed / total >= 0.99, f"{agreed}/{total} agree; first misses: {misses[:5]}"


# --- Golden cases, one per rule of quiz.core.scheduling: the due days Anki gave for the same
# answers (the last of these tests checks them against the engine itself).

def at(time_zone: str, day: date, hour: int, minute: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute,
                        tzinfo=ZoneInfo(time_zone)).timestamp())


MONDAY = date(2026, 3, 2)
DAY = timedelta(days=1)
SHORT = [(0, at("UTC", MONDAY, 9), 3), (0, at("UTC", MONDAY, 9, 10), 3)]
GOLDEN = {
    # Rule 1: Monday 22:00 to Wednesday 21:00 is two study days, not one 24-hour period.
    "elapsed days count rollovers": ("Europe/Berlin", LEARNING, [
        (0, at("Europe/Berlin", MONDAY, 22), 4),
        (0, at("Europe/Berlin", MONDAY + 2 * DAY, 21), 3)],
        ["2026-03-10", "2026-03-22"]),
    # Rule 2: a card of low stability reviewed a day later; FSRS's intervals would round to
    # the same day, Anki keeps Hard < Good < Easy a day apart (one card per button).
    "hard, good and easy a day apart": ("UTC", LEARNING, [
        *SHORT, *[(card, at("UTC", MONDAY, 9, 20 + card), 1) for card in (1, 2, 3)],
        *[(card, at("UTC", MONDAY, 9, 25 + card), 3) for card in (1, 2, 3)],
        *[(card, at("UTC", MONDAY, 9, 40 + card), 3) for card in (1, 2, 3)],
        (1, at("UTC", MONDAY + DAY, 9), 2), (2, at("UTC", MONDAY + DAY, 9), 3),
        (3, at("UTC", MONDAY + DAY, 9), 4)],
        None),
    # Rule 2: a review answered early keeps at least the interval it had.
    "passing never shortens": ("UTC", LEARNING, [
        (0, at("UTC", MONDAY, 9), 4), (0, at("UTC", MONDAY + 20 * DAY, 9), 3),
        (0, at("UTC", MONDAY + 21 * DAY, 9), 2)],
        ["2026-03-10", "2026-05-24", "2026-05-28"]),
    # Rule 3: due days across New York's change to daylight time (8 March).
    "due on a study day across DST": ("America/New_York", LEARNING, [
        (0, at("America/New_York", date(2026, 3, 6), 23, 30), 4),
        (0, at("America/New_York", date(2026, 3, 7), 1, 50), 3)],
        ["2026-03-14", "2026-03-15"]),
    # Rule 3: a 3-hour step answered at 01:30 reaches past the 4 a.m. rollover: due that day.
    "steps past the rollover": ("Asia/Kolkata", (180.0, 600.0), [
        (0, at("Asia/Kolkata", MONDAY, 1, 30), 3), (0, at("Asia/Kolkata", MONDAY, 5), 1)],
        ["2026-03-02", "2026-03-02"]),
}


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_cases_give_ankis_due_days(name):
    time_zone, steps, answers, expected = GOLDEN[name]
    days = [r["due_day"] for r in ours(time_zone, answers, steps)]
    if expected is None:  # rule 2's ordering: the last three answers, one per button
        hard, good, easy = (date.fromisoformat(day) for day in days[-3:])
        assert hard < good < easy
    else:
        assert days == expected


def test_golden_cases_are_what_ankis_engine_gives():
    for name, (time_zone, steps, answers, _expected) in GOLDEN.items():
        cards = 1 + max(card for card, _stamp, _rating in answers)
        theirs = [r["due_day"] for r in anki(time_zone, cards, answers, steps)]
        assert theirs == [r["due_day"] for r in ours(time_zone, answers, steps)], name


def test_elapsed_days_count_rollovers_not_24_hour_periods():
    rules = policy("Europe/Berlin")
    monday_night = datetime.fromtimestamp(at("Europe/Berlin", MONDAY, 22), UTC)
    wednesday = datetime.fromtimestamp(at("Europe/Berlin", MONDAY + 2 * DAY, 21), UTC)
    today = study_day(wednesday, rules.time_zone)
    assert (wednesday - monday_night).days == 1
    assert elapsed_days(monday_night, now=wednesday, today=today) == 2


def test_stability_is_capped_at_36500_days_and_stored_as_anki_rounds_it():
    memory = Memory(phase=Phase.REVIEW, stability=30000.0, difficulty=1.0,
                    due=START, last_review=START - timedelta(days=3000), reps=20)
    after = review(memory, Rating.EASY, now=START, policy=policy("UTC"))
    assert after.stability == 36500.0
    learned = review(Memory(), Rating.GOOD, now=START, policy=policy("UTC"))
    assert learned.stability == round(learned.stability, 4)
    assert learned.difficulty == round(learned.difficulty, 3)


def test_steps_are_written_as_anki_shows_them():
    assert format_steps(policy("UTC").learning_steps) == "1m 10m"
