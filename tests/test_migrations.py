"""Migrations keep every learner's data, on both databases, going up and coming back down.

The walk test takes every revision from the Alembic history, so a new migration is walked
as soon as it exists; it must bring a seed in `SEEDS` that fills what it adds, or the walk
fails and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import Integer, inspect, text

from quiz import create_app
from quiz.extensions import db
from tests.conftest import BACKENDS, postgres_url

WHEN = datetime(2026, 1, 5, 9, 30, tzinfo=UTC).replace(tzinfo=None)
# What a downgrade must never lose, whatever else the older schema cannot hold.
LEARNERS_DATA = ("user", "bank", "question", "card", "review")


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path):
    """The app on an empty database that each test migrates itself."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    else:
        url = postgres_url("migrations")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        if request.param == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def revisions() -> list[str]:
    """Every revision id in the Alembic history, oldest first."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def rows(table: str) -> list[tuple]:
    found = [tuple(row) for row in db.session.execute(
        text(f'SELECT * FROM "{table}" ORDER BY 1, 2'))]
    # An open read transaction would hold PostgreSQL locks the next migration must take.
    db.session.commit()
    return found


def tables() -> dict[str, list[dict]]:
    """Every table of the current schema with its rows (as column -> value), in key order."""
    names = sorted(set(inspect(db.engine).get_table_names()) - {"alembic_version"})
    found = {}
    for name in names:
        result = db.session.execute(text(f'SELECT * FROM "{name}" ORDER BY 1, 2'))
        found[name] = [dict(row._mapping) for row in result]
    db.session.commit()
    return found


def _run(*statements: str) -> None:
    for statement in statements:
        db.session.execute(text(statement), {"when": WHEN, "content": b"{}"})
    if db.engine.dialect.name == "postgresql":
        # The seeds give ids by hand; move each sequence on as if the app had made the rows.
        for table, column in _serial_columns():
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                f"GREATEST((SELECT max({column}) FROM \"{table}\"), 1))"))
    db.session.commit()


def _serial_columns() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'"))]


def seed_0001() -> None:
    """Two learners (one since deleted), a bank with two questions, a bank session, cards and
    answers, as the first schema stores them."""
    _run(
        """INSERT INTO "user" (id, email, password_hash, time_zone, new_per_day,
           desired_retention, is_admin, created_at) VALUES
           (1, 'gone@example.org', 'x', 'UTC', 20, 0.9, false, :when),
           (2, 'ayesha@example.org', 'x', 'Asia/Karachi', 15, 0.85, false, :when)""",
        "DELETE FROM \"user\" WHERE id = 1",
        """INSERT INTO bank (id, title, description, synced_at)
           VALUES ('demo', 'Demo', '', :when)""",
        """INSERT INTO question (id, bank_id, position, type, era, difficulty, source_article,
           source_section, citation, spec, content_hash, answer_hash) VALUES
           ('q1', 'demo', 0, 'true_false', 'cold-war', 2, 'a', 's', 'c', '{}', 'h', 'h'),
           ('q2', 'demo', 1, 'true_false', 'cold-war', 2, 'a', 's', 'c', '{}', 'h', 'h')""",
        "INSERT INTO question_tag (question_id, tag) VALUES ('q1', 'diplomacy')",
        """INSERT INTO study_session (id, user_id, bank_id, started_at, ended_at)
           VALUES (5, 2, 'demo', :when, :when)""",
        """INSERT INTO card (id, user_id, question_id, phase, step, stability, difficulty, due,
           last_review, reps, lapses, answers, revised)
           VALUES (3, 2, 'q1', 2, NULL, 4.5, 5.2, :when, :when, 2, 0, 2, false)""",
        """INSERT INTO review (id, card_id, user_id, session_id, seq, rating, score, response,
           phase_before, reviewed_at, duration_ms, due_after) VALUES
           (9, 3, 2, 5, 0, 3, 1.0, '"true"', 0, :when, 900, :when)""",
    )


def seed_0002() -> None:
    """Events, and the sessions 0002 brought (a test, practice, everything due) with answers."""
    _run(
        """INSERT INTO event (id, date, title, note, citation, retired_at)
           VALUES ('tashkent', '1966-01', 'Tashkent Declaration', NULL, 'c', NULL)""",
        "INSERT INTO question_event (question_id, event_id) VALUES ('q1', 'tashkent')",
        """INSERT INTO study_session (id, user_id, kind, bank_id, bank_ids, eras, tags,
           question_ids, scheduled, time_limit_s, started_at) VALUES
           (7, 2, 'test', NULL, '[]', '[]', '[]', '["q1", "q2"]', true, 600, :when),
           (8, 2, 'practice', NULL, '[]', '["cold-war"]', '[]', '["q2"]', false, NULL, :when),
           (10, 2, 'due', NULL, '[]', '[]', '[]', '[]', true, NULL, :when)""",
        """INSERT INTO card (id, user_id, question_id, phase, step, stability, difficulty, due,
           last_review, reps, lapses, answers, revised)
           VALUES (4, 2, 'q2', 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 1, false)""",
        """INSERT INTO review (id, card_id, user_id, session_id, seq, rating, score, response,
           phase_before, reviewed_at, duration_ms, due_after, scheduled) VALUES
           (11, 3, 2, 7, 1, 3, 1.0, '"true"', 1, :when, 1200, :when, true),
           (12, 4, 2, 8, 0, 1, 0.0, '"false"', 0, :when, 800, :when, false)""",
    )


def seed_0003() -> None:
    """A signed-in browser with a remember-me token, held on the server."""
    _run(
        """INSERT INTO login_session (id, user_id, secret_hash, remember_hash, remember_until,
           created_at, last_seen_at, user_agent)
           VALUES (1, 2, 'a1', 'b2', :when, :when, :when, 'Firefox/140 on Linux')""",
    )


def seed_0004() -> None:
    """A day's tally kept by an answer, and a session's count of answers."""
    _run("""INSERT INTO day_tally (user_id, day, bank_id, answered, correct, introduced,
            reviewed, duration_ms) VALUES (2, '2026-01-04', 'demo', 3, 2, 1, 1, 9000)""",
         "UPDATE study_session SET answered = 3 WHERE id = 5")


def seed_0005() -> None:
    """A learner's own scheduling settings, a fit of their parameters and a finished job."""
    _run("""UPDATE "user" SET learning_steps = '2m 15m', maximum_interval = 400,
            answers_since_fit = 12 WHERE id = 2""",
         """INSERT INTO parameter_fit (id, user_id, created_at, reviews, items, seconds,
            parameters, log_loss_before, log_loss_after, rmse_before, rmse_after, adopted)
            VALUES (1, 2, :when, 400, 300, 0.2, '[0.4]', 0.31, 0.30, 0.02, 0.01, true)""",
         """INSERT INTO job (id, user_id, kind, status, progress, message, created_at)
            VALUES (1, 2, 'fsrs-fit', 'done', 1.0, '', :when)""")


def seed_0006() -> None:
    """A password reset link waiting to be used."""
    _run("""INSERT INTO password_reset (id, user_id, token_hash, created_at, expires_at)
            VALUES (1, 2, 'c3', :when, :when)""")


def seed_0007() -> None:
    """A bank's era and the hash of what it was synced from; an event's place among events of
    its date, and its year marked inferred."""
    _run("UPDATE bank SET era = 'cold-war', content_hash = 'd4' WHERE id = 'demo'",
         "UPDATE event SET position = 3, inferred = true WHERE id = 'tashkent'")


def seed_0010() -> None:
    """A suspended leech, an answer that can be undone, the learner's study controls and a
    report of a problem with a question."""
    _run("""UPDATE card SET suspended_at = :when, leech = true WHERE id = 3""",
         """UPDATE review SET card_before = '{"memory": {"phase": 1}}', accepted = true
            WHERE id = 11""",
         """UPDATE "user" SET reviews_per_day = 50, study_order = 'new_first',
            leech_threshold = 6, leech_suspends = true, undo_floor = 9 WHERE id = 2""",
         """INSERT INTO problem_report (id, question_id, user_id, kind, comment, given,
            created_at) VALUES (1, 'q1', 2, 'typo', 'a slip', '', :when)""")


def seed_0011() -> None:
    """A personal access token, used once, and a revoked one."""
    _run("""INSERT INTO api_token (id, user_id, name, token_hash, created_at, last_used_at)
            VALUES (1, 2, 'script', 'e5', :when, :when)""",
         """INSERT INTO api_token (id, user_id, name, token_hash, created_at, revoked_at)
            VALUES (2, 2, 'old', 'f6', :when, :when)""")


def seed_0012() -> None:
    """A teacher with a class, a learner in it, a test assigned to it and an attempt at it."""
    _run("""INSERT INTO "user" (id, email, password_hash, time_zone, new_per_day,
            desired_retention, is_admin, is_teacher, created_at)
            VALUES (30, 'teacher@example.org', 'x', 'UTC', 20, 0.9, false, true, :when)""",
         """INSERT INTO school_class (id, teacher_id, name, join_code, created_at)
            VALUES (1, 30, '9B history', 'K7P2XQ9M', :when)""",
         """INSERT INTO class_member (class_id, user_id, joined_at) VALUES (1, 2, :when)""",
         """INSERT INTO assignment (id, class_id, kind, title, bank_ids, eras, tags,
            question_ids, attempts, created_at)
            VALUES (1, 1, 'test', 'Quiz 1', '[]', '[]', '[]', '["q1"]', 2, :when)""",
         """UPDATE study_session SET assignment_id = 1 WHERE id = 7""")


def seed_0013() -> None:
    """An uploaded import waiting for its job."""
    _run("""INSERT INTO job (id, user_id, kind, status, progress, message, created_at)
            VALUES (2, 2, 'data-import', 'queued', 0.0, '', :when)""",
         """INSERT INTO job_file (id, job_id, content) VALUES (1, 2, :content)""")


def seed_0014() -> None:
    """Another answer to a card, found through the new (card, time, seq) index."""
    _run("""INSERT INTO review (id, card_id, user_id, session_id, seq, rating, score, response,
            phase_before, reviewed_at, duration_ms, due_after, scheduled)
            VALUES (14, 3, 2, 7, 3, 3, 1.0, '"true"', 1, :when, 700, :when, true)""")


def seed_0015() -> None:
    """An untimed test left open, found through the new (user, kind, start, id) index."""
    _run("""INSERT INTO study_session (id, user_id, kind, bank_id, bank_ids, eras, tags,
            question_ids, scheduled, time_limit_s, assignment_id, answered, started_at)
            VALUES (11, 2, 'test', NULL, '[]', '[]', '[]', '["q2"]', true, NULL, NULL, 0,
            :when)""")


def seed_0016() -> None:
    """A test's answer, totalled through the new (session, score, time) index."""
    _run("""INSERT INTO review (id, card_id, user_id, session_id, seq, rating, score, response,
            phase_before, reviewed_at, duration_ms, due_after, scheduled)
            VALUES (16, 3, 2, 11, 4, 3, 0.5, '"true"', 1, :when, 700, :when, false)""")


# One seed per revision: it adds rows that use whatever that revision brought.
SEEDS: dict[str, Callable[[], None]] = {
    "0001": seed_0001,
    "0002": seed_0002,
    "0003": seed_0003,
    "0004": seed_0004,
    "0005": seed_0005,
    "0006": seed_0006,
    "0007": seed_0007,
    "0010": seed_0010,
    "0011": seed_0011,
    "0012": seed_0012,
    "0013": seed_0013,
    "0014": seed_0014,
    "0015": seed_0015,
    "0016": seed_0016,
}


def test_every_migration_has_a_seed_for_the_walk(empty_app):
    missing = [rev for rev in revisions() if rev not in SEEDS]
    assert not missing, (f"add a seed to SEEDS in tests/test_migrations.py for {missing}: rows "
                         "that use what the migration adds, so its downgrade is walked on data")


def _missing(before: list[dict], after: list[dict]) -> list[dict]:
    """The rows of `before` missing from `after`, compared on the columns `before` had."""
    seen = [{column: row.get(column) for column in before[0]} for row in after] if before else []
    return [row for row in before if row not in seen]


def test_every_migration_goes_down_and_up_again_on_populated_data(empty_app):
    history = revisions()
    snapshots: dict[str, dict[str, list[dict]]] = {}
    for rev in history:
        upgrade(revision=rev)
        SEEDS[rev]()
        snapshots[rev] = tables()
    for newer, older in zip(history[:0:-1], history[-2::-1], strict=True):
        before = tables()
        downgrade(revision=older)
        after = tables()
        assert set(after) == set(snapshots[older]), f"{newer} -> {older}: tables differ"
        for table in LEARNERS_DATA:
            assert len(after[table]) == len(before[table]), f"{newer} -> {older} lost {table}"
        for table, seeded in snapshots[older].items():
            assert not _missing(seeded, after[table]), f"{newer} -> {older} lost rows of {table}"
    # Up again from the oldest schema, on what the downgrades left.
    oldest = tables()
    upgrade()
    newest = tables()
    assert set(newest) == set(snapshots[history[-1]])
    for table, kept in oldest.items():
        assert not _missing(kept, newest[table]), f"upgrade lost rows of {table}"
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_0003_keeps_every_row_and_ids_are_never_reused_afterwards(empty_app):
    upgrade(revision="0002")
    seed_0001()
    seed_0002()
    before = {table: rows(table) for table in ("user", "study_session", "card", "review")}
    upgrade(revision="0003")
    assert {table: rows(table) for table in before} == before
    # The highest id ever used is remembered, even one whose row is gone.
    add_user = text("""INSERT INTO "user" (email, password_hash, time_zone, new_per_day,
        desired_retention, is_admin, created_at) VALUES (:email, 'x', 'UTC', 20, 0.9, false,
        :when)""")
    db.session.execute(add_user, {"email": "new@example.org", "when": WHEN})
    db.session.execute(text('DELETE FROM "user" WHERE email = \'new@example.org\''))
    db.session.execute(add_user, {"email": "newer@example.org", "when": WHEN})
    db.session.commit()
    newest = db.session.scalar(text("SELECT id FROM \"user\" WHERE email = 'newer@example.org'"))
    db.session.commit()
    assert newest == 4
    downgrade(revision="0002")
    assert rows("review") == before["review"] and rows("card") == before["card"]


def test_0007_lists_each_bank_under_its_questions_era_and_keeps_every_row(empty_app):
    upgrade(revision="0003")
    seed_0001()
    seed_0002()
    db.session.execute(text("INSERT INTO event (id, date, title, citation) "
                            "VALUES ('treaty', '1971-08', 't', 'c')"))
    db.session.commit()
    before = {table: rows(table) for table in ("question", "card", "review")}
    upgrade(revision="0007")
    assert {table: rows(table) for table in before} == before
    assert db.session.execute(text("SELECT id, era, content_hash FROM bank")).all() == [
        ("demo", "cold-war", None)]
    assert db.session.execute(text(
        "SELECT id, position, inferred FROM event ORDER BY id")).all() == [
        ("tashkent", 0, False), ("treaty", 0, False)]
    db.session.commit()
    downgrade(revision="0003")
    assert rows("question") == before["question"]


def test_every_table_with_integer_ids_never_reuses_them(app):
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            assert table.kwargs.get("sqlite_autoincrement"), table.name
            if app.config["BACKEND"] == "sqlite":
                created = db.session.scalar(text(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                    {"name": table.name})
                assert "AUTOINCREMENT" in created, table.name


def test_the_migrated_schema_has_every_model_table(app):
    tables = {table.name for table in db.metadata.tables.values()}
    assert set(inspect(db.engine).get_table_names()) >= tables


def test_0004_counts_every_existing_answer_on_the_learners_own_study_day(empty_app):
    upgrade(revision="0003")
    seed_0001()
    seed_0002()  # three answers at 09:30 UTC on 5 January: 14:30 in Karachi
    _run("""INSERT INTO review (id, card_id, user_id, session_id, seq, rating, score, response,
        phase_before, reviewed_at, duration_ms, due_after, scheduled)
        VALUES (13, 3, 2, 7, 2, 1, 0.0, '"false"', 2, '2026-01-05 22:30:00', 800, :when, true)""")
    # 22:30 UTC is 03:30 on the 6th in Karachi: still the 5th's study day.
    upgrade(revision="0004")
    (tally,) = rows("day_tally")
    assert tally[0] == 2 and str(tally[1]) == "2026-01-05" and tally[2] == "demo"
    assert tally[3:] == (4, 2, 1, 1, 3700)  # answered, right, new, reviews, milliseconds
    answered = dict(db.session.execute(text("SELECT id, answered FROM study_session")).all())
    assert answered == {5: 1, 7: 2, 8: 1, 10: 0}
    assert db.session.scalar(text("SELECT active_questions FROM bank")) == 2
    db.session.commit()
    downgrade(revision="0003")


def test_0005_keeps_every_learner_and_card_and_counts_their_answers_towards_a_fit(empty_app):
    upgrade(revision="0003")
    seed_0001()
    seed_0002()
    before = {table: rows(table) for table in ("card", "review")}  # 0004 adds to sessions
    users = rows("user")
    upgrade(revision="0005")
    assert {table: rows(table) for table in before} == before
    settings = db.session.execute(text(
        'SELECT id, learning_steps, relearning_steps, maximum_interval, fsrs_parameters, '
        'answers_since_fit FROM "user" ORDER BY id')).all()
    db.session.commit()
    assert [row[0] for row in settings] == [user[0] for user in users]
    assert [tuple(row[1:]) for row in settings] == [("1m 10m", "10m", 36500, None, 2)]
    downgrade(revision="0003")
    assert rows("user") == users
