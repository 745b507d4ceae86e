"""The benchmark's seeder: a small history that is exactly what answering in the app leaves."""

from collections import Counter

import pytest

from bench import seed
from quiz.core import scheduling
from quiz.core.scheduling import Memory, Phase, Rating
from quiz.extensions import db
from quiz.models import Card, Review, StudySession, User
from quiz.study.policy import policy_for
from tests.conftest import START

SIZES = seed.Sizes(learners=3, reviews=200, light=10, heavy=100)


@pytest.fixture
def seeded(app):
    return seed.seed(SIZES, now=START, processes=1)


def test_each_learner_has_the_reviews_asked_for_in_their_own_sessions(seeded):
    per_user = Counter(db.session.scalars(db.select(Review.user_id)))
    owners = dict(db.session.execute(db.select(StudySession.id, StudySession.user_id)).all())

    assert [per_user[plan.user_id] for plan in seeded.plans] == [10, 100, 90]
    assert seeded.reviews == 200 and seeded.light.reviews == 10 and seeded.heavy.reviews == 100
    for session_id, user_id in db.session.execute(db.select(Review.session_id, Review.user_id)):
        assert owners[session_id] == user_id
    # The seeded ids are behind the sequences: the app's next row takes a fresh one.
    later = StudySession(user_id=1)
    db.session.add(later)
    db.session.commit()
    assert later.id == seeded.sessions + 1


def test_every_card_is_what_replaying_its_reviews_through_the_scheduler_gives(seeded):
    users = {user.id: user for user in db.session.scalars(db.select(User))}
    reviews = db.session.scalars(db.select(Review).order_by(Review.card_id, Review.seq)).all()
    by_card: dict[int, list[Review]] = {}
    for review in reviews:
        by_card.setdefault(review.card_id, []).append(review)
    cards = db.session.scalars(db.select(Card)).all()

    assert cards and len(by_card) == len(cards)
    for card in cards:
        history = by_card[card.id]
        policy = policy_for(users[card.user_id], fuzzing=False)
        memory = Memory()
        assert [review.seq for review in history] == list(range(card.answers))
        for review in history:
            assert review.user_id == card.user_id and review.reviewed_at < START
            assert review.phase_before == int(memory.phase)
            if review.scheduled:
                memory = scheduling.review(memory, Rating(review.rating),
                                           now=review.reviewed_at, policy=policy)
                assert (review.due_after, review.stability_after, review.difficulty_after) == (
                    memory.due, memory.stability, memory.difficulty)
            else:
                assert review.due_after == (memory.due or review.reviewed_at)
                assert review.stability_after is None
        assert card.memory == memory
        assert any(review.scheduled for review in history) or card.phase == int(Phase.NEW)


def test_plans_spread_learners_over_time_zones_around_a_typical_count():
    plans = seed.plans(seed.Sizes())
    typical = sorted(plan.reviews for plan in plans[2:])

    assert sum(plan.reviews for plan in plans) == 1_000_000
    assert (plans[0].reviews, plans[1].reviews) == (10, 100_000)
    assert 700 <= typical[len(typical) // 2] <= 1100 and typical[0] >= 1
    assert len({plan.time_zone for plan in plans}) == len(seed.TIME_ZONES)


def test_the_counts_the_app_keeps_are_what_it_would_have_kept(seeded):
    from quiz.models import DayTally
    from quiz.study import tallies

    def kept() -> list[tuple]:
        return sorted(tuple(row) for row in db.session.execute(db.select(
            DayTally.user_id, DayTally.day, DayTally.bank_id, DayTally.answered,
            DayTally.correct, DayTally.introduced, DayTally.reviewed, DayTally.duration_ms)))

    seeded_tallies = kept()
    for user in db.session.scalars(db.select(User)):
        tallies.recount(user)
    db.session.commit()
    assert kept() == seeded_tallies and len(seeded_tallies) >= 3
    for session in db.session.scalars(db.select(StudySession)):
        assert session.answered == db.session.scalar(db.select(db.func.count()).select_from(
            Review).where(Review.session_id == session.id))
