"""Dashboard figures: a week of study built answer by answer, and every figure checked by hand.

The learner studies in Karachi (UTC+5 all year), so study days run from 04:00 to 04:00
local time, 23:00 to 23:00 UTC. The week runs Monday 2 March to Sunday 8 March 2026 and
the figures are read on Monday 9 March at 13:00 local time, before any study that day.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from quiz.extensions import db
from quiz.models import Card
from quiz.progress import stats
from tests.builders_history import History
from tests.conftest import TEST_BANKS, count_queries

KARACHI = ZoneInfo("Asia/Karachi")
NEW_YORK = ZoneInfo("America/New_York")
# FSRS-6 forgetting curve: R(t, S) = (1 + FACTOR * t / S) ** DECAY, t in whole days since the
# last review; DECAY is minus the last default parameter, and FACTOR makes R(S, S) = 0.9.
DECAY = -0.1542
FACTOR = 0.9 ** (1 / DECAY) - 1


def pkt(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Karachi in March 2026, as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=KARACHI).astimezone(UTC)


def recall(days: int, stability: float) -> float:
    return (1 + FACTOR * days / stability) ** DECAY


def card(question_id: str) -> Card:
    return db.session.scalars(db.select(Card).where(Card.question_id == question_id)).one()


@pytest.fixture
def week(build, clock):
    """A learner's week of study; returns the learner and the moment the figures are read."""
    build.banks()
    user = build.user(time_zone="Asia/Karachi")
    history = History(user, clock)
    # Monday: five new questions (demo-short missed), then each again twenty minutes on.
    history.study(pkt(2, 17))
    for question_id, right in [("demo-mc", True), ("demo-tf", True), ("demo-short", False),
                               ("demo-numeric", True), ("demo-card", True)]:
        history.answer(question_id, right)
    clock.set(pkt(2, 17, 20))
    for question_id in ("demo-mc", "demo-tf", "demo-short", "demo-numeric", "demo-card"):
        history.answer(question_id, True)
    # 03:30 on Tuesday morning is still Monday's study day.
    history.answer("demo-short", True, at=pkt(3, 3, 30))
    # Tuesday: one practice answer, off the schedule.
    history.practice("demo-mc", True, at=pkt(3, 20))
    # Wednesday: the four cards due; demo-mc is forgotten (its first lapse).
    history.study(pkt(4, 18))
    for question_id, right in [("demo-mc", False), ("demo-tf", True), ("demo-numeric", True),
                               ("demo-card", True)]:
        history.answer(question_id, right)
    # Thursday: nothing. Friday: demo-mc relearnt, then a test of three questions, two
    # answered (demo-short, then in review, is forgotten: its first lapse).
    history.study(pkt(6, 10))
    history.answer("demo-mc", True)
    history.test(pkt(6, 12), ["demo-mc", "demo-tf", "demo-short"])
    history.answer("demo-tf", True, at=pkt(6, 12, 1))
    history.answer("demo-short", False, at=pkt(6, 12, 2))
    history.end(pkt(6, 12, 10))
    # Saturday: a test of two, both right.
    history.test(pkt(7, 21), ["demo-tf", "demo-numeric"])
    history.answer("demo-tf", True, at=pkt(7, 21, 1))
    history.answer("demo-numeric", True, at=pkt(7, 21, 2))
    history.end(pkt(7, 21, 5))
    # Sunday: demo-short missed again (relearning: no new lapse); a test left unfinished.
    history.study(pkt(8, 9))
    history.answer("demo-short", False)
    history.test(pkt(8, 10), ["demo-card", "demo-mc"])
    history.answer("demo-card", True, at=pkt(8, 10, 1))
    return user, clock.set(pkt(9, 13))


def test_reviews_per_day_cover_the_last_365_study_days_with_each_answer_on_its_local_day(week):
    user, now = week
    days = stats.reviews_per_day(user, now)
    assert len(days) == 365
    assert days[0].day == date(2025, 3, 10) and days[-1].day == date(2026, 3, 9)
    # Monday: 5 + 5 + the one at 03:30 on Tuesday; Friday: 1 + 2 in the test.
    expected = {date(2026, 3, 2): 11, date(2026, 3, 3): 1, date(2026, 3, 4): 4,
                date(2026, 3, 6): 3, date(2026, 3, 7): 2, date(2026, 3, 8): 2}
    assert {d.day: d.count for d in days if d.count} == expected


def test_streak_counts_back_from_yesterday_until_the_missed_thursday(week, clock):
    user, now = week
    assert stats.current_streak(user, now) == 3  # Friday, Saturday, Sunday
    History(user, clock).answer("demo-mc", True, at=now)
    assert stats.current_streak(user, now) == 4  # and today


def test_streak_is_zero_once_a_whole_study_day_passes_without_answers(week):
    user, _now = week
    # Tuesday 10 March, 13:00: Monday went by without an answer.
    assert stats.current_streak(user, pkt(10, 13)) == 0


def test_weekly_accuracy_covers_twelve_weeks_and_counts_right_answers(week):
    user, now = week
    weeks = stats.weekly_accuracy(user, now)
    assert [w.week for w in weeks] == [date(2026, 3, 9) - timedelta(weeks=n)
                                       for n in range(11, -1, -1)]
    # Right: Monday 10 of 11, Tuesday 1 of 1, Wednesday 3 of 4, Friday 2 of 3,
    # Saturday 2 of 2, Sunday 1 of 2.
    assert (weeks[-2].answered, weeks[-2].correct) == (23, 19)
    assert weeks[-2].accuracy == pytest.approx(19 / 23)
    assert all(w.answered == 0 and w.accuracy is None for w in weeks[:-2] + [weeks[-1]])


def test_cards_by_state_count_never_studied_questions_as_new(week):
    user, now = week
    states = stats.cards_by_state(user, now)
    # Nine questions in the demo bank, five studied: demo-short relearning, four in review.
    assert (states.new, states.learning, states.review, states.relearning) == (4, 0, 4, 1)
    assert states.total == 9


def test_mastery_is_the_average_recall_now_by_era_and_by_theme(week):
    user, now = week
    # Days since each card's last answer as Anki counts them on Monday 13:00 (08:00 UTC):
    # whole days from the answer to the next rollover, Tuesday 04:00.
    elapsed = {"demo-mc": 3, "demo-tf": 2, "demo-short": 1, "demo-card": 1, "demo-numeric": 2}
    r = {qid: recall(days, card(qid).stability) for qid, days in elapsed.items()}
    mastery = stats.mastery(user, now)
    eras = {row.key: row for row in mastery.eras}
    themes = {row.key: row for row in mastery.themes}
    cold_war = ["demo-mc", "demo-tf", "demo-short", "demo-card"]
    assert eras["cold-war"].cards == 4
    assert eras["cold-war"].retrievability == pytest.approx(sum(r[q] for q in cold_war) / 4)
    assert eras["rapprochement"].cards == 1
    assert eras["rapprochement"].retrievability == pytest.approx(r["demo-numeric"])
    assert (eras["post-cold-war"].cards, eras["post-cold-war"].retrievability) == (0, None)
    assert themes["diplomacy"].cards == 5
    assert themes["diplomacy"].retrievability == pytest.approx(sum(r.values()) / 5)
    assert themes["energy-economy"].retrievability == pytest.approx(r["demo-numeric"])
    assert [row.key for row in mastery.eras] == ["cold-war", "post-cold-war", "rupture-2011",
                                                 "rapprochement"]
    assert themes["china"].cards == 0 and themes["china"].retrievability is None


def test_due_forecast_counts_overdue_cards_today_and_the_rest_on_their_local_day(week):
    user, now = week
    # The due times FSRS gave (fuzzing off), in Karachi time: demo-mc and demo-short fell
    # due on Sunday and are overdue; the others are weeks out.
    # The due times FSRS gave (fuzzing off), in Karachi time: demo-short's relearning step
    # fell on Sunday and is overdue; demo-mc is due today, review cards from the 4 a.m.
    # rollover that starts their day; the others are weeks out.
    assert card("demo-mc").due == pkt(9, 4) and card("demo-short").due == pkt(8, 9, 10)
    assert card("demo-tf").due == pkt(31, 4)
    assert card("demo-numeric").due == pkt(30, 4)
    assert card("demo-card").due == datetime(2026, 4, 4, 4, tzinfo=KARACHI)
    forecast = stats.due_forecast(user, now)
    assert len(forecast) == 30
    assert forecast[0].day == date(2026, 3, 9) and forecast[-1].day == date(2026, 4, 7)
    assert {d.day: d.count for d in forecast if d.count} == {
        date(2026, 3, 9): 2, date(2026, 3, 30): 1, date(2026, 3, 31): 1, date(2026, 4, 4): 1}


def test_most_lapsed_lists_forgotten_questions_most_lapses_first(week):
    user, now = week
    lapsed = stats.most_lapsed(user, now)
    assert [(item.question_id, item.lapses) for item in lapsed] == [("demo-mc", 1),
                                                                    ("demo-short", 1)]
    assert lapsed[0].text == "Which capital did Liaquat Ali Khan visit in 1950?"


def test_most_lapsed_ties_go_by_id_in_code_point_order_on_postgresql_too():
    # SQLite compares text byte by byte; PostgreSQL would use its database's locale, which in
    # en_US puts "kayani-visited-moscow-2012" before "kayani-visit-purpose".
    from sqlalchemy.dialects import postgresql, sqlite
    on_postgresql = str(stats._most_lapsed("postgresql").compile(dialect=postgresql.dialect()))
    assert 'ORDER BY card.lapses DESC, card.question_id COLLATE "C"' in on_postgresql  # the cut
    assert on_postgresql.endswith('ORDER BY lapsed.lapses DESC, lapsed.question_id COLLATE "C"')
    on_sqlite = str(stats._most_lapsed("sqlite").compile(dialect=sqlite.dialect()))
    assert "ORDER BY card.lapses DESC, card.question_id\n" in on_sqlite
    assert on_sqlite.endswith("ORDER BY lapsed.lapses DESC, lapsed.question_id")


def test_most_lapsed_reads_the_texts_of_the_questions_it_shows(week):
    user, now = week
    (top,) = stats.most_lapsed(user, now, limit=1)
    assert (top.question_id, top.lapses) == ("demo-mc", 1)
    assert top.text == "Which capital did Liaquat Ali Khan visit in 1950?"


def test_scored_tests_are_the_finished_ones_scored_over_their_length(week):
    user, now = week
    tests = stats.scored_tests(user, now)
    # Friday: demo-tf right, demo-short wrong, demo-mc unanswered; Saturday: both right.
    # Sunday's test never ended and is left out.
    assert [(t.day, t.questions, t.score) for t in tests] == [
        (date(2026, 3, 6), 3, pytest.approx(1 / 3)), (date(2026, 3, 7), 2, 1.0)]
    assert tests[0].ended_at == pkt(6, 12, 10)


def test_the_test_chart_reads_only_the_latest_tests_however_many_were_taken(week,
                                                                            monkeypatch):
    user, now = week
    # The week has three tests: Friday's and Saturday's finished, Sunday's still open.
    monkeypatch.setattr(stats, "TESTS_SHOWN", 2)
    assert [t.day for t in stats.scored_tests(user, now)] == [date(2026, 3, 7)]
    monkeypatch.setattr(stats, "TESTS_SHOWN", 3)
    assert [t.day for t in stats.scored_tests(user, now)] == [date(2026, 3, 6),
                                                              date(2026, 3, 7)]


def test_dashboard_gathers_every_figure(week):
    user, now = week
    figures = stats.dashboard(user, now)
    assert figures.today == date(2026, 3, 9)
    assert figures.streak == 3 and figures.reviews_today == 0
    assert figures.states.review == 4 and len(figures.days) == 365
    assert len(figures.weeks) == 12 and len(figures.forecast) == 30
    assert len(figures.lapsed) == 2 and len(figures.tests) == 2


def test_the_dashboard_runs_the_same_number_of_queries_whatever_the_number_of_cards(
        build, clock):
    build.banks()
    few, many = build.user(), build.user()
    History(few, clock).answer("demo-mc", True)
    busy = History(many, clock)
    for question_id in ("demo-mc", "demo-tf", "demo-short", "demo-numeric", "demo-card"):
        busy.answer(question_id, False)
    clock.advance(days=3)
    db.session.expire_all()
    assert count_queries(stats.dashboard, few, clock.now) == count_queries(
        stats.dashboard, many, clock.now)


# --- Day boundaries: time zones, the 4 a.m. rollover and daylight-saving changes.

def test_an_answer_after_local_4am_counts_for_the_next_day_even_when_utc_says_otherwise(
        build, clock):
    build.banks()
    karachi = build.user(time_zone="Asia/Karachi")
    utc = build.user(time_zone="UTC")
    for user in (karachi, utc):
        history = History(user, clock)
        history.answer("demo-mc", True, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        # 23:30 UTC on Monday is 04:30 on Tuesday in Karachi.
        history.answer("demo-tf", True, at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    now = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)

    def last_two(user):
        return [(d.day, d.count) for d in stats.reviews_per_day(user, now)[-2:]]

    assert last_two(karachi) == [(date(2026, 3, 2), 1), (date(2026, 3, 3), 1)]
    assert stats.current_streak(karachi, now) == 2
    assert last_two(utc) == [(date(2026, 3, 2), 2), (date(2026, 3, 3), 0)]
    assert stats.current_streak(utc, now) == 1


def test_the_study_day_before_a_dst_change_ends_at_4am_local_summer_time(build, clock):
    build.banks()
    user = build.user(time_zone="America/New_York")
    history = History(user, clock)
    # Clocks go forward at 2 a.m. on Sunday 8 March 2026: Saturday's study day lasts 23 hours.
    before = datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK)   # 07:30 UTC: still Saturday
    after = datetime(2026, 3, 8, 4, 30, tzinfo=NEW_YORK)    # 08:30 UTC: Sunday
    assert after - before == timedelta(hours=1)
    history.answer("demo-mc", True, at=before.astimezone(UTC))
    history.answer("demo-tf", True, at=after.astimezone(UTC))
    now = datetime(2026, 3, 8, 20, 0, tzinfo=NEW_YORK).astimezone(UTC)
    assert [(d.day, d.count) for d in stats.reviews_per_day(user, now)[-2:]] == [
        (date(2026, 3, 7), 1), (date(2026, 3, 8), 1)]
    assert stats.current_streak(user, now) == 2


def test_a_streak_longer_than_one_read_window_is_counted_in_full(build, clock, monkeypatch):
    build.banks()
    user = build.user()
    history = History(user, clock)
    for day in range(12):
        history.practice("demo-mc", True, at=datetime(2026, 2, 19 + day, 12, 0, tzinfo=UTC)
                         if day < 10 else datetime(2026, 3, day - 9, 12, 0, tzinfo=UTC))
    # Twelve days in a row, 19 February to 2 March, read five days at a time.
    monkeypatch.setattr(stats, "STREAK_WINDOW", 5)
    assert stats.current_streak(user, datetime(2026, 3, 2, 18, 0, tzinfo=UTC)) == 12


# --- Retired questions: out of the schedule and the figures about it, kept in the history.

def retire(build, question_id: str) -> None:
    bank = yaml.safe_load((TEST_BANKS / "demo.yaml").read_text())
    bank["questions"] = [q for q in bank["questions"] if q["id"] != question_id]
    build.banks(build.bank_dir({"demo.yaml": yaml.safe_dump(bank, allow_unicode=True)}))


def test_retired_questions_leave_states_mastery_forecast_and_lapses_but_not_the_activity(
        build, clock):
    build.banks()
    user = build.user()
    history = History(user, clock)
    for question_id in ("demo-mc", "demo-tf"):
        history.answer(question_id, True)
    clock.advance(minutes=15)
    for question_id in ("demo-mc", "demo-tf"):
        history.answer(question_id, True)  # both graduate to review
    clock.advance(days=3)
    for question_id in ("demo-mc", "demo-tf"):
        history.answer(question_id, False)  # both lapse
    retire(build, "demo-tf")
    now = clock.advance(hours=1)
    states = stats.cards_by_state(user, now)
    assert (states.new, states.relearning, states.total) == (7, 1, 8)
    assert stats.mastery(user, now).eras[0].cards == 1
    assert sum(d.count for d in stats.due_forecast(user, now)) == 1
    assert [item.question_id for item in stats.most_lapsed(user, now)] == ["demo-mc"]
    assert sum(d.count for d in stats.reviews_per_day(user, now)) == 6


def test_a_new_learner_has_empty_figures_and_every_question_new(build, clock):
    build.banks()
    user = build.user()
    figures = stats.dashboard(user, clock.now)
    assert figures.streak == 0 and figures.reviews_today == 0
    assert figures.states.new == 9 and figures.states.total == 9
    assert all(d.count == 0 for d in figures.days + figures.forecast)
    assert all(row.cards == 0 for row in figures.mastery.eras + figures.mastery.themes)
    assert figures.lapsed == [] and figures.tests == []


def test_one_learners_figures_never_include_another_learners_answers(week, build):
    _user, now = week
    other = build.user()
    figures = stats.dashboard(other, now)
    assert sum(d.count for d in figures.days) == 0 and figures.tests == []
    assert figures.states.new == 9 and figures.lapsed == []
