"""Settings: time zone, daily new limit and desired retention, each explained and validated."""

import pytest

from quiz.core.scheduling import Rating
from quiz.extensions import db
from quiz.models import User
from quiz.study import selection
from quiz.study import service as study
from tests.builders_history import History

VALID = {"time_zone": "Asia/Karachi", "new_per_day": "15", "desired_retention": "0.85",
         "learning_steps": "1m 10m", "relearning_steps": "10m", "maximum_interval": "36500",
         "reviews_per_day": "200", "study_order": "mixed", "leech_threshold": "8"}


def save(learner, **changes):
    return learner.post("/settings", {**VALID, **changes}, token_from="/settings")


def test_the_settings_page_explains_each_setting_in_a_line(learner):
    page = learner.get("/settings").get_data(as_text=True)
    assert 'id="time_zone-hint"' in page and "Your day starts at 4 a.m." in page
    assert 'id="new_per_day-hint"' in page and "(0 to 500)" in page
    assert 'id="desired_retention-hint"' in page and "(0.70 to 0.97)" in page
    assert 'name="desired_retention"' in page and 'value="0.9"' in page


def test_saving_settings_stores_all_three(learner):
    response = save(learner)
    assert response.status_code == 302
    assert "Settings saved." in learner.get("/settings").get_data(as_text=True)
    user = db.session.get(User, learner.user.id)
    db.session.refresh(user)
    assert (user.time_zone, user.new_per_day, user.desired_retention) == ("Asia/Karachi", 15,
                                                                          0.85)


@pytest.mark.parametrize(("changes", "message"), [
    ({"desired_retention": "0.5"}, "Enter a desired retention from 0.70 to 0.97"),
    ({"desired_retention": "0.98"}, "Enter a desired retention from 0.70 to 0.97"),
    ({"desired_retention": "90%"}, "Enter a desired retention from 0.70 to 0.97"),
    ({"desired_retention": "nan"}, "Enter a desired retention from 0.70 to 0.97"),
    ({"desired_retention": ""}, "Enter the share of answers you aim to recall."),
    ({"new_per_day": "-1"}, "Enter a whole number from 0 to 500."),
    ({"new_per_day": "501"}, "Enter a whole number from 0 to 500."),
    ({"new_per_day": "ten"}, "Enter a whole number from 0 to 500."),
    ({"new_per_day": ""}, "Enter how many new questions you want per day."),
    ({"time_zone": "Mars/Olympus"}, "Pick your time zone from the list."),
    ({"time_zone": ""}, "Pick your time zone from the list."),
])
def test_out_of_range_settings_are_refused_with_a_clear_message(learner, changes, message):
    response = save(learner, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(message) == 1  # one clear message, not the field's own as well
    assert "Not a valid" not in page
    user = db.session.get(User, learner.user.id)
    db.session.refresh(user)
    assert (user.time_zone, user.new_per_day, user.desired_retention) == ("UTC", 20, 0.9)


def test_the_retention_boundaries_are_accepted(learner):
    for value in ("0.70", "0.97"):
        assert save(learner, desired_retention=value).status_code == 302


def test_a_higher_desired_retention_brings_cards_back_sooner(learner, clock):
    history = History(learner.user, clock)
    history.answer("demo-mc", True)
    history.answer("demo-mc", True, at=clock.advance(minutes=15))  # now in review
    card = selection.card_for(learner.user, "demo-mc")
    relaxed = study.intervals(learner.user, "demo-mc", card, clock.now,
                              fuzzing=False)[Rating.GOOD]
    save(learner, desired_retention="0.97", time_zone="UTC")
    db.session.refresh(learner.user)
    strict = study.intervals(learner.user, "demo-mc", card, clock.now,
                             fuzzing=False)[Rating.GOOD]
    assert strict < relaxed
