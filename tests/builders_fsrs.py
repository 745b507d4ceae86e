"""Building long review histories fast, for fitting and rescheduling (tests and bench).

The learner remembers as FSRS says with parameters of their own (TRUE_PARAMETERS, unlike the
defaults), so a fit to their log has something to find. Each answer is scheduled by the real
scheduling core with the learner's policy, and the rows are written in bulk: thousands of
answers in well under a second, where the answer service would take minutes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert

from quiz.core.clock import study_day
from quiz.core.scheduling import (
    DEFAULT_PARAMETERS,
    Memory,
    Phase,
    Rating,
    elapsed_days,
    forgetting_curve,
    next_memory,
    review,
)
from quiz.extensions import db
from quiz.models import Bank, Card, Question, Review, User
from quiz.study.policy import policy_for

# A learner who forgets faster at first and keeps what survives longer than the average one.
TRUE_PARAMETERS = (0.8, 2.0, 5.0, 15.0, *DEFAULT_PARAMETERS[4:8], 1.4, 0.12, 1.1,
                   *DEFAULT_PARAMETERS[11:20], 0.3)


def synthetic_bank(count: int, bank_id: str = "synthetic") -> list[str]:
    """A bank of `count` flashcards with no content worth reading; returns their ids."""
    db.session.add(Bank(id=bank_id, title="Synthetic"))
    ids = [f"{bank_id}-{index}" for index in range(count)]
    db.session.execute(insert(Question), [{
        "id": question_id, "bank_id": bank_id, "position": index, "type": "flashcard",
        "era": "cold-war", "source_article": "a", "source_section": "s",
        "spec": {"id": question_id, "type": "flashcard", "front": "F", "back": "B"},
        "content_hash": "h", "answer_hash": "h"} for index, question_id in enumerate(ids)])
    db.session.commit()
    return ids


def synthetic_history(user: User, question_ids: list[str], *, answers_per_card: int,
                      start: datetime, until: datetime, seed: int = 1) -> int:
    """Give `user` a card for each question and up to `answers_per_card` scheduled answers
    each, from `start` (one card a minute) to `until`; returns how many answers."""
    rng = random.Random(seed)
    policy = policy_for(user, fuzzing=False)
    cards, histories = [], []
    for index, question_id in enumerate(question_ids):
        memory, truth, now, rows = Memory(), None, start + timedelta(minutes=index), []
        for seq in range(answers_per_card):
            if now > until:
                break
            today = study_day(now, user.time_zone)
            elapsed = 0 if memory.last_review is None else elapsed_days(
                memory.last_review, now=now, today=today)
            recall = 1.0 if truth is None else forgetting_curve(TRUE_PARAMETERS, elapsed,
                                                                truth[0])
            rating = (Rating.AGAIN if rng.random() > recall else
                      rng.choices([Rating.HARD, Rating.GOOD, Rating.EASY], [1, 8, 1])[0])
            truth = next_memory(TRUE_PARAMETERS, truth, rating, elapsed)
            after = review(memory, rating, now=now, policy=policy)
            rows.append({"user_id": user.id, "seq": seq, "scheduled": True,
                         "rating": int(rating), "score": float(rating > Rating.AGAIN),
                         "phase_before": int(memory.phase), "reviewed_at": now,
                         "duration_ms": rng.randint(3000, 15000), "due_after": after.due,
                         "stability_after": after.stability,
                         "difficulty_after": after.difficulty})
            memory = after
            # Learning steps come back a few minutes late; reviews on their day, some hours
            # in, now and then a few days late.
            late = (timedelta(minutes=rng.uniform(0, 20)) if memory.phase is not Phase.REVIEW
                    else timedelta(hours=rng.uniform(1, 16), days=rng.choice([0, 0, 0, 2])))
            now = memory.due + late
        card = Card(user_id=user.id, question_id=question_id, answers=len(rows))
        card.memory = memory
        cards.append(card)
        histories.append(rows)
    db.session.add_all(cards)
    db.session.flush()
    rows = [{**row, "card_id": card.id} for card, card_rows in zip(cards, histories,
                                                                    strict=True)
            for row in card_rows]
    for first in range(0, len(rows), 5000):
        db.session.execute(insert(Review), rows[first:first + 5000])
    db.session.commit()
    return len(rows)
