"""bench/layers.py: one statement of the study loop timed at each layer, writing nothing."""

import pytest

from bench.layers import LAYERS, measure
from quiz.extensions import db
from quiz.models import Card, Review


def test_every_statement_is_timed_at_every_layer_and_the_writes_are_rolled_back(app, build):
    build.banks()
    user = build.user()
    build.bulk_history(user, reviews=20, days=5)
    question_id = "demo-mc"
    before = db.session.scalar(db.select(db.func.count()).select_from(Review))
    card = db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                    Card.question_id == question_id)).one()
    kept = (card.answers, card.due, card.stability)

    figures = measure(user.id, question_id, calls=3, rounds=1)

    assert set(figures) == {"question_with_card", "review_insert", "card_update"}
    for costs in figures.values():
        assert set(costs) == set(LAYERS) and all(value > 0 for value in costs.values())
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == before
    assert (card.answers, card.due, card.stability) == kept


def test_a_learner_without_a_card_for_the_question_is_refused(app, build):
    build.banks()
    user = build.user()

    with pytest.raises(ValueError, match="has no card"):
        measure(user.id, "demo-mc", calls=1, rounds=1)
